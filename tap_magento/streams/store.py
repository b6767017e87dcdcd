"""The store and its directory: websites, store views and groups, configs, countries,
currencies, taxes."""

from __future__ import annotations

from tap_magento.streams.lists import ListStream, Paging
from tap_magento.streams.scopes import StoreViews

TAX_RATE_NAMES = {"id": "tax_calculation_rate_id"}
TAX_RULE_NAMES = {"id": "tax_calculation_rule_id"}


class WebsitesStream(ListStream):
    name = "websites"
    path = "/V1/store/websites"
    primary_keys = ("id",)
    paging = Paging.ONE_ANSWER


class StoreViewsStream(ListStream):
    name = "store_views"
    path = "/V1/store/storeViews"
    primary_keys = ("id",)
    paging = Paging.ONE_ANSWER


class StoreGroupsStream(ListStream):
    name = "store_groups"
    path = "/V1/store/storeGroups"
    primary_keys = ("id",)
    paging = Paging.ONE_ANSWER


class StoreConfigsStream(ListStream):
    name = "store_configs"
    path = "/{store_code}/V1/store/storeConfigs"
    primary_keys = ("id",)
    paging = Paging.ONE_ANSWER
    scope = StoreViews(code_param="storeCodes[]")
    whole_store_path = "/V1/store/storeConfigs"  # every store view's config
    state_partitioning_keys = ()  # records carry their own ``code``; full table needs no state


class CountriesStream(ListStream):
    name = "countries"
    path = "/V1/directory/countries"
    primary_keys = ("id",)
    paging = Paging.ONE_ANSWER


class CurrenciesStream(ListStream):
    """One object: base, default and allowed codes, and the exchange rates."""

    name = "currencies"
    path = "/V1/directory/currency"
    primary_keys = ("base_currency_code",)
    paging = Paging.ONE_ANSWER


class TaxRatesStream(ListStream):
    name = "tax_rates"
    path = "/V1/taxRates/search"
    primary_keys = ("id",)
    search_names = TAX_RATE_NAMES


class TaxClassesStream(ListStream):
    name = "tax_classes"
    path = "/V1/taxClasses/search"
    primary_keys = ("class_id",)


class TaxRulesStream(ListStream):
    name = "tax_rules"
    path = "/V1/taxRules/search"
    primary_keys = ("id",)
    search_names = TAX_RULE_NAMES
