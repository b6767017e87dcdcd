"""A pass read in slices on several threads: the same records, in the same order, no faster
for the store than it allows (pacing, 429), and the plan that cuts the range."""

from __future__ import annotations

import bisect
import datetime
import random

from tap_magento.front_door.stopping import Stop
from tap_magento.passes import parallel
from tap_magento.passes.parallel import Slice, SlicePlan, _Memory, _Schedule
from tap_magento.passes.reader import ReadSettings
from tap_magento.passes.sizing import PageSize
from tap_magento.passes.summary import PassSummary
from tap_magento.sandbox.server import Fault
from tap_magento.sandbox.store import StoreSize
from tests.support import (
    FakeClock,
    assert_each_stored_record_once,
    bearer_config,
    make_server,
    sync,
)

SIZE = StoreSize(orders=2000, products=5, customers=50)
T0 = int(datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc).timestamp())


def _at(seconds: int) -> int:
    return T0 + seconds


def _cut_all(stamps: list[int], aim: int, workers: int, max_pages: int) -> list[int]:
    """Cut a range holding records at ``stamps`` as one reader would (each slice finished before
    the next is cut); each slice's count in the order of the range, checking that the slices
    lie end to end."""
    stamps = sorted(stamps)
    whole = Slice(stamps[0], stamps[-1] + 1)
    plan = SlicePlan(whole, len(stamps), aim, workers, max_pages)
    counts: dict[Slice, int] = {}
    while (piece := plan.cut()) is not None:
        counts[piece] = bisect.bisect_left(stamps, piece.upper) - bisect.bisect_left(
            stamps, piece.lower
        )
        plan.finished(piece, counts[piece])
    lower = whole.lower
    for piece in sorted(counts):
        assert piece.lower == lower < piece.upper <= whole.upper  # no gap, no overlap
        lower = piece.upper
    assert lower == whole.upper and sum(counts.values()) == len(stamps)  # each record once
    return [counts[piece] for piece in sorted(counts)]


def _requests(counts: list[int], aim: int) -> int:
    """Requests the slices cost, in pages of what a slice's reader asks for."""
    asked = int(aim * parallel.ASKED_PAGE_FACTOR / parallel.AIMED_PAGE)
    return sum(max(1, -(-n // asked)) for n in counts)


def test_slices_of_evenly_spread_records_fill_whole_pages_and_shrink_towards_the_end() -> None:
    rng = random.Random(1)
    stamps = [_at(rng.randrange(86_400 * 600)) for _ in range(12_000)]
    counts = _cut_all(stamps, 330, workers=4, max_pages=16)
    # 12,000 records are 40 pages of 300: cut in whole pages, a slice costs hardly more
    # requests than one reader's.
    assert _requests(counts, 330) <= 40 * 1.1
    pages = [-(-n // 330) for n in counts]
    # Big slices first, while there is much left; about a page each at the end, so that the
    # four workers finish together rather than three waiting for the last big slice.
    assert pages[0] >= 8 and max(pages[-4:]) <= 2


def test_one_page_slices_when_memory_allows_only_that() -> None:
    rng = random.Random(2)
    stamps = [_at(rng.randrange(86_400 * 600)) for _ in range(12_000)]
    counts = _cut_all(stamps, 330, workers=4, max_pages=1)
    assert _requests(counts, 330) <= 40 * 1.1  # hardly a slice needs a second request


def test_records_bunched_in_the_last_second_are_a_slice_of_their_own() -> None:
    rng = random.Random(3)
    stamps = [_at(rng.randrange(86_400 * 30)) for _ in range(3_000)] + [_at(86_400 * 30)] * 500
    counts = _cut_all(stamps, 330, workers=4, max_pages=1)
    assert counts[-1] == 500  # one slice, and no crawl of thin slices towards it
    # The other slices hold a little less than they aim at (the 500 were counted as spread
    # over the range), so a few more slices than pages of 330.
    assert len(counts) <= 3_000 / 330 * 1.5 + 1


def test_the_plan_learns_from_a_dense_first_slice() -> None:
    # 10,000 records in the first 10 s, then one every 100 s for a day: the first slice,
    # cut as if records were spread evenly, holds the dense part; the count it returns makes
    # the plan cut the sparse rest in slices of about the target, not in one.
    stamps = [_at(s // 1000) for s in range(10_000)] + [_at(s) for s in range(10, 86_400, 100)]
    counts = _cut_all(stamps, 50, workers=4, max_pages=2)
    assert counts[0] >= 10_000
    assert len(counts) > 8 and max(counts[1:]) <= 100 * 1.5


def test_records_and_state_come_in_cursor_order_across_slices() -> None:
    with make_server(SIZE) as server:
        result = sync(bearer_config(server, page_size=50), streams=["orders"])
        orders = result.records["orders"]
        assert_each_stored_record_once(server, "orders", orders)
        keys = [(o["updated_at"], o["entity_id"]) for o in orders]
        assert keys == sorted(keys)
        reading = [r for r in server.requests
                   if r.path == "/rest/V1/orders" and r.params.get("searchCriteria[pageSize]") != "1"]  # fmt: skip
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


def test_a_429_in_a_parallel_pass_is_waited_out_and_loses_nothing() -> None:
    # That the wait holds every worker is the pacer's (test_retries: the pacer tests).
    with make_server(SIZE) as server:
        server.faults.add(Fault("/V1/orders", 429, headers={"Retry-After": "9"}, skip=12))
        clock = FakeClock()
        result = sync(bearer_config(server, page_size=50), streams=["orders"], clock=clock)
        assert_each_stored_record_once(server, "orders", result.records["orders"])
        assert 9 <= max(clock.waits) < 10


def test_min_request_interval_holds_across_workers() -> None:
    with make_server(SIZE) as server:
        clock = FakeClock()
        config = bearer_config(server, page_size=200, min_request_interval=0.2)
        result = sync(config, streams=["orders"], clock=clock)
        assert_each_stored_record_once(server, "orders", result.records["orders"])
        sent = sum(1 for r in server.requests if r.path == "/rest/V1/orders")
        assert sent > 8
        # Requests take no time on this clock; with four workers, the last of them still
        # cannot start before (requests - 1) intervals have passed.
        assert clock.now() >= 0.2 * (sent - 1) - 1e-9


def test_a_full_table_list_is_read_in_slices_of_its_key_range() -> None:
    # 1,200 coupons with a hole of 500 keys in the middle: slices are cut on the key's range,
    # and the empty ones that fall in the hole cost a request each.
    with make_server(StoreSize(orders=5, sales_rules=20, coupons_per_rule=60)) as server:
        for coupon_id in range(300, 800):
            server.store.delete("coupons", coupon_id)
        result = sync(bearer_config(server, page_size=50), streams=["coupons"])
        coupons = result.records["coupons"]
        assert_each_stored_record_once(server, "coupons", coupons)
        assert [c["coupon_id"] for c in coupons] == sorted(server.store.collection("coupons").rows)
        reading = [r for r in server.requests if r.path == "/rest/V1/coupons/search"
                   and r.params.get("searchCriteria[pageSize]") != "1"]  # fmt: skip
        lower_bounds = {_key_bound(r.params, "gteq") for r in reading}
        # 700 coupons in slices of two pages at most (the tests' slice size): at least 7
        # slices, every page inside one.
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


def test_the_last_slice_is_emitted_only_once_every_slice_below_it_is_cut() -> None:
    """The range's last second is cut with the last round of slices, before the slices just
    below it. A pass that has emitted all it was given must wait for those, not take up the
    last slice: that would emit its records out of order, and lose the slices cut after."""
    plan = SlicePlan(Slice(0, 1000), 400, page_size=50, workers=4, max_pages=1)
    settings = ReadSettings(page_size=PageSize(50), pages_per_window=1, skip_unreadable=False,
                            workers=4)  # fmt: skip
    schedule = _Schedule(plan, settings, _Memory(2**20, 2**20), Stop())
    first = schedule.start()
    assert first is not None
    tail = None
    while tail is None:  # cut until the last second's slice comes
        slot = schedule.start()
        assert slot is not None
        tail = slot if slot.piece.lower == 999 else None
    below = [s for s in schedule._slots if s is not tail]
    assert plan.uncut_below(tail.piece)
    for slot in below:  # every slice cut below the tail is read (empty) and emitted
        schedule.finish(slot, PassSummary(), None)
    for slot in below:
        assert schedule.head() is slot
        assert schedule.take(slot) is None
    schedule.finish(tail, PassSummary(), None)
    # The pass would wait here (head() waits while this holds): the part of the range below
    # the tail is not cut yet.
    assert schedule._waiting_for_a_cut()
    cut = schedule.start()  # a worker frees up and cuts it
    assert cut is not None and cut.piece.upper <= tail.piece.lower
    assert schedule.head() is cut
