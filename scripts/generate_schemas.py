"""Generate tap_magento/schemas/*.json from Adobe's official Magento REST OpenAPI file.

    python scripts/generate_schemas.py            # write the schema files
    python scripts/generate_schemas.py --check    # exit 1 if the committed files differ

Rules (why each exists is in docs/streams.md, "Schemas"):
- every documented property is kept, every property is nullable (stores omit and null freely);
- string properties ending in ``_at``, and ``low_stock_date``, are Magento UTC timestamps: the
  tap emits them as RFC 3339, so they are typed ``format: date-time``;
- ``extension_attributes`` objects accept undocumented keys (every module adds its own);
- ``custom_attributes[].value`` accepts any JSON value (strings, arrays, numbers in practice);
- a type that contains itself (order item ``parent_item``, sales rule conditions) is cut at the
  second level into an open object, because Singer targets cannot follow recursive schemas.
"""

from __future__ import annotations

import argparse
import json
import lzma
import sys
from pathlib import Path
from typing import Any

from tap_magento.streams import STREAM_TYPES, declared
from tap_magento.streams.prices import PRICE_COLUMNS

REPO = Path(__file__).resolve().parent.parent
# Adobe's OpenAPI file, kept in the repository compressed (reference/README.md says whence).
DEFAULT_OPENAPI = REPO / "reference" / "magento-2.4.8-openapi.json.xz"
SCHEMA_DIR = REPO / "tap_magento" / "schemas"

# stream name -> OpenAPI component of one record
STREAM_COMPONENTS: dict[str, str | None] = {
    "orders": "sales-data-order-interface",
    "products": "catalog-data-product-interface",
    "customers": "customer-data-customer-interface",
    "invoices": "sales-data-invoice-interface",
    "credit_memos": "sales-data-creditmemo-interface",
    "categories": "catalog-data-category-interface",
    "sales_rules": "sales-rule-data-rule-interface",
    "coupons": "sales-rule-data-coupon-interface",
    "websites": "store-data-website-interface",
    "source_items": "inventory-api-data-source-item-interface",
    "stock_items": "catalog-inventory-data-stock-item-interface",
    "store_configs": "store-data-store-config-interface",
    "shipments": "sales-data-shipment-interface",
    "order_items": "sales-data-order-item-interface",
    "transactions": "sales-data-transaction-interface",
    "carts": "quote-data-cart-interface",
    "customer_groups": "customer-data-group-interface",
    "store_views": "store-data-store-interface",
    "store_groups": "store-data-group-interface",
    "product_attributes": "catalog-data-product-attribute-interface",
    "attribute_sets": "eav-data-attribute-set-interface",
    "inventory_sources": "inventory-api-data-source-interface",
    "inventory_stocks": "inventory-api-data-stock-interface",
    "stock_source_links": "inventory-api-data-stock-source-link-interface",
    # The export's items are undocumented ("framework-extensible-data-interface"): the fields
    # below are the stock index's, as Magento_InventoryExportStock answers them.
    "salable_quantities": "framework-extensible-data-interface",
    "tax_rates": "tax-data-tax-rate-interface",
    "tax_classes": "tax-data-tax-class-interface",
    "tax_rules": "tax-data-tax-rule-interface",
    "cms_pages": "cms-data-page-interface",
    "cms_blocks": "cms-data-block-interface",
    "countries": "directory-data-country-information-interface",
    "currencies": "directory-data-currency-information-interface",
    "returns": "rma-data-rma-interface",
    "companies": "company-data-company-interface",
    "category_attributes": "catalog-data-category-attribute-interface",
    "customer_attributes": "customer-data-attribute-metadata-interface",
    "customer_address_attributes": "customer-data-attribute-metadata-interface",
    "product_prices": "catalog-data-product-render-interface",
    "product_special_prices": "catalog-data-special-price-interface",
    "company_roles": "company-data-role-interface",
    "company_teams": "company-data-team-interface",
    "company_credits": "company-credit-data-credit-limit-interface",
    "company_credit_history": "company-credit-data-history-data-interface",
    "shared_catalogs": "shared-catalog-data-shared-catalog-interface",
    # One SKU, or one company id, per row: the answers are bare lists (TAP_PROPERTIES).
    "shared_catalog_products": None,
    "shared_catalog_companies": None,
    "gift_wrappings": "gift-wrapping-data-wrapping-interface",
}
# Properties left out of a stream's schema: what the stream class leaves out of its records
# (a gift wrapping's image itself, base64).
DROPPED_PROPERTIES = {
    str(declared(t, "name")): tuple(sorted(t.left_out)) for t in STREAM_TYPES if t.left_out
}

# Child streams: one row per element of a list inside a parent's records (tap_magento/streams.py
# says where); None: the elements are not objects (configurable_product_links: product ids).
CHILD_COMPONENTS: dict[str, str | None] = {
    "order_addresses": "sales-data-order-address-interface",
    "order_status_history": "sales-data-order-status-history-interface",
    "order_payments": "sales-data-order-payment-interface",
    "invoice_items": "sales-data-invoice-item-interface",
    "invoice_comments": "sales-data-invoice-comment-interface",
    "shipment_items": "sales-data-shipment-item-interface",
    "shipment_tracks": "sales-data-shipment-track-interface",
    "shipment_comments": "sales-data-shipment-comment-interface",
    "credit_memo_items": "sales-data-creditmemo-item-interface",
    "credit_memo_comments": "sales-data-creditmemo-comment-interface",
    "customer_addresses": "customer-data-address-interface",
    "cart_items": "quote-data-cart-item-interface",
    "product_media_gallery": "catalog-data-product-attribute-media-gallery-entry-interface",
    "product_tier_prices": "catalog-data-product-tier-price-interface",
    "product_category_links": "catalog-data-category-link-interface",
    "product_links": "catalog-data-product-link-interface",
    "product_options": "catalog-data-product-custom-option-interface",
    "configurable_product_options": "configurable-product-data-option-interface",
    "configurable_product_links": None,
    "bundle_product_options": "bundle-data-option-interface",
}
PARENT_UPDATED_AT = {
    "type": ["string", "null"],
    "format": "date-time",
    "description": "The parent record's replication key value (updated_at) when this row was "
    "read from it (added by the tap): the rows of a parent's latest version share it.",
}
PRODUCT_PARENT = {
    "product_id": {"type": ["integer", "null"],
                   "description": "The product's id (added by the tap)."},
    "store_code": {"type": "string", "description": "Store view code of the product record "
                   "this row was read from (added by the tap; part of the primary key)."},
    "sku": {"type": ["string", "null"], "description": "The product's SKU (added by the tap)."},
}  # fmt: skip

PRICE = {"type": ["number", "null"]}
SHARED_CATALOG_ID = {
    "type": "integer",
    "description": "The shared catalog's id (added by the tap; part of the primary key).",
}

# Properties the tap itself adds to a stream's records.
TAP_PROPERTIES: dict[str, dict[str, Any]] = {
    "product_prices": {
        "store_code": {
            "type": "string",
            "description": "Store view code the prices were rendered for (added by the tap; "
            "part of the primary key).",
        },
        **{
            name: {**PRICE, "description": f"price_info.{name} (copied by the tap)."}
            for name in PRICE_COLUMNS
        },
    },
    "shared_catalog_products": {
        "shared_catalog_id": SHARED_CATALOG_ID,
        "sku": {"type": "string", "description": "A SKU the shared catalog holds."},
    },
    "shared_catalog_companies": {
        "shared_catalog_id": SHARED_CATALOG_ID,
        "company_id": {"type": "integer", "description": "A company assigned to it."},
    },
    "products": {
        "store_code": {
            "type": "string",
            "description": "Store view code whose attribute values this record carries "
            "(added by the tap; part of the primary key).",
        }
    },
    "salable_quantities": {
        "sku": {"type": ["string", "null"], "description": "Product SKU"},
        "qty": {"type": ["number", "null"], "description": "Salable quantity in the channel"},
        "is_salable": {"type": ["boolean", "null"], "description": "Whether it can be sold"},
        "sales_channel_type": {
            "type": "string",
            "description": "Sales channel type the quantity is for (added by the tap).",
        },
        "sales_channel_code": {
            "type": "string",
            "description": "Sales channel (website) code the quantity is for (added by the tap; "
            "part of the primary key).",
        },
    },
    **{child: {"parent_updated_at": PARENT_UPDATED_AT} for child in CHILD_COMPONENTS},
    **{
        child: {**PRODUCT_PARENT, "parent_updated_at": PARENT_UPDATED_AT}
        for child in CHILD_COMPONENTS
        if child.startswith(("product_", "configurable_", "bundle_"))
    },
}
TAP_PROPERTIES["product_tier_prices"]["website_id"] = {
    "type": "integer",
    "description": "The tier price's website (extension_attributes.website_id; 0, all "
    "websites, when absent; added by the tap, part of the primary key).",
}
TAP_PROPERTIES["product_options"]["option_sku"] = {
    "type": ["string", "null"],
    "description": "The option's own SKU suffix (the store's ``sku`` of the option; ``sku`` "
    "here is the product's).",
}
TAP_PROPERTIES["configurable_product_links"]["child_product_id"] = {
    "type": "integer",
    "description": "The id of a simple product this configurable product is made of.",
}

# Magento timestamps that do not end in _at (CMS pages and blocks, returns).
DATETIME_NAMES = frozenset({"low_stock_date", "creation_time", "update_time", "date_requested"})
# "Any JSON value", spelled with explicit types because the Singer SDK needs a type to conform.
ANY_JSON = ("string", "number", "boolean", "array", "object", "null")


def is_timestamp(name: str) -> bool:
    return name.endswith("_at") or name in DATETIME_NAMES


class Converter:
    """Turns OpenAPI components into self-contained, nullable JSON schemas."""

    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components

    def record_schema(self, component: str) -> dict[str, Any]:
        schema = self._object(component, ancestors=())
        schema["type"] = "object"  # a record itself is never null
        return schema

    def _object(self, component: str, ancestors: tuple[str, ...]) -> dict[str, Any]:
        source = self.components[component]
        ancestors = (*ancestors, component)
        properties = {
            name: self._property(name, spec, ancestors)
            for name, spec in source.get("properties", {}).items()
        }
        schema: dict[str, Any] = {"type": ["object", "null"], "properties": properties}
        if source.get("description"):
            schema["description"] = source["description"]
        if component.endswith("-extension-interface"):
            schema["additionalProperties"] = True
        return schema

    def _property(
        self, name: str, spec: dict[str, Any], ancestors: tuple[str, ...]
    ) -> dict[str, Any]:
        result = self._value(spec, ancestors)
        if name == "value" and ancestors[-1] == "framework-attribute-interface":
            result = {"type": list(ANY_JSON)}  # custom attribute values: any JSON value
        elif spec.get("type") == "string" and is_timestamp(name):
            result["format"] = "date-time"
        if spec.get("description") and result:
            result["description"] = spec["description"]
        return result

    def _value(self, spec: dict[str, Any], ancestors: tuple[str, ...]) -> dict[str, Any]:
        if "$ref" in spec:
            component = spec["$ref"].rsplit("/", 1)[-1]
            if component in ancestors:
                return {"type": ["object", "null"], "additionalProperties": True}
            return self._object(component, ancestors)
        kind = spec.get("type")
        if kind == "array":
            return {"type": ["array", "null"], "items": self._value(spec["items"], ancestors)}
        if kind in {"string", "integer", "number", "boolean"}:
            return {"type": [kind, "null"]}
        if kind == "object":
            return {"type": ["object", "null"], "additionalProperties": True}
        msg = f"Unsupported OpenAPI property {spec!r}"
        raise ValueError(msg)


def generate(openapi_path: Path) -> dict[str, str]:
    """Return {file name: JSON text} for every stream schema."""
    openapi = json.loads(read_openapi(openapi_path))
    converter = Converter(openapi["components"]["schemas"])
    files = {}
    components: dict[str, str | None] = {**STREAM_COMPONENTS, **CHILD_COMPONENTS}
    for stream, component in components.items():
        if component is None:
            schema: dict[str, Any] = {"type": "object", "properties": {}}
        else:
            schema = converter.record_schema(component)
        # Product child rows' sku is the product's (a custom option's own is option_sku).
        schema["properties"].update(TAP_PROPERTIES.get(stream, {}))
        for name in DROPPED_PROPERTIES.get(stream, ()):
            del schema["properties"][name]
        files[f"{stream}.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return files


def read_openapi(path: Path) -> bytes:
    """The OpenAPI file's text, whether kept compressed (``.xz``) or not."""
    data = path.read_bytes()
    return lzma.decompress(data) if path.suffix == ".xz" else data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openapi", type=Path, default=DEFAULT_OPENAPI)
    parser.add_argument("--check", action="store_true", help="fail if files differ")
    args = parser.parse_args(argv)
    files = generate(args.openapi)
    if args.check:
        stale = [n for n, text in files.items() if _read(SCHEMA_DIR / n) != text]
        if stale:
            print(f"Schemas out of date: {', '.join(stale)}. Run {sys.argv[0]}.")
            return 1
        print(f"{len(files)} schemas up to date.")
        return 0
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, text in files.items():
        (SCHEMA_DIR / name).write_text(text)
    print(f"Wrote {len(files)} schemas to {SCHEMA_DIR}.")
    return 0


def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


if __name__ == "__main__":
    sys.exit(main())
