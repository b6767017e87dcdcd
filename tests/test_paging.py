"""Paging ends correctly on every Magento version: no duplicate, no loop, nothing missing."""

from __future__ import annotations

import itertools
import logging

import pytest

from tap_magento.passes.cursor import Cursor
from tap_magento.passes.decoding import Page
from tap_magento.passes.paging import PagingStalled, WindowPaginator, cursor_of, key_of
from tap_magento.sandbox.search import SearchBehaviour
from tap_magento.sandbox.store import StoreSize
from tests.support import assert_each_stored_record_once, bearer_config, make_server, sync

PAGED = ["orders", "coupons", "source_items", "stock_items", "customers"]
SIZE = StoreSize(orders=1000, products=150, customers=300, sales_rules=10, coupons_per_rule=25)
# Keyset paging (the default), and page numbers in windows small enough to move several times.
# One keyset reader; page numbers in windows small enough to move several times; and keyset
# readers in parallel over slices of the pass (the default).
MODES = {
    "keyset": {"max_parallel_requests": 1},
    "windows": {"keyset_paging": False, "max_pages_per_window": 4},
    "parallel": {},
}
PAGE_NUMBERS = {"keyset_paging": False}


def _assert_complete(server, result) -> None:
    for stream in PAGED:
        assert_each_stored_record_once(server, stream, result.records[stream])


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("past_end", ["repeat", "empty"])
@pytest.mark.parametrize("total_count", ["exact", "capped", "inflated"])
def test_paging_ends_right_whatever_the_store_answers_past_the_end(
    past_end, total_count, mode
) -> None:
    behaviour = SearchBehaviour(past_end=past_end, total_count=total_count)
    with make_server(SIZE, behaviour=behaviour) as server:
        result = sync(bearer_config(server, page_size=100, **MODES[mode]), streams=PAGED)
        _assert_complete(server, result)
        order_pages = [int(r.params["searchCriteria[currentPage]"]) for r in server.requests
                       if r.path == "/rest/V1/orders"]  # fmt: skip
        assert order_pages[0] == 1 and 0 not in order_pages
        if mode == "parallel":  # every slice's reader goes page 1 after page 1, too
            assert set(order_pages) == {1}
            return
        deepest = 1 if mode == "keyset" else 4
        assert max(order_pages) == deepest
        for previous, page in itertools.pairwise(order_pages):
            assert page in (1, previous + 1)
        # 10 full pages; at most one request past the end to confirm it.
        assert len(order_pages) <= 11


def test_exact_total_count_saves_the_request_past_the_end() -> None:
    with make_server(SIZE, behaviour=SearchBehaviour(total_count="exact")) as server:
        sync(bearer_config(server, page_size=100, **PAGE_NUMBERS), streams=["orders"])
        assert len([r for r in server.requests if r.path == "/rest/V1/orders"]) == 10


def test_repeated_last_page_is_dropped_and_ends_the_pass(caplog) -> None:
    behaviour = SearchBehaviour(past_end="repeat", total_count="inflated")
    with make_server(SIZE, behaviour=behaviour) as server, caplog.at_level(logging.INFO):
        result = sync(bearer_config(server, page_size=100, **PAGE_NUMBERS), streams=["orders"])
        assert len(result.records["orders"]) == 1000
        assert "page repeated the previous one" in caplog.text
        assert "100 repeated records dropped" in caplog.text


@pytest.mark.parametrize("mode", MODES)
def test_store_maximum_page_size_is_used_and_logged(caplog, mode) -> None:
    behaviour = SearchBehaviour(max_page_size=80)
    with make_server(SIZE, behaviour=behaviour) as server, caplog.at_level(logging.INFO):
        result = sync(bearer_config(server, page_size=300, **MODES[mode]), streams=PAGED)
        _assert_complete(server, result)
        refused = [r for r in server.requests if r.status == 400]
        # The learnt limit is shared by all streams: only the first pass's first requests,
        # sent together by its readers, are refused.
        assert 1 <= len(refused) <= 4 and len({r.path for r in refused}) == 1
        sizes = {r.params.get("searchCriteria[pageSize]") or r.params.get("pageSize")
                 for r in server.requests if r.status == 200}  # fmt: skip
        # Pages of one only ask whether a stream is readable or find where a pass starts and ends.
        assert sizes - {"1"} == {"80"}
        assert "refuses pages larger than 80 records" in caplog.text


@pytest.mark.parametrize("mode", MODES)
def test_small_page_size_reads_everything_exactly_once(mode) -> None:
    with make_server(SIZE) as server:
        result = sync(bearer_config(server, page_size=7, **MODES[mode]), streams=["orders"])
        ids = [r["entity_id"] for r in result.records["orders"]]
        assert sorted(ids) == sorted(r["entity_id"] for r in server.store.records("orders"))


def test_a_store_that_ignores_the_cursor_stops_the_pass_instead_of_looping() -> None:
    pager = WindowPaginator(lambda: 2, key_of(["id"]), cursor_of(["t", "id"]), 1, on_skip=print)
    pager.fresh_positions(Page([{"id": 1, "t": "a"}, {"id": 2, "t": "a"}], None))
    pager.advance()
    assert pager.current == Cursor(("a", "2"), 1, 2)
    # The next window ends on the same record: the store did not apply the cursor's filter.
    pager.fresh_positions(Page([{"id": 3, "t": "a"}, {"id": 2, "t": "a"}], None))
    with pytest.raises(PagingStalled, match="ignores the filter"):
        pager.advance()
