"""The catalog: products (once per store view), categories, and their attributes."""

from __future__ import annotations

from tap_magento.custom_attributes import AttributeList
from tap_magento.streams.lists import ListStream
from tap_magento.streams.names import EAV_NAMES
from tap_magento.streams.scopes import StoreViews


class ProductsStream(ListStream):
    """One pass per store view: the code picks attribute-value scope, not membership."""

    name = "products"
    path = "/{store_code}/V1/products"
    primary_keys = ("id", "store_code")
    replication_key = "updated_at"
    scope = StoreViews()
    search_names = EAV_NAMES
    custom_attribute_lists = (AttributeList("product_attributes"),)


class CategoriesStream(ListStream):
    name = "categories"
    path = "/V1/categories/list"
    primary_keys = ("id",)
    replication_key = "updated_at"
    search_names = EAV_NAMES
    custom_attribute_lists = (AttributeList("category_attributes"),)


class ProductAttributesStream(ListStream):
    """Attributes with their options and labels, as the list answers them."""

    name = "product_attributes"
    path = "/V1/products/attributes"
    primary_keys = ("attribute_id",)


class AttributeSetsStream(ListStream):
    name = "attribute_sets"
    path = "/V1/products/attribute-sets/sets/list"
    primary_keys = ("attribute_set_id",)


class CategoryAttributesStream(ListStream):
    name = "category_attributes"
    path = "/V1/categories/attributes"
    primary_keys = ("attribute_id",)
