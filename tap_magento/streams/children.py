"""The child streams: lists inside parents' records (an order's addresses, a product's tier
prices) as tables of their own (``streams.child``)."""

from __future__ import annotations

from tap_magento.custom_attributes import AttributeList
from tap_magento.streams.catalog import ProductsStream
from tap_magento.streams.child import EACH, ChildStream
from tap_magento.streams.customers import CustomersStream
from tap_magento.streams.sales import (
    CartsStream,
    CreditMemosStream,
    InvoicesStream,
    OrdersStream,
    ShipmentsStream,
)

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
