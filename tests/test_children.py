"""Child streams: the lists inside parents' records as streams of their own, read in the
parent's pass, selected on their own, with their parent's key and version on every row."""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tap_magento.sandbox.server import SandboxServer
from tests.support import (
    CHILD_STREAMS,
    assert_each_stored_record_once,
    bearer_config,
    magento_to_rfc3339,
    make_server,
    run_cli,
    sync,
    write_json,
)

Row = dict[str, Any]
SALES = ["order_addresses", "order_status_history", "order_payments", "invoice_items",
         "invoice_comments", "shipment_items", "shipment_tracks", "shipment_comments",
         "credit_memo_items", "credit_memo_comments"]  # fmt: skip
PRODUCT_CHILDREN = [name for name, (_, parent) in CHILD_STREAMS.items() if parent == "products"]


def _elements(record: Row, *path: str) -> Iterator[Any]:
    """What the store holds at ``path`` (``*``: each element of a list)."""
    if not path:
        yield record
        return
    head, rest = path[0], path[1:]
    if head == "*":
        for item in record or []:
            yield from _elements(item, *rest)
    elif isinstance(record, dict) and record.get(head) is not None:
        yield from _elements(record[head], *rest)


# Each child's rows, as the store's rendered parents hold them: (parent, how to name each
# expected row's key from a parent record). Written from the table, not the tap's.
def _sales(*path: str) -> Callable[[Row], Iterator[tuple[Any, ...]]]:
    return lambda parent: ((e["entity_id"],) for e in _elements(parent, *path))


EXPECTED: dict[str, Callable[[Row], Iterator[tuple[Any, ...]]]] = {
    "order_addresses": lambda o: (
        (a["entity_id"],)
        for a in [
            *_elements(o, "billing_address"),
            *_elements(
                o, "extension_attributes", "shipping_assignments", "*", "shipping", "address"
            ),
        ]
    ),
    "order_status_history": _sales("status_histories", "*"),
    "order_payments": _sales("payment"),
    "invoice_items": _sales("items", "*"),
    "invoice_comments": _sales("comments", "*"),
    "shipment_items": _sales("items", "*"),
    "shipment_tracks": _sales("tracks", "*"),
    "shipment_comments": _sales("comments", "*"),
    "credit_memo_items": _sales("items", "*"),
    "credit_memo_comments": _sales("comments", "*"),
    "customer_addresses": lambda c: ((a["id"],) for a in c["addresses"]),
    "cart_items": lambda c: ((i["item_id"],) for i in c["items"]),
    "product_media_gallery": lambda p: (
        (p["id"], "default", m["id"]) for m in p["media_gallery_entries"]
    ),
    "product_tier_prices": lambda p: (
        (
            p["id"],
            "default",
            (t["extension_attributes"] or {}).get("website_id", 0),
            t["customer_group_id"],
            t["qty"],
        )
        for t in p["tier_prices"]
    ),
    "product_category_links": lambda p: (
        (p["id"], "default", link["category_id"])
        for link in p["extension_attributes"]["category_links"]
    ),
    "product_links": lambda p: (
        (p["id"], "default", link["link_type"], link["linked_product_sku"])
        for link in p["product_links"]
    ),
    "product_options": lambda p: ((p["id"], "default", o["option_id"]) for o in p["options"]),
    "configurable_product_options": lambda p: (
        (p["id"], "default", o["id"])
        for o in p["extension_attributes"]["configurable_product_options"]
    ),
    "configurable_product_links": lambda p: (
        (p["id"], "default", child)
        for child in p["extension_attributes"]["configurable_product_links"]
    ),
    "bundle_product_options": lambda p: (
        (p["id"], "default", o["option_id"])
        for o in p["extension_attributes"]["bundle_product_options"]
    ),
}


def _expected(server: SandboxServer, child: str) -> list[tuple[Any, ...]]:
    parent = CHILD_STREAMS[child][1]
    return [key for record in server.store.records(parent) for key in EXPECTED[child](record)]


def _keys(child: str, rows: list[Row]) -> list[tuple[Any, ...]]:
    return [tuple(row[name] for name in CHILD_STREAMS[child][0]) for row in rows]


@pytest.fixture(scope="module")
def store() -> Iterator[SandboxServer]:
    with make_server() as server:
        yield server


@pytest.mark.parametrize("workers", [1, 4], ids=["one-reader", "parallel"])
def test_every_child_stream_holds_every_element_of_its_parents_lists_once(
    store: SandboxServer, workers: int
) -> None:
    result = sync(bearer_config(store, max_parallel_requests=workers), streams=list(CHILD_STREAMS))
    for child in CHILD_STREAMS:
        emitted = _keys(child, result.records[child])
        assert len(emitted) == len(set(emitted)), f"{child}: a row twice"
        expected = _expected(store, child)
        assert expected, f"{child}: the sandbox holds no such list"
        assert sorted(emitted, key=repr) == sorted(expected, key=repr), child
    # The parents were read, not emitted; each holds its own bookmark, the children none.
    assert not {m["stream"] for m in result.messages if m["type"] in {"SCHEMA", "RECORD"}} - set(
        CHILD_STREAMS
    )
    bookmarks = result.final_state["bookmarks"]
    latest = max(order["updated_at"] for order in store.store.records("orders"))
    assert bookmarks["orders"]["replication_key_value"] == magento_to_rfc3339(latest)
    assert not any(bookmarks.get(child) for child in CHILD_STREAMS)


def test_rows_carry_their_parent_s_key_and_version(store: SandboxServer) -> None:
    result = sync(bearer_config(store), streams=["orders", "customers", "carts", "products",
                                                 *CHILD_STREAMS])  # fmt: skip
    orders = {o["entity_id"]: o for o in result.records["orders"]}
    for child in ("order_addresses", "order_status_history", "order_payments"):
        for row in result.records[child]:
            assert row["parent_updated_at"] == orders[row["parent_id"]]["updated_at"], child
    customers = {c["id"]: c for c in result.records["customers"]}
    for row in result.records["customer_addresses"]:
        assert row["parent_updated_at"] == customers[row["customer_id"]]["updated_at"]
    carts = {str(c["id"]): c for c in result.records["carts"]}
    for row in result.records["cart_items"]:
        assert row["parent_updated_at"] == carts[row["quote_id"]]["updated_at"]
    products = {(p["id"], p["store_code"]): p for p in result.records["products"]}
    for child in PRODUCT_CHILDREN:
        for row in result.records[child]:
            product = products[row["product_id"], row["store_code"]]
            assert row["sku"] == product["sku"], child
            assert row["parent_updated_at"] == product["updated_at"], child
    # A custom option's own SKU suffix is kept, under option_sku.
    assert {row["option_sku"] for row in result.records["product_options"]} == {"-engraved"}
    # A tier price without a website in its extension attributes is for all websites (0).
    assert {row["website_id"] for row in result.records["product_tier_prices"]} == {0, 1}
    assert_each_stored_record_once(store, "orders", result.records["orders"])


def test_a_parent_alone_makes_no_child_rows(store: SandboxServer) -> None:
    result = sync(bearer_config(store), streams=["orders"])
    assert {m["stream"] for m in result.messages if m["type"] in {"SCHEMA", "RECORD"}} == {"orders"}


def test_a_deselected_list_still_fills_its_child_stream(
    store: SandboxServer, tmp_path: Path
) -> None:
    catalog = json.loads(run_cli("--config", write_json(tmp_path, "c.json", bearer_config(store)),
                                 "--discover").stdout)  # fmt: skip
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            crumb = item["breadcrumb"]
            if crumb == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in {
                    "customers",
                    "customer_addresses",
                }
            elif entry["tap_stream_id"] == "customers" and crumb == ["properties", "addresses"]:
                item["metadata"]["selected"] = False
    store.requests.clear()
    result = sync(bearer_config(store), catalog=catalog)
    assert all("addresses" not in customer for customer in result.records["customers"])
    assert sorted(_keys("customer_addresses", result.records["customer_addresses"])) == sorted(
        _expected(store, "customer_addresses")
    )
    asked = {r.params.get("fields", "") for r in store.requests
             if r.path == "/rest/V1/customers/search"}  # fmt: skip
    assert any("addresses" in fields for fields in asked), asked


def test_children_follow_their_parent_s_ids_and_filters(store: SandboxServer) -> None:
    result = sync(bearer_config(store, ids={"orders": [5, 7]}), streams=["order_addresses"])
    assert {row["parent_id"] for row in result.records["order_addresses"]} == {5, 7}
    filters = {"customers": [{"field": "group_id", "value": 2}]}
    result = sync(bearer_config(store, stream_filters=filters), streams=["customer_addresses"])
    grouped = {c["id"] for c in store.store.records("customers") if c["group_id"] == 2}
    assert {row["customer_id"] for row in result.records["customer_addresses"]} == grouped


def test_discovery_names_each_child_s_parent(store: SandboxServer, tmp_path: Path) -> None:
    done = run_cli("--config", write_json(tmp_path, "c.json", bearer_config(store)), "--discover")
    parents = {}
    for entry in json.loads(done.stdout)["streams"]:
        root = next(m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == [])
        if "parent-tap-stream-id" in root:
            parents[entry["tap_stream_id"]] = root["parent-tap-stream-id"]
    assert parents == {child: parent for child, (_, parent) in CHILD_STREAMS.items()}


def test_an_incremental_run_emits_a_changed_parent_s_children_again_all_of_them() -> None:
    with make_server() as server:
        config = bearer_config(server, lookback_seconds=0)
        first = sync(config, streams=["customers", "customer_addresses"])
        customer = server.store.collection("customers").rows[7]
        customer["addresses"] = [*customer["addresses"],
                                 {"id": 9007, "customer_id": 7, "city": "Second City"}]  # fmt: skip
        changed = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
        customer["updated_at"] = changed.strftime("%Y-%m-%d %H:%M:%S")
        server.store.collection("customers").add(customer)
        second = sync(config, state=first.final_state, streams=["customers", "customer_addresses"])
    # Customer 7 again (and those of the bookmark's own second), with both its addresses.
    assert 7 in {c["id"] for c in second.records["customers"]}
    rows = [row for row in second.records["customer_addresses"] if row["customer_id"] == 7]
    assert sorted(row["id"] for row in rows) == [7, 9007]
    assert {row["parent_updated_at"] for row in rows} == {
        magento_to_rfc3339(customer["updated_at"])
    }


def test_an_unreadable_parent_loses_only_its_own_children() -> None:
    with make_server() as server:
        server.store.break_record("orders", 77)
        result = sync(
            bearer_config(server), streams=["orders", "order_addresses", "order_payments"]
        )
    parents = {row["parent_id"] for row in result.records["order_payments"]}
    assert parents == {o["entity_id"] for o in server.store.records("orders")} - {77}
    assert {row["parent_id"] for row in result.records["order_addresses"]} == parents
    assert {o["entity_id"] for o in result.records["orders"]} == parents


def test_a_killed_run_resumed_from_its_state_loses_no_child_row(tmp_path: Path) -> None:
    with make_server() as server:
        config = write_json(tmp_path, "config.json", bearer_config(server, page_size=50))
        catalog = json.loads(run_cli("--config", config, "--discover").stdout)
        for entry in catalog["streams"]:
            root = next(m for m in entry["metadata"] if m["breadcrumb"] == [])
            root["metadata"]["selected"] = entry["tap_stream_id"] in {"order_status_history"}
        args = ["--config", config, "--catalog", write_json(tmp_path, "catalog.json", catalog)]
        rows: set[int] = set()
        state = None
        for kill_after in (300, 900, None):
            state_args = ["--state", write_json(tmp_path, "state.json", state)] if state else []
            process = subprocess.Popen([sys.executable, "-m", "tap_magento", *args, *state_args],
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # fmt: skip
            assert process.stdout is not None
            for messages, line in enumerate(process.stdout, start=1):
                message = json.loads(line)
                if message["type"] == "RECORD":
                    rows.add(message["record"]["entity_id"])
                elif message["type"] == "STATE":
                    state = message["value"]
                if kill_after is not None and messages >= kill_after:
                    os.kill(process.pid, signal.SIGKILL)
                    break
            process.stdout.close()
            process.wait()
        expected = {h["entity_id"] for o in server.store.records("orders")
                    for h in o["status_histories"]}  # fmt: skip
    assert rows == expected


def test_the_deletion_re_read_sends_every_live_parent_s_children_again() -> None:
    with make_server() as server:
        config = bearer_config(server, detect_deletions=["customers"],
                               deletions_as="activate_version")  # fmt: skip
        streams = ["customers", "customer_addresses"]
        first = sync(config, streams=streams)
        server.store.delete("customers", 5)
        second = sync(config, state=first.final_state, streams=streams)
        live = {c["id"] for c in server.store.records("customers")}
    again = {row["customer_id"] for row in second.records["customer_addresses"]}
    assert again == live  # the re-read reads every live customer, and so its addresses
