"""Storefront prices, special prices by SKU, and the Adobe Commerce B2B lists: what each store
view's storefront shows at what price, what each batch of SKUs costs, and what a store without
the modules or a token without their resources gets."""

from __future__ import annotations

import math

import pytest

from tap_magento.sandbox.auth import AuthPolicy
from tap_magento.sandbox.server import ACL_RESOURCES, SandboxServer
from tests.support import (
    SyncResult,
    assert_each_stored_record_once,
    bearer_config,
    make_server,
    run_tap,
    sync,
)

SPECIAL_PRICES = "/V1/products/special-price-information"
# A store view's default display currency, and what one US dollar is in it, as the sandbox's
# store configs and currency rates say.
CURRENCIES = {"default": ("USD", 1.0), "fr": ("EUR", 0.92)}
PRICE_COLUMNS = (
    "final_price", "regular_price", "minimal_price", "max_price", "minimal_regular_price",
    "max_regular_price", "special_price",
)  # fmt: skip


def _posts(server: SandboxServer) -> list:
    return [r for r in server.requests if r.method == "POST" and r.path.endswith(SPECIAL_PRICES)]


def _sku_pass_requests(server: SandboxServer) -> list:
    """A keys-only pass over products for their SKUs (deletion detection's asks for ids)."""
    return [
        r
        for r in server.requests
        if r.path.endswith("/V1/products") and "sku" in r.params.get("fields", "")
    ]


@pytest.fixture(scope="module")
def priced() -> tuple[SandboxServer, SyncResult]:
    with make_server() as server:
        config = bearer_config(server, store_codes=["default", "fr"])
        yield server, sync(config, streams=["product_prices", "products"])


def test_each_store_view_lists_what_its_storefront_shows(priced) -> None:
    server, result = priced
    for code in CURRENCIES:
        shown = {
            p["id"]
            for p in server.store.records("products", code)
            if p["status"] == 1 and p["visibility"] >= 2
        }
        emitted = [r["id"] for r in result.records["product_prices"] if r["store_code"] == code]
        assert len(emitted) == len(set(emitted)), "a product twice"
        assert 0 < len(shown) < len(server.store.records("products", code))
        assert set(emitted) == shown, code


def test_a_simple_products_price_is_its_special_price_when_lower_in_the_views_currency(
    priced,
) -> None:
    server, result = priced
    stored = {p["sku"]: p for p in server.store.records("products")}
    specials = server.store.records("product_special_prices")
    views = {"default": 1, "fr": 2}
    checked = 0
    for row in result.records["product_prices"]:
        product = next(p for p in stored.values() if p["id"] == row["id"])
        if product["type_id"] != "simple":
            continue
        currency, rate = CURRENCIES[row["store_code"]]
        base = product["price"]
        lower = [s["price"] for s in specials if s["sku"] == product["sku"]
                 and s["store_id"] in (0, views[row["store_code"]])]  # fmt: skip
        assert row["currency_code"] == currency
        assert row["regular_price"] == pytest.approx(round(base * rate, 2))
        assert row["final_price"] == pytest.approx(round(min([base, *lower]) * rate, 2))
        # The stock store's special_price is null even where a special price applies.
        assert row["special_price"] is None
        checked += bool(lower)
    assert checked > 5


def test_configurable_and_bundle_prices_span_their_children(priced) -> None:
    server, result = priced
    by_id = {p["id"]: p for p in server.store.records("products")}
    spans = 0
    for row in result.records["product_prices"]:
        if by_id[row["id"]]["type_id"] not in {"configurable", "bundle"}:
            continue
        assert row["minimal_price"] == row["final_price"] <= row["max_price"]
        assert row["minimal_regular_price"] <= row["max_regular_price"]
        spans += row["minimal_regular_price"] < row["max_regular_price"]
    assert spans > 0


def test_the_price_columns_are_the_price_infos(priced) -> None:
    _, result = priced
    for row in result.records["product_prices"]:
        assert {c: row[c] for c in PRICE_COLUMNS} == {
            c: row["price_info"][c] for c in PRICE_COLUMNS
        }


def test_prices_are_asked_for_with_each_views_id_and_display_currency(priced) -> None:
    server, _ = priced
    asked = {
        (r.path.split("/")[2], r.params["storeId"], r.params["currencyCode"])
        for r in server.requests
        if r.path.endswith("/V1/products-render-info")
    }
    assert asked == {("default", "1", "USD"), ("fr", "2", "EUR")}


def test_special_prices_come_from_one_batch_of_the_skus_of_the_runs_products_read(
    server: SandboxServer,
) -> None:
    result = sync(bearer_config(server), streams=["products", "product_special_prices"])
    assert_each_stored_record_once(
        server, "product_special_prices", result.records["product_special_prices"]
    )
    assert len(result.records["product_special_prices"]) > 10
    assert len(_posts(server)) == 1  # 90 SKUs, one batch
    assert _sku_pass_requests(server) == []


def test_alone_special_prices_read_the_skus_in_a_keys_only_pass(server: SandboxServer) -> None:
    result = sync(bearer_config(server), streams=["product_special_prices"])
    assert_each_stored_record_once(
        server, "product_special_prices", result.records["product_special_prices"]
    )
    # Ids and SKUs alone, thousands a page: no full products read.
    assert _sku_pass_requests(server)
    assert [r for r in server.requests if r.path.endswith("/V1/products")] == (
        _sku_pass_requests(server)
    )


def test_a_store_that_caps_batches_at_20_skus_is_asked_20_at_a_time(
    server: SandboxServer, caplog
) -> None:
    server.max_skus = 20
    with caplog.at_level("WARNING"):
        result = sync(bearer_config(server), streams=["products", "product_special_prices"])
    assert_each_stored_record_once(
        server, "product_special_prices", result.records["product_special_prices"]
    )
    skus = len(server.store.records("products"))
    statuses = [r.status for r in _posts(server)]
    assert statuses == [400] + [200] * math.ceil(skus / 20)
    assert any("continuing with 20" in m for m in caplog.messages)


def test_a_sku_gone_before_its_batch_is_skipped_logged_and_counted(
    server: SandboxServer, caplog
) -> None:
    gone = server.store.records("product_special_prices")[0]["sku"]
    gone_id = next(p["id"] for p in server.store.records("products") if p["sku"] == gone)

    def delete_before_the_first_batch(path: str, params: dict[str, str]) -> None:
        if path.endswith(SPECIAL_PRICES) and gone_id in server.store.collection("products").rows:
            server.store.delete("products", gone_id)

    server.hooks.append(delete_before_the_first_batch)
    with caplog.at_level("INFO"):
        result = sync(bearer_config(server), streams=["product_special_prices"])
    emitted = {(r["sku"], r["store_id"]) for r in result.records["product_special_prices"]}
    stored = {(r["sku"], r["store_id"]) for r in server.store.records("product_special_prices")}
    assert emitted == {key for key in stored if key[0] != gone}
    skipped = [m for m in caplog.messages if f"skipped key {gone}" in m]
    assert len(skipped) == 1
    assert any("1 keys skipped (gone from the store)" in m for m in caplog.messages)


def test_b2b_lists_are_read_exactly(server: SandboxServer) -> None:
    streams = ["company_roles", "company_teams", "company_credits", "company_credit_history",
               "shared_catalogs", "shared_catalog_products", "shared_catalog_companies",
               "gift_wrappings"]  # fmt: skip
    result = sync(bearer_config(server), streams=streams)
    for stream in streams:
        assert result.records[stream], stream
        assert_each_stored_record_once(server, stream, result.records[stream])
    # Each shared catalog's products and companies, by catalog.
    by_catalog = {
        (r["shared_catalog_id"], r["sku"]) for r in result.records["shared_catalog_products"]
    }
    catalogs = {c["id"] for c in result.records["shared_catalogs"]}
    assert {catalog for catalog, _ in by_catalog} == catalogs
    assert all(isinstance(r["company_id"], int) for r in result.records["shared_catalog_companies"])
    assert all("image_base64_content" not in r for r in result.records["gift_wrappings"])


def test_a_token_without_the_b2b_resources_skips_those_streams_naming_each(tmp_path) -> None:
    refused = {"Magento_SharedCatalog::sharedCatalog", "Magento_Company::credit_history"}
    granted = frozenset(set(ACL_RESOURCES.values()) - refused)
    streams = {
        "shared_catalogs": "Magento_SharedCatalog::sharedCatalog",
        "shared_catalog_products": "Magento_SharedCatalog::sharedCatalog",
        "shared_catalog_companies": "Magento_SharedCatalog::sharedCatalog",
        "company_credits": "Magento_Company::credit_history",
        "company_credit_history": "Magento_Company::credit_history",
    }
    with make_server(policy=AuthPolicy(granted_resources=granted)) as server:
        done = run_tap(tmp_path, bearer_config(server))
    assert done.returncode == 0, done.stderr[-3000:]
    skipped = [line for line in done.stderr.splitlines() if ": skipped:" in line]
    assert len(skipped) == len(streams), skipped
    for stream, resource in streams.items():
        (line,) = [s for s in skipped if f" {stream}: skipped:" in s]
        assert f"lacks ACL resource {resource}" in line
    written = {m["stream"] for m in SyncResult.parse(done.stdout).messages if "stream" in m}
    assert not written & set(streams)
    assert {"company_roles", "gift_wrappings", "product_special_prices"} <= written


def test_a_store_view_without_a_store_config_is_left_out_of_prices_with_a_warning(
    server: SandboxServer, caplog
) -> None:
    server.store.delete("store_configs", 2)  # fr's
    with caplog.at_level("WARNING"):
        result = sync(
            bearer_config(server, store_codes=["default", "fr"]), streams=["product_prices"]
        )
    assert {r["store_code"] for r in result.records["product_prices"]} == {"default"}
    assert len(result.records["product_prices"]) == len(server.store.records("product_prices"))
    (warning,) = [m for m in caplog.messages if "no store config" in m]
    assert "Store view fr" in warning


def test_a_token_without_the_catalog_resource_skips_special_prices_naming_it(tmp_path) -> None:
    granted = frozenset(set(ACL_RESOURCES.values()) - {"Magento_Catalog::products"})
    with make_server(policy=AuthPolicy(granted_resources=granted)) as server:
        done = run_tap(tmp_path, bearer_config(server))
    assert done.returncode == 0, done.stderr[-3000:]
    skipped = [line for line in done.stderr.splitlines() if ": skipped:" in line]
    (line,) = [s for s in skipped if " product_special_prices: skipped:" in s]
    assert "lacks ACL resource Magento_Catalog::products" in line
    # product_prices' route is anonymous in Magento: any token reads it.
    written = {m["stream"] for m in SyncResult.parse(done.stdout).messages if "stream" in m}
    assert "product_special_prices" not in written and "product_prices" in written
