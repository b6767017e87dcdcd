"""What stands in front of a real store: gateways that cut slow pages, PHP printing before the
JSON, answers cut short, Retry-After headers that say anything.

The tap runs on a ``FakeClock`` (its waits take no time), against the sandbox over real HTTP,
with a ``Gateway`` in front of it where a test says.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

import pytest
from singer_sdk.exceptions import FatalAPIError

from tap_magento.front_door.errors import PageCut
from tap_magento.sandbox.server import (
    MAINTENANCE_PAGE,
    NGINX_TIMEOUT_PAGE,
    PHP_DEPRECATION,
    Fault,
    Gateway,
    RequestRecord,
    SandboxServer,
)
from tap_magento.sandbox.store import StoreSize
from tests.support import (
    FakeClock,
    assert_each_stored_record_once,
    bearer_config,
    make_server,
    run_tap,
    sync,
)

ORDERS = ["orders"]
SIZE = StoreSize(orders=1500, products=30, customers=300)
CUT_WARNING = "the store's gateway cut a page of"
READINGS = {
    "keyset": {"max_parallel_requests": 1},
    "parallel": {"max_parallel_requests": 4},
    "windows": {"max_parallel_requests": 1, "keyset_paging": False, "max_pages_per_window": 4},
}


@pytest.fixture(scope="module")
def store() -> Any:
    with make_server(SIZE) as running:
        yield running


@pytest.fixture
def fresh(store: SandboxServer) -> SandboxServer:
    store.requests.clear()
    store.faults.clear()
    store.gateway = None
    store.php_output = ""
    return store


def _pages(server: SandboxServer, path: str = "/rest/V1/orders") -> list[RequestRecord]:
    return [r for r in server.requests if r.path == path]


def _size(request: RequestRecord) -> int:
    return int(request.params["searchCriteria[pageSize]"])


def _warnings(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING and text in r.getMessage()]  # fmt: skip


# --- pages a gateway cuts ---------------------------------------------------------------------


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize(
    "gateway",
    [Gateway(max_rows=100), Gateway(max_rows=100, status=504, page=NGINX_TIMEOUT_PAGE)],
    ids=["fastly-503", "nginx-504"],
)
def test_pages_a_gateway_cuts_are_read_smaller_and_nothing_is_lost(
    fresh: SandboxServer, reading: str, gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    fresh.gateway = gateway
    config = bearer_config(fresh, page_size=300, **READINGS[reading])
    with caplog.at_level(logging.INFO):
        result = sync(config, streams=ORDERS)
    assert_each_stored_record_once(fresh, "orders", result.records["orders"])
    answered = [_size(r) for r in _pages(fresh) if r.status == 200]
    cut = [_size(r) for r in _pages(fresh) if r.status == gateway.status]
    assert cut, "the gateway cut pages"
    # 300 is cut, 150 is cut, pages of 75 pass. A parallel pass's slices ask for 30% more
    # (390, 195, 97), and a slice's last page may be short enough to pass at any size.
    if reading == "parallel":
        assert min(answered) <= 100
    else:
        assert 75 in answered
        assert max(answered) <= 100
    # One WARNING for the stream, the first time; later cuts are INFO lines.
    assert len(_warnings(caplog, CUT_WARNING)) == 1
    assert _warnings(caplog, CUT_WARNING)[0].startswith("orders: the store's gateway cut a page")


def test_pages_grow_back_once_the_gateway_lets_them_through(
    fresh: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    fresh.gateway = Gateway(max_rows=100)

    def busy_spell_ends(path: str, params: dict[str, str]) -> None:
        if len(_pages(fresh)) >= 8:
            fresh.gateway = None

    fresh.hooks.append(busy_spell_ends)
    try:
        with caplog.at_level(logging.INFO):
            result = sync(bearer_config(fresh, page_size=200, max_parallel_requests=1),
                          streams=ORDERS)  # fmt: skip
    finally:
        fresh.hooks.remove(busy_spell_ends)
    assert_each_stored_record_once(fresh, "orders", result.records["orders"])
    sizes = [_size(r) for r in _pages(fresh)]
    # 200 cut, 100 passes (the gateway's limit is "more than 100"); after a run of quick
    # pages, back to 200.
    assert sizes[:2] == [200, 100]
    assert sizes[-1] == 200 or sizes.count(200) > 1
    assert "pages went down to 100 and ended at 200" in caplog.text


def test_a_growth_the_gateway_cuts_again_waits_longer_before_the_next(
    fresh: SandboxServer,
) -> None:
    fresh.gateway = Gateway(max_rows=100)
    result = sync(bearer_config(fresh, page_size=200, max_parallel_requests=1), streams=ORDERS)
    assert_each_stored_record_once(fresh, "orders", result.records["orders"])
    sizes = [_size(r) for r in _pages(fresh)]
    growths = [i for i, size in enumerate(sizes) if size == 200 and i > 0]
    # Each growth was cut: quick pages between them double (4, 8, 16 ...).
    runs = [b - a - 1 for a, b in itertools.pairwise(growths)]
    assert runs == sorted(runs) and runs[0] >= 4
    assert len(growths) <= 4  # 1,500 orders in pages of 100: not a cut every few pages


def test_the_tap_s_own_timeout_is_a_cut_too(fresh: SandboxServer) -> None:
    # The gateway answers nothing at all: only request_timeout ends the wait (no race between
    # the tap's timeout and a delay of the store's).
    fresh.gateway = Gateway(max_rows=100, hang=True)
    config = bearer_config(fresh, page_size=300, request_timeout=1, max_parallel_requests=1)
    result = sync(config, streams=ORDERS)
    assert_each_stored_record_once(fresh, "orders", result.records["orders"])
    assert {300, 150} <= {_size(r) for r in _pages(fresh)}
    assert max(_size(r) for r in _pages(fresh) if r.status == 200) <= 100


def test_the_key_pass_and_the_reading_again_are_read_smaller_too(fresh: SandboxServer) -> None:
    config = bearer_config(fresh, detect_deletions=["customers"], deletions_as="activate_version",
                           page_size=300)  # fmt: skip
    first = sync(config, streams=["customers"])
    for key in (5, 6):
        fresh.store.delete("customers", key)
    fresh.requests.clear()
    fresh.gateway = Gateway(max_rows=60)
    second = sync(config, state=first.final_state, streams=["customers"])
    keys = [r for r in _pages(fresh, "/rest/V1/customers/search")
            if r.params.get("fields") == "items[id],total_count"]  # fmt: skip
    assert any(r.status == 503 for r in keys) and any(r.status == 200 for r in keys)
    # The reading again: every live customer once, then ACTIVATE_VERSION.
    activation = next(m for m in second.messages if m["type"] == "ACTIVATE_VERSION")
    again = [m["record"]["id"] for m in second.messages
             if m["type"] == "RECORD" and m.get("version") == activation["version"]]  # fmt: skip
    assert sorted(again) == sorted(fresh.store.collection("customers").rows)
    assert len(again) == len(set(again))


def test_at_the_floor_a_cut_page_is_retried_then_narrowed_down(fresh: SandboxServer) -> None:
    fresh.gateway = Gateway(max_rows=6)
    clock = FakeClock()
    config = bearer_config(fresh, page_size=40, min_page_size=10, max_parallel_requests=1)
    result = sync(config, streams=["customers"], clock=clock)
    assert_each_stored_record_once(fresh, "customers", result.records["customers"])
    sizes = {_size(r) for r in _pages(fresh, "/rest/V1/customers/search")}
    assert {40, 20, 10, 5} <= sizes  # halved to the floor, then narrowed down
    assert clock.waits, "a page at the floor is retried before it is narrowed down"


def test_a_store_whose_gateway_cuts_everything_stops_in_one_clear_line(
    fresh: SandboxServer,
) -> None:
    fresh.gateway = Gateway(max_rows=0)
    with pytest.raises((FatalAPIError, PageCut), match=r"could not be read|Still cut"):
        sync(bearer_config(fresh, max_parallel_requests=1), streams=ORDERS)


# --- PHP output before the JSON ---------------------------------------------------------------


@pytest.mark.parametrize("reading", ["keyset", "parallel"])
def test_php_notices_before_the_json_are_left_out_with_one_warning(
    fresh: SandboxServer, reading: str, caplog: pytest.LogCaptureFixture
) -> None:
    fresh.php_output = PHP_DEPRECATION * 2
    config = bearer_config(fresh, page_size=200, **READINGS[reading])
    with caplog.at_level(logging.INFO):
        result = sync(config, streams=["orders", "customers", "websites"])
    for stream in ("orders", "customers"):
        assert_each_stored_record_once(fresh, stream, result.records[stream])
    assert len(result.records["websites"]) == len(fresh.store.records("websites"))
    warnings = _warnings(caplog, "the store prints PHP messages before its JSON")
    assert sorted(w.split(":")[0] for w in warnings) == ["customers", "orders", "websites"]
    assert (
        "Deprecated: Creation of dynamic property Vendor\\Module\\Model\\Foo::$bar is deprecated "
        "in /var/www/html/app/code/Vendor/Module/Model/Foo.php on line 41" in warnings[0]
    )
    assert "display_errors" in warnings[0]


def test_php_notices_before_an_error_do_not_hide_what_the_store_said(
    fresh: SandboxServer,
) -> None:
    fresh.php_output = PHP_DEPRECATION
    fresh.behaviour.max_page_size = 100  # "Maximum SearchCriteria pageSize is 100"
    try:
        result = sync(bearer_config(fresh, page_size=300), streams=ORDERS)
    finally:
        fresh.behaviour.max_page_size = None
    assert_each_stored_record_once(fresh, "orders", result.records["orders"])


def test_a_php_fatal_error_instead_of_json_is_one_line_saying_what_the_store_printed(
    fresh: SandboxServer, tmp_path: Any
) -> None:
    fatal = (
        "<br />\n<b>Fatal error</b>:  Allowed memory size of 134217728 bytes exhausted (tried "
        "to allocate 20480 bytes) in <b>/var/www/html/vendor/magento/framework/DB/Select.php"
        "</b> on line <b>529</b><br />\n"
    )
    fresh.faults.add(Fault(path="/V1/orders", status=200, body=fatal, times=None))
    done = run_tap(tmp_path, bearer_config(fresh))
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 1, errors
    assert "the store printed PHP's Fatal error: Allowed memory size" in errors[0]
    assert "Select.php on line 529" in errors[0]
    assert "display_errors" in errors[0]
    assert "Traceback" not in done.stderr


# --- answers cut short, and Retry-After --------------------------------------------------------


def test_json_cut_short_in_a_200_is_asked_for_again(
    fresh: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    fresh.faults.add(Fault(path="/V1/orders", status=200, body='{"items": [{"entity_id": 1, "',
                           times=2))  # fmt: skip
    with caplog.at_level(logging.INFO):
        result = sync(bearer_config(fresh, page_size=200), streams=ORDERS)
    assert_each_stored_record_once(fresh, "orders", result.records["orders"])
    assert "2 invalid JSON (200)" in caplog.text


def test_json_that_stays_broken_stops_after_five_tries(fresh: SandboxServer) -> None:
    fresh.faults.add(Fault(path="/V1/orders", status=200, body='{"items": [', times=None))
    with pytest.raises(FatalAPIError, match=r"Still invalid JSON \(200\) after 5 tries"):
        sync(bearer_config(fresh, max_parallel_requests=1), streams=ORDERS)
    assert len(_pages(fresh)) == 5


@pytest.mark.parametrize(
    ("status", "retry_after", "body"),
    [
        (503, "0", MAINTENANCE_PAGE),
        (503, "86400", MAINTENANCE_PAGE),
        (503, "Wed, 21 Oct 2015 07:28:00 GMT", MAINTENANCE_PAGE),
        (429, "0", None),
        (429, "Fri, 01 Jan 2100 00:00:00 GMT", None),
    ],
    ids=["503-0", "503-a-day", "503-date-past", "429-0", "429-date-far"],
)
def test_every_retry_ends_whatever_retry_after_says(
    fresh: SandboxServer, status: int, retry_after: str, body: str | None
) -> None:
    fresh.faults.add(Fault(path="/V1/orders", status=status, body=body, times=None,
                           content_type="text/html" if body else "application/json",
                           headers={"Retry-After": retry_after}))  # fmt: skip
    clock = FakeClock()
    with pytest.raises(
        FatalAPIError, match=r"max_wait_seconds \(300\)|max_wait_seconds \(now 300\)"
    ):
        sync(bearer_config(fresh, max_parallel_requests=1), streams=ORDERS, clock=clock)
    assert len(_pages(fresh)) <= 12  # 868 in 15 minutes, once
    assert sum(clock.waits) <= 300
    assert all(0.5 <= wait <= 60 for wait in clock.waits)
