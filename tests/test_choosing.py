"""Choosing what to read: the catalog's field selection sent to the store as ``fields``,
``stream_filters`` on every request, and ``ids`` for a few chosen records."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tap_magento.passes import chosen as chosen_pass
from tap_magento.sandbox.server import RequestRecord, SandboxServer
from tests.support import (
    SyncResult,
    assert_each_stored_record_once,
    bearer_config,
    discovered_catalog,
    run_tap,
    sync,
    write_json,
)

TEN_ORDER_FIELDS = (
    "increment_id", "status", "state", "customer_id", "customer_email", "grand_total",
    "base_grand_total", "order_currency_code", "created_at", "store_id",
)  # fmt: skip


def _orders_catalog(server: SandboxServer, folder: Path, fields: tuple[str, ...] | None) -> str:
    """A catalog selecting orders only: with ``fields``, only those of its properties."""
    catalog = discovered_catalog(server, folder)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] == "orders"
            elif entry["tap_stream_id"] == "orders" and fields is not None:
                item["metadata"]["selected"] = item["breadcrumb"][-1] in fields
    return write_json(folder, f"catalog-{len(fields or ())}.json", catalog)


def _orders(
    server: SandboxServer, folder: Path, fields: tuple[str, ...] | None
) -> tuple[SyncResult, list[RequestRecord]]:
    """The sync's output, and the requests for orders it sent."""
    before = len(server.requests)
    catalog = _orders_catalog(server, folder, fields)
    done = run_tap(folder, bearer_config(server), "--catalog", catalog)
    assert done.returncode == 0, done.stderr[-3000:]
    sent = [r for r in server.requests[before:] if r.path == "/rest/V1/orders"]
    return SyncResult.parse(done.stdout), sent


def test_a_catalog_that_selects_ten_fields_asks_the_store_for_those_only(
    server: SandboxServer, tmp_path: Path
) -> None:
    projected, projected_sent = _orders(server, tmp_path, TEN_ORDER_FIELDS)
    _, whole_sent = _orders(server, tmp_path, None)

    asked = {r.params["fields"] for r in projected_sent}
    assert len(asked) == 1
    items, total = asked.pop().removeprefix("items[").split("],")
    assert (set(items.split(",")), total) == (
        {"entity_id", "updated_at", *TEN_ORDER_FIELDS},
        "total_count",
    )
    assert {r.params.get("fields") for r in whole_sent} == {None}
    orders = projected.records["orders"]
    assert_each_stored_record_once(server, "orders", orders)
    wanted = {"entity_id", "updated_at", *TEN_ORDER_FIELDS}
    assert all(set(order) <= wanted for order in orders)
    assert any(set(order) == wanted for order in orders)  # null values are still sent
    stored = {o["entity_id"]: o for o in server.store.records("orders")}
    for order in orders:
        assert order["grand_total"] == stored[order["entity_id"]]["grand_total"]
        assert order["customer_email"] == stored[order["entity_id"]]["customer_email"]
    # The store sent a small part of what the whole records weigh.
    ratio = sum(r.size for r in projected_sent) / sum(r.size for r in whole_sent)
    assert ratio < 0.2, ratio


def _conditions(params: dict[str, str]) -> set[tuple[str, str, str]]:
    """A request's searchCriteria filters as (field, condition type, value)."""
    return {
        (params[f"{p}[field]"], params[f"{p}[conditionType]"], params[f"{p}[value]"])
        for p in (n.removesuffix("[field]") for n in params if n.endswith("[field]"))
        if f"{p}[conditionType]" in params
    }


def test_stream_filters_narrow_every_request_and_the_records(server: SandboxServer) -> None:
    for entity_id in list(server.store.collection("orders").rows)[::3]:
        server.store.touch("orders", entity_id, status="complete")
    for entity_id in list(server.store.collection("orders").rows)[1::7]:
        server.store.touch("orders", entity_id, status="closed")
    filters = {
        "orders": [{"field": "status", "condition_type": "in", "value": ["complete", "closed"]}],
        "customers": [{"field": "group_id", "value": 2}],
    }
    result = sync(bearer_config(server, stream_filters=filters, page_size=20),
                  streams=["orders", "customers"])  # fmt: skip

    expected_orders = sorted(o["entity_id"] for o in server.store.records("orders")
                             if o["status"] in {"complete", "closed"})  # fmt: skip
    assert 0 < len(expected_orders) < len(server.store.records("orders"))
    assert sorted(o["entity_id"] for o in result.records["orders"]) == expected_orders
    expected_customers = sorted(c["id"] for c in server.store.records("customers")
                                if c["group_id"] == 2)  # fmt: skip
    assert sorted(c["id"] for c in result.records["customers"]) == expected_customers
    for path, condition in (("/rest/V1/orders", ("status", "in", "complete,closed")),
                            ("/rest/V1/customers/search", ("group_id", "eq", "2"))):  # fmt: skip
        sent = [r for r in server.requests if r.path == path]
        assert sent and all(condition in _conditions(r.params) for r in sent)


def test_ids_read_those_records_and_leave_bookmarks_where_they_were(
    server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chosen_pass, "IDS_PER_REQUEST", 2)  # several batches from a few ids
    orders = sorted(server.store.collection("orders").rows)
    chosen = [orders[40], orders[3], orders[-1], orders[7], orders[3]]
    coupons = sorted(server.store.collection("coupons").rows)[:3]
    state = {"bookmarks": {"orders": {"replication_key": "updated_at",
                                      "replication_key_value": "2030-01-01T00:00:00+00:00"}}}  # fmt: skip
    config = bearer_config(server, ids={"orders": [*chosen, 99_999_999], "coupons": coupons})

    result = sync(config, state=state, streams=["orders", "coupons"])

    # Exactly those records, whatever their timestamps (the bookmark is after all of them).
    assert sorted(o["entity_id"] for o in result.records["orders"]) == sorted(set(chosen))
    assert sorted(c["coupon_id"] for c in result.records["coupons"]) == coupons
    assert result.final_state["bookmarks"]["orders"] == state["bookmarks"]["orders"]
    # A few coupons are not the table: no ACTIVATE_VERSION that would drop the rest.
    assert not [m for m in result.messages if m["type"] == "ACTIVATE_VERSION"]
    sent = [r for r in server.requests if r.path == "/rest/V1/orders"]
    batches = {value for r in sent for field, kind, value in _conditions(r.params)
               if (field, kind) == ("entity_id", "in")}  # fmt: skip
    assert len(batches) == 3 and all(len(b.split(",")) <= 2 for b in batches)
    assert all(field != "updated_at" for r in sent for field, _, _ in _conditions(r.params))


def test_ids_not_in_the_store_are_named_in_a_warning(
    server: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    first = min(server.store.collection("orders").rows)
    config = bearer_config(server, ids={"orders": [first, 99_999_998, 99_999_999]})
    with caplog.at_level(logging.WARNING):
        result = sync(config, streams=["orders"])
    assert [o["entity_id"] for o in result.records["orders"]] == [first]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("2 of the 3 ids chosen are not in the store" in w and "99999998, 99999999" in w
               for w in warnings), warnings  # fmt: skip
