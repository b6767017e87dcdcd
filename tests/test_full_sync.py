"""A full sync delivers exactly the store's records, each valid against its SCHEMA message."""

from __future__ import annotations

import datetime

import pytest
from jsonschema import Draft7Validator, FormatChecker

from tap_magento.sandbox.server import SandboxServer
from tests.support import ALL_STREAMS, STORE_KEYS, STREAMS, assert_same_record, bearer_config, sync

# Fields the tap leaves out of records: a gift wrapping's image itself (base64).
LEFT_OUT = {"gift_wrappings": {"image_base64_content"}}

formats = FormatChecker()


@formats.checks("date-time", raises=ValueError)
def _rfc3339_utc(value: object) -> bool:
    if not isinstance(value, str):
        return True
    moment = datetime.datetime.fromisoformat(value)
    return moment.utcoffset() == datetime.timedelta(0) and "T" in value


@pytest.fixture(scope="module")
def full_sync() -> tuple[SandboxServer, object]:
    from tests.support import make_server

    with make_server() as server:
        result = sync(bearer_config(server, store_codes=["default", "fr"]))
        yield server, result


@pytest.mark.parametrize(
    "stream", sorted(set(STREAMS) - {"products", "store_configs", "product_prices"})
)
def test_full_sync_returns_exactly_the_stores_records(full_sync, stream: str) -> None:
    server, result = full_sync
    key = STORE_KEYS[stream]
    left_out = LEFT_OUT.get(stream, set())
    stored = {
        tuple(r[k] for k in key): {name: v for name, v in r.items() if name not in left_out}
        for r in server.store.records(stream)
    }
    emitted = {tuple(r[k] for k in key): r for r in result.records[stream]}
    assert len(result.records[stream]) == len(stored), "duplicates or losses"
    assert emitted.keys() == stored.keys()
    schema = result.schemas[stream]
    for record_key, record in stored.items():
        assert_same_record(emitted[record_key], record, schema)


def test_products_arrive_once_per_store_view_with_that_views_values(full_sync) -> None:
    server, result = full_sync
    by_key = {(r["id"], r["store_code"]): r for r in result.records["products"]}
    assert len(by_key) == len(result.records["products"])
    for code in ("default", "fr"):
        for product in server.store.records("products", code):
            emitted = by_key[(product["id"], code)]
            assert_same_record(emitted, product, result.schemas["products"])
    some_id = server.store.records("products")[0]["id"]
    assert by_key[(some_id, "fr")]["name"] != by_key[(some_id, "default")]["name"]


def test_store_configs_come_once_per_configured_store_view(full_sync) -> None:
    _, result = full_sync
    assert sorted(r["code"] for r in result.records["store_configs"]) == ["default", "fr"]


def test_every_record_validates_against_its_schema_message(full_sync) -> None:
    _, result = full_sync
    assert set(result.records) == set(ALL_STREAMS)
    for stream, records in result.records.items():
        validator = Draft7Validator(result.schemas[stream], format_checker=formats)
        for record in records:
            errors = list(validator.iter_errors(record))
            assert not errors, f"{stream}: {errors[0].message}"


def test_timestamps_are_rfc3339_utc(full_sync) -> None:
    server, result = full_sync
    order = result.records["orders"][0]
    stored = next(o for o in server.store.records("orders") if o["entity_id"] == order["entity_id"])
    assert order["updated_at"] == stored["updated_at"].replace(" ", "T") + "+00:00"
    assert order["items"][0]["created_at"].endswith("+00:00")
    assert result.schemas["orders"]["properties"]["updated_at"]["format"] == "date-time"


FULL_TABLE = ["sales_rules", "coupons", "websites", "source_items", "stock_items", "store_configs"]


def test_full_table_streams_are_versioned_so_targets_can_drop_deleted_rows(server) -> None:
    first = sync(bearer_config(server), streams=[*FULL_TABLE, "orders"])
    for stream in FULL_TABLE:
        messages = [m for m in first.messages if m.get("stream") == stream]
        kinds = [m["type"] for m in messages]
        activate = messages[kinds.index("ACTIVATE_VERSION")]
        assert kinds.index("ACTIVATE_VERSION") < kinds.index("RECORD"), stream
        versions = {m["version"] for m in messages if m["type"] == "RECORD"}
        assert versions == {activate["version"]}, stream
    assert not [m for m in first.messages
                if m["type"] == "ACTIVATE_VERSION" and m["stream"] == "orders"]  # fmt: skip

    emptied = ("SKU-000003", "eu_warehouse")
    server.store.delete("source_items", emptied)
    second = sync(bearer_config(server), streams=["source_items"])
    keys = {(r["sku"], r["source_code"]) for r in second.records["source_items"]}
    assert emptied not in keys
    assert len(keys) == len(server.store.records("source_items"))
    assert [m["type"] for m in second.messages].count("ACTIVATE_VERSION") == 1


def test_activate_version_messages_can_be_switched_off(server) -> None:
    result = sync(bearer_config(server, emit_activate_version_messages=False), streams=FULL_TABLE)
    assert "ACTIVATE_VERSION" not in {m["type"] for m in result.messages}
    assert all(len(result.records[stream]) > 0 for stream in FULL_TABLE)


def test_a_property_no_schema_knows_is_left_out_with_one_warning(server, caplog) -> None:
    """A store module's extra top-level field: left out of records (the schema would not
    describe its column), and said once, not once per record."""
    for entity_id in (1, 2, 3):
        server.store.touch("orders", entity_id, vendor_flag="x")
    with caplog.at_level("WARNING"):
        result = sync(bearer_config(server), streams=["orders"])
    assert len(result.records["orders"]) == len(server.store.records("orders"))
    assert all("vendor_flag" not in record for record in result.records["orders"])
    warned = [r.message for r in caplog.records if "vendor_flag" in r.message]
    assert warned == ["orders: properties ('vendor_flag',) are not in the schema and were left out"]
