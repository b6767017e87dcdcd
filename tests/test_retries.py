"""Each row of the retry policy (tap_magento/retry.py), against the sandbox over real HTTP.

The tap runs on a ``FakeClock`` here: its waits take no time and are recorded, so a test
checks how long the tap chose to wait, not when its requests arrived.
"""

from __future__ import annotations

import logging
import random
import urllib.parse
from pathlib import Path

import pytest
import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_magento.front_door.causes import Cause, cause_of
from tap_magento.front_door.connection import RequestPacer
from tap_magento.front_door.errors import BadAnswer, PageCut, StoreFailed, UnreadableRecords
from tap_magento.front_door.retry import RULES, Retries, RetryPolicy
from tap_magento.sandbox.auth import AuthPolicy
from tap_magento.sandbox.server import MAINTENANCE_PAGE, Fault
from tests.support import (
    FakeClock,
    admin_config,
    assert_each_stored_record_once,
    bearer_config,
    make_server,
    oauth_config,
    sync,
)

ORDERS = ["orders"]
WEBSITES = ["websites"]


def _arrivals(server, path: str) -> list[tuple[int, float]]:
    return [(r.status, r.started) for r in server.requests if r.path == path]


# --- 429 ------------------------------------------------------------------------------------


def test_rate_limit_waits_at_least_as_long_as_retry_after_says(server) -> None:
    server.faults.add(Fault(path="/V1/orders", status=429, headers={"Retry-After": "7"}))
    clock = FakeClock()
    result = sync(bearer_config(server, page_size=200), streams=ORDERS, clock=clock)
    assert_each_stored_record_once(server, "orders", result.records["orders"])
    assert _arrivals(server, "/rest/V1/orders")[0][0] == 429
    # The backoff alone would wait 1 to 2 s; the store asked for 7.
    assert 7.0 <= max(clock.waits) < 8.0


def test_rate_limit_without_retry_after_backs_off_and_recovers(server, caplog) -> None:
    server.faults.add(Fault(path="/V1/orders", status=429, times=3))
    with caplog.at_level(logging.INFO):
        result = sync(bearer_config(server, page_size=200), streams=ORDERS)
    assert_each_stored_record_once(server, "orders", result.records["orders"])
    assert "3 retries (3 rate limited (429))" in caplog.text


def test_rate_limit_longer_than_max_wait_stops_at_once_saying_what_to_change(server) -> None:
    server.faults.add(
        Fault(path="/V1/orders", status=429, headers={"Retry-After": "600"}, times=None)
    )
    with pytest.raises(FatalAPIError, match=r"asks to wait 600 s.*max_wait_seconds \(30\)"):
        sync(bearer_config(server, max_wait_seconds=30), streams=ORDERS)
    # No retry: only the pass's first requests (a parallel pass asks for its first and last
    # record together).
    assert len(_arrivals(server, "/rest/V1/orders")) <= 2


# --- 503 ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_maintenance_window_is_waited_out(server) -> None:
    server.faults.add(Fault(path="/V1/", status=503, body=MAINTENANCE_PAGE,
                            content_type="text/html", times=6))  # fmt: skip
    result = sync(bearer_config(server, page_size=200), streams=ORDERS)
    assert_each_stored_record_once(server, "orders", result.records["orders"])
    assert [s for s, _ in _arrivals(server, "/rest/V1/orders")][:7] == [503] * 6 + [200]


def test_maintenance_longer_than_max_wait_seconds_stops_with_advice(server) -> None:
    server.faults.add(Fault(path="/V1/", status=503, body=MAINTENANCE_PAGE,
                            content_type="text/html", times=None))  # fmt: skip
    clock = FakeClock()
    with pytest.raises(FatalAPIError, match=r"Still unavailable \(503\) after \d+ tries") as error:
        sync(bearer_config(server, max_wait_seconds=30, max_parallel_requests=1),
             streams=ORDERS, clock=clock)  # fmt: skip
    assert "raise max_wait_seconds (now 30)" in str(error.value)
    # Waits of 2.5-5, 5-10, 10-20 s (jittered): two to four fit in 30 s, never more.
    assert 2 <= len(clock.waits) <= 4
    assert sum(clock.waits) <= 30
    assert len(_arrivals(server, "/rest/V1/orders")) == len(clock.waits) + 1


# --- 502, 504, dropped connections, timeouts ----------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        Fault(path="/V1/orders", status=502, times=3),
        Fault(path="/V1/orders", status=504, times=3),
        Fault(path="/V1/orders", drop=True, times=3),
        Fault(path="/V1/orders", hang=True, times=1),  # only request_timeout ends it
    ],
    ids=["502", "504", "dropped-connection", "timeout"],
)
def test_gateway_and_network_failures_are_retried(server, fault) -> None:
    server.faults.add(fault)
    result = sync(bearer_config(server, page_size=200, request_timeout=1), streams=ORDERS)
    assert_each_stored_record_once(server, "orders", result.records["orders"])
    assert fault.fired == fault.times


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (Fault(path="/V1/store/websites", status=502, times=None), r"502 Bad Gateway"),
        (Fault(path="/V1/store/websites", drop=True, times=None), "closed the connection"),
    ],
    ids=["502", "dropped-connection"],
)
def test_gateway_failure_that_never_ends_gives_up_after_eight_tries(server, fault, reason) -> None:
    server.faults.add(fault)
    with pytest.raises((FatalAPIError, PageCut), match=reason) as error:
        sync(bearer_config(server), streams=WEBSITES)
    assert len(_arrivals(server, "/rest/V1/store/websites")) == 8
    assert "8 t" in str(error.value)  # "8 tries" / "8 times"


# --- 500 ------------------------------------------------------------------------------------


def test_server_error_is_retried_a_few_times(server) -> None:
    server.faults.add(Fault(path="/V1/store/websites", status=500, times=2))
    result = sync(bearer_config(server), streams=WEBSITES)
    assert len(result.records["websites"]) == len(server.store.records("websites"))
    assert [s for s, _ in _arrivals(server, "/rest/V1/store/websites")] == [500, 500, 200]


def test_server_error_on_a_single_endpoint_stops_after_three_tries(server) -> None:
    server.faults.add(Fault(path="/V1/store/websites", status=500, times=None))
    with pytest.raises(UnreadableRecords, match="500 Internal Server Error for GET"):
        sync(bearer_config(server), streams=WEBSITES)
    assert len(_arrivals(server, "/rest/V1/store/websites")) == 3


# --- 401 ------------------------------------------------------------------------------------


def _nonces(server) -> list[str]:
    found = []
    for record in server.requests:
        header = record.headers.get("Authorization", "")
        params = dict(urllib.parse.parse_qsl(header.removeprefix("OAuth ").replace(", ", "&")))
        found.append(params.get("oauth_nonce", "").strip('"'))
    return found


def test_reused_oauth_nonce_is_retried_with_a_fresh_signature(server) -> None:
    server.faults.add(Fault(path="/V1/orders", status=401, body=(
        '{"message": "The nonce is already being used by the consumer with ID %1", '
        '"parameters": ["1"]}')))  # fmt: skip
    result = sync(oauth_config(server, page_size=200), streams=ORDERS)
    assert_each_stored_record_once(server, "orders", result.records["orders"])
    statuses = [s for s, _ in _arrivals(server, "/rest/V1/orders")]
    assert statuses[:2] == [401, 200]
    nonces = _nonces(server)
    assert all(nonces) and len(set(nonces)) == len(nonces)


def test_every_oauth_retry_is_signed_afresh(server) -> None:
    server.faults.add(Fault(path="/V1/orders", status=503, times=2))
    server.faults.add(Fault(path="/V1/orders", drop=True, times=1))
    result = sync(oauth_config(server, page_size=200), streams=ORDERS)
    assert_each_stored_record_once(server, "orders", result.records["orders"])
    nonces = _nonces(server)
    assert len(set(nonces)) == len(nonces) == len(server.requests)


def test_admin_role_without_the_resource_gets_one_relogin_then_names_it() -> None:
    granted = frozenset({"Magento_Backend::store"})
    with make_server(policy=AuthPolicy(granted_resources=granted)) as server:
        with pytest.raises(FatalAPIError, match="no access to ACL resource Magento_Sales::"):
            sync(admin_config(server), streams=ORDERS)
        assert server.auth.logins == 2  # the first login and one re-login, no more


# --- pacing -----------------------------------------------------------------------------------


def test_min_request_interval_spaces_requests_out(server) -> None:
    clock = FakeClock()
    config = bearer_config(server, page_size=100, min_request_interval=0.2)
    result = sync(config, streams=ORDERS, clock=clock)
    assert_each_stored_record_once(server, "orders", result.records["orders"])
    sent = len(_arrivals(server, "/rest/V1/orders"))
    assert sent >= 7
    # Requests take no time on this clock: only the pacer's waits move it, and the last
    # request cannot start before (requests - 1) intervals have passed.
    assert clock.now() >= 0.2 * (sent - 1) - 1e-9


def _starts(pacer: RequestPacer, clock: FakeClock, requests: int) -> list[float]:
    starts = []
    for _ in range(requests):
        pacer.wait_turn()
        starts.append(clock.now())
    return starts


def test_pacer_starts_requests_an_interval_apart() -> None:
    clock = FakeClock()
    assert _starts(RequestPacer(0.25, clock), clock, 4) == [0.0, 0.25, 0.5, 0.75]


def test_pacer_holds_every_request_while_the_store_asked_to_wait() -> None:
    clock = FakeClock(frozen=True)  # the waits of several workers at the same moment
    pacer = RequestPacer(0, clock)
    pacer.hold(30)
    pacer.wait_turn()
    pacer.wait_turn()
    assert clock.waits == [30, 30]


# --- the real schedule ----------------------------------------------------------------------


def _failure(status: int, headers: dict[str, str] | None = None) -> RetriableAPIError:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers or {})
    return RetriableAPIError(f"{status}", response)


def _waits(policy: RetryPolicy, failures: list[BaseException]) -> list[float]:
    schedule = policy.schedule()
    return [schedule.after(failure)[1] for failure in failures]


def test_failures_are_told_apart_by_cause() -> None:
    assert cause_of(_failure(429)) is Cause.RATE_LIMITED
    assert cause_of(_failure(503)) is Cause.MAINTENANCE
    assert cause_of(_failure(502)) is Cause.GATEWAY_CUT
    assert cause_of(_failure(501)) is Cause.NETWORK
    assert cause_of(PageCut("504", _failure(504).response)) is Cause.GATEWAY_CUT
    assert cause_of(PageCut("no answer within request_timeout", None)) is Cause.GATEWAY_CUT
    assert cause_of(requests.exceptions.ConnectionError()) is Cause.NETWORK
    assert cause_of(requests.exceptions.ReadTimeout()) is Cause.NETWORK
    assert cause_of(requests.exceptions.SSLError()) is Cause.TLS
    assert cause_of(UnreadableRecords("500", _failure(500).response)) is Cause.SERVER_ERROR
    gone = UnreadableRecords("404", _failure(404).response, Cause.ENTITY_MISSING)
    assert cause_of(gone) is Cause.ENTITY_MISSING and Cause.ENTITY_MISSING not in RULES
    assert cause_of(_failure(404).response) is Cause.ENTITY_MISSING
    assert cause_of(ValueError()) is None


def test_network_waits_double_with_jitter_up_to_a_minute_then_give_up() -> None:
    policy = RetryPolicy(300, RULES, random.Random(3))
    waits = _waits(policy, [_failure(502)] * 7)
    for failures, wait in enumerate(waits, start=1):
        ceiling = min(60.0, 2.0 ** (failures - 1))
        assert ceiling / 2 <= wait <= ceiling
    assert len(set(waits)) == len(waits)  # jittered
    with pytest.raises(FatalAPIError, match="after 8 tries"):
        _waits(policy, [_failure(502)] * 8)


def test_rate_limit_obeys_retry_after_and_maintenance_polls_instead() -> None:
    policy = RetryPolicy(300, RULES)
    assert _waits(policy, [_failure(429, {"Retry-After": "120"})]) == [120.0]
    # Maintenance pages say Retry-After: 3600 whatever the real downtime is: poll.
    (first,) = _waits(policy, [_failure(503, {"Retry-After": "3600"})])
    assert 2.5 <= first <= 5
    date = "Wed, 21 Oct 2015 07:28:00 GMT"  # long past: the backoff, not a tight loop
    (waited,) = _waits(policy, [_failure(429, {"Retry-After": date})])
    assert 1 <= waited <= 2


def test_waiting_stops_at_max_wait_seconds() -> None:
    policy = RetryPolicy(100, RULES, random.Random(11))
    schedule = policy.schedule()
    waits: list[float] = []

    def wait_out_maintenance() -> None:
        while True:
            waits.append(schedule.after(_failure(503))[1])

    with pytest.raises(FatalAPIError, match="Still unavailable"):
        wait_out_maintenance()
    # It stops when the next wait (at most 60 s) would take the total past 100 s.
    assert 100 - 60 < sum(waits) <= 100


RETRY_AFTERS = ["0", "0.001", "120", "86400", "Wed, 21 Oct 2015 07:28:00 GMT",
                "Fri, 01 Jan 2100 00:00:00 GMT", "soon", None]  # fmt: skip


def _every_failure(cause: Cause, retry_after: str | None) -> BaseException:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    response = _failure({Cause.RATE_LIMITED: 429, Cause.MAINTENANCE: 503, Cause.SERVER_ERROR: 500,
                         Cause.NONCE_REUSED: 401}.get(cause, 504), headers).response  # fmt: skip
    return {
        Cause.GATEWAY_CUT: PageCut("504 Gateway Time-out", response),
        Cause.SERVER_ERROR: UnreadableRecords("500", response),
        Cause.NETWORK: requests.exceptions.ConnectionError("Connection reset"),
        Cause.TLS: requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] x (_ssl.c:1)"),
        Cause.BAD_ANSWER: BadAnswer("200 OK: Input data was truncated", response),
    }.get(cause, StoreFailed(str(cause), response, cause))


@pytest.mark.parametrize("retry_after", RETRY_AFTERS)
@pytest.mark.parametrize("cause", list(RULES), ids=lambda cause: cause.name)
def test_every_retry_schedule_ends_whatever_the_store_says(cause, retry_after) -> None:
    failure = _every_failure(cause, retry_after)
    assert cause_of(failure) is cause
    rule = RULES[cause]
    policy = RetryPolicy(300, RULES, random.Random(5))
    schedule = policy.schedule()
    waits: list[float] = []

    def until_it_ends() -> None:
        for _ in range(1000):
            waits.append(schedule.after(failure)[1])

    with pytest.raises((FatalAPIError, UnreadableRecords)) as stopped:
        until_it_ends()
    assert len(waits) < 1000, "no end"
    assert sum(waits) <= policy.total_allowed(rule)
    # Each wait is capped; only a 429's Retry-After binds, within the total.
    assert all(wait <= rule.max_wait or rule.binding_retry_after for wait in waits)
    # A Retry-After of 0 or a date long past does not make a tight loop.
    assert all(wait >= rule.first_wait / 2 for wait in waits)
    assert str(stopped.value)


def test_a_caller_that_can_do_better_gets_the_failure_back_at_once() -> None:
    cut = PageCut("504 Gateway Time-out for GET /rest/V1/orders: an HTML page", None)
    schedule = RetryPolicy(300).schedule(Retries({Cause.GATEWAY_CUT: 1}))
    with pytest.raises(PageCut, match=r"504 Gateway Time-out.*Still cut by the gateway"):
        schedule.after(cut)


# --- the docs' table is the code's ----------------------------------------------------------

NOT_A_RULE = ("401 with an expired admin token",)  # auth.RenewedToken's own renewal


def _docs_retry_rows() -> list[list[str]]:
    text = (Path(__file__).resolve().parent.parent / "docs" / "misbehaving-stores.md").read_text()
    table = text.split("| the store answers | the tap waits | and gives up |", 1)[1]
    rows = []
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


@pytest.mark.parametrize("cause", list(RULES), ids=lambda cause: cause.name)
def test_the_docs_retry_table_shows_each_rule_as_the_code_has_it(cause) -> None:
    rule = RULES[cause]
    (row,) = [row for row in _docs_retry_rows() if row[0].startswith(rule.shown_as)]
    _, waits, gives_up = row
    if rule.tries == 1:
        assert gives_up.startswith("at once")
    elif rule.tries is not None:
        assert f"after {rule.tries} tries" in gives_up
    else:
        assert "`max_wait_seconds`" in gives_up
    if rule.tries != 1:
        expected = "nothing" if rule.first_wait == 0 else f"{rule.first_wait:g} s"
        assert expected in waits


def test_every_row_of_the_docs_retry_table_is_a_rule() -> None:
    shown = [rule.shown_as for rule in RULES.values()]
    for answers, _, _ in _docs_retry_rows():
        assert any(answers.startswith(prefix) for prefix in (*shown, *NOT_A_RULE)), answers
