"""``stream_start_dates``: a stream without a bookmark starts at its own date, earlier or later
than ``start_date``; each store view of a store-scoped stream does, child rows follow their
parent, and a bookmark still wins."""

from __future__ import annotations

from pathlib import Path

from tap_magento.sandbox.server import SandboxServer
from tests.support import SyncResult, bearer_config, run_tap, sync

START_DATE = "2024-11-14T00:00:00Z"
ORDERS_FROM = "2025-03-01"  # later than start_date
PRODUCTS_FROM = "2024-06-01T12:00:00+02:00"  # earlier than start_date, with an offset
STARTS = {"orders": ORDERS_FROM, "products": PRODUCTS_FROM}


def _stored_ids(records: list[dict], key: str, since: str) -> set:
    """The keys of the records the sandbox holds stamped at ``since`` (Magento's UTC text) or
    later."""
    return {r[key] for r in records if r["updated_at"] >= since}


def test_each_stream_starts_at_its_own_date_and_the_others_at_start_date(
    server: SandboxServer,
) -> None:
    config = bearer_config(
        server, start_date=START_DATE, stream_start_dates=STARTS, store_codes=["default", "fr"]
    )
    result = sync(config, streams=["orders", "order_addresses", "products", "customers"])
    store = server.store

    orders = {o["entity_id"] for o in result.records["orders"]}
    wanted = _stored_ids(store.records("orders"), "entity_id", "2025-03-01 00:00:00")
    assert 0 < len(wanted) < len(store.records("orders"))
    assert orders == wanted
    # An order's addresses come with it, from the order's own start.
    assert {a["parent_id"] for a in result.records["order_addresses"]} == orders

    for code in ("default", "fr"):
        products = {p["id"] for p in result.records["products"] if p["store_code"] == code}
        # 2024-06-01T12:00:00+02:00 is 10:00 UTC
        wanted = _stored_ids(store.records("products", code), "id", "2024-06-01 10:00:00")
        earlier_than_start_date = _stored_ids(store.records("products", code), "id", "2024-11-14")
        assert len(earlier_than_start_date) < len(wanted) < len(store.records("products", code))
        assert products == wanted, code

    customers = {c["id"] for c in result.records["customers"]}
    assert customers == _stored_ids(store.records("customers"), "id", "2024-11-14 00:00:00")


def test_a_bookmark_wins_over_the_streams_own_start(server: SandboxServer) -> None:
    first = sync(bearer_config(server, lookback_seconds=0), streams=["orders"])
    changed = server.store.touch("orders", 3)
    config = bearer_config(server, lookback_seconds=0, stream_start_dates={"orders": "2024-01-01"})
    second = sync(config, state=first.final_state, streams=["orders"])
    bookmark = first.final_state["bookmarks"]["orders"]["replication_key_value"]
    since = bookmark.replace("T", " ")[:19]
    wanted = _stored_ids(server.store.records("orders"), "entity_id", since)
    assert changed["entity_id"] in wanted and len(wanted) < len(first.records["orders"]) / 10
    assert {o["entity_id"] for o in second.records["orders"]} == wanted


def test_the_cli_takes_stream_start_dates_from_a_file_and_from_the_environment(
    server: SandboxServer, tmp_path: Path
) -> None:
    wanted = _stored_ids(server.store.records("orders"), "entity_id", "2025-03-01 00:00:00")
    from_file = run_tap(
        tmp_path, bearer_config(server, stream_start_dates={"orders": "2025-03-01"})
    )
    env = {
        "TAP_MAGENTO_STORE_URL": server.url,
        "TAP_MAGENTO_ACCESS_TOKEN": server.auth.credentials.access_token,
        "TAP_MAGENTO_STREAM_START_DATES": '{"orders": "2025-03-01"}',
    }
    from_env = run_tap(tmp_path, {}, "--config", "ENV", env=env)
    for done in (from_file, from_env):
        assert done.returncode == 0, done.stderr[-3000:]
        orders = SyncResult.parse(done.stdout).records["orders"]
        assert {o["entity_id"] for o in orders} == wanted
        assert "Starting incremental sync of 'orders' with bookmark value: 2025-03-01" in (
            done.stderr
        )
