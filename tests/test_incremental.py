"""A second run with the last state only fetches what changed since."""

from __future__ import annotations

import datetime
import json

import pytest
from singer_sdk.exceptions import FatalAPIError

from tap_magento.sandbox.server import Fault, SandboxServer
from tests.support import STREAMS, bearer_config, magento_to_rfc3339, sync

INCREMENTAL = ["orders", "customers", "invoices", "credit_memos", "categories", "products"]
# After every generated record, before the run: a change the next run must pick up.
LATER = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).replace(
    microsecond=0
)


DEFAULT_LOOKBACK = datetime.timedelta(seconds=120)


def _at_bookmark(
    server: SandboxServer, stream: str, bookmark: str, key: str, stamp: str = "updated_at"
) -> set:
    """Records from the bookmark less the default lookback up to it: re-read on purpose."""
    latest = datetime.datetime.fromisoformat(bookmark)
    return {
        r[key]
        for r in server.store.records(stream)
        if latest - DEFAULT_LOOKBACK
        <= datetime.datetime.fromisoformat(magento_to_rfc3339(r[stamp]))
        <= latest
    }


def _bookmark(state: dict, stream: str) -> str:
    return state["bookmarks"][stream]["replication_key_value"]


def test_second_run_fetches_only_records_changed_since(server: SandboxServer) -> None:
    config = bearer_config(server)
    first = sync(config, streams=INCREMENTAL[:-1])
    assert len(first.records["orders"]) == len(server.store.records("orders"))
    state = first.final_state

    server.store.touch("orders", 7, when=LATER, status="complete")
    server.store.touch("orders", 400, when=LATER)
    server.store.touch("customers", 3, when=LATER, lastname="Changed")
    second = sync(config, state=state, streams=INCREMENTAL[:-1])

    order_ids = {r["entity_id"] for r in second.records["orders"]}
    expected = {7, 400} | _at_bookmark(server, "orders", _bookmark(state, "orders"), "entity_id")
    assert order_ids == expected
    changed = next(r for r in second.records["orders"] if r["entity_id"] == 7)
    assert changed["status"] == "complete"
    assert changed["updated_at"] == LATER.isoformat()
    customer_ids = {r["id"] for r in second.records["customers"]}
    assert customer_ids == {3} | _at_bookmark(
        server, "customers", _bookmark(state, "customers"), "id"
    )
    assert len(customer_ids) < len(server.store.records("customers")) / 4
    unchanged_invoices = {r["entity_id"] for r in second.records["invoices"]}
    assert unchanged_invoices == _at_bookmark(
        server, "invoices", _bookmark(state, "invoices"), "entity_id"
    )
    assert _bookmark(second.final_state, "orders") == LATER.isoformat()


def test_filters_from_bookmark_less_lookback_and_sorts_by_updated_at_then_key(server) -> None:
    config = bearer_config(server, end_date="2025-01-01T00:00:00Z")
    sync(config, state={"bookmarks": {"orders": {"replication_key": "updated_at",
         "replication_key_value": "2024-06-01T00:00:00+00:00"}}}, streams=["orders"])  # fmt: skip
    params = next(r.params for r in server.requests if r.path == "/rest/V1/orders")
    conditions = {
        (params[f"{prefix}[field]"], params[f"{prefix}[conditionType]"], params[f"{prefix}[value]"])
        for prefix in (
            "searchCriteria[filterGroups][0][filters][0]",
            "searchCriteria[filterGroups][1][filters][0]",
        )
    }
    assert conditions == {
        ("updated_at", "gteq", "2024-05-31 23:58:00"),
        ("updated_at", "lt", "2025-01-01 00:00:00"),  # end_date is exclusive
    }
    assert params["searchCriteria[sortOrders][0][field]"] == "updated_at"
    assert params["searchCriteria[sortOrders][1][field]"] == "entity_id"
    assert params["searchCriteria[currentPage]"] == "1"


def test_start_and_end_date_bound_what_is_read(server: SandboxServer) -> None:
    start, end = "2024-05-01T00:00:00+00:00", "2024-09-01T00:00:00+00:00"
    result = sync(bearer_config(server, start_date=start, end_date=end), streams=["orders"])
    expected = {
        r["entity_id"]
        for r in server.store.records("orders")
        if start <= magento_to_rfc3339(r["updated_at"]) < end  # end_date is exclusive
    }
    assert expected
    assert {r["entity_id"] for r in result.records["orders"]} == expected


def test_products_keep_one_bookmark_per_store_view(server: SandboxServer) -> None:
    config = bearer_config(server, store_codes=["default", "fr"])
    first = sync(config, streams=["products"])
    partitions = first.final_state["bookmarks"]["products"]["partitions"]
    assert sorted(p["context"]["store_code"] for p in partitions) == ["default", "fr"]

    server.store.touch("products", 5, when=LATER)
    second = sync(config, state=first.final_state, streams=["products"])
    touched = {(r["id"], r["store_code"]) for r in second.records["products"]}
    at_bookmark = {
        (product_id, p["context"]["store_code"])
        for p in partitions
        for product_id in _at_bookmark(server, "products", p["replication_key_value"], "id")
    }
    assert touched == {(5, "default"), (5, "fr")} | at_bookmark


def test_eav_entities_sort_on_their_entity_id_column(server: SandboxServer) -> None:
    sync(bearer_config(server), streams=["products"])
    params = next(r.params for r in server.requests if r.path == "/rest/default/V1/products")
    sorts = [
        v
        for k, v in sorted(params.items())
        if k.startswith("searchCriteria[sortOrders]") and k.endswith("[field]")
    ]
    assert sorts == ["updated_at", "entity_id"]


def _orders_bookmark(result) -> datetime.datetime:
    return datetime.datetime.fromisoformat(_bookmark(result.final_state, "orders"))


def test_a_late_commit_inside_the_lookback_is_picked_up(server: SandboxServer) -> None:
    """Magento stamps updated_at when a transaction starts; it may commit after a run read past."""
    first = sync(bearer_config(server), streams=["orders"])
    started_before_bookmark = _orders_bookmark(first) - datetime.timedelta(seconds=60)
    server.store.touch("orders", 123, when=started_before_bookmark, status="late")

    with_lookback = sync(bearer_config(server), first.final_state, ["orders"])
    without = sync(bearer_config(server, lookback_seconds=0), first.final_state, ["orders"])

    late = [r for r in with_lookback.records["orders"] if r["entity_id"] == 123]
    assert [r["status"] for r in late] == ["late"]
    assert 123 not in {r["entity_id"] for r in without.records["orders"]}


def test_lookback_never_reaches_before_start_date(server: SandboxServer) -> None:
    start = "2024-06-01T00:00:00+00:00"
    sync(bearer_config(server, start_date=start, lookback_seconds=86_400),
         {"bookmarks": {"orders": {"replication_key": "updated_at",
                                   "replication_key_value": start}}}, ["orders"])  # fmt: skip
    first = next(r.params for r in server.requests if r.path == "/rest/V1/orders")
    assert "2024-06-01 00:00:00" in first.values()


def test_changes_after_the_run_started_are_left_for_the_next_run(server: SandboxServer) -> None:
    """A fixed upper bound: a busy store cannot keep one run chasing its own changes."""
    moved = []

    def change_during_the_sync(path: str, params: dict[str, str]) -> None:
        if path == "/rest/V1/orders" and not moved:
            later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)
            moved.append(server.store.touch("orders", 5, when=later)["updated_at"])

    server.hooks.append(change_during_the_sync)
    result = sync(bearer_config(server, page_size=50), streams=["orders"])

    assert 5 not in {r["entity_id"] for r in result.records["orders"]}
    upper_bounds = {
        value
        for r in server.requests
        if r.path == "/rest/V1/orders"
        for name, value in r.params.items()
        if value == "lteq" and name.endswith("[conditionType]")
        for value in [r.params[name.replace("[conditionType]", "[value]")]]
    }
    assert len(upper_bounds) == 1, "one upper bound for the whole run"
    assert upper_bounds.pop() < moved[0]
    assert _bookmark(result.final_state, "orders") < magento_to_rfc3339(moved[0])


def test_a_store_that_ignores_the_sort_order_stops_the_sync(server: SandboxServer) -> None:
    """Keyset paging and bookmarks rely on the store's sort: out of order, records could be lost."""
    unsorted = {"items": [{"entity_id": 2, "updated_at": "2025-02-01 00:00:00"},
                          {"entity_id": 1, "updated_at": "2025-01-01 00:00:00"}],
                "total_count": 2}  # fmt: skip
    server.faults.add(Fault(path="/V1/orders", status=200, body=json.dumps(unsorted)))
    with pytest.raises(FatalAPIError, match="ignores sortOrders"):
        sync(bearer_config(server), streams=["orders"])


# The streams added after the first twelve: a changed record (or, for records written once, a
# new one) is what the second run reads, besides those inside the lookback.
CHANGED = {"shipments": 3, "order_items": 70, "carts": 9, "cms_pages": 2, "cms_blocks": 4}
ADDED = {
    "transactions": {"transaction_id": 90_001, "order_id": 5, "payment_id": 5,
                     "txn_id": "TXN-NEW", "txn_type": "refund", "is_closed": 1},
    "returns": {"entity_id": 90_001, "increment_id": "399999999", "order_id": 5,
                "status": "pending"},
}  # fmt: skip


@pytest.mark.parametrize("stream", [*CHANGED, *ADDED])
def test_a_second_run_of_every_new_incremental_stream_reads_what_changed(server, stream) -> None:
    (key,), stamp = STREAMS[stream]
    config = bearer_config(server)
    first = sync(config, streams=[stream])
    assert len(first.records[stream]) == len(server.store.records(stream))
    state = first.final_state
    bookmark = _bookmark(state, stream)
    assert state["bookmarks"][stream]["replication_key"] == stamp

    if stream in CHANGED:
        server.store.touch(stream, CHANGED[stream], when=LATER)
        changed = CHANGED[stream]
    else:
        server.store.add(stream, {**ADDED[stream], stamp: LATER.strftime("%Y-%m-%d %H:%M:%S")})
        changed = ADDED[stream][key]
    second = sync(config, state=state, streams=[stream])

    emitted = [r[key] for r in second.records[stream]]
    assert sorted(emitted) == sorted({changed} | _at_bookmark(server, stream, bookmark, key, stamp))
    assert _bookmark(second.final_state, stream) == LATER.isoformat()


def test_adjacent_date_ranges_deliver_the_store_exactly_once(server: SandboxServer) -> None:
    """A huge first sync split across jobs by start_date/end_date, each with its own state."""
    middle, end = "2024-06-01T00:00:00+00:00", "2024-12-01T00:00:00+00:00"
    # A bulk action stamped records exactly on the boundary: they belong to the second range.
    on_the_boundary = [11, 12, 13]
    for entity_id in on_the_boundary:
        server.store.touch("orders", entity_id, when=datetime.datetime.fromisoformat(middle))
    ranges = [(None, middle), (middle, end), (end, None)]
    delivered: list[int] = []
    for start, stop in ranges:
        bounds = {k: v for k, v in (("start_date", start), ("end_date", stop)) if v}
        result = sync(bearer_config(server, **bounds), streams=["orders"])
        delivered += [r["entity_id"] for r in result.records["orders"]]
        if start == middle:
            assert set(on_the_boundary) <= {r["entity_id"] for r in result.records["orders"]}
    assert sorted(delivered) == sorted(r["entity_id"] for r in server.store.records("orders"))
