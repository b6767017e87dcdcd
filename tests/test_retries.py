"""Each row of the retry policy (tap_magento/retry.py), against the sandbox over real HTTP.

Waits run at a hundredth of the real schedule here (conftest.quick_retries); the schedule
itself is checked against the real table at the end. A store's Retry-After is obeyed to the
second even so, which the rate-limit test measures at the server.
"""

from __future__ import annotations

import itertools
import logging
import random
import urllib.parse

import pytest
import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_magento import retry
from tap_magento.errors import UnreadableRecords
from tap_magento.retry import Cause, RetryPolicy, cause_of
from tap_magento.sandbox.auth import AuthPolicy
from tap_magento.sandbox.server import MAINTENANCE_PAGE, Fault
from tests.support import (
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


@pytest.mark.slow
def test_rate_limit_waits_exactly_as_long_as_retry_after_says(server) -> None:
    server.faults.add(Fault(path="/V1/orders", status=429, headers={"Retry-After": "1"}))
    result = sync(bearer_config(server, page_size=200), streams=ORDERS)
    assert_each_stored_record_once(server, "orders", result.records["orders"])
    arrivals = _arrivals(server, "/rest/V1/orders")
    first_status, refused_at = arrivals[0]
    assert first_status == 429
    # A parallel pass sends its first two requests together: the other one may arrive just
    # after the refused one. Nothing is sent after it until the store's second is over.
    retried_at = min(at for _, at in arrivals[1:] if at > refused_at + 0.1)
    assert retried_at - refused_at >= 1.0  # the test schedule alone would wait ~0.02 s


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
    with pytest.raises(FatalAPIError, match=r"Still unavailable \(503\) after \d+ tries") as error:
        sync(bearer_config(server, max_wait_seconds=0.5), streams=ORDERS)
    assert "raise max_wait_seconds (now 0.5)" in str(error.value)
    # Test waits are 0.05, 0.1, 0.2, 0.4 s (jittered): a few tries fit in half a second.
    assert 3 <= len(_arrivals(server, "/rest/V1/orders")) <= 12


# --- 502, 504, dropped connections, timeouts ----------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        Fault(path="/V1/orders", status=502, times=3),
        Fault(path="/V1/orders", status=504, times=3),
        Fault(path="/V1/orders", drop=True, times=3),
        Fault(path="/V1/orders", status=200, body="{}", delay=1.5, times=1),
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
    with pytest.raises(FatalAPIError, match=reason) as error:
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
    result = sync(bearer_config(server, page_size=100, min_request_interval=0.2), streams=ORDERS)
    assert_each_stored_record_once(server, "orders", result.records["orders"])
    starts = [started for _, started in _arrivals(server, "/rest/V1/orders")]
    assert len(starts) >= 7
    # Unpaced, a page follows the last in a few tens of milliseconds. The tolerance is for
    # loopback latency varying between two requests, which is microseconds.
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.19


# --- the real schedule ----------------------------------------------------------------------


def _failure(status: int, headers: dict[str, str] | None = None) -> RetriableAPIError:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers or {})
    return RetriableAPIError(f"{status}", response)


def _waits(policy: RetryPolicy, failures: list[BaseException]) -> list[float]:
    schedule = policy.waits()
    schedule.send(None)
    return [schedule.send(failure) for failure in failures]


def test_failures_are_told_apart_by_cause() -> None:
    assert cause_of(_failure(429)) is Cause.RATE_LIMITED
    assert cause_of(_failure(503)) is Cause.MAINTENANCE
    assert cause_of(_failure(502)) is Cause.NETWORK
    assert cause_of(_failure(504)) is Cause.NETWORK
    assert cause_of(requests.exceptions.ConnectionError()) is Cause.NETWORK
    assert cause_of(requests.exceptions.ReadTimeout()) is Cause.NETWORK
    assert cause_of(requests.exceptions.SSLError()) is Cause.TLS
    assert cause_of(UnreadableRecords("500", _failure(500).response)) is Cause.SERVER_ERROR
    assert cause_of(UnreadableRecords("404", _failure(404).response)) is None
    assert cause_of(ValueError()) is None


def test_network_waits_double_with_jitter_up_to_a_minute_then_give_up() -> None:
    rules = dict(retry.RULES)  # the autouse fixture scaled the module's table
    real = retry.Rule(first_wait=1, tries=8)
    rules[Cause.NETWORK] = real
    policy = RetryPolicy(300, rules, random.Random(3))
    waits = _waits(policy, [_failure(502)] * 7)
    for failures, wait in enumerate(waits, start=1):
        ceiling = min(60.0, 2.0 ** (failures - 1))
        assert ceiling / 2 <= wait <= ceiling
    assert len(set(waits)) == len(waits)  # jittered
    with pytest.raises(FatalAPIError, match="after 8 tries"):
        _waits(policy, [_failure(502)] * 8)


def test_rate_limit_obeys_retry_after_and_maintenance_polls_instead() -> None:
    policy = RetryPolicy(300, {**retry.RULES, Cause.MAINTENANCE: retry.Rule(first_wait=5),
                               Cause.RATE_LIMITED: retry.Rule(2, binding_retry_after=True)})  # fmt: skip
    assert _waits(policy, [_failure(429, {"Retry-After": "120"})]) == [120.0]
    # Maintenance pages say Retry-After: 3600 whatever the real downtime is: poll.
    (first,) = _waits(policy, [_failure(503, {"Retry-After": "3600"})])
    assert 2.5 <= first <= 5
    date = "Wed, 21 Oct 2015 07:28:00 GMT"  # long past: retry now
    assert _waits(policy, [_failure(429, {"Retry-After": date})]) == [0.0]


def test_waiting_stops_at_max_wait_seconds() -> None:
    rules = {**retry.RULES, Cause.MAINTENANCE: retry.Rule(first_wait=5)}
    policy = RetryPolicy(100, rules, random.Random(11))
    schedule = policy.waits()
    schedule.send(None)
    waits: list[float] = []

    def wait_out_maintenance() -> None:
        while True:
            waits.append(schedule.send(_failure(503)))

    with pytest.raises(FatalAPIError, match="Still unavailable"):
        wait_out_maintenance()
    # It stops when the next wait (at most 60 s) would take the total past 100 s.
    assert 100 - 60 < sum(waits) <= 100
