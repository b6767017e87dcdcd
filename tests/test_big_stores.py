"""Big stores: no request deeper than the store can answer, and same-second clusters crossed."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator

import pytest

from tap_magento.sandbox.search import SearchBehaviour
from tap_magento.sandbox.server import SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize
from tests.support import assert_each_stored_record_once, bearer_config, sync

pytestmark = pytest.mark.slow  # left out of the quick loop: pytest -m "not slow"

# Keyset paging (the default), and page numbers that must move the window before page 201.
MODES = {
    "keyset": {"max_parallel_requests": 1},
    "windows": {"keyset_paging": False, "max_pages_per_window": 200},
    "parallel": {},  # keyset readers over slices, the default
}
HUNDRED_K = StoreSize(orders=100_000, products=5, customers=20, categories=3, sales_rules=1)
DEEPEST_PAGE_THE_STORE_ANSWERS = 200


def _order_pages(server: SandboxServer) -> list[int]:
    return [
        int(r.params["searchCriteria[currentPage]"])
        for r in server.requests
        if r.path == "/rest/V1/orders"
    ]


@pytest.fixture(scope="module")
def deep_store() -> Iterator[SandboxServer]:
    """100k orders on a store whose pages past 200 fail, as big stores run out of memory."""
    behaviour = SearchBehaviour(max_page_depth=DEEPEST_PAGE_THE_STORE_ANSWERS)
    with SandboxServer(SandboxStore(HUNDRED_K, lean=True), behaviour=behaviour) as server:
        yield server


@pytest.mark.parametrize("mode", MODES)
def test_100k_orders_arrive_although_the_store_fails_past_page_200(deep_store, mode) -> None:
    deep_store.requests.clear()
    result = sync(bearer_config(deep_store, page_size=100, **MODES[mode]), streams=["orders"])

    assert_each_stored_record_once(deep_store, "orders", result.records["orders"])
    pages = _order_pages(deep_store)
    assert max(pages) == (DEEPEST_PAGE_THE_STORE_ANSWERS if mode == "windows" else 1)
    assert {r.status for r in deep_store.requests} == {200}
    if mode != "parallel":  # slices add a count or two each, and end on their own short page
        assert len(pages) <= 100_000 // 100 + 1


def test_plain_page_numbers_would_go_past_the_failing_depth(deep_store) -> None:
    """The control: without windows the tap asks for page 1000, so the test above means something."""
    deep_store.requests.clear()
    deep_store.behaviour.max_page_depth = None
    try:
        config = bearer_config(deep_store, page_size=100, keyset_paging=False,
                               max_pages_per_window=10_000)  # fmt: skip
        result = sync(config, streams=["orders"])
    finally:
        deep_store.behaviour.max_page_depth = DEEPEST_PAGE_THE_STORE_ANSWERS
    assert_each_stored_record_once(deep_store, "orders", result.records["orders"])
    assert max(_order_pages(deep_store)) == 1000


CLUSTER = 15_000
CLUSTER_SECOND = datetime.datetime(2025, 1, 15, 12, 0, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture(scope="module")
def clustered_store() -> Iterator[SandboxServer]:
    """20k orders, 15k of them saved by one bulk action in the same second, ids scattered."""
    store = SandboxStore(StoreSize(orders=20_000, products=5, customers=20), lean=True)
    for order_id in random.Random(7).sample(range(1, 20_001), CLUSTER):
        store.touch("orders", order_id, when=CLUSTER_SECOND)
    with SandboxServer(store) as server:
        yield server


@pytest.mark.parametrize(
    "paging",
    [
        pytest.param({"max_parallel_requests": 1}, id="keyset"),
        # Slices in parallel: the cluster's second is one slice, read by one reader.
        pytest.param({}, id="parallel"),
        # Windows of 7 pages of 97: window and page boundaries fall inside the cluster.
        pytest.param({"keyset_paging": False, "max_pages_per_window": 7}, id="windows"),
    ],
)
def test_a_15k_order_cluster_in_one_second_is_crossed_without_loss_or_repeat(
    clustered_store, paging
) -> None:
    clustered_store.requests.clear()
    result = sync(bearer_config(clustered_store, page_size=97, **paging), streams=["orders"])

    assert_each_stored_record_once(clustered_store, "orders", result.records["orders"])
    in_cluster = [
        r for r in result.records["orders"] if r["updated_at"] == "2025-01-15T12:00:00+00:00"
    ]
    assert len(in_cluster) == CLUSTER
    # Inside the cluster the cursor moved on the tie-breaker: requests asked for that second
    # and an entity_id beyond the last one read.
    group = "searchCriteria[filterGroups][{}][filters][{}][{}]"
    cursor_values = {
        (r.params.get(group.format(g, 0, "value")), r.params.get(group.format(g, 1, "field")))
        for r in clustered_store.requests
        for g in range(8)
    }
    assert ("2025-01-15 12:00:00", "entity_id") in cursor_values


def test_a_killed_sync_resumed_inside_the_cluster_completes_it(clustered_store) -> None:
    """Bookmark inside the cluster: the next run re-reads that second (gteq) and loses nothing."""
    state = {"bookmarks": {"orders": {"replication_key": "updated_at",
             "replication_key_value": "2025-01-15T12:00:00+00:00"}}}  # fmt: skip
    result = sync(bearer_config(clustered_store, page_size=500, lookback_seconds=0), state,
                  streams=["orders"])  # fmt: skip
    emitted = {r["entity_id"] for r in result.records["orders"]}
    expected = {
        key
        for key, row in clustered_store.store.collection("orders").rows.items()
        if row["updated_at"] >= "2025-01-15 12:00:00"
    }
    assert emitted == expected
    assert len(result.records["orders"]) == len(emitted)


FIFTY_K = StoreSize(orders=50_000, products=5, customers=20, categories=3, sales_rules=1)
# Each request for orders fails in one of these ways with this chance: 6 % in all.
MIXED_FAILURES = (
    {"status": 500}, {"status": 502}, {"status": 504}, {"status": 429},
    {"status": 503, "content_type": "text/html", "body": "<html>Service Unavailable</html>"},
    {"drop": True},
)  # fmt: skip
FAILURE_CHANCE = 0.01


def test_50k_orders_arrive_through_several_percent_of_mixed_failures() -> None:
    with SandboxServer(SandboxStore(FIFTY_K, lean=True)) as server:
        faults = [
            server.faults.add(path="/V1/orders", chance=FAILURE_CHANCE, times=None, **failure)
            for failure in MIXED_FAILURES
        ]
        result = sync(bearer_config(server, page_size=100), streams=["orders"])

        assert_each_stored_record_once(server, "orders", result.records["orders"])
        answered = [r for r in server.requests if r.path == "/rest/V1/orders"]
        failed = [r for r in answered if r.status != 200]
        assert len(failed) / len(answered) >= 0.03, "fewer failures than the test means"
        assert all(fault.fired for fault in faults), [fault.fired for fault in faults]
