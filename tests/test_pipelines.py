"""What users run: ``meltano run tap-magento target-jsonl`` and ``... target-postgres``.

The repository's own meltano.yml, ``meltano install`` from PyPI, and real targets: what lands
in their files and tables is compared with the sandbox store the tap read.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tap_magento.sandbox.auth import SandboxAuth
from tap_magento.sandbox.server import SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize
from tests.pipelines import MeltanoProject, Postgres, postgres_server
from tests.support import ALL_STREAMS, CHILD_STREAMS, STREAMS, magento_to_rfc3339

pytestmark = pytest.mark.slow  # left out of the quick loop: pytest -m "not slow"

SIZE = StoreSize(orders=150, products=40, customers=60, categories=12, sales_rules=4)
FULL_TABLE = sorted(name for name, (_, replication_key) in STREAMS.items() if not replication_key)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> MeltanoProject:
    return MeltanoProject.create(tmp_path_factory.mktemp("meltano"))


@pytest.fixture
def store_server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxStore(SIZE, seed=7), auth=SandboxAuth()) as running:
        yield running


def tap_env(server: SandboxServer, **extra: str) -> dict[str, str]:
    """Settings as Meltano takes them from the environment (they win over meltano.yml)."""
    return {
        "TAP_MAGENTO_STORE_URL": server.url,
        "TAP_MAGENTO_ACCESS_TOKEN": server.auth.credentials.access_token,
        **extra,
    }


def keys_of(stream: str, records: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    key = STREAMS[stream][0]
    return [tuple(record[name] for name in key) for record in records]


def stored(server: SandboxServer, stream: str) -> list[dict[str, Any]]:
    """What the tap should deliver of a stream with the default store_codes (["default"])."""
    records = server.store.records(stream)
    if stream == "store_configs":
        records = [record for record in records if record["code"] == "default"]
    if stream in {"products", "product_prices"}:  # the tap adds the store view it read them for
        records = [{**record, "store_code": "default"} for record in records]
    return records


def jsonl_records(folder: Path) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for path in folder.glob("*.jsonl"):
        stream = path.name.rsplit("-", 1)[0]
        lines = path.read_text().splitlines()
        found.setdefault(stream, []).extend(json.loads(line) for line in lines)
    return found


def test_meltano_runs_the_tap_twice_and_the_second_run_is_incremental(
    project: MeltanoProject, store_server: SandboxServer
) -> None:
    # No lookback, so what the second run reads is exactly what the bookmark lets through.
    env = tap_env(store_server, TAP_MAGENTO_LOOKBACK_SECONDS="0")
    first = project.run("run", "tap-magento", "target-jsonl",
                        env={**env, "TARGET_JSONL_DESTINATION_PATH": "first"})  # fmt: skip
    assert first.returncode == 0, first.stderr[-3000:]

    written = jsonl_records(project.root / "first")
    assert set(written) == set(ALL_STREAMS)
    for stream in STREAMS:
        records = written[stream]
        assert sorted(keys_of(stream, records)) == sorted(
            keys_of(stream, stored(store_server, stream))
        ), stream

    # The records are the store's, not just their keys.
    by_id = {o["entity_id"]: o for o in store_server.store.records("orders")}
    for order in written["orders"]:
        stored_order = by_id[order["entity_id"]]
        assert order["increment_id"] == stored_order["increment_id"]
        assert order["updated_at"] == magento_to_rfc3339(stored_order["updated_at"])
        assert len(order["items"]) == len(stored_order["items"])

    bookmark = project.state("dev:tap-magento-to-target-jsonl")["singer_state"]["bookmarks"]
    orders_bookmark = bookmark["orders"]["replication_key_value"]
    newest = max(order["updated_at"] for order in store_server.store.records("orders"))
    assert orders_bookmark == magento_to_rfc3339(newest)

    # Between the runs, three orders change in the store.
    changed = [order["entity_id"] for order in store_server.store.records("orders")[:3]]
    for entity_id in changed:
        store_server.store.touch("orders", entity_id, status="complete")
    before_second = len(store_server.requests)
    second = project.run("run", "tap-magento", "target-jsonl",
                         env={**env, "TARGET_JSONL_DESTINATION_PATH": "second"})  # fmt: skip
    assert second.returncode == 0, second.stderr[-3000:]

    # Meltano handed the tap its bookmark: the orders request filters from it...
    orders_requests = [
        r for r in store_server.requests[before_second:] if r.path.endswith("/V1/orders")
    ]
    lower_bounds = {
        value
        for r in orders_requests
        for name, value in r.params.items()
        if name.endswith("[value]")
        and r.params[name.replace("[value]", "[field]")] == "updated_at"
        and r.params[name.replace("[value]", "[conditionType]")] == "gteq"
    }
    # (A parallel pass's slices filter from later seconds too, never from earlier ones.)
    assert min(lower_bounds) == newest
    # ...and the second run's file holds the changed orders and those at the bookmark's
    # second (read again, as a >= filter does), nothing older.
    again = jsonl_records(project.root / "second")["orders"]
    expected = {
        order["entity_id"]
        for order in store_server.store.records("orders")
        if order["updated_at"] >= newest
    }
    assert {order["entity_id"] for order in again} == expected
    assert set(changed) <= expected
    assert all(o["status"] == "complete" for o in again if o["entity_id"] in changed)
    assert len(expected) < SIZE.orders / 10


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    with postgres_server() as server:
        yield server


def target_env(postgres: Postgres) -> dict[str, str]:
    return {
        "TARGET_POSTGRES_HOST": postgres.host,
        "TARGET_POSTGRES_PORT": str(postgres.port),
        "TARGET_POSTGRES_USER": postgres.user,
        "TARGET_POSTGRES_PASSWORD": postgres.password,
        "TARGET_POSTGRES_DATABASE": postgres.database,
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": "magento",
    }


def test_a_sync_into_postgres_keeps_counts_keys_timestamps_and_marks_deleted_rows(
    project: MeltanoProject, store_server: SandboxServer, postgres: Postgres
) -> None:
    env = {**tap_env(store_server), **target_env(postgres)}
    first = project.run("run", "tap-magento", "target-postgres", env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    started_first = time.time()

    for stream in STREAMS:
        rows = postgres.scalar(f"SELECT count(*) FROM magento.{stream}")
        assert int(rows) == len(stored(store_server, stream)), stream

    # Primary keys: declared on each table, and holding (no key twice).
    updated_at_types = {}
    for stream, (key, replication_key) in STREAMS.items():
        constrained = postgres.query(
            "SELECT kcu.column_name FROM information_schema.table_constraints tc "
            "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = "
            "tc.constraint_name AND kcu.table_schema = tc.table_schema "
            f"WHERE tc.table_schema = 'magento' AND tc.table_name = '{stream}' "
            "AND tc.constraint_type = 'PRIMARY KEY'"
        )
        assert sorted(row[0] for row in constrained) == sorted(key), stream
        columns = ", ".join(f'"{name}"' for name in key)
        distinct = postgres.scalar(
            f"SELECT count(*) FROM (SELECT DISTINCT {columns} FROM magento.{stream}) AS keys"
        )
        assert distinct == postgres.scalar(f"SELECT count(*) FROM magento.{stream}"), stream
        if replication_key:
            kind = postgres.scalar(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = "
                f"'magento' AND table_name = '{stream}' AND column_name = '{replication_key}'"
            )
            assert kind.startswith("timestamp"), (stream, kind)
            updated_at_types[stream] = kind

    # The stored instant is the store's: Magento's UTC text, as a timestamp.
    some_order = store_server.store.records("orders")[5]
    loaded = postgres.scalar(
        "SELECT to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
        f"FROM magento.orders WHERE entity_id = {some_order['entity_id']}"
        if updated_at_types["orders"] == "timestamp with time zone"
        else "SELECT to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS') FROM magento.orders "
        f"WHERE entity_id = {some_order['entity_id']}"
    )
    assert loaded == some_order["updated_at"]

    # A row of every full-table stream removed from the store between two runs is marked
    # deleted after the second: the full-table streams start with ACTIVATE_VERSION, whose
    # version has one-second resolution, so the runs must be at least a second apart.
    deleted = {stream: _delete_one(store_server, stream) for stream in DELETABLE}
    # Deleted rows of the incremental streams whose deletions are looked for by default: the
    # key pass of the second run finds them gone and sends them with _sdc_deleted_at.
    counts = {s: postgres.scalar(f"SELECT count(*) FROM magento.{s}") for s in DETECTED}
    for stream, keys in DETECTED.items():
        for key in keys:
            store_server.store.delete(stream, key)
    time.sleep(max(0.0, started_first + 1.1 - time.time()))
    second = project.run("run", "tap-magento", "target-postgres", env=env)
    assert second.returncode == 0, second.stderr[-3000:]

    for stream in DELETABLE:
        key = STREAMS[stream][0]
        columns = ", ".join(f'"{name}"' for name in key)
        live = postgres.query(
            f"SELECT {columns} FROM magento.{stream} WHERE _sdc_deleted_at IS NULL"
        )
        assert sorted(map(tuple, live)) == sorted(
            tuple(str(value) for value in row)
            for row in keys_of(stream, stored(store_server, stream))
        ), stream
        marked = postgres.query(
            f"SELECT {columns} FROM magento.{stream} WHERE _sdc_deleted_at IS NOT NULL"
        )
        assert [tuple(row) for row in marked] == [deleted[stream]], stream
    for stream, keys in DETECTED.items():
        marked = postgres.query(
            f"SELECT id FROM magento.{stream} WHERE _sdc_deleted_at IS NOT NULL"
        )
        assert sorted(int(row[0]) for row in marked) == keys, stream
        live = postgres.query(f"SELECT id FROM magento.{stream} WHERE _sdc_deleted_at IS NULL")
        assert sorted(int(row[0]) for row in live) == sorted(
            record["id"] for record in stored(store_server, stream)
        ), stream
        # Soft delete: the rows stay, marked.
        assert postgres.scalar(f"SELECT count(*) FROM magento.{stream}") == counts[stream]


# Incremental streams' rows deleted between the runs (deletions looked for by default).
DETECTED = {"products": [3, 17], "customers": [11], "categories": [5]}
# Full-table rows removed one at a time: not a product's prices (what storefronts render: a
# product leaves them with the product itself) nor a shared catalog (its products and
# companies go with it).
DELETABLE = [stream for stream in FULL_TABLE if stream not in {"product_prices", "shared_catalogs"}]
# Rows whose removal takes nothing else with it: the admin website is no sales channel, and
# the store views read (["default"]) keep their configs but the default one.
DELETED_ROW = {"websites": 0, "store_configs": 1}


def _delete_one(server: SandboxServer, stream: str) -> tuple[str, ...]:
    """Delete one row of a stream from the store; its key as the table's text."""
    collection = server.store.collection(stream)
    record = stored(server, stream)[-1]
    if stream in DELETED_ROW:
        record = next(r for r in stored(server, stream) if r["id"] == DELETED_ROW[stream])
    (key,) = keys_of(stream, [record])
    server.store.delete(stream, collection.key(record))
    if stream == "currencies":  # a store always has one: it changed its base currency
        server.store.add(stream, {**record, "base_currency_code": "EUR"})
    return tuple(str(value) for value in key)


def test_custom_attributes_become_typed_postgres_columns(
    project: MeltanoProject, store_server: SandboxServer, postgres: Postgres
) -> None:
    # One level of the SDK's flattening turns custom_attributes_object into a column each.
    env = {
        **tap_env(store_server, TAP_MAGENTO_CUSTOM_ATTRIBUTES_AS_OBJECT="true",
                  TAP_MAGENTO_FLATTENING_ENABLED="true", TAP_MAGENTO_FLATTENING_MAX_DEPTH="1"),
        **target_env(postgres),
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": "typed",
        "TAP_MAGENTO__SELECT": json.dumps(["products.*", "customers.*", "categories.*"]),
    }  # fmt: skip
    done = project.run("run", "--state-id-suffix", "typed", "tap-magento", "target-postgres",
                       env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]

    def column_type(table: str, attribute: str) -> str:
        return postgres.scalar(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = 'typed' "
            f"AND table_name = '{table}' AND column_name = 'custom_attributes_object__{attribute}'"
        )

    assert column_type("products", "color") == "bigint"
    assert column_type("products", "cost") == "numeric"
    assert column_type("products", "featured") == "boolean"
    assert column_type("products", "news_from_date").startswith("timestamp")
    assert column_type("products", "description") in {"text", "character varying"}
    assert column_type("customers", "loyalty_tier") == "bigint"
    assert column_type("categories", "custom_design_from").startswith("timestamp")
    # The store's values, typed.
    for product in stored(store_server, "products")[:10]:
        sent = {p["attribute_code"]: p["value"] for p in product["custom_attributes"]}
        row = postgres.query(
            "SELECT custom_attributes_object__color, custom_attributes_object__cost, "
            "custom_attributes_object__featured FROM typed.products WHERE id = "
            f"{product['id']}"
        )[0]
        assert row == [sent["color"], sent["cost"], "t" if sent["featured"] == "1" else "f"]


def test_hard_delete_removes_rows_only_with_deletions_as_activate_version(
    project: MeltanoProject, store_server: SandboxServer, postgres: Postgres
) -> None:
    """target-postgres removes rows only on ACTIVATE_VERSION, not for records carrying
    _sdc_deleted_at (the README says so, and this fails the day that changes); with
    deletions_as activate_version the deleted rows are gone."""
    env = {
        **tap_env(store_server, TAP_MAGENTO_DETECT_DELETIONS='["customers"]'),
        **target_env(postgres),
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": "hard",
        "TARGET_POSTGRES_HARD_DELETE": "true",
        "TAP_MAGENTO__SELECT": json.dumps(["customers.*"]),
    }
    args = ("run", "--state-id-suffix", "hard", "tap-magento", "target-postgres")
    assert project.run(*args, env=env).returncode == 0
    store_server.store.delete("customers", 9)
    second = project.run(*args, env=env)
    assert second.returncode == 0, second.stderr[-3000:]
    marked = postgres.query("SELECT id FROM hard.customers WHERE _sdc_deleted_at IS NOT NULL")
    assert marked == [["9"]]
    total = postgres.scalar("SELECT count(*) FROM hard.customers")
    assert int(total) == len(stored(store_server, "customers")) + 1

    # With deletions_as activate_version, a run that finds deletions reads customers again
    # whole under a new table version and activates it: hard_delete removes the rows.
    store_server.store.delete("customers", 10)
    third = project.run(*args, env={**env, "TAP_MAGENTO_DELETIONS_AS": "activate_version"})
    assert third.returncode == 0, third.stderr[-3000:]
    left = postgres.query("SELECT id FROM hard.customers ORDER BY id")
    assert [int(row[0]) for row in left] == sorted(
        customer["id"] for customer in stored(store_server, "customers")
    )


CHILDREN_LOADED = ["orders", "customers", "products",
                   *(child for child, (_, parent) in CHILD_STREAMS.items()
                     if parent in {"orders", "customers", "products"})]  # fmt: skip
# The README's view, for customer addresses and for product category links.
CURRENT_ADDRESSES = """
CREATE VIEW kids.current_customer_addresses AS
SELECT a.*
FROM kids.customer_addresses a
JOIN kids.customers c ON c.id = a.customer_id
WHERE a.parent_updated_at = c.updated_at
  AND c._sdc_deleted_at IS NULL
"""
CURRENT_CATEGORY_LINKS = """
CREATE VIEW kids.current_product_category_links AS
SELECT l.*
FROM kids.product_category_links l
JOIN kids.products p ON p.id = l.product_id AND p.store_code = l.store_code
WHERE l.parent_updated_at = p.updated_at
  AND p._sdc_deleted_at IS NULL
"""


def test_child_tables_load_join_their_parents_and_the_view_drops_removed_children(
    project: MeltanoProject, store_server: SandboxServer, postgres: Postgres
) -> None:
    env = {
        **tap_env(store_server, TAP_MAGENTO_LOOKBACK_SECONDS="0"),
        **target_env(postgres),
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": "kids",
        "TAP_MAGENTO__SELECT": json.dumps([f"{stream}.*" for stream in CHILDREN_LOADED]),
    }
    args = ("run", "--state-id-suffix", "kids", "tap-magento", "target-postgres")
    # Customer 7 has a second address, and product 8 two categories (2 and another).
    store_server.store.touch("customers", 7, addresses=[
        *store_server.store.collection("customers").rows[7]["addresses"],
        {"id": 9007, "customer_id": 7, "city": "Second City"},
    ])  # fmt: skip
    first = project.run(*args, env=env)
    assert first.returncode == 0, first.stderr[-3000:]

    def count(table: str) -> int:
        return int(postgres.scalar(f"SELECT count(*) FROM kids.{table}"))

    orders = stored(store_server, "orders")
    products = stored(store_server, "products")
    customers = stored(store_server, "customers")
    assert count("orders") == len(orders)
    assert count("order_addresses") == 2 * len(orders)  # billing, and the shipping address
    assert count("order_status_history") == sum(len(o["status_histories"]) for o in orders)
    assert count("order_payments") == len(orders)
    assert count("customer_addresses") == sum(len(c["addresses"]) for c in customers)
    assert count("product_category_links") == sum(
        len(p["extension_attributes"]["category_links"]) for p in products
    )
    assert count("configurable_product_links") == sum(
        len(p["extension_attributes"]["configurable_product_links"]) for p in products
    )
    # Every child row joins back to its parent, at the version it was read from.
    joined = postgres.scalar(
        "SELECT count(*) FROM kids.order_addresses a JOIN kids.orders o "
        "ON o.entity_id = a.parent_id AND o.updated_at = a.parent_updated_at"
    )
    assert int(joined) == count("order_addresses")
    joined = postgres.scalar(
        "SELECT count(*) FROM kids.product_tier_prices t JOIN kids.products p "
        "ON p.id = t.product_id AND p.store_code = t.store_code AND p.sku = t.sku"
    )
    assert int(joined) == count("product_tier_prices")

    postgres.query(CURRENT_ADDRESSES + "; SELECT 1")
    postgres.query(CURRENT_CATEGORY_LINKS + "; SELECT 1")

    def current_addresses() -> list[int]:
        rows = postgres.query(
            "SELECT id FROM kids.current_customer_addresses WHERE customer_id = 7 ORDER BY id"
        )
        return [int(row[0]) for row in rows]

    def current_categories() -> list[str]:
        rows = postgres.query(
            "SELECT category_id FROM kids.current_product_category_links "
            "WHERE product_id = 8 ORDER BY category_id"
        )
        return [row[0] for row in rows]

    assert current_addresses() == [7, 9007]
    assert "2" in current_categories() and len(current_categories()) == 2

    # The address is deleted and the category link taken off: both parents change.
    customer = store_server.store.collection("customers").rows[7]
    store_server.store.touch("customers", 7, addresses=customer["addresses"][:1])
    product = store_server.store.collection("products").rows[8]
    attributes = [
        {**a, "value": [v for v in a["value"] if v != "2"]} if a["attribute_code"] == "category_ids"
        else a
        for a in product["custom_attributes"]
    ]  # fmt: skip
    store_server.store.touch("products", 8, custom_attributes=attributes)
    time.sleep(1.1)  # the run's upper bound is its start, in whole seconds
    second = project.run(*args, env=env)
    assert second.returncode == 0, second.stderr[-3000:]

    # The old rows stay in the tables; the view shows only the children of the latest version.
    assert int(postgres.scalar("SELECT count(*) FROM kids.customer_addresses WHERE id = 9007")) == 1
    assert current_addresses() == [7]
    assert "2" not in current_categories() and len(current_categories()) == 1
    # A customer deleted from the store: its tombstone takes its addresses out of the view.
    store_server.store.delete("customers", 11)
    third = project.run(*args, env=env)
    assert third.returncode == 0, third.stderr[-3000:]
    gone = postgres.query("SELECT id FROM kids.current_customer_addresses WHERE customer_id = 11")
    assert gone == []
