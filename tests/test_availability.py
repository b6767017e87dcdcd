"""A store that lacks a module, or a token that lacks a resource, is a normal set-up: those
streams are skipped with one warning each, before anything of them is written, and the rest is
read exactly. Only when nothing selected can be read is the run an error."""

from __future__ import annotations

import json

from tap_magento.sandbox.auth import AuthPolicy
from tap_magento.sandbox.server import ACL_RESOURCES
from tests.support import (
    ALL_STREAMS,
    CHILD_STREAMS,
    COMMERCE_ONLY,
    STREAMS,
    SyncResult,
    assert_each_stored_record_once,
    bearer_config,
    make_server,
    run_tap,
    write_json,
)

# Magento Open Source without MSI: no returns, no B2B, no gift wrapping, no inventory routes.
OPEN_SOURCE_WITHOUT_MSI = frozenset({*COMMERCE_ONLY.values(), "MSI"})
MODULE_STREAMS = {
    **COMMERCE_ONLY, "source_items": "Magento_Inventory",
    "inventory_sources": "Magento_Inventory", "inventory_stocks": "Magento_Inventory",
    "stock_source_links": "Magento_Inventory", "salable_quantities": "Magento_Inventory",
}  # fmt: skip


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "| WARNING" in line]


def _assert_the_rest_is_exact(server, result: SyncResult, skipped: set[str]) -> None:
    written = {m["stream"] for m in result.messages if m["type"] in {"SCHEMA", "ACTIVATE_VERSION"}}
    orphans = {child for child, (_, parent) in CHILD_STREAMS.items() if parent in skipped}
    assert written == set(ALL_STREAMS) - skipped - orphans, "a skipped stream wrote something"
    for stream in set(STREAMS) - skipped - {"products", "store_configs", "product_prices"}:
        assert_each_stored_record_once(server, stream, result.records[stream])


def test_a_store_without_rma_b2b_and_msi_skips_exactly_those_streams(tmp_path) -> None:
    with make_server(missing_modules=OPEN_SOURCE_WITHOUT_MSI) as server:
        done = run_tap(tmp_path, bearer_config(server))
        assert done.returncode == 0, done.stderr[-3000:]
        warnings = _warnings(done.stderr)
        for stream, module in MODULE_STREAMS.items():
            about = [w for w in warnings if f" {stream}: skipped:" in w]
            assert len(about) == 1, (stream, warnings)
            assert module in about[0] and "is not installed" in about[0], about[0]
        assert len([w for w in warnings if ": skipped:" in w]) == len(MODULE_STREAMS)
        _assert_the_rest_is_exact(server, SyncResult.parse(done.stdout), set(MODULE_STREAMS))


def test_a_token_without_one_resource_skips_the_streams_behind_it(tmp_path) -> None:
    granted = frozenset(set(ACL_RESOURCES.values()) - {"Magento_Cms::page"})
    with make_server(policy=AuthPolicy(granted_resources=granted)) as server:
        done = run_tap(tmp_path, bearer_config(server))
        assert done.returncode == 0, done.stderr[-3000:]
        skipped = [w for w in _warnings(done.stderr) if ": skipped:" in w]
        assert len(skipped) == 1
        assert "cms_pages: skipped: lacks ACL resource Magento_Cms::page" in skipped[0]
        _assert_the_rest_is_exact(server, SyncResult.parse(done.stdout), {"cms_pages"})


def test_the_connection_test_lists_the_streams_a_store_lacks(tmp_path) -> None:
    with make_server(missing_modules=OPEN_SOURCE_WITHOUT_MSI) as server:
        done = run_tap(tmp_path, bearer_config(server), "--test")
    assert done.returncode == 0, done.stderr[-3000:]
    assert (
        "returns: not readable: the store has no route GET /V1/returns: Magento_Rma" in done.stderr
    )
    assert f"may read {len(STREAMS) - len(MODULE_STREAMS)} of {len(STREAMS)} streams" in done.stderr


def test_selecting_only_streams_the_store_lacks_is_one_error_line(tmp_path) -> None:
    with make_server(missing_modules=OPEN_SOURCE_WITHOUT_MSI) as server:
        discovered = run_tap(tmp_path, bearer_config(server), "--discover")
        catalog = json.loads(discovered.stdout)
        for entry in catalog["streams"]:
            root = next(m for m in entry["metadata"] if m["breadcrumb"] == [])
            root["metadata"]["selected"] = entry["tap_stream_id"] in {"returns", "companies"}
        done = run_tap(tmp_path, bearer_config(server), "--catalog",
                       write_json(tmp_path, "catalog.json", catalog))  # fmt: skip
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 1, done.stderr[-3000:]
    assert (
        "no stream's route exists" in errors[0] and "Request does not match any route" in errors[0]
    )
    assert done.stdout == ""
