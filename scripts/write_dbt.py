"""Write the dbt package's sources and staging models from the tap's streams and schemas.

    python scripts/write_dbt.py          # (re)write dbt/models/staging/
    python scripts/write_dbt.py --check  # exit 1 when they drift from the tap

One staging model per stream, children included: the schema's scalar columns cast with dbt's
cross-database types (timestamps as the loader typed them), keys renamed to what they are
(``entity_id`` of an order is ``order_id``), ``_sdc_extracted_at`` and ``_sdc_deleted_at`` as
``extracted_at`` and ``deleted_at`` with ``is_deleted``, the other Singer columns dropped.
A child's rows are kept for their parent's current version only (``parent_updated_at``), and
flagged deleted with their parent. Lists and objects stay in the tables the loader wrote: their
rows are the child streams.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from tap_magento.streams import kinds
from tap_magento.streams.child import PARENT_UPDATED_AT, ChildStream
from tap_magento.tap import TapMagento

STAGING = Path(__file__).resolve().parent.parent / "dbt" / "models" / "staging"
HEADER = "-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.\n"
# A key named by what it is, per stream (the others keep the store's names).
RENAMED: dict[str, dict[str, str]] = {
    "orders": {"entity_id": "order_id"},
    "invoices": {"entity_id": "invoice_id"},
    "shipments": {"entity_id": "shipment_id"},
    "credit_memos": {"entity_id": "credit_memo_id"},
    "returns": {"entity_id": "return_id"},
    "customers": {"id": "customer_id"},
    "customer_groups": {"id": "customer_group_id"},
    "products": {"id": "product_id"},
    "product_prices": {"id": "product_id"},
    "categories": {"id": "category_id"},
    "carts": {"id": "cart_id"},
    "companies": {"id": "company_id"},
    "company_roles": {"id": "role_id"},
    "company_teams": {"id": "team_id"},
    "company_credits": {"id": "company_credit_id"},
    "company_credit_history": {"id": "credit_history_id"},
    "shared_catalogs": {"id": "shared_catalog_id"},
    "websites": {"id": "website_id"},
    "store_views": {"id": "store_id"},
    "store_groups": {"id": "store_group_id"},
    "store_configs": {"id": "store_id"},
    "order_addresses": {"entity_id": "order_address_id", "parent_id": "order_id"},
    "order_status_history": {"entity_id": "status_history_id", "parent_id": "order_id"},
    "order_payments": {"entity_id": "payment_id", "parent_id": "order_id"},
    "invoice_items": {"entity_id": "invoice_item_id", "parent_id": "invoice_id"},
    "invoice_comments": {"entity_id": "invoice_comment_id", "parent_id": "invoice_id"},
    "shipment_items": {"entity_id": "shipment_item_id", "parent_id": "shipment_id"},
    "shipment_tracks": {"entity_id": "shipment_track_id", "parent_id": "shipment_id"},
    "shipment_comments": {"entity_id": "shipment_comment_id", "parent_id": "shipment_id"},
    "credit_memo_items": {"entity_id": "credit_memo_item_id", "parent_id": "credit_memo_id"},
    "credit_memo_comments": {
        "entity_id": "credit_memo_comment_id",
        "parent_id": "credit_memo_id",
    },
    "customer_addresses": {"id": "customer_address_id"},
    "cart_items": {"quote_id": "cart_id"},
}
# Columns the reference types as text that hold ids: typed as what they hold, so that they
# join their table's key.
RETYPED: dict[str, dict[str, str]] = {
    "product_category_links": {"category_id": "integer"},
}
# Streams of modules a store may lack, and the var that turns their models off.
OPTIONAL = {
    "returns": "magento__rma",
    "companies": "magento__b2b",
    "company_roles": "magento__b2b",
    "company_teams": "magento__b2b",
    "company_credits": "magento__b2b",
    "company_credit_history": "magento__b2b",
    "shared_catalogs": "magento__b2b",
    "shared_catalog_products": "magento__b2b",
    "shared_catalog_companies": "magento__b2b",
    "gift_wrappings": "magento__gift_wrapping",
    "source_items": "magento__msi",
    "inventory_sources": "magento__msi",
    "inventory_stocks": "magento__msi",
    "stock_source_links": "magento__msi",
    "salable_quantities": "magento__msi",
    "product_prices": "magento__product_prices",
    "product_special_prices": "magento__product_prices",
}
CASTS = {
    "integer": "dbt.type_bigint()",
    "number": "dbt.type_numeric()",
    "boolean": "dbt.type_boolean()",
    "string": "dbt.type_string()",
}


def scalar_type(prop: dict[str, Any]) -> str | None:
    """The column's one JSON type (``timestamp`` for date-times), or None for lists, objects
    and columns of several types."""
    types = prop.get("type", [])
    types = [t for t in ([types] if isinstance(types, str) else types) if t != "null"]
    if len(types) != 1 or types[0] in {"object", "array"}:
        return None
    return "timestamp" if prop.get("format") == "date-time" else types[0]


def columns(stream: Any) -> list[tuple[str, str]]:
    """(source column, type) of the stream's scalar columns, in schema order."""
    found = []
    retyped = RETYPED.get(stream.name, {})
    for name, prop in stream.schema["properties"].items():
        kind = retyped.get(name) or scalar_type(prop)
        if kind is not None and not name.startswith("_sdc_"):
            found.append((name, kind))
    return found


def select_list(stream: Any, alias: str) -> list[str]:
    renamed = RENAMED.get(stream.name, {})
    lines = []
    for name, kind in columns(stream):
        quoted = f"{alias}.{{{{ adapter.quote('{name}') }}}}"
        value = quoted if kind == "timestamp" else f"cast({quoted} as {{{{ {CASTS[kind]} }}}})"
        lines.append(f"{value} as {renamed.get(name, name)}")
    outputs = [line.rsplit(" as ", 1)[1] for line in lines]
    if len(outputs) != len(set(outputs)):
        sys.exit(f"{stream.name}: two columns would share a name: {outputs}")
    return lines


def model(stream: Any, tap: TapMagento) -> str:
    config = ""
    if stream.name in OPTIONAL:
        config = f"{{{{ config(enabled=var('{OPTIONAL[stream.name]}', true)) }}}}\n\n"
    lines = select_list(stream, "rows")
    if isinstance(stream, ChildStream):
        return config + child_model(stream, tap, lines)
    body = ",\n    ".join(
        [
            *lines,
            "rows._sdc_extracted_at as extracted_at",
            "rows._sdc_deleted_at as deleted_at",
            "rows._sdc_deleted_at is not null as is_deleted",
        ]
    )
    source = f"{{{{ source('magento', '{stream.name}') }}}}"
    return f"{HEADER}{config}select\n    {body}\nfrom {source} as rows\n"


def child_model(stream: ChildStream, tap: TapMagento, lines: list[str]) -> str:
    """Rows of their parent's current version: the same ``parent_updated_at`` as the parent's
    replication value (rows of an element since removed keep an older one)."""
    parent = tap.streams[stream.parent_name]
    parent_types = dict(columns(parent))
    child_types = dict(columns(stream))
    joins = []
    for column, field in stream.from_parent.items():
        if column == "sku" and "store_code" in stream.from_parent:
            continue  # a product is (id, store_code); its SKU is a copy
        left = f"rows.{{{{ adapter.quote('{column}') }}}}"
        right = f"parents.{{{{ adapter.quote('{field}') }}}}"
        if child_types.get(column) != parent_types.get(field):
            left = f"cast({left} as {{{{ dbt.type_string() }}}})"
            right = f"cast({right} as {{{{ dbt.type_string() }}}})"
        joins.append(f"{left} = {right}")
    stamp = f"parents.{{{{ adapter.quote('{parent.replication_key}') }}}}"
    joins.append(f"rows.{PARENT_UPDATED_AT} = {stamp}")
    body = ",\n    ".join(
        [
            *lines,
            "rows._sdc_extracted_at as extracted_at",
            "parents._sdc_deleted_at as deleted_at",
            "parents._sdc_deleted_at is not null as is_deleted",
        ]
    )
    on = "\n    and ".join(joins)
    return (
        f"{HEADER}-- Rows of each {parent.name} record's current version only.\n"
        f"select\n    {body}\n"
        f"from {{{{ source('magento', '{stream.name}') }}}} as rows\n"
        f"inner join {{{{ source('magento', '{parent.name}') }}}} as parents\n"
        f"    on {on}\n"
    )


def key_tests(stream: Any) -> dict[str, Any]:
    """unique and not_null on the staging model's key (renamed), one column or several."""
    renamed = RENAMED.get(stream.name, {})
    key = [renamed.get(k, k) for k in stream.primary_keys]
    entry: dict[str, Any] = {"name": f"stg_magento__{stream.name}"}
    if len(key) == 1:
        entry["columns"] = [{"name": key[0], "data_tests": ["unique", "not_null"]}]
    else:
        entry["data_tests"] = [{"magento_unique_combination": {"arguments": {"columns": key}}}]
        entry["columns"] = [{"name": k, "data_tests": ["not_null"]} for k in key]
    return entry


def files(tap: TapMagento) -> dict[Path, str]:
    streams = sorted(kinds.tap_streams(tap.streams.values()), key=lambda s: s.name)
    written = {STAGING / f"stg_magento__{s.name}.sql": model(s, tap) for s in streams}
    sources = {
        "version": 2,
        "sources": [
            {
                "name": "magento",
                "description": "The tables tap-magento's streams load, one per stream.",
                "schema": "{{ var('magento_schema', "
                "env_var('TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA', 'magento')) }}",
                "tables": [{"name": s.name} for s in streams],
            }
        ],
    }
    tests = {"version": 2, "models": [key_tests(s) for s in streams]}
    dump = "# Written by scripts/write_dbt.py: edit the generator, not this.\n"
    written[STAGING / "sources.yml"] = dump + yaml.safe_dump(sources, sort_keys=False)
    written[STAGING / "staging.yml"] = dump + yaml.safe_dump(tests, sort_keys=False)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the files drift")
    args = parser.parse_args()
    tap = TapMagento(config={"store_url": "https://shop.example.com", "access_token": "x"})
    wanted = files(tap)
    present = set(STAGING.glob("*")) if STAGING.exists() else set()
    if args.check:
        drifted = [p for p, text in wanted.items() if not p.exists() or p.read_text() != text]
        extra = present - set(wanted)
        if drifted or extra:
            names = sorted(p.name for p in [*drifted, *extra])
            print(f"dbt staging models are out of date ({', '.join(names[:5])}): "
                  "run python scripts/write_dbt.py")  # fmt: skip
            sys.exit(1)
        print(f"{len(wanted)} dbt staging files up to date.")
        return
    STAGING.mkdir(parents=True, exist_ok=True)
    for path in present - set(wanted):
        path.unlink()
    for path, text in wanted.items():
        path.write_text(text)
    print(f"Wrote {len(wanted)} files to {STAGING}")


if __name__ == "__main__":
    main()
