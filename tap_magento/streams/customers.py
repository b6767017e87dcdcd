"""Customers, their groups and attributes, and B2B companies."""

from __future__ import annotations

from tap_magento.custom_attributes import AttributeList
from tap_magento.streams.lists import ListStream, Paging
from tap_magento.streams.names import EAV_NAMES, TABLE_KEY_NAMES


class CustomersStream(ListStream):
    name = "customers"
    path = "/V1/customers/search"
    primary_keys = ("id",)
    replication_key = "updated_at"
    search_names = EAV_NAMES
    custom_attribute_lists = (
        AttributeList("customer_attributes"),
        AttributeList("customer_address_attributes", within="addresses"),
    )


class CustomerGroupsStream(ListStream):
    name = "customer_groups"
    path = "/V1/customerGroups/search"
    primary_keys = ("id",)


class CustomerAttributesStream(ListStream):
    """Customer attributes' metadata: codes, input types, options (no attribute_id here)."""

    name = "customer_attributes"
    path = "/V1/attributeMetadata/customer"
    primary_keys = ("attribute_code",)
    paging = Paging.ONE_ANSWER


class CustomerAddressAttributesStream(ListStream):
    name = "customer_address_attributes"
    path = "/V1/attributeMetadata/customerAddress"
    primary_keys = ("attribute_code",)
    paging = Paging.ONE_ANSWER


class CompaniesStream(ListStream):
    name = "companies"
    path = "/V1/company/"
    primary_keys = ("id",)
    search_names = TABLE_KEY_NAMES
    module = "Magento_Company (B2B; Adobe Commerce only)"
