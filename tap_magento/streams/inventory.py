"""Inventory: MSI sources, stocks, source items and salable quantities, and legacy stock."""

from __future__ import annotations

from tap_magento.streams.lists import ListStream, Paging
from tap_magento.streams.names import MSI
from tap_magento.streams.scopes import SalesChannels


class SourceItemsStream(ListStream):
    """MSI quantity per source: no timestamp (magento/inventory#3444), so always a snapshot."""

    name = "source_items"
    path = "/V1/inventory/source-items"
    primary_keys = ("sku", "source_code")
    module = MSI


class StockItemsStream(ListStream):
    """Legacy stock, read through the low-stock report with a threshold above every item."""

    name = "stock_items"
    path = "/V1/stockItems/lowStock/"
    primary_keys = ("item_id",)
    paging = Paging.LOW_STOCK


class InventorySourcesStream(ListStream):
    name = "inventory_sources"
    path = "/V1/inventory/sources"
    primary_keys = ("source_code",)
    module = MSI


class InventoryStocksStream(ListStream):
    name = "inventory_stocks"
    path = "/V1/inventory/stocks"
    primary_keys = ("stock_id",)
    module = MSI


class StockSourceLinksStream(ListStream):
    name = "stock_source_links"
    path = "/V1/inventory/stock-source-links"
    primary_keys = ("stock_id", "source_code")
    module = MSI


class SalableQuantitiesStream(ListStream):
    """Salable quantity per SKU, once per website sales channel, in pages of SKUs."""

    name = "salable_quantities"
    path = "/V1/inventory/export-stock-salable-qty/{sales_channel_type}/{sales_channel_code}"
    primary_keys = ("sku", "sales_channel_code")
    scope = SalesChannels()
    module = MSI
