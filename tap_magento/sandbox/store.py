"""The sandbox store's data: a deterministic, seeded Magento store of any size.

Each collection keeps one small *row* per record (the fields that make it distinct, in Magento's
own formats) and renders the full record on demand from a schema template, so a million orders
fit in memory and every documented field is still present in what the API returns.
"""

from __future__ import annotations

import datetime
import json
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tap_magento.sandbox.templates import template_json
from tap_magento.timestamps import to_magento

Row = dict[str, Any]

EPOCH = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
HISTORY = datetime.timedelta(days=600)


@dataclass(frozen=True)
class StoreView:
    id: int
    code: str
    website_id: int
    name: str
    locale: str


STORE_VIEWS = (
    StoreView(1, "default", 1, "Default Store View", "en_US"),
    StoreView(2, "fr", 1, "French Store View", "fr_FR"),
    StoreView(3, "b2b", 2, "B2B Store View", "en_GB"),
)
WEBSITES = ((0, "admin", "Admin", 0), (1, "base", "Main Website", 1), (2, "b2b", "B2B Website", 2))
SOURCES = ("default", "eu_warehouse")
EAV = {"entity_id": "id"}


@dataclass(frozen=True)
class StoreSize:
    orders: int = 500
    products: int = 120
    customers: int = 150
    categories: int = 25
    sales_rules: int = 8
    coupons_per_rule: int = 6


@dataclass(frozen=True)
class Unreadable:
    """How the store fails a page holding a record it cannot render (docs/magento-rest.md)."""

    status: int = 500
    message: str = "Internal Error. Details are available in Magento log file. Report ID: webapi-1"
    nameable: bool = True  # a request for only a few ``fields`` of it still works


@dataclass
class Collection:
    """One entity type: rows by primary key, and how to render a row as an API record."""

    stream: str
    key: Callable[[Row], Any]
    rows: dict[Any, Row] = field(default_factory=dict)
    version: int = 0  # bumped on every change, so cached query results know they are stale
    # Fills in what a row does not hold (nested parts, store-view values); edits in place.
    render_extra: Callable[[Row, StoreView], None] | None = None
    # searchCriteria field names that mean another field: EAV entities answer ``id`` but
    # filter and sort on their table's ``entity_id`` column.
    aliases: dict[str, str] = field(default_factory=dict)
    lean: bool = False  # records hold only the row's own fields: for very large test stores
    unreadable: dict[Any, Unreadable] = field(default_factory=dict)

    def add(self, row: Row) -> None:
        self.rows[self.key(row)] = row
        self.version += 1

    def remove(self, key: Any) -> None:
        del self.rows[key]
        self.version += 1

    def render(self, row: Row, view: StoreView) -> Row:
        if self.lean:
            return dict(row)
        record: Row = json.loads(template_json(self.stream))
        record.update(row)
        if self.render_extra is not None:
            self.render_extra(record, view)
        return record

    def field_value(self, row: Row, name: str, view: StoreView) -> Any:
        """A top-level field's value without rendering the whole record when possible."""
        name = self.aliases.get(name, name)
        if name in row:
            return row[name]
        return self.render(row, view).get(name)


class SandboxStore:
    """All collections of one generated store, safe to read and change from several threads."""

    def __init__(self, size: StoreSize | None = None, seed: int = 42, lean: bool = False) -> None:
        self.size = size or StoreSize()
        self.seed = seed
        self.lean = lean
        self.lock = threading.RLock()
        self.views = {view.code: view for view in STORE_VIEWS}
        self.collections: dict[str, Collection] = {}
        _Generator(self, random.Random(seed)).generate()

    def collection(self, stream: str) -> Collection:
        return self.collections[stream]

    def records(self, stream: str, store_code: str = "default") -> list[Row]:
        """Every record of a stream as the API renders it for a store view (for tests)."""
        collection = self.collections[stream]
        view = self.views[store_code]
        with self.lock:
            return [collection.render(row, view) for row in collection.rows.values()]

    def touch(
        self, stream: str, key: Any, when: datetime.datetime | None = None, **changes: Any
    ) -> Row:
        """Change a record the way Magento does: new values and a new ``updated_at``."""
        moment = when or datetime.datetime.now(datetime.timezone.utc)
        with self.lock:
            collection = self.collections[stream]
            collection.version += 1
            row = collection.rows[key]
            row.update(changes)
            if "updated_at" in row:
                row["updated_at"] = to_magento(moment)
            return row

    def break_record(self, stream: str, key: Any, how: Unreadable | None = None) -> None:
        """Make a record unrenderable, like an order whose product was deleted."""
        with self.lock:
            self.collections[stream].unreadable[key] = how or Unreadable()

    def delete(self, stream: str, key: Any) -> None:
        """Remove a record, as deleting a product or emptying a source does."""
        with self.lock:
            self.collections[stream].remove(key)


class _Generator:
    """Fills a SandboxStore. Every value comes from one seeded RNG, so a seed is a store."""

    def __init__(self, store: SandboxStore, rng: random.Random) -> None:
        self.store = store
        self.rng = rng

    def generate(self) -> None:
        size = self.store.size
        add = self._collection
        products = add("products", lambda r: r["id"], render_extra=_product_scope, aliases=EAV)
        for pid in range(1, size.products + 1):
            products.add(self._product(pid))
        customers = add("customers", lambda r: r["id"], aliases=EAV)
        for cid in range(1, size.customers + 1):
            customers.add(self._customer(cid))
        orders = add("orders", lambda r: r["entity_id"], render_extra=_order_items)
        invoices = add("invoices", lambda r: r["entity_id"])
        credit_memos = add("credit_memos", lambda r: r["entity_id"])
        for oid in range(1, size.orders + 1):
            order = self._order(oid)
            orders.add(order)
            if self.rng.random() < 0.6:
                invoice = self._sales_document(len(invoices.rows) + 1, order)
                invoices.add({**invoice, "total_qty": 1})
                if self.rng.random() < 0.2:
                    credit_memos.add(self._sales_document(len(credit_memos.rows) + 1, order))
        categories = add("categories", lambda r: r["id"], aliases=EAV)
        for cat_id in range(1, size.categories + 1):
            categories.add(self._category(cat_id))
        rules = add("sales_rules", lambda r: r["rule_id"])
        coupons = add("coupons", lambda r: r["coupon_id"])
        for rule_id in range(1, size.sales_rules + 1):
            rules.add(self._sales_rule(rule_id))
            for _ in range(size.coupons_per_rule):
                coupons.add(self._coupon(len(coupons.rows) + 1, rule_id))
        websites = add("websites", lambda r: r["id"])
        for wid, code, name, group in WEBSITES:
            websites.add({"id": wid, "code": code, "name": name, "default_group_id": group})
        source_items = add("source_items", lambda r: (r["sku"], r["source_code"]))
        stock_items = add("stock_items", lambda r: r["item_id"])
        for pid in range(1, size.products + 1):
            for source in SOURCES:
                source_items.add(self._source_item(pid, source))
            stock_items.add(self._stock_item(pid))
        configs = add("store_configs", lambda r: r["id"])
        for view in STORE_VIEWS:
            configs.add(_store_config(view))

    def _collection(self, stream: str, key: Callable[[Row], Any], **kwargs: Any) -> Collection:
        collection = Collection(stream, key, lean=self.store.lean, **kwargs)
        self.store.collections[stream] = collection
        return collection

    def _moments(self) -> tuple[str, str]:
        created = EPOCH + datetime.timedelta(
            seconds=self.rng.randrange(int(HISTORY.total_seconds()))
        )
        updated = created + datetime.timedelta(seconds=self.rng.randrange(0, 30 * 86400))
        return to_magento(created), to_magento(min(updated, EPOCH + HISTORY))

    def _price(self) -> float:
        return round(self.rng.uniform(5, 500), 2)

    def _product(self, pid: int) -> Row:
        created, updated = self._moments()
        return {
            "id": pid, "sku": f"SKU-{pid:06d}", "name": f"Product {pid}",
            "attribute_set_id": 4, "price": self._price(), "status": self.rng.choice([1, 1, 2]),
            "visibility": 4, "type_id": "simple", "weight": round(self.rng.uniform(0.1, 9), 2),
            "created_at": created, "updated_at": updated,
            "custom_attributes": [
                {"attribute_code": "description", "value": f"<p>Product {pid}</p>"},
                {"attribute_code": "category_ids", "value": [str(self.rng.randrange(3, 9))]},
                {"attribute_code": "cost", "value": str(self._price())},
            ],
        }  # fmt: skip

    def _customer(self, cid: int) -> Row:
        created, updated = self._moments()
        view = self.rng.choice(STORE_VIEWS)
        return {
            "id": cid, "email": f"customer{cid}@example.com", "firstname": f"First{cid}",
            "lastname": f"Last{cid}", "group_id": self.rng.choice([1, 2, 3]),
            "store_id": view.id, "website_id": view.website_id, "created_in": view.name,
            "created_at": created, "updated_at": updated, "dob": "1990-01-01",
        }  # fmt: skip

    def _order(self, oid: int) -> Row:
        created, updated = self._moments()
        customers = self.store.size.customers
        customer_id = self.rng.randrange(1, customers + 1) if customers else None
        total = self._price()
        view = self.rng.choice(STORE_VIEWS)
        return {
            "entity_id": oid, "increment_id": f"{100000000 + oid}", "created_at": created,
            "updated_at": updated, "state": "processing", "status": "processing",
            "store_id": view.id, "customer_id": customer_id,
            "customer_email": f"customer{customer_id}@example.com", "grand_total": total,
            "base_grand_total": total, "subtotal": total, "total_qty_ordered": 1,
        }  # fmt: skip

    def _sales_document(self, entity_id: int, order: Row) -> Row:
        return {
            "entity_id": entity_id, "order_id": order["entity_id"],
            "increment_id": f"{200000000 + entity_id}", "store_id": order["store_id"],
            "created_at": order["updated_at"], "updated_at": order["updated_at"],
            "grand_total": order["grand_total"], "base_grand_total": order["grand_total"],
        }  # fmt: skip

    def _category(self, cat_id: int) -> Row:
        created, updated = self._moments()
        parent = 0 if cat_id == 1 else (1 if cat_id == 2 else self.rng.randrange(2, cat_id))
        return {
            "id": cat_id, "parent_id": parent, "name": f"Category {cat_id}",
            "is_active": True, "position": cat_id, "level": 0 if cat_id == 1 else 1,
            "path": f"1/{cat_id}", "children": "", "include_in_menu": True,
            "created_at": created, "updated_at": updated,
        }  # fmt: skip

    def _sales_rule(self, rule_id: int) -> Row:
        return {
            "rule_id": rule_id, "name": f"Rule {rule_id}", "website_ids": [1, 2],
            "customer_group_ids": [0, 1], "uses_per_customer": 0,
            "is_active": self.rng.random() < 0.8, "stop_rules_processing": False,
            "is_advanced": True, "sort_order": rule_id, "discount_amount": float(rule_id * 5),
            "discount_step": 0, "apply_to_shipping": False, "times_used": self.rng.randrange(50),
            "is_rss": False, "coupon_type": "SPECIFIC_COUPON", "use_auto_generation": True,
            "uses_per_coupon": 1, "simple_action": "by_percent",
        }  # fmt: skip

    def _coupon(self, coupon_id: int, rule_id: int) -> Row:
        created, _ = self._moments()
        return {
            "coupon_id": coupon_id, "rule_id": rule_id, "code": f"SAVE{coupon_id:05d}",
            "usage_limit": 1, "usage_per_customer": 1, "times_used": self.rng.randrange(2),
            "is_primary": False, "created_at": created, "type": 1, "expiration_date": None,
        }  # fmt: skip

    def _source_item(self, pid: int, source: str) -> Row:
        return {
            "sku": f"SKU-{pid:06d}", "source_code": source,
            "quantity": float(self.rng.randrange(0, 200)), "status": 1,
        }  # fmt: skip

    def _stock_item(self, pid: int) -> Row:
        qty = float(self.rng.randrange(0, 200))
        return {
            "item_id": pid, "product_id": pid, "stock_id": 1, "qty": qty,
            "is_in_stock": qty > 0, "low_stock_date": None if qty > 0 else "2024-06-01 08:00:00",
        }  # fmt: skip


def _product_scope(record: Row, view: StoreView) -> None:
    """Store-view scoped attribute values: the store code changes values, not membership."""
    if view.code != "default":
        record["name"] = f"{record['name']} [{view.code}]"
    record["extension_attributes"]["website_ids"] = [1, 2]


def _order_items(record: Row, view: StoreView) -> None:
    """One order line, derived from the order id so rows stay small."""
    order_id = record["entity_id"]
    product_id = order_id * 7919 % 1000 + 1
    record["items"][0].update(
        {
            "item_id": order_id * 10,
            "order_id": order_id,
            "product_id": product_id,
            "sku": f"SKU-{product_id:06d}",
            "name": f"Product {product_id}",
            "qty_ordered": 1,
            "price": record["grand_total"],
            "created_at": record["created_at"],
            "updated_at": record["updated_at"],
            "store_id": view.id,
            "product_type": "simple",
        }
    )


def _store_config(view: StoreView) -> Row:
    base = "http://sandbox.example"
    return {
        "id": view.id, "code": view.code, "website_id": view.website_id, "locale": view.locale,
        "base_currency_code": "USD", "default_display_currency_code": "USD",
        "timezone": "America/Los_Angeles", "weight_unit": "lbs",
        "base_url": f"{base}/", "base_link_url": f"{base}/", "base_static_url": f"{base}/static/",
        "base_media_url": f"{base}/media/", "secure_base_url": f"{base}/",
        "secure_base_link_url": f"{base}/", "secure_base_static_url": f"{base}/static/",
        "secure_base_media_url": f"{base}/media/",
    }  # fmt: skip
