"""The twelve streams: a name, a path, keys and replication; schemas live in ``schemas/``."""

from __future__ import annotations

import inspect

from tap_magento.client import MagentoStream
from tap_magento.families import (
    IncrementalStream,
    LowStockStream,
    PlainArrayStream,
    SearchCriteriaStream,
    StoreScoped,
)

# EAV entities (products, customers, categories) answer ``id`` but filter and sort on their
# table's ``entity_id`` column: ``id`` is not one of their attributes.
EAV_NAMES = {"id": "entity_id"}


class OrdersStream(IncrementalStream):
    name = "orders"
    path = "/V1/orders"
    primary_keys = ("entity_id",)


class ProductsStream(StoreScoped, IncrementalStream):
    """One pass per store view: the code picks attribute-value scope, not membership."""

    name = "products"
    path = "/{store_code}/V1/products"
    primary_keys = ("id", "store_code")
    search_names = EAV_NAMES


class CustomersStream(IncrementalStream):
    name = "customers"
    path = "/V1/customers/search"
    primary_keys = ("id",)
    search_names = EAV_NAMES


class InvoicesStream(IncrementalStream):
    name = "invoices"
    path = "/V1/invoices"
    primary_keys = ("entity_id",)


class CreditMemosStream(IncrementalStream):
    name = "credit_memos"
    path = "/V1/creditmemos"
    primary_keys = ("entity_id",)


class CategoriesStream(IncrementalStream):
    name = "categories"
    path = "/V1/categories/list"
    primary_keys = ("id",)
    search_names = EAV_NAMES


class SalesRulesStream(SearchCriteriaStream):
    """Sales rules carry no timestamp at all."""

    name = "sales_rules"
    path = "/V1/salesRules/search"
    primary_keys = ("rule_id",)


class CouponsStream(SearchCriteriaStream):
    """Full table: usage counters change without touching any timestamp."""

    name = "coupons"
    path = "/V1/coupons/search"
    primary_keys = ("coupon_id",)


class WebsitesStream(PlainArrayStream):
    name = "websites"
    path = "/V1/store/websites"
    primary_keys = ("id",)


class SourceItemsStream(SearchCriteriaStream):
    """MSI quantity per source: no timestamp (magento/inventory#3444), so always a snapshot."""

    name = "source_items"
    path = "/V1/inventory/source-items"
    primary_keys = ("sku", "source_code")


class StockItemsStream(LowStockStream):
    """Legacy stock, read through the low-stock report with a threshold above every item."""

    name = "stock_items"
    path = "/V1/stockItems/lowStock/"
    primary_keys = ("item_id",)


class StoreConfigsStream(StoreScoped, PlainArrayStream):
    name = "store_configs"
    path = "/{store_code}/V1/store/storeConfigs"
    primary_keys = ("id",)
    store_code_param = "storeCodes[]"
    state_partitioning_keys = ()  # records carry their own ``code``; full table needs no state


STREAM_TYPES: tuple[type[MagentoStream], ...] = (
    OrdersStream, ProductsStream, CustomersStream, InvoicesStream, CreditMemosStream,
    CategoriesStream, SalesRulesStream, CouponsStream, WebsitesStream, SourceItemsStream,
    StockItemsStream, StoreConfigsStream,
)  # fmt: skip


def declared(stream_type: type[MagentoStream], attribute: str) -> str | None:
    """A stream class's string attribute (``name``, ``replication_key``), with no instance."""
    value = inspect.getattr_static(stream_type, attribute, None)
    return value if isinstance(value, str) else None


STREAM_NAMES = frozenset(str(declared(t, "name")) for t in STREAM_TYPES)
# Each stream's replication key; None for full-table streams.
REPLICATION_KEYS = {str(declared(t, "name")): declared(t, "replication_key") for t in STREAM_TYPES}
