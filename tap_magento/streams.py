"""The streams: a name, a path, keys and replication; schemas live in ``schemas/``.

``module`` names what a store must have installed for a stream's route to exist: a store
without it answers 404 "Request does not match any route", and the stream is skipped.
"""

from __future__ import annotations

import inspect

from tap_magento.children import EACH, ChildStream
from tap_magento.client import MagentoStream
from tap_magento.custom_attributes import AttributeList
from tap_magento.families import (
    IncrementalStream,
    LowStockStream,
    PlainArrayStream,
    SalesChannelScoped,
    SearchCriteriaStream,
    StoreScoped,
)

# EAV entities (products, customers, categories) answer ``id`` but filter and sort on their
# table's ``entity_id`` column: ``id`` is not one of their attributes.
EAV_NAMES = {"id": "entity_id"}
# Other lists whose records say ``id`` for a column named otherwise (their tables' primary
# keys); an assumption from the tables, written down in docs/streams.md.
TABLE_KEY_NAMES = {"id": "entity_id"}  # quotes (carts) and companies
TAX_RATE_NAMES = {"id": "tax_calculation_rate_id"}
TAX_RULE_NAMES = {"id": "tax_calculation_rule_id"}
CMS_PAGE_NAMES = {"id": "page_id"}
CMS_BLOCK_NAMES = {"id": "block_id"}
MSI = "Magento_Inventory (MSI; can be disabled)"


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
    custom_attribute_lists = (AttributeList("product_attributes"),)


class CustomersStream(IncrementalStream):
    name = "customers"
    path = "/V1/customers/search"
    primary_keys = ("id",)
    search_names = EAV_NAMES
    custom_attribute_lists = (
        AttributeList("customer_attributes"),
        AttributeList("customer_address_attributes", within="addresses"),
    )


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
    custom_attribute_lists = (AttributeList("category_attributes"),)


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
    module = MSI


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


class ShipmentsStream(IncrementalStream):
    name = "shipments"
    path = "/V1/shipments"
    primary_keys = ("entity_id",)


class OrderItemsStream(IncrementalStream):
    """Every order line in one list (``parent_item_id`` links a configurable's child line)."""

    name = "order_items"
    path = "/V1/orders/items"
    primary_keys = ("item_id",)


class TransactionsStream(IncrementalStream):
    """Payment transactions are written once: ``created_at`` is their only timestamp."""

    name = "transactions"
    path = "/V1/transactions"
    primary_keys = ("transaction_id",)
    replication_key = "created_at"


class CartsStream(IncrementalStream):
    """Quotes, abandoned carts included."""

    name = "carts"
    path = "/V1/carts/search"
    primary_keys = ("id",)
    search_names = TABLE_KEY_NAMES


class CustomerGroupsStream(SearchCriteriaStream):
    name = "customer_groups"
    path = "/V1/customerGroups/search"
    primary_keys = ("id",)


class StoreViewsStream(PlainArrayStream):
    name = "store_views"
    path = "/V1/store/storeViews"
    primary_keys = ("id",)


class StoreGroupsStream(PlainArrayStream):
    name = "store_groups"
    path = "/V1/store/storeGroups"
    primary_keys = ("id",)


class ProductAttributesStream(SearchCriteriaStream):
    """Attributes with their options and labels, as the list answers them."""

    name = "product_attributes"
    path = "/V1/products/attributes"
    primary_keys = ("attribute_id",)


class AttributeSetsStream(SearchCriteriaStream):
    name = "attribute_sets"
    path = "/V1/products/attribute-sets/sets/list"
    primary_keys = ("attribute_set_id",)


class InventorySourcesStream(SearchCriteriaStream):
    name = "inventory_sources"
    path = "/V1/inventory/sources"
    primary_keys = ("source_code",)
    module = MSI


class InventoryStocksStream(SearchCriteriaStream):
    name = "inventory_stocks"
    path = "/V1/inventory/stocks"
    primary_keys = ("stock_id",)
    module = MSI


class StockSourceLinksStream(SearchCriteriaStream):
    name = "stock_source_links"
    path = "/V1/inventory/stock-source-links"
    primary_keys = ("stock_id", "source_code")
    module = MSI


class SalableQuantitiesStream(SalesChannelScoped, SearchCriteriaStream):
    """Salable quantity per SKU, once per website sales channel, in pages of SKUs."""

    name = "salable_quantities"
    path = "/V1/inventory/export-stock-salable-qty/{sales_channel_type}/{sales_channel_code}"
    primary_keys = ("sku", "sales_channel_code")
    module = MSI


class TaxRatesStream(SearchCriteriaStream):
    name = "tax_rates"
    path = "/V1/taxRates/search"
    primary_keys = ("id",)
    search_names = TAX_RATE_NAMES


class TaxClassesStream(SearchCriteriaStream):
    name = "tax_classes"
    path = "/V1/taxClasses/search"
    primary_keys = ("class_id",)


class TaxRulesStream(SearchCriteriaStream):
    name = "tax_rules"
    path = "/V1/taxRules/search"
    primary_keys = ("id",)
    search_names = TAX_RULE_NAMES


class CmsPagesStream(IncrementalStream):
    name = "cms_pages"
    path = "/V1/cmsPage/search"
    primary_keys = ("id",)
    replication_key = "update_time"
    search_names = CMS_PAGE_NAMES


class CmsBlocksStream(IncrementalStream):
    name = "cms_blocks"
    path = "/V1/cmsBlock/search"
    primary_keys = ("id",)
    replication_key = "update_time"
    search_names = CMS_BLOCK_NAMES


class CountriesStream(PlainArrayStream):
    name = "countries"
    path = "/V1/directory/countries"
    primary_keys = ("id",)


class CurrenciesStream(PlainArrayStream):
    """One object: base, default and allowed codes, and the exchange rates."""

    name = "currencies"
    path = "/V1/directory/currency"
    primary_keys = ("base_currency_code",)


class ReturnsStream(IncrementalStream):
    """Adobe Commerce RMA: a return is stamped once, when it is requested."""

    name = "returns"
    path = "/V1/returns"
    primary_keys = ("entity_id",)
    replication_key = "date_requested"
    module = "Magento_Rma (returns; Adobe Commerce only)"


class CompaniesStream(SearchCriteriaStream):
    name = "companies"
    path = "/V1/company/"
    primary_keys = ("id",)
    search_names = TABLE_KEY_NAMES
    module = "Magento_Company (B2B; Adobe Commerce only)"


class CategoryAttributesStream(SearchCriteriaStream):
    name = "category_attributes"
    path = "/V1/categories/attributes"
    primary_keys = ("attribute_id",)


class CustomerAttributesStream(PlainArrayStream):
    """Customer attributes' metadata: codes, input types, options (no attribute_id here)."""

    name = "customer_attributes"
    path = "/V1/attributeMetadata/customer"
    primary_keys = ("attribute_code",)


class CustomerAddressAttributesStream(PlainArrayStream):
    name = "customer_address_attributes"
    path = "/V1/attributeMetadata/customerAddress"
    primary_keys = ("attribute_code",)


# --- child streams: the lists inside parents' records (tap_magento/children.py) -------------

SALES_PARENT = {"parent_id": "entity_id"}  # Magento's own elements say parent_id
PRODUCT_PARENT = {"product_id": "id", "store_code": "store_code", "sku": "sku"}
CUSTOMER_PARENT = {"customer_id": "id"}
CART_PARENT = {"quote_id": "id"}
TIER_PRICE_WEBSITE = {"website_id": (("extension_attributes", "website_id"), 0)}
OPTION_SKU = {"sku": "option_sku"}


class OrderAddressesStream(ChildStream):
    """The billing address and each shipping assignment's address."""

    name = "order_addresses"
    parent_stream_type = OrdersStream
    primary_keys = ("entity_id",)
    lists = (
        ("billing_address",),
        ("extension_attributes", "shipping_assignments", EACH, "shipping", "address"),
    )
    from_parent = SALES_PARENT


class OrderStatusHistoryStream(ChildStream):
    name = "order_status_history"
    parent_stream_type = OrdersStream
    primary_keys = ("entity_id",)
    lists = (("status_histories", EACH),)
    from_parent = SALES_PARENT


class OrderPaymentsStream(ChildStream):
    """One row per order."""

    name = "order_payments"
    parent_stream_type = OrdersStream
    primary_keys = ("entity_id",)
    lists = (("payment",),)
    from_parent = SALES_PARENT


class InvoiceItemsStream(ChildStream):
    name = "invoice_items"
    parent_stream_type = InvoicesStream
    primary_keys = ("entity_id",)
    lists = (("items", EACH),)
    from_parent = SALES_PARENT


class InvoiceCommentsStream(ChildStream):
    name = "invoice_comments"
    parent_stream_type = InvoicesStream
    primary_keys = ("entity_id",)
    lists = (("comments", EACH),)
    from_parent = SALES_PARENT


class ShipmentItemsStream(ChildStream):
    name = "shipment_items"
    parent_stream_type = ShipmentsStream
    primary_keys = ("entity_id",)
    lists = (("items", EACH),)
    from_parent = SALES_PARENT


class ShipmentTracksStream(ChildStream):
    name = "shipment_tracks"
    parent_stream_type = ShipmentsStream
    primary_keys = ("entity_id",)
    lists = (("tracks", EACH),)
    from_parent = SALES_PARENT


class ShipmentCommentsStream(ChildStream):
    name = "shipment_comments"
    parent_stream_type = ShipmentsStream
    primary_keys = ("entity_id",)
    lists = (("comments", EACH),)
    from_parent = SALES_PARENT


class CreditMemoItemsStream(ChildStream):
    name = "credit_memo_items"
    parent_stream_type = CreditMemosStream
    primary_keys = ("entity_id",)
    lists = (("items", EACH),)
    from_parent = SALES_PARENT


class CreditMemoCommentsStream(ChildStream):
    name = "credit_memo_comments"
    parent_stream_type = CreditMemosStream
    primary_keys = ("entity_id",)
    lists = (("comments", EACH),)
    from_parent = SALES_PARENT


class CustomerAddressesStream(ChildStream):
    name = "customer_addresses"
    parent_stream_type = CustomersStream
    primary_keys = ("id",)
    lists = (("addresses", EACH),)
    from_parent = CUSTOMER_PARENT
    # Its rows are the parent's addresses, objects and all: the schema declares it alike.
    custom_attribute_lists = (AttributeList("customer_address_attributes"),)


class CartItemsStream(ChildStream):
    name = "cart_items"
    parent_stream_type = CartsStream
    primary_keys = ("item_id",)
    lists = (("items", EACH),)
    from_parent = CART_PARENT


class ProductMediaGalleryStream(ChildStream):
    name = "product_media_gallery"
    parent_stream_type = ProductsStream
    primary_keys = ("product_id", "store_code", "id")
    lists = (("media_gallery_entries", EACH),)
    from_parent = PRODUCT_PARENT


class ProductTierPricesStream(ChildStream):
    """A tier price's website is in its extension attributes; 0 (all websites) when absent."""

    name = "product_tier_prices"
    parent_stream_type = ProductsStream
    primary_keys = ("product_id", "store_code", "website_id", "customer_group_id", "qty")
    lists = (("tier_prices", EACH),)
    from_parent = PRODUCT_PARENT
    lifted = TIER_PRICE_WEBSITE


class ProductCategoryLinksStream(ChildStream):
    name = "product_category_links"
    parent_stream_type = ProductsStream
    primary_keys = ("product_id", "store_code", "category_id")
    lists = (("extension_attributes", "category_links", EACH),)
    from_parent = PRODUCT_PARENT


class ProductLinksStream(ChildStream):
    """Related, up-sell, cross-sell and grouped products."""

    name = "product_links"
    parent_stream_type = ProductsStream
    primary_keys = ("product_id", "store_code", "link_type", "linked_product_sku")
    lists = (("product_links", EACH),)
    from_parent = PRODUCT_PARENT


class ProductOptionsStream(ChildStream):
    """Custom options; an option's own SKU suffix is ``option_sku`` (``sku``: the product's)."""

    name = "product_options"
    parent_stream_type = ProductsStream
    primary_keys = ("product_id", "store_code", "option_id")
    lists = (("options", EACH),)
    from_parent = PRODUCT_PARENT
    renamed = OPTION_SKU


class ConfigurableProductOptionsStream(ChildStream):
    name = "configurable_product_options"
    parent_stream_type = ProductsStream
    primary_keys = ("product_id", "store_code", "id")
    lists = (("extension_attributes", "configurable_product_options", EACH),)
    from_parent = PRODUCT_PARENT


class ConfigurableProductLinksStream(ChildStream):
    """The simple products a configurable product is made of: a list of their ids."""

    name = "configurable_product_links"
    parent_stream_type = ProductsStream
    primary_keys = ("product_id", "store_code", "child_product_id")
    lists = (("extension_attributes", "configurable_product_links", EACH),)
    from_parent = PRODUCT_PARENT
    scalar_column = "child_product_id"


class BundleProductOptionsStream(ChildStream):
    name = "bundle_product_options"
    parent_stream_type = ProductsStream
    primary_keys = ("product_id", "store_code", "option_id")
    lists = (("extension_attributes", "bundle_product_options", EACH),)
    from_parent = PRODUCT_PARENT


CHILD_STREAM_TYPES: tuple[type[ChildStream], ...] = (
    OrderAddressesStream, OrderStatusHistoryStream, OrderPaymentsStream, InvoiceItemsStream,
    InvoiceCommentsStream, ShipmentItemsStream, ShipmentTracksStream, ShipmentCommentsStream,
    CreditMemoItemsStream, CreditMemoCommentsStream, CustomerAddressesStream, CartItemsStream,
    ProductMediaGalleryStream, ProductTierPricesStream, ProductCategoryLinksStream,
    ProductLinksStream, ProductOptionsStream, ConfigurableProductOptionsStream,
    ConfigurableProductLinksStream, BundleProductOptionsStream,
)  # fmt: skip

STREAM_TYPES: tuple[type[MagentoStream], ...] = (
    OrdersStream, ProductsStream, CustomersStream, InvoicesStream, CreditMemosStream,
    CategoriesStream, SalesRulesStream, CouponsStream, WebsitesStream, SourceItemsStream,
    StockItemsStream, StoreConfigsStream,
    ShipmentsStream, OrderItemsStream, TransactionsStream, CartsStream, CustomerGroupsStream,
    StoreViewsStream, StoreGroupsStream, ProductAttributesStream, AttributeSetsStream,
    InventorySourcesStream, InventoryStocksStream, StockSourceLinksStream,
    SalableQuantitiesStream, TaxRatesStream, TaxClassesStream, TaxRulesStream, CmsPagesStream,
    CmsBlocksStream, CountriesStream, CurrenciesStream, ReturnsStream, CompaniesStream,
    CategoryAttributesStream, CustomerAttributesStream, CustomerAddressAttributesStream,
    *CHILD_STREAM_TYPES,
)  # fmt: skip


def declared(stream_type: type[MagentoStream], attribute: str) -> str | None:
    """A stream class's string attribute (``name``, ``replication_key``), with no instance."""
    value = inspect.getattr_static(stream_type, attribute, None)
    return value if isinstance(value, str) else None


STREAM_NAMES = frozenset(str(declared(t, "name")) for t in STREAM_TYPES)
