"""A pass read in slices on several threads: the same records, in the same order, no faster
for the store than it allows (pacing, 429), and the plan that cuts the range."""

from __future__ import annotations

import datetime
import itertools

from tap_magento.sandbox.server import Fault
from tap_magento.sandbox.store import StoreSize
from tap_magento.slices import MAX_SLICES, Slice, plan
from tests.support import assert_each_stored_record_once, bearer_config, make_server, sync

SIZE = StoreSize(orders=2000, products=5, customers=50)
T0 = int(datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc).timestamp())


def _at(seconds: int) -> int:
    return T0 + seconds


def test_the_plan_covers_the_range_in_slices_of_about_the_target() -> None:
    # 1,000 records a second for the first 10 s, then one every 100 s for a day.
    stamps = [_at(s // 1000) for s in range(10_000)] + [_at(s) for s in range(10, 86_400, 100)]
    counted: list[Slice] = []

    def count(piece: Slice) -> int:
        counted.append(piece)
        return sum(piece.lower <= t < piece.upper for t in stamps)

    slices = plan(Slice(_at(0), _at(86_400)), count, 500, lambda f, xs: [f(x) for x in xs])
    planning_counts = len(counted)
    for before, after in itertools.pairwise(slices):
        assert before.upper <= after.lower  # in order, never overlapping
    assert sum(count(piece) for piece in slices) == len(stamps)  # every record in one slice
    for piece in slices:
        n = count(piece)
        seconds = piece.upper - piece.lower
        assert n > 0 and (n <= 500 or seconds == 1), (piece, n)
    assert planning_counts < 4 * len(slices)  # a few counts per slice, not one per second


def test_an_inflated_count_stops_halving_at_the_slice_limit() -> None:
    slices = plan(
        Slice(_at(0), _at(10**7)), lambda piece: 10**9, 10, lambda f, xs: [f(x) for x in xs]
    )
    assert MAX_SLICES // 2 <= len(slices) <= MAX_SLICES


def test_records_and_state_come_in_cursor_order_across_slices() -> None:
    with make_server(SIZE) as server:
        result = sync(bearer_config(server, page_size=50), streams=["orders"])
        orders = result.records["orders"]
        assert_each_stored_record_once(server, "orders", orders)
        keys = [(o["updated_at"], o["entity_id"]) for o in orders]
        assert keys == sorted(keys)
        reading = [r for r in server.requests
                   if r.path == "/rest/V1/orders" and r.params.get("searchCriteria[pageSize]") == "50"]  # fmt: skip
        assert {r.params["searchCriteria[currentPage]"] for r in reading} == {"1"}
        # Bookmarks only ever move forward, never past a record not yet emitted.
        emitted, newest = 0, ""
        for message in result.messages:
            if message["type"] == "RECORD":
                newest = max(newest, message["record"]["updated_at"])
                emitted += 1
            elif message["type"] == "STATE" and emitted:
                bookmark = message["value"]["bookmarks"]["orders"].get("replication_key_value")
                assert bookmark is None or bookmark <= newest


def test_a_429_holds_every_worker_for_its_retry_after() -> None:
    with make_server(SIZE) as server:
        server.faults.add(Fault("/V1/orders", 429, headers={"Retry-After": "1"}, skip=12))
        result = sync(bearer_config(server, page_size=50), streams=["orders"])
        assert_each_stored_record_once(server, "orders", result.records["orders"])
        arrivals = sorted((r.started, r.status) for r in server.requests
                          if r.path == "/rest/V1/orders")  # fmt: skip
        refused_at = next(started for started, status in arrivals if status == 429)
        # Requests already sent when the store answered 429 may still arrive just after it;
        # none is sent while the store has asked to wait.
        during = [s for s, _ in arrivals if refused_at + 0.1 < s < refused_at + 0.95]
        assert during == []
        assert any(s >= refused_at + 1 for s, _ in arrivals)


def test_min_request_interval_holds_across_workers() -> None:
    with make_server(SIZE) as server:
        config = bearer_config(server, page_size=400, min_request_interval=0.2)
        result = sync(config, streams=["orders"])
        assert_each_stored_record_once(server, "orders", result.records["orders"])
        starts = sorted(r.started for r in server.requests if r.path == "/rest/V1/orders")
        assert len(starts) > 8
        # Arrival times, not send times: the sandbox shares this process (and its GIL) with
        # four workers, so a request can reach it up to about 0.1 s late, and the next one
        # seems early. Over two intervals (0.4 s) that cannot add up to a burst of workers.
        assert min(c - a for a, c in zip(starts, starts[2:], strict=False)) >= 0.25
        assert starts[-1] - starts[0] >= 0.2 * (len(starts) - 1) - 0.1


def test_a_full_table_list_is_read_in_slices_of_its_key_range() -> None:
    # 1,200 coupons with a hole of 500 keys in the middle: slices are cut on the key's range
    # and counted, so the hole costs a count, not a slice of nothing.
    with make_server(StoreSize(orders=5, sales_rules=20, coupons_per_rule=60)) as server:
        for coupon_id in range(300, 800):
            server.store.delete("coupons", coupon_id)
        result = sync(bearer_config(server, page_size=50), streams=["coupons"])
        coupons = result.records["coupons"]
        assert_each_stored_record_once(server, "coupons", coupons)
        assert [c["coupon_id"] for c in coupons] == sorted(server.store.collection("coupons").rows)
        reading = [r for r in server.requests if r.path == "/rest/V1/coupons/search"
                   and r.params.get("searchCriteria[pageSize]") == "50"]  # fmt: skip
        lower_bounds = {_key_bound(r.params, "gteq") for r in reading}
        # 700 coupons in slices of two pages (the tests' slice size): at least 7 slices, every
        # page inside one, and none reaching into the hole.
        assert len(lower_bounds) >= 7 and None not in lower_bounds
        assert {r.params["searchCriteria[currentPage]"] for r in reading} == {"1"}
        # The last key came from one page of one sorted the other way.
        assert any(r.params.get("searchCriteria[sortOrders][0][direction]") == "DESC"
                   for r in server.requests if r.path == "/rest/V1/coupons/search")  # fmt: skip


def test_one_reader_reads_a_full_table_list_without_slices() -> None:
    with make_server(StoreSize(orders=5, sales_rules=10, coupons_per_rule=30)) as server:
        config = bearer_config(server, page_size=50, max_parallel_requests=1)
        result = sync(config, streams=["coupons"])
        assert_each_stored_record_once(server, "coupons", result.records["coupons"])
        reading = [r for r in server.requests if r.path == "/rest/V1/coupons/search"]
        assert {_key_bound(r.params, "gteq") for r in reading} == {None}


def _key_bound(params: dict[str, str], condition: str) -> str | None:
    """The value of the request's ``coupon_id <condition>`` filter, if it has one."""
    for name, value in params.items():
        if name.endswith("[conditionType]") and value == condition:
            prefix = name.removesuffix("[conditionType]")
            if params[f"{prefix}[field]"] == "coupon_id":
                return params[f"{prefix}[value]"]
    return None
