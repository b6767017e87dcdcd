"""The catalog: products (once per store view), categories, and their attributes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from typing_extensions import override

from tap_magento.custom_attributes import AttributeList
from tap_magento.streams.deletion_detection import DELETED_AT
from tap_magento.streams.lists import ListStream
from tap_magento.streams.names import EAV_NAMES
from tap_magento.streams.scopes import StoreViews

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context


class ProductsStream(ListStream):
    """One pass per store view: the code picks attribute-value scope, not membership."""

    name = "products"
    path = "/{store_code}/V1/products"
    primary_keys = ("id", "store_code")
    replication_key = "updated_at"
    scope = StoreViews()
    search_names = EAV_NAMES
    custom_attribute_lists = (AttributeList("product_attributes"),)

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        """A whole read (no bookmark, filters or ``ids``) keeps its SKUs for the run's
        ``product_special_prices`` (``streams.product_skus``)."""
        skus = self.run.product_skus
        lower = self.run.run_window.lower(self.get_starting_timestamp(context), self.name)
        whole = lower is None and self.chosen_ids is None and not self.user_filters
        if skus.known or not whole:
            yield from super().get_records(context)
            return
        seen = []
        for record in super().get_records(context):
            if record.get(DELETED_AT) is None:
                seen.append(record.get("sku"))
            yield record
        skus.remember([sku for sku in seen if sku is not None])


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
