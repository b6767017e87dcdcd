"""The SDK capabilities the tap declares, used from the command line as a scheduler would.

catalog (stream and field selection), state, stream-maps, schema-flattening, batch,
structured logging, ``--test`` and config from the environment; ``PROVEN_BY`` names the test of
every declared capability, and a test keeps the two lists equal.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tap_magento.passes import parallel
from tap_magento.sandbox.auth import AuthPolicy
from tap_magento.sandbox.server import ACL_RESOURCES, RequestRecord, SandboxServer
from tests.support import (
    SyncResult,
    bearer_config,
    catalog_selecting,
    discovered_catalog,
    magento_to_rfc3339,
    make_server,
    run_cli,
    run_tap,
    write_json,
)


def tap(tmp_path: Path, config: dict[str, Any], *args: str) -> SyncResult:
    done = run_tap(tmp_path, config, *args)
    assert done.returncode == 0, done.stderr[-3000:]
    return SyncResult.parse(done.stdout)


def order_ids(server: SandboxServer) -> list[int]:
    return sorted(order["entity_id"] for order in server.store.records("orders"))


def test_catalog_selects_streams_and_fields(server: SandboxServer, tmp_path: Path) -> None:
    config = bearer_config(server)
    catalog = discovered_catalog(server, tmp_path)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in {"orders", "websites"}
            elif entry["tap_stream_id"] == "orders" and item["breadcrumb"][-1] in {
                "customer_email",
                "billing_address",
            }:
                item["metadata"]["selected"] = False
    before = len(server.requests)

    result = tap(tmp_path, config, "--catalog", write_json(tmp_path, "catalog.json", catalog))

    assert set(result.records) == {"orders", "websites"}
    assert sorted(o["entity_id"] for o in result.records["orders"]) == order_ids(server)
    assert all("customer_email" not in o and "billing_address" not in o
               for o in result.records["orders"])  # fmt: skip
    assert all(o["updated_at"] and o["increment_id"] for o in result.records["orders"])
    assert "customer_email" not in result.schemas["orders"]["properties"]
    # Deselected streams are not even requested.
    asked = {urlsplit(r.path).path for r in server.requests[before:]}
    assert asked == {"/rest/V1/orders", "/rest/V1/store/websites"}


def test_state_from_the_command_line_resumes_from_its_bookmark(
    server: SandboxServer, tmp_path: Path
) -> None:
    orders = sorted(server.store.records("orders"), key=lambda o: o["updated_at"])
    middle = orders[len(orders) // 2]["updated_at"]
    state = {"bookmarks": {"orders": {"replication_key": "updated_at",
                                      "replication_key_value": magento_to_rfc3339(middle)}}}  # fmt: skip
    catalog = catalog_selecting(server, tmp_path, "orders")

    result = tap(tmp_path, bearer_config(server, lookback_seconds=0), "--catalog", catalog,
                 "--state", write_json(tmp_path, "state.json", state))  # fmt: skip

    assert sorted(o["entity_id"] for o in result.records["orders"]) == sorted(
        o["entity_id"] for o in orders if o["updated_at"] >= middle
    )
    final = result.final_state["bookmarks"]["orders"]["replication_key_value"]
    assert final == magento_to_rfc3339(orders[-1]["updated_at"])


def test_stream_maps_filter_hash_drop_and_rename(server: SandboxServer, tmp_path: Path) -> None:
    maps = {
        "customers": {"email_hash": "md5(email)", "email": None, "__filter__": "group_id == 1"},
        "sales_rules": {"__alias__": "salerules"},  # the name another tap used (README)
    }
    catalog = catalog_selecting(server, tmp_path, "customers", "sales_rules")
    result = tap(tmp_path, bearer_config(server, stream_maps=maps), "--catalog", catalog)

    wanted = [c for c in server.store.records("customers") if c["group_id"] == 1]
    assert 0 < len(wanted) < len(server.store.records("customers"))
    assert sorted(c["id"] for c in result.records["customers"]) == sorted(c["id"] for c in wanted)
    emails = {c["id"]: c["email"] for c in wanted}
    for customer in result.records["customers"]:
        assert "email" not in customer
        assert customer["email_hash"] == hashlib.md5(emails[customer["id"]].encode()).hexdigest()
    assert "email" not in result.schemas["customers"]["properties"]
    assert set(result.records) == {"customers", "salerules"}
    assert len(result.records["salerules"]) == len(server.store.records("sales_rules"))


def test_schema_flattening_turns_nested_objects_into_columns(
    server: SandboxServer, tmp_path: Path
) -> None:
    config = bearer_config(server, flattening_enabled=True, flattening_max_depth=1)
    result = tap(tmp_path, config, "--catalog", catalog_selecting(server, tmp_path, "orders"))

    properties = result.schemas["orders"]["properties"]
    assert "billing_address" not in properties and "billing_address__city" in properties
    stored = {o["entity_id"]: o for o in server.store.records("orders")}
    for order in result.records["orders"]:
        assert (
            order["billing_address__city"] == stored[order["entity_id"]]["billing_address"]["city"]
        )


def test_batch_messages_point_at_jsonl_files_holding_every_record(
    server: SandboxServer, tmp_path: Path
) -> None:
    batches = tmp_path / "batches"
    batches.mkdir()
    config = bearer_config(server, batch_config={
        "encoding": {"format": "jsonl", "compression": "gzip"},
        "storage": {"root": batches.as_uri(), "prefix": "magento-"},
    })  # fmt: skip
    result = tap(
        tmp_path, config, "--catalog", catalog_selecting(server, tmp_path, "orders", "coupons")
    )

    assert not result.records  # records travel in the files, not as RECORD messages
    loaded: dict[str, list[dict[str, Any]]] = {}
    for message in result.messages:
        if message["type"] == "BATCH":
            assert message["encoding"] == {"format": "jsonl", "compression": "gzip"}
            for uri in message["manifest"]:
                with gzip.open(Path(urlsplit(uri).path), "rt") as lines:
                    loaded.setdefault(message["stream"], []).extend(map(json.loads, lines))
    assert sorted(o["entity_id"] for o in loaded["orders"]) == order_ids(server)
    assert sorted(c["coupon_id"] for c in loaded["coupons"]) == sorted(
        c["coupon_id"] for c in server.store.records("coupons")
    )
    assert result.final_state["bookmarks"]["orders"]["replication_key_value"]


def test_config_from_the_environment(server: SandboxServer, tmp_path: Path) -> None:
    env = {
        "TAP_MAGENTO_STORE_URL": server.url,
        "TAP_MAGENTO_ACCESS_TOKEN": server.auth.credentials.access_token,
        "TAP_MAGENTO_STORE_CODES": '["default", "fr"]',
        "TAP_MAGENTO_PAGE_SIZE": "50",
        # Numbers and booleans from the environment are read as such, not as strings.
        "TAP_MAGENTO_REQUEST_TIMEOUT": "30.5",
        "TAP_MAGENTO_SKIP_UNREADABLE_RECORDS": "false",
    }
    catalog = catalog_selecting(server, tmp_path, "products")
    done = run_cli("--config", "ENV", "--catalog", catalog, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    products = SyncResult.parse(done.stdout).records["products"]
    assert sorted({p["store_code"] for p in products}) == ["default", "fr"]
    assert len(products) == 2 * len(server.store.records("products"))
    # Pages of one ask whether the stream is readable and find a pass's range; the rest are
    # of 50, asked a little bigger by the slices of a parallel pass (but the keys of deletion
    # detection: 2000 a page).
    sizes = [r.params.get("searchCriteria[pageSize]") for r in server.requests
             if r.path.endswith("/V1/products") and "fields" not in r.params]  # fmt: skip
    assert sizes[0] == "1" and set(sizes) == {"1", str(int(50 * parallel.ASKED_PAGE_FACTOR))}


def test_connection_test_reads_one_record_of_each_stream_and_says_so(
    server: SandboxServer, tmp_path: Path
) -> None:
    done = run_tap(tmp_path, bearer_config(server), "--test")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout == ""
    assert (
        "Connection test passed: the store answered and the credentials may read 47 of 47 streams"
        in done.stderr
    )

    # Every paged list is asked for one record (plain arrays have no page size). A shared
    # catalog's products and companies are asked for by catalog: the shared catalogs are
    # listed first, for their ids, in pages of any size.
    def size(r: RequestRecord) -> str | None:
        return r.params.get("searchCriteria[pageSize]") or r.params.get("pageSize")

    listing = [r for r in server.requests if r.path.endswith("/V1/sharedCatalog/")]
    assert {size(r) for r in server.requests if r not in listing} - {None} == {"1"}
    # The paged streams, each at its own path: all but the eight plain arrays and the three
    # one-answer lists (special prices by SKU, a shared catalog's products and companies).
    assert len({r.path for r in server.requests if size(r) == "1"}) == 36


def test_connection_test_names_the_streams_a_token_may_not_read(tmp_path: Path) -> None:
    refused = {"Magento_Customer::customer", "Magento_SalesRule::quote"}
    granted = frozenset(set(ACL_RESOURCES.values()) - refused)
    with make_server(policy=AuthPolicy(granted_resources=granted)) as server:
        config = write_json(tmp_path, "c.json", bearer_config(server))
        done = run_cli("--config", config, "--test")
    assert done.returncode == 0, done.stderr[-3000:]
    warnings = [line for line in done.stderr.splitlines() if "not readable" in line]
    assert len(warnings) == 3
    assert any("customers: not readable: lacks ACL resource Magento_Customer::customer" in w
               for w in warnings)  # fmt: skip
    assert any("coupons: not readable: lacks ACL resource Magento_SalesRule::quote" in w
               for w in warnings)  # fmt: skip
    assert "may read 44 of 47 streams" in done.stderr
    assert "not coupons, customers, sales_rules" in done.stderr


def test_connection_test_fails_in_one_line_on_a_wrong_token(
    server: SandboxServer, tmp_path: Path
) -> None:
    config = bearer_config(server, access_token="not-the-integration-token-0000000")
    done = run_tap(tmp_path, config, "--test")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert "ERROR" in last and "Connection test failed: the store refused every stream" in last
    assert "the token is wrong" in last


# Every capability ``--about`` declares, and the test that shows it working.
PROVEN_BY = {
    "about": "test_project.py::test_meta_json_matches_what_about_says",
    "discover": "test_cli.py::test_discovery_lists_every_stream_with_its_keys",
    "catalog": "test_capabilities.py::test_catalog_selects_streams_and_fields",
    "state": "test_capabilities.py::test_state_from_the_command_line_resumes_from_its_bookmark",
    "activate-version": "test_pipelines.py::"
    "test_a_sync_into_postgres_keeps_counts_keys_timestamps_and_marks_deleted_rows",
    "stream-maps": "test_capabilities.py::test_stream_maps_filter_hash_drop_and_rename",
    "schema-flattening": "test_capabilities.py::"
    "test_schema_flattening_turns_nested_objects_into_columns",
    "batch": "test_capabilities.py::test_batch_messages_point_at_jsonl_files_holding_every_record",
    "structured-logging": "test_capabilities.py::test_structured_logging_writes_json_log_lines",
    "test": "test_capabilities.py::test_connection_test_reads_one_record_of_each_stream_and_says_so",
}


def test_every_declared_capability_is_proven_by_a_test() -> None:
    done = run_cli("--about", "--format=json")
    declared = json.loads(done.stdout)["capabilities"]
    assert sorted(declared) == sorted(PROVEN_BY)
    tests = Path(__file__).parent
    for where in PROVEN_BY.values():
        module, name = where.split("::")
        assert f"def {name}(" in (tests / module).read_text(), where


def test_structured_logging_writes_json_log_lines(server: SandboxServer, tmp_path: Path) -> None:
    (tmp_path / "logging.yml").write_text(
        "version: 1\n"
        "disable_existing_loggers: false\n"
        "formatters:\n  structured:\n    (): singer_sdk.logging.StructuredFormatter\n"
        "handlers:\n  stderr:\n    class: logging.StreamHandler\n"
        "    formatter: structured\n    stream: ext://sys.stderr\n"
        "root:\n  level: INFO\n  handlers: [stderr]\n"
    )
    env = {"SINGER_SDK_LOG_CONFIG": str(tmp_path / "logging.yml")}
    done = run_tap(tmp_path, bearer_config(server), "--catalog", catalog_selecting(server, tmp_path, "orders"),
                   env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    summary = [line for line in lines if "records emitted" in str(line.get("message"))]
    assert summary and summary[0]["level"] == "info", lines[-5:]
    assert server.auth.credentials.access_token not in done.stderr
