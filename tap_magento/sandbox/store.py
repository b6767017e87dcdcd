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

from tap_magento.sandbox.b2b import add_b2b, add_special_prices
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
# A store view's default display currency (base: USD), and what one dollar is in it.
DISPLAY_CURRENCIES = {"fr": "EUR", "b2b": "GBP"}
EXCHANGE_RATES = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79}
ADMIN_VIEW = StoreView(0, "admin", 0, "Admin", "en_US")
GUEST_EVERY = 9  # every ninth order is a guest's
WEBSITES = ((0, "admin", "Admin", 0), (1, "base", "Main Website", 1), (2, "b2b", "B2B Website", 2))
STORE_GROUPS = (
    (0, "default", "Default", 0, 0),
    (1, "main_website_store", "Main Website Store", 1, 1),
    (2, "b2b_store", "B2B Store", 2, 3),
)
SOURCES = ("default", "eu_warehouse")
TAX_CLASSES = ((2, "Taxable Goods", "PRODUCT"), (3, "Retail Customer", "CUSTOMER"))
STOCKS = ((1, "Default Stock", ("default",)), (2, "EU Stock", ("eu_warehouse", "default")))
EAV = {"entity_id": "id"}
# Lists whose records say ``id`` for a column named otherwise (their tables' keys).
TABLE_KEYS = {
    "carts": {"entity_id": "id"},
    "companies": {"entity_id": "id"},
    "tax_rates": {"tax_calculation_rate_id": "id"},
    "tax_rules": {"tax_calculation_rule_id": "id"},
    "cms_pages": {"page_id": "id"},
    "cms_blocks": {"block_id": "id"},
}
# (attribute_code, frontend_input, backend_type): the product attributes the store has.
PRODUCT_ATTRIBUTES = (
    ("name", "text", "varchar"),
    ("sku", "text", "static"),
    ("price", "price", "decimal"),
    ("status", "boolean", "int"),
    ("color", "select", "int"),
    ("size", "select", "int"),
    ("material", "multiselect", "varchar"),
    ("description", "textarea", "text"),
    ("news_from_date", "date", "datetime"),
    ("weight", "weight", "decimal"),
    ("featured", "boolean", "int"),
    ("cost", "price", "decimal"),
    ("category_ids", "categories", "static"),
)
CATEGORY_ATTRIBUTES = (
    ("name", "text", "varchar"),
    ("is_active", "boolean", "int"),
    ("description", "textarea", "text"),
    ("display_mode", "select", "varchar"),
    ("landing_page", "select", "int"),
    ("custom_design_from", "date", "datetime"),
    ("is_anchor", "boolean", "int"),
)
CUSTOMER_ATTRIBUTES = (
    ("firstname", "text", "static"),
    ("dob", "date", "static"),
    ("loyalty_tier", "select", "int"),
    ("newsletter_opt_in", "boolean", "int"),
    ("interests", "multiselect", "varchar"),
    ("credit_limit", "text", "decimal"),
)
ADDRESS_ATTRIBUTES = (
    ("city", "text", "static"),
    ("delivery_notes", "textarea", "text"),
    ("floor", "text", "int"),
)
COUNTRIES = (
    ("US", "USA", "United States"),
    ("FR", "FRA", "France"),
    ("DE", "DEU", "Germany"),
    ("GB", "GBR", "United Kingdom"),
)


@dataclass(frozen=True)
class StoreSize:
    orders: int = 500
    products: int = 120
    customers: int = 150
    categories: int = 25
    sales_rules: int = 8
    coupons_per_rule: int = 6
    # A wholesale (B2B) store: every Nth order has this many lines; 0: none has.
    wholesale_every: int = 0
    wholesale_lines: int = 1000


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
    stamp: str = "updated_at"  # the timestamp a change moves (CMS: update_time)
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
        view = self.views[store_code]
        if stream == "product_prices":
            return self.storefront(view)
        collection = self.collections[stream]
        with self.lock:
            return [collection.render(row, view) for row in collection.rows.values()]

    def storefront(self, view: StoreView) -> list[Row]:
        """What ``view``'s storefront lists (enabled products visible in the catalog), priced
        in its default display currency."""
        currency = DISPLAY_CURRENCIES.get(view.code, "USD")
        return [
            self.render_info(product, view, currency)
            for product in self.records("products", view.code)
            if product["status"] == 1 and product["visibility"] >= 2
        ]

    def views_by_id(self) -> dict[int, StoreView]:
        return {view.id: view for view in self.views.values()}

    def render_info(self, product: Row, view: StoreView, currency: str) -> Row:
        """A rendered product (``products`` record) as ``/V1/products-render-info`` answers
        it for ``view`` in ``currency``: prices after special prices, over the children for a
        configurable or bundle product, and ``special_price`` null, as stock stores send it."""
        rate = EXCHANGE_RATES.get(currency, 1.0)
        rows = self.collections["products"].rows
        pid = product["id"]
        children = {"configurable": (1, 2), "bundle": (1, 2, 3)}.get(product["type_id"])
        priced = [rows[pid + n] for n in children if pid + n in rows] if children else [product]
        regular = [float(row["price"]) for row in priced] or [0.0]
        final = [self._final_price(row, view) for row in priced] or [0.0]

        def money(value: float) -> float:
            return round(value * rate, 2)

        base = f"http://sandbox.example/{view.code}"
        prices = {
            "final_price": money(min(final)),
            "max_price": money(max(final)),
            "max_regular_price": money(max(regular)),
            "minimal_regular_price": money(min(regular)),
            "special_price": None,
            "minimal_price": money(min(final)),
            "regular_price": money(min(regular)),
        }
        formatted = {k: f"{v:.2f} {currency}" for k, v in prices.items() if v is not None}
        return {
            "add_to_cart_button": {
                "post_data": json.dumps({"action": f"{base}/checkout/cart/add/product/{pid}"}),
                "url": f"{base}/checkout/cart/add/product/{pid}",
                "required_options": children is not None,
            },
            "add_to_compare_button": {
                "post_data": json.dumps({"action": f"{base}/catalog/product_compare/add"}),
                "url": None,
                "required_options": None,
            },
            "price_info": {**prices, "formatted_prices": formatted, "extension_attributes": {}},
            "images": [
                {
                    "url": f"{base}/media/catalog/product/p/{pid}.jpg",
                    "code": "recently_viewed_products_grid_content_widget",
                    "height": 300,
                    "width": 240,
                    "label": product["name"],
                    "resized_width": 240,
                    "resized_height": 300,
                }
            ],
            "url": f"{base}/product-{pid}.html",
            "id": pid,
            "name": product["name"],
            "type": product["type_id"],
            "is_salable": "1",
            "store_id": view.id,
            "currency_code": currency,
            "extension_attributes": {"review_html": "", "wishlist_button": {"url": None}},
        }

    def _final_price(self, product: Row, view: StoreView) -> float:
        """The base price, or a lower special price of all store views or this one."""
        price = float(product["price"])
        specials = [
            float(row["price"])
            for row in self.collections["product_special_prices"].rows.values()
            if row["sku"] == product["sku"] and row["store_id"] in (0, view.id)
        ]
        return min([price, *specials])

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
            if collection.stamp in row:
                row[collection.stamp] = to_magento(moment)
            return row

    def add(self, stream: str, row: Row) -> None:
        """A new record, as a new payment transaction or a new return request is."""
        with self.lock:
            self.collections[stream].add(row)

    def add_store_view(self, view: StoreView) -> None:
        """A store view created in the admin: it answers at its code, and is listed."""
        with self.lock:
            self.views[view.code] = view
            self.collections["store_views"].add(_store_view(view))
            self.collections["store_configs"].add(_store_config(view))

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
        customers = add(
            "customers", lambda r: r["id"], aliases=EAV, render_extra=_customer_addresses
        )
        for cid in range(1, size.customers + 1):
            customers.add(self._customer(cid))
        orders = add("orders", lambda r: r["entity_id"], render_extra=_order_parts)
        invoices = add("invoices", lambda r: r["entity_id"], render_extra=INVOICE_PARTS)
        credit_memos = add("credit_memos", lambda r: r["entity_id"], render_extra=MEMO_PARTS)
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
        views = add("store_views", lambda r: r["id"])
        views.add(_store_view(ADMIN_VIEW))
        for view in STORE_VIEWS:
            configs.add(_store_config(view))
            views.add(_store_view(view))
        self._sales_extras(orders)
        self._reference_data()
        self._content()
        product_rows = list(products.rows.values())
        add_b2b(add, [row["sku"] for row in product_rows])
        add_special_prices(add, {row["sku"]: row["price"] for row in product_rows})

    def _sales_extras(self, orders: Collection) -> None:
        """Shipments, order lines, payment transactions, carts and returns."""
        add = self._collection
        shipments = add("shipments", lambda r: r["entity_id"], render_extra=SHIPMENT_PARTS)
        items = add("order_items", lambda r: r["item_id"])
        transactions = add("transactions", lambda r: r["transaction_id"], stamp="created_at")
        returns = add("returns", lambda r: r["entity_id"], stamp="date_requested")
        invoiced = {row["order_id"] for row in self.store.collection("invoices").rows.values()}
        refunded = {row["order_id"] for row in self.store.collection("credit_memos").rows.values()}
        for order in list(orders.rows.values()):
            oid = order["entity_id"]
            shipped = self.rng.random() < 0.5
            if shipped:
                shipment = self._sales_document(len(shipments.rows) + 1, order)
                del shipment["grand_total"], shipment["base_grand_total"]  # not a shipment's
                shipments.add({**shipment, "total_qty": 1})
            done = {"qty_invoiced": oid in invoiced, "qty_shipped": shipped,
                    "qty_refunded": oid in refunded}  # fmt: skip
            for line in _order_lines(order, done):
                items.add(line)
            if self.rng.random() < 0.6:
                tid = len(transactions.rows) + 1
                transactions.add(
                    {
                        "transaction_id": tid,
                        "order_id": oid,
                        "payment_id": oid,
                        "txn_id": f"TXN-{tid:08d}",
                        "txn_type": "capture",
                        "is_closed": 1,
                        "created_at": order["created_at"],
                    }
                )
            if self.rng.random() < 0.05:
                rid = len(returns.rows) + 1
                returns.add(
                    {
                        "entity_id": rid,
                        "increment_id": f"{300000000 + rid}",
                        "order_id": oid,
                        "order_increment_id": order["increment_id"],
                        "store_id": order["store_id"],
                        "customer_id": order["customer_id"],
                        "status": "pending",
                        "date_requested": order["updated_at"],
                    }
                )
        carts = add(
            "carts", lambda r: r["id"], aliases=TABLE_KEYS["carts"], render_extra=_cart_items
        )
        for cart_id in range(1, self.store.size.customers + 1):
            created, updated = self._moments()
            carts.add(
                {
                    "id": cart_id,
                    "created_at": created,
                    "updated_at": updated,
                    "is_active": self.rng.random() < 0.7,
                    "items_count": self.rng.randrange(1, 5),
                    "store_id": 1,
                }
            )

    def _reference_data(self) -> None:
        """Customer groups, store groups, attributes and sets, MSI, taxes, directory data."""
        add = self._collection
        groups = add("customer_groups", lambda r: r["id"])
        for gid, code in enumerate(("NOT LOGGED IN", "General", "Wholesale", "Retailer")):
            groups.add({"id": gid, "code": code, "tax_class_id": 3, "tax_class_name": "Retail"})
        store_groups = add("store_groups", lambda r: r["id"])
        for gid, code, name, website_id, root in STORE_GROUPS:
            store_groups.add(
                {
                    "id": gid,
                    "code": code,
                    "name": name,
                    "website_id": website_id,
                    "root_category_id": root,
                    "default_store_id": gid,
                }
            )
        attributes = add("product_attributes", lambda r: r["attribute_id"])
        for aid, (code, frontend, backend) in enumerate(PRODUCT_ATTRIBUTES, start=70):
            options = (
                [{"label": f"{code} {n}", "value": str(n)} for n in range(1, 4)]
                if (frontend in {"select", "multiselect"})
                else []
            )
            attributes.add(
                {
                    "attribute_id": aid,
                    "attribute_code": code,
                    "frontend_input": frontend,
                    "backend_type": backend,
                    "default_frontend_label": code.title(),
                    "options": options,
                    "is_required": code in {"name", "sku", "price"},
                }
            )
        category_attributes = add("category_attributes", lambda r: r["attribute_id"])
        for aid, (code, frontend, backend) in enumerate(CATEGORY_ATTRIBUTES, start=40):
            category_attributes.add(
                {
                    "attribute_id": aid,
                    "attribute_code": code,
                    "frontend_input": frontend,
                    "backend_type": backend,
                    "default_frontend_label": code.title(),
                    "is_required": code == "name",
                    "scope": "store",
                }
            )
        for stream, codes in (
            ("customer_attributes", CUSTOMER_ATTRIBUTES),
            ("customer_address_attributes", ADDRESS_ATTRIBUTES),
        ):
            metadata = add(stream, lambda r: r["attribute_code"])
            for position, (code, frontend, backend) in enumerate(codes):
                metadata.add(
                    {
                        "attribute_code": code,
                        "frontend_input": frontend,
                        "backend_type": backend,
                        "frontend_label": code.title(),
                        "store_label": code.title(),
                        "sort_order": position,
                        "user_defined": position > 1,
                        "visible": True,
                    }
                )
        sets = add("attribute_sets", lambda r: r["attribute_set_id"])
        for set_id, name in ((4, "Default"), (9, "Clothing"), (10, "Gear")):
            sets.add(
                {
                    "attribute_set_id": set_id,
                    "attribute_set_name": name,
                    "sort_order": set_id,
                    "entity_type_id": 4,
                }
            )
        self._inventory()
        rates = add("tax_rates", lambda r: r["id"], aliases=TABLE_KEYS["tax_rates"])
        for rid, (country, _, _) in enumerate(COUNTRIES, start=1):
            rates.add(
                {
                    "id": rid,
                    "code": f"{country}-*-Rate",
                    "tax_country_id": country,
                    "tax_postcode": "*",
                    "rate": 5.0 + rid,
                }
            )
        classes = add("tax_classes", lambda r: r["class_id"])
        for cid, name, kind in (
            (2, "Taxable Goods", "PRODUCT"),
            (3, "Retail Customer", "CUSTOMER"),
        ):
            classes.add({"class_id": cid, "class_name": name, "class_type": kind})
        rules = add("tax_rules", lambda r: r["id"], aliases=TABLE_KEYS["tax_rules"])
        rules.add(
            {
                "id": 1,
                "code": "Retail",
                "priority": 0,
                "position": 0,
                "customer_tax_class_ids": [3],
                "product_tax_class_ids": [2],
                "tax_rate_ids": list(rates.rows),
                "calculate_subtotal": False,
            }
        )
        countries = add("countries", lambda r: r["id"])
        for code, code3, name in COUNTRIES:
            countries.add(
                {
                    "id": code,
                    "two_letter_abbreviation": code,
                    "three_letter_abbreviation": code3,
                    "full_name_locale": name,
                    "full_name_english": name,
                    "available_regions": [],
                }
            )
        currencies = add("currencies", lambda r: r["base_currency_code"])
        currencies.add(
            {
                "base_currency_code": "USD",
                "base_currency_symbol": "$",
                "default_display_currency_code": "USD",
                "default_display_currency_symbol": "$",
                "available_currency_codes": ["USD", "EUR", "GBP"],
                "exchange_rates": [
                    {"currency_to": "EUR", "rate": 0.92},
                    {"currency_to": "GBP", "rate": 0.79},
                ],
            }
        )
        companies = add("companies", lambda r: r["id"], aliases=TABLE_KEYS["companies"])
        for company_id in range(1, 6):
            companies.add(
                {
                    "id": company_id,
                    "company_name": f"Company {company_id}",
                    "company_email": f"buyer{company_id}@example.com",
                    "status": 1,
                    "super_user_id": company_id,
                    "customer_group_id": 2,
                }
            )

    def _inventory(self) -> None:
        """MSI: sources, stocks, their links, and salable quantities per website channel."""
        add = self._collection
        sources = add("inventory_sources", lambda r: r["source_code"])
        for code in SOURCES:
            sources.add(
                {
                    "source_code": code,
                    "name": code.replace("_", " ").title(),
                    "enabled": True,
                    "country_id": "US",
                }
            )
        stocks = add("inventory_stocks", lambda r: r["stock_id"])
        links = add("stock_source_links", lambda r: (r["stock_id"], r["source_code"]))
        for stock_id, name, linked in STOCKS:
            stocks.add({"stock_id": stock_id, "name": name})
            for priority, code in enumerate(linked, start=1):
                links.add({"stock_id": stock_id, "source_code": code, "priority": priority})
        salable = add("salable_quantities", lambda r: (r["sku"], r["sales_channel_code"]))
        for _, code, _, _ in WEBSITES[1:]:
            for pid in range(1, self.store.size.products + 1):
                qty = float(self.rng.randrange(0, 100))
                channel = {"sales_channel_type": "website", "sales_channel_code": code}
                salable.add({"sku": f"SKU-{pid:06d}", "qty": qty, "is_salable": qty > 0, **channel})

    def _content(self) -> None:
        """CMS pages and blocks, stamped with creation_time and update_time."""
        for stream, count in (("cms_pages", 12), ("cms_blocks", 8)):
            collection = self._collection(
                stream, lambda r: r["id"], aliases=TABLE_KEYS[stream], stamp="update_time"
            )
            for cms_id in range(1, count + 1):
                created, updated = self._moments()
                collection.add(
                    {
                        "id": cms_id,
                        "identifier": f"{stream[4:-1]}-{cms_id}",
                        "title": f"{stream[4:-1].title()} {cms_id}",
                        "active": True,
                        "creation_time": created,
                        "update_time": updated,
                    }
                )

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
            "id": pid,
            "sku": f"SKU-{pid:06d}",
            "name": f"Product {pid}",
            "attribute_set_id": 4,
            "price": self._price(),
            "status": self.rng.choice([1, 1, 2]),
            # Every eleventh is sold only as part of another (not visible individually).
            "visibility": 1 if pid % 11 == 0 else 4,
            "type_id": _product_type(pid),
            "weight": round(self.rng.uniform(0.1, 9), 2),
            "created_at": created,
            "updated_at": updated,
            "custom_attributes": [
                {"attribute_code": "description", "value": f"<p>Product {pid}</p>"},
                {
                    "attribute_code": "category_ids",
                    "value": [str(self.rng.randrange(3, 9)), *(["2"] if pid % 2 == 0 else [])],
                },
                {"attribute_code": "cost", "value": str(self._price())},
                # As Magento sends them: option ids, flags and dates as strings.
                {"attribute_code": "color", "value": str(pid % 3 + 1)},
                {"attribute_code": "material", "value": f"{pid % 3 + 1},{(pid + 1) % 3 + 1}"},
                {"attribute_code": "featured", "value": str(pid % 2)},
                {"attribute_code": "news_from_date", "value": f"2024-0{pid % 9 + 1}-01 00:00:00"},
            ],
        }

    def _customer(self, cid: int) -> Row:
        created, updated = self._moments()
        view = self.rng.choice(STORE_VIEWS)
        return {
            "id": cid,
            "email": f"customer{cid}@example.com",
            "firstname": f"First{cid}",
            "lastname": f"Last{cid}",
            "group_id": self.rng.choice([1, 2, 3]),
            "store_id": view.id,
            "website_id": view.website_id,
            "created_in": view.name,
            "created_at": created,
            "updated_at": updated,
            "dob": "1990-01-01",
            "custom_attributes": [
                {"attribute_code": "loyalty_tier", "value": str(cid % 4 + 1)},
                {"attribute_code": "newsletter_opt_in", "value": str(cid % 2)},
                {"attribute_code": "interests", "value": f"{cid % 5 + 1},{cid % 7 + 6}"},
                {"attribute_code": "credit_limit", "value": f"{cid * 25}.50"},
            ],
            "addresses": [
                {
                    "id": cid,
                    "customer_id": cid,
                    "city": f"City {cid}",
                    "country_id": "US",
                    "street": [f"{cid} Main Street"],
                    "default_billing": True,
                    "custom_attributes": [
                        {"attribute_code": "delivery_notes", "value": f"Ring {cid % 3 + 1} times"},
                        {"attribute_code": "floor", "value": str(cid % 12)},
                    ],
                }
            ],
        }

    def _order(self, oid: int) -> Row:
        created, updated = self._moments()
        customers = self.store.size.customers
        customer_id = self.rng.randrange(1, customers + 1) if customers else None
        total = self._price()
        view = self.rng.choice(STORE_VIEWS)
        guest = oid % GUEST_EVERY == 0 or customer_id is None
        return {
            "entity_id": oid,
            "increment_id": f"{100000000 + oid}",
            "created_at": created,
            "updated_at": updated,
            **_order_status(oid),
            "store_id": view.id,
            "customer_id": None if guest else customer_id,
            "customer_is_guest": int(guest),
            "customer_email": f"customer{customer_id}@example.com",
            "base_currency_code": "USD",
            "order_currency_code": "USD",
            "grand_total": total,
            "base_grand_total": total,
            "subtotal": total,
            "base_subtotal": total,
            "total_qty_ordered": self._lines_of(oid),
        }

    def _lines_of(self, oid: int) -> int:
        size = self.store.size
        return (
            size.wholesale_lines if size.wholesale_every and oid % size.wholesale_every == 0 else 1
        )

    def _sales_document(self, entity_id: int, order: Row) -> Row:
        return {
            "entity_id": entity_id,
            "order_id": order["entity_id"],
            "increment_id": f"{200000000 + entity_id}",
            "store_id": order["store_id"],
            "created_at": order["updated_at"],
            "updated_at": order["updated_at"],
            "grand_total": order["grand_total"],
            "base_grand_total": order["grand_total"],
        }

    def _category(self, cat_id: int) -> Row:
        created, updated = self._moments()
        parent = 0 if cat_id == 1 else (1 if cat_id == 2 else self.rng.randrange(2, cat_id))
        return {
            "id": cat_id,
            "parent_id": parent,
            "name": f"Category {cat_id}",
            "is_active": True,
            "position": cat_id,
            "level": 0 if cat_id == 1 else 1,
            "path": f"1/{cat_id}",
            "children": "",
            "include_in_menu": True,
            "created_at": created,
            "updated_at": updated,
            "custom_attributes": [
                {"attribute_code": "description", "value": f"<p>Category {cat_id}</p>"},
                {"attribute_code": "display_mode", "value": "PRODUCTS"},
                {"attribute_code": "landing_page", "value": str(cat_id % 4)},
                {"attribute_code": "is_anchor", "value": str(cat_id % 2)},
                {"attribute_code": "custom_design_from", "value": "2024-03-01 00:00:00"},
            ],
        }

    def _sales_rule(self, rule_id: int) -> Row:
        return {
            "rule_id": rule_id,
            "name": f"Rule {rule_id}",
            "website_ids": [1, 2],
            "customer_group_ids": [0, 1],
            "uses_per_customer": 0,
            "is_active": self.rng.random() < 0.8,
            "stop_rules_processing": False,
            "is_advanced": True,
            "sort_order": rule_id,
            "discount_amount": float(rule_id * 5),
            "discount_step": 0,
            "apply_to_shipping": False,
            "times_used": self.rng.randrange(50),
            "is_rss": False,
            "coupon_type": "SPECIFIC_COUPON",
            "use_auto_generation": True,
            "uses_per_coupon": 1,
            "simple_action": "by_percent",
        }

    def _coupon(self, coupon_id: int, rule_id: int) -> Row:
        created, _ = self._moments()
        return {
            "coupon_id": coupon_id,
            "rule_id": rule_id,
            "code": f"SAVE{coupon_id:05d}",
            "usage_limit": 1,
            "usage_per_customer": 1,
            "times_used": self.rng.randrange(2),
            "is_primary": False,
            "created_at": created,
            "type": 1,
            "expiration_date": None,
        }

    def _source_item(self, pid: int, source: str) -> Row:
        return {
            "sku": f"SKU-{pid:06d}",
            "source_code": source,
            "quantity": float(self.rng.randrange(0, 200)),
            "status": 1,
        }

    def _stock_item(self, pid: int) -> Row:
        qty = float(self.rng.randrange(0, 200))
        return {
            "item_id": pid,
            "product_id": pid,
            "stock_id": 1,
            "qty": qty,
            "is_in_stock": qty > 0,
            "low_stock_date": None if qty > 0 else "2024-06-01 08:00:00",
        }


def _product_type(pid: int) -> str:
    """Every fifth product is configurable, every seventh other one a bundle. Stored in the
    row, not only rendered, so that a filter on type_id finds what the records say."""
    if pid % 5 == 0:
        return "configurable"
    return "bundle" if pid % 7 == 0 else "simple"


# (state, status) pairs as a store holds them: most orders done, some in every other state.
ORDER_STATUSES = (
    ("processing", "processing"),
    ("complete", "complete"),
    ("complete", "complete"),
    ("new", "pending"),
    ("closed", "closed"),
    ("canceled", "canceled"),
    ("holded", "holded"),
    ("complete", "complete"),
)


def _order_status(oid: int) -> Row:
    """An order's state and status, derived from its id (the random stream stays as it was)."""
    state, status = ORDER_STATUSES[oid * 7 % len(ORDER_STATUSES)]
    return {"state": state, "status": status}


def _product_scope(record: Row, view: StoreView) -> None:
    """Store-view scoped attribute values: the store code changes values, not membership.
    And the lists a product holds, derived from its id so rows stay small: every third has a
    custom option, every fifth is configurable (its options and child products), every
    seventh other one a bundle."""
    if view.code != "default":
        record["name"] = f"{record['name']} [{view.code}]"
    extension = record["extension_attributes"]
    extension["website_ids"] = [1, 2]
    pid, sku, price = record["id"], record["sku"], float(record.get("price") or 10)
    record["media_gallery_entries"] = [
        _product_element(
            "product_media_gallery",
            id=pid * 10 + 1,
            media_type="image",
            label=f"Product {pid}",
            position=1,
            disabled=False,
            file=f"/p/{pid}.jpg",
            types=["image", "small_image", "thumbnail"],
        )
    ]
    record["tier_prices"] = [
        _product_element(
            "product_tier_prices",
            customer_group_id=1,
            qty=5.0,
            value=round(price * 0.9, 2),
            extension_attributes={"website_id": 1},
        ),
        _product_element(
            "product_tier_prices",
            customer_group_id=32000,
            qty=10.0,
            value=round(price * 0.8, 2),
            extension_attributes={},
        ),
    ]
    # Magento links a product to the categories its category_ids attribute names.
    category_ids: list[str] = next(
        (a["value"] for a in record["custom_attributes"] if a["attribute_code"] == "category_ids"),
        [],
    )
    extension["category_links"] = [
        _product_element("product_category_links", position=position, category_id=str(category))
        for position, category in enumerate(category_ids)
    ]
    record["product_links"] = [
        _product_element(
            "product_links",
            sku=sku,
            link_type="related",
            position=1,
            linked_product_sku=f"SKU-{pid + 1:06d}",
            linked_product_type="simple",
        )
    ]
    record["options"] = (
        [
            _product_element(
                "product_options",
                product_sku=sku,
                option_id=pid * 10 + 1,
                title="Engraving",
                type="field",
                sku="-engraved",
                is_require=False,
                price=5.0,
            )
        ]
        if pid % 3 == 0
        else []
    )
    configurable, bundle = record["type_id"] == "configurable", record["type_id"] == "bundle"
    extension["configurable_product_options"] = (
        [
            _product_element(
                "configurable_product_options",
                id=pid * 10 + 1,
                attribute_id="93",
                label="Color",
                position=0,
                values=[{"value_index": 1}, {"value_index": 2}],
                product_id=pid,
            )
        ]
        if configurable
        else []
    )
    extension["configurable_product_links"] = [pid + 1, pid + 2] if configurable else []
    extension["bundle_product_options"] = (
        [
            _product_element(
                "bundle_product_options",
                option_id=pid * 10 + 1,
                title="Pick one",
                required=True,
                type="select",
                position=1,
                sku=sku,
            )
        ]
        if bundle
        else []
    )


# What the tap adds to child rows; a store's elements do not hold them.
CHILD_COLUMNS = ("parent_updated_at", "store_code", "option_sku", "child_product_id")


def _element(child_stream: str, **values: Any) -> Row:
    """An element of a parent's list, every documented field filled (from the child stream's
    schema), then ``values``."""
    element: Row = json.loads(template_json(child_stream))
    for column in CHILD_COLUMNS:
        element.pop(column, None)
    if child_stream == "product_tier_prices":
        element.pop("website_id", None)  # the tap lifts it from extension_attributes
    element.update(values)
    return element


def _product_element(child_stream: str, **values: Any) -> Row:
    """An element of a product's list: the product's id and SKU are columns the tap adds to
    the rows, not fields of the element, unless ``values`` says the element has them."""
    element = _element(child_stream)
    for column in ("product_id", "sku"):
        element.pop(column, None)
    element.update(values)
    return element


def _order_parts(record: Row, view: StoreView) -> None:
    """An order's line, addresses (billing, and one shipping assignment's), two status
    history entries and its payment, with keys derived from the order id."""
    _order_items(record, view)
    oid = record["entity_id"]
    billing = record["billing_address"]
    billing.update(
        {
            "entity_id": oid * 10 + 1,
            "parent_id": oid,
            "address_type": "billing",
            "customer_id": record.get("customer_id"),
            "city": f"City {oid}",
        }
    )
    shipping = {**billing, "entity_id": oid * 10 + 2, "address_type": "shipping"}
    record["extension_attributes"]["shipping_assignments"] = [
        {"shipping": {"address": shipping, "method": "flatrate_flatrate", "total": {}}, "items": []}
    ]
    record["status_histories"] = [
        _element(
            "order_status_history",
            entity_id=oid * 10 + 1,
            parent_id=oid,
            status="pending",
            comment="Order placed",
            created_at=record["created_at"],
        ),
        _element(
            "order_status_history",
            entity_id=oid * 10 + 2,
            parent_id=oid,
            status="processing",
            comment="Invoiced",
            created_at=record["updated_at"],
        ),
    ]
    record["payment"].update(
        {
            "entity_id": oid,
            "parent_id": oid,
            "method": "checkmo",
            "amount_ordered": record["grand_total"],
        }
    )


def _document_parts(**lists: str) -> Callable[[Row, StoreView], None]:
    """An invoice's, shipment's or credit memo's lists (list -> child stream): one element
    each, keyed by the document's id."""

    def render(record: Row, view: StoreView) -> None:
        document = record["entity_id"]
        for name, child_stream in lists.items():
            element = _element(child_stream, entity_id=document * 10 + 1, parent_id=document)
            if "created_at" in element:  # comments and tracks have one, items do not
                element["created_at"] = record["created_at"]
            record[name] = [element]

    return render


INVOICE_PARTS = _document_parts(items="invoice_items", comments="invoice_comments")
MEMO_PARTS = _document_parts(items="credit_memo_items", comments="credit_memo_comments")
SHIPMENT_PARTS = _document_parts(
    items="shipment_items", tracks="shipment_tracks", comments="shipment_comments"
)


def _customer_addresses(record: Row, view: StoreView) -> None:
    """A customer's addresses, every documented field filled in besides the row's own."""
    record["addresses"] = [_element("customer_addresses", **a) for a in record["addresses"]]


def _cart_items(record: Row, view: StoreView) -> None:
    cart = record["id"]
    record["items"] = [
        _element(
            "cart_items",
            item_id=cart * 10 + 1,
            quote_id=str(cart),
            sku=f"SKU-{cart:06d}",
            qty=1.0,
            price=10.0,
            product_type="simple",
        )
    ]


def _order_items(record: Row, view: StoreView) -> None:
    """One order line, derived from the order id so rows stay small; a wholesale order's
    ``total_qty_ordered`` lines (copies of it, with their own ids)."""
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
    lines = int(record["total_qty_ordered"])
    if lines > 1:
        line = record["items"][0]
        first_id = WHOLESALE_ITEM_IDS + order_id * lines
        record["items"] = [{**line, "item_id": first_id + n} for n in range(lines)]


# Wholesale orders' lines are numbered from here: above every other order line's id.
WHOLESALE_ITEM_IDS = 10**10


def _order_lines(order: Row, done: dict[str, bool]) -> list[Row]:
    """An order's lines: a simple product's, and for every fifth order a configurable
    product's parent line (which carries the price) with its child line (``parent_item_id``,
    the simple product sold, at 0). The lines' row totals add up to the order's subtotal;
    ``done``: whether the order was invoiced, shipped and refunded (whole)."""
    oid = order["entity_id"]
    product_id = oid * 7919 % 1000 + 1
    total = order["subtotal"]
    configurable = round(total / 2, 2) if oid % 5 == 0 else 0.0
    common = {
        "order_id": oid,
        "created_at": order["created_at"],
        "updated_at": order["updated_at"],
        "store_id": order["store_id"],
    }

    def amounts(price: float) -> Row:
        return {
            "qty_ordered": 1,
            **{qty: int(happened) for qty, happened in done.items()},
            "qty_canceled": 0,
            "price": price,
            "base_price": price,
            "original_price": price,
            "base_original_price": price,
            "row_total": price,
            "base_row_total": price,
            "discount_amount": 0.0,
            "base_discount_amount": 0.0,
            "tax_amount": 0.0,
            "base_tax_amount": 0.0,
            "amount_refunded": price if done["qty_refunded"] else 0.0,
            "base_amount_refunded": price if done["qty_refunded"] else 0.0,
        }

    simple = {
        "item_id": oid * 10,
        "product_id": product_id,
        "sku": f"SKU-{product_id:06d}",
        "product_type": "simple",
        "parent_item_id": None,
        **amounts(round(total - configurable, 2)),
        **common,
    }
    if oid % 5 != 0:
        return [simple]
    parent = {
        "item_id": oid * 10 + 1,
        "product_id": product_id + 1000,
        "sku": f"CONF-{product_id:06d}",
        "product_type": "configurable",
        "parent_item_id": None,
        **amounts(configurable),
        **common,
    }
    child = {**simple, **amounts(0.0), "item_id": oid * 10 + 2, "parent_item_id": oid * 10 + 1}
    return [simple, parent, child]


def _store_view(view: StoreView) -> Row:
    return {
        "id": view.id,
        "code": view.code,
        "name": view.name,
        "website_id": view.website_id,
        "store_group_id": view.website_id,
        "is_active": 1,
    }


def _store_config(view: StoreView) -> Row:
    base = "http://sandbox.example"
    return {
        "id": view.id,
        "code": view.code,
        "website_id": view.website_id,
        "locale": view.locale,
        "base_currency_code": "USD",
        "default_display_currency_code": DISPLAY_CURRENCIES.get(view.code, "USD"),
        "timezone": "America/Los_Angeles",
        "weight_unit": "lbs",
        "base_url": f"{base}/",
        "base_link_url": f"{base}/",
        "base_static_url": f"{base}/static/",
        "base_media_url": f"{base}/media/",
        "secure_base_url": f"{base}/",
        "secure_base_link_url": f"{base}/",
        "secure_base_static_url": f"{base}/static/",
        "secure_base_media_url": f"{base}/media/",
    }
