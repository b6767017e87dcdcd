"""Adobe Commerce B2B beyond companies: roles, teams, credit, shared catalogs, gift wrapping.

Each is skipped with one warning where its module is missing, as ``companies`` is. Their
tables' keys are named otherwise than the records' ``id`` (``role_id``, ``team_id``,
``entity_id``): filters and sort orders use the column's name.
"""

from __future__ import annotations

from tap_magento.streams.answers import EachValue
from tap_magento.streams.lists import ListStream, Paging
from tap_magento.streams.names import ROLE_KEY_NAMES, TABLE_KEY_NAMES, TEAM_KEY_NAMES
from tap_magento.streams.scopes import SharedCatalogs

COMPANY = "Magento_Company (B2B; Adobe Commerce only)"
COMPANY_CREDIT = "Magento_CompanyCredit (B2B; Adobe Commerce only)"
SHARED_CATALOG = "Magento_SharedCatalog (B2B; Adobe Commerce only)"


class CompanyRolesStream(ListStream):
    name = "company_roles"
    path = "/V1/company/role/"
    primary_keys = ("id",)
    search_names = ROLE_KEY_NAMES
    module = COMPANY


class CompanyTeamsStream(ListStream):
    name = "company_teams"
    path = "/V1/team/"
    primary_keys = ("id",)
    search_names = TEAM_KEY_NAMES
    module = COMPANY


class CompanyCreditsStream(ListStream):
    name = "company_credits"
    path = "/V1/companyCredits/"
    primary_keys = ("id",)
    search_names = TABLE_KEY_NAMES
    module = COMPANY_CREDIT


class CompanyCreditHistoryStream(ListStream):
    """Full table: the history's repository AND-s every filter of a group, so the keyset
    cursor of an incremental pass on ``datetime`` (an OR of two filters) cannot be asked for
    (docs/magento-rest.md, "Adobe Commerce B2B"). The key alone is one filter."""

    name = "company_credit_history"
    path = "/V1/companyCredits/history"
    primary_keys = ("id",)
    search_names = TABLE_KEY_NAMES
    module = COMPANY_CREDIT


class SharedCatalogsStream(ListStream):
    name = "shared_catalogs"
    path = "/V1/sharedCatalog/"
    primary_keys = ("id",)
    search_names = TABLE_KEY_NAMES
    module = SHARED_CATALOG


class SharedCatalogProductsStream(ListStream):
    """One row per SKU a shared catalog holds (the route answers a bare list of SKUs)."""

    name = "shared_catalog_products"
    path = "/V1/sharedCatalog/{shared_catalog_id}/products"
    primary_keys = ("shared_catalog_id", "sku")
    paging = Paging.ONE_ANSWER
    scope = SharedCatalogs()
    answer = EachValue("sku")
    module = SHARED_CATALOG


class SharedCatalogCompaniesStream(ListStream):
    """One row per company assigned to a shared catalog (the route answers a JSON string of
    the ids' list)."""

    name = "shared_catalog_companies"
    path = "/V1/sharedCatalog/{shared_catalog_id}/companies"
    primary_keys = ("shared_catalog_id", "company_id")
    paging = Paging.ONE_ANSWER
    scope = SharedCatalogs()
    answer = EachValue("company_id", json_text=True, integer=True)
    module = SHARED_CATALOG


class GiftWrappingsStream(ListStream):
    """Without ``image_base64_content``: the image itself (``image_url`` points to it)."""

    name = "gift_wrappings"
    path = "/V1/gift-wrappings"
    primary_keys = ("wrapping_id",)
    left_out = frozenset({"image_base64_content"})
    module = "Magento_GiftWrapping (Adobe Commerce only)"
