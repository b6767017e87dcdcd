"""custom_attributes_as_object: the store's attributes as typed properties, from discovery on."""

from __future__ import annotations

import decimal
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from tap_magento.sandbox.auth import AuthPolicy
from tap_magento.sandbox.server import ACL_RESOURCES, Fault, SandboxServer
from tests.support import (
    SyncResult,
    bearer_config,
    make_server,
    run_cli,
    run_tap,
    sync,
    write_json,
)

ON = {"custom_attributes_as_object": True}
# What discovery must type each sandbox attribute as (from its frontend_input, backend_type).
EXPECTED_TYPES = {
    "products": {"color": "integer", "cost": "number", "news_from_date": "date-time",
                 "featured": "boolean", "material": "array", "description": "string"},
    "categories": {"landing_page": "integer", "is_anchor": "boolean",
                   "custom_design_from": "date-time", "display_mode": "string"},
    "customers": {"loyalty_tier": "integer", "newsletter_opt_in": "boolean",
                  "interests": "array", "credit_limit": "number"},
    "addresses": {"floor": "integer", "delivery_notes": "string"},
}  # fmt: skip


def _kind(prop: dict[str, Any]) -> str:
    kind = next(t for t in prop["type"] if t != "null")
    return "date-time" if prop.get("format") == "date-time" else str(kind)


def _catalog(server: SandboxServer, folder: Path, config: dict[str, Any]) -> dict[str, Any]:
    done = run_cli("--config", write_json(folder, "discover.json", config), "--discover")
    assert done.returncode == 0, done.stderr[-3000:]
    catalog: dict[str, Any] = json.loads(done.stdout)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in EXPECTED_TYPES
    return catalog


def _object_schemas(catalog: dict[str, Any]) -> dict[str, dict[str, Any]]:
    schemas = {e["tap_stream_id"]: e["schema"] for e in catalog["streams"]}
    address = schemas["customers"]["properties"]["addresses"]["items"]
    return {
        **{s: schemas[s]["properties"]["custom_attributes_object"]
           for s in ("products", "categories", "customers")},
        "addresses": address["properties"]["custom_attributes_object"],
    }  # fmt: skip


def _as_sent(holder: dict[str, Any]) -> dict[str, Any]:
    return {pair["attribute_code"]: pair["value"] for pair in holder["custom_attributes"]}


def test_discovery_types_the_stores_attributes_and_records_carry_them_typed(
    server: SandboxServer, tmp_path: Path
) -> None:
    config = bearer_config(server, **ON)
    catalog = _catalog(server, tmp_path, config)
    objects = _object_schemas(catalog)
    for holder, expected in EXPECTED_TYPES.items():
        declared = objects[holder]["properties"]
        assert {code: _kind(declared[code]) for code in expected} == expected, holder
        assert objects[holder]["additionalProperties"] is True

    done = run_tap(tmp_path, config, "--catalog", write_json(tmp_path, "catalog.json", catalog))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "custom attribute" not in done.stderr  # every attribute known, every value fits
    result = SyncResult.parse(done.stdout)
    stored = {p["id"]: _as_sent(p) for p in server.store.records("products")}
    for product in result.records["products"]:
        sent, typed = stored[product["id"]], product["custom_attributes_object"]
        assert typed["color"] == int(sent["color"]) and isinstance(typed["color"], int)
        assert decimal.Decimal(str(typed["cost"])) == decimal.Decimal(sent["cost"])
        assert typed["featured"] is (sent["featured"] == "1")
        assert typed["material"] == sent["material"].split(",")
        assert typed["news_from_date"] == sent["news_from_date"].replace(" ", "T") + "+00:00"
        assert product["custom_attributes"]  # the list stays as the store sent it
    customers = {c["id"]: c for c in server.store.records("customers")}
    for customer in result.records["customers"]:
        sent = _as_sent(customers[customer["id"]])
        assert customer["custom_attributes_object"]["loyalty_tier"] == int(sent["loyalty_tier"])
        address = customer["addresses"][0]
        sent_address = _as_sent(customers[customer["id"]]["addresses"][0])
        assert address["custom_attributes_object"]["floor"] == int(sent_address["floor"])


def test_an_attribute_created_after_discovery_still_arrives_with_a_warning(
    server: SandboxServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = bearer_config(server, **ON)
    catalog = _catalog(server, tmp_path, config)
    product = next(iter(server.store.collection("products").rows.values()))
    server.store.touch("products", product["id"], custom_attributes=[
        *product["custom_attributes"],
        {"attribute_code": "warranty_years", "value": "3"},  # created after discovery
    ])  # fmt: skip
    server.store.touch("products", product["id"] + 1, custom_attributes=[
        {"attribute_code": "color", "value": "red"},  # not an option id
    ])  # fmt: skip
    with caplog.at_level(logging.WARNING):
        result = sync(config, streams=["products"], catalog=catalog)
    by_id = {p["id"]: p for p in result.records["products"]}
    assert by_id[product["id"]]["custom_attributes_object"]["warranty_years"] == "3"
    assert by_id[product["id"] + 1]["custom_attributes_object"] == {"color": None}
    assert by_id[product["id"] + 1]["custom_attributes"] == [
        {"attribute_code": "color", "value": "red"}
    ]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("'warranty_years'" in w and "run --discover again" in w for w in warnings)
    assert any("'color'" in w and "'red' is not integer" in w for w in warnings)
    assert sum("warranty_years" in w for w in warnings) == 1  # once, not once per record


def test_off_by_default_with_no_object_and_no_metadata_requests(server: SandboxServer) -> None:
    result = sync(bearer_config(server), streams=["products", "customers"])
    assert "custom_attributes_object" not in result.schemas["products"]["properties"]
    assert all("custom_attributes_object" not in p for p in result.records["products"])
    asked = {r.path for r in server.requests}
    assert not asked & {"/rest/V1/products/attributes", "/rest/V1/attributeMetadata/customer"}


def test_metadata_the_token_may_not_read_leaves_attributes_untyped(tmp_path: Path) -> None:
    granted = frozenset(set(ACL_RESOURCES.values()) - {"Magento_Catalog::attributes_attributes"})
    with make_server(policy=AuthPolicy(granted_resources=granted)) as server:
        config = write_json(tmp_path, "c.json", bearer_config(server, **ON))
        done = run_cli("--config", config, "--discover")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "product_attributes cannot be read" in done.stderr
    catalog = json.loads(done.stdout)
    objects = _object_schemas(catalog)
    assert objects["products"]["properties"] == {}  # open: values still arrive, untyped
    assert "loyalty_tier" in objects["customers"]["properties"]


def test_discovery_fails_in_one_line_when_the_metadata_cannot_be_read(
    server: SandboxServer, tmp_path: Path
) -> None:
    server.faults.add(Fault("/V1/attributeMetadata/customer(?!Address)", 400,
                            body=json.dumps({"message": "Broken."}), times=None))  # fmt: skip
    config = write_json(tmp_path, "c.json", bearer_config(server, **ON))
    done = run_cli("--config", config, "--discover")
    assert done.returncode == 1
    assert done.stdout == "" and "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "customer_attributes could not be read" in errors[0]


def test_selecting_the_object_without_the_list_still_asks_the_store_for_the_list(
    server: SandboxServer, tmp_path: Path
) -> None:
    config = bearer_config(server, **ON)
    catalog = _catalog(server, tmp_path, config)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] == "categories"
            elif entry["tap_stream_id"] == "categories":
                # A property and everything inside it: breadcrumbs start with its name.
                item["metadata"]["selected"] = item["breadcrumb"][1] in {
                    "name", "custom_attributes_object"
                }  # fmt: skip
    result = sync(config, catalog=catalog)
    sent = [r.params.get("fields", "") for r in server.requests
            if r.path == "/rest/V1/categories/list" and "items[id]" not in r.params.get("fields", "")]  # fmt: skip
    assert sent and all("custom_attributes" in f for f in sent)
    for category in result.records["categories"]:
        assert "custom_attributes" not in category  # deselected: asked for, not sent on
        assert category["custom_attributes_object"]["display_mode"] == "PRODUCTS"


def test_customer_address_rows_carry_the_object_typed_as_the_parent_s(
    server: SandboxServer, tmp_path: Path
) -> None:
    config = write_json(tmp_path, "c.json", bearer_config(server, **ON))
    catalog = json.loads(run_cli("--config", config, "--discover").stdout)
    schemas = {e["tap_stream_id"]: e["schema"] for e in catalog["streams"]}
    declared = schemas["customer_addresses"]["properties"]["custom_attributes_object"]
    parents = _object_schemas(catalog)["addresses"]
    assert declared == parents
    assert {
        c: _kind(p) for c, p in declared["properties"].items() if c in EXPECTED_TYPES["addresses"]
    } == EXPECTED_TYPES["addresses"]

    for entry in catalog["streams"]:  # the child alone: its parent is read for it
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] == "customer_addresses"
    done = run_cli("--config", config, "--catalog", write_json(tmp_path, "catalog.json", catalog))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| WARNING" not in done.stderr, done.stderr[-3000:]  # nothing left out
    rows = SyncResult.parse(done.stdout).records["customer_addresses"]
    stored = {
        a["id"]: _as_sent(a) for c in server.store.records("customers") for a in c["addresses"]
    }
    assert rows and len(rows) == len(stored)
    for row in rows:
        typed, sent = row["custom_attributes_object"], stored[row["id"]]
        assert typed == {"floor": int(sent["floor"]), "delivery_notes": sent["delivery_notes"]}


def test_a_catalog_discovered_without_the_setting_says_to_rediscover(
    server: SandboxServer, tmp_path: Path
) -> None:
    catalog = _catalog(server, tmp_path, bearer_config(server))  # discovered with it off
    done = run_tap(
        tmp_path,
        bearer_config(server, **ON),
        "--catalog",
        write_json(tmp_path, "catalog.json", catalog),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    warnings = [line for line in done.stderr.splitlines() if "| WARNING" in line]
    said = [w.split("| ")[-1].split(":")[0] for w in warnings if "Run --discover again" in w]
    assert sorted(said) == ["categories", "customers", "products"]  # one WARNING a stream
    assert len(warnings) == 3
    assert any("(in the records and addresses)" in w for w in warnings)
    records = SyncResult.parse(done.stdout).records
    assert records["products"] and all(
        "custom_attributes_object" not in p for p in records["products"]
    )
