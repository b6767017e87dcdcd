"""The streams: what the store has, declared by domain (``sales``, ``catalog``, ``customers``,
``inventory``, ``store``, ``content``, and the ``children`` inside their records).

A stream is a name, a path, keys and replication; schemas live in ``schemas/``. ``module``
names what a store must have installed for a stream's route to exist: a store without it
answers 404 "Request does not match any route", and the stream is skipped.
"""

from __future__ import annotations

import inspect

from tap_magento.streams.b2b import (
    CompanyCreditHistoryStream,
    CompanyCreditsStream,
    CompanyRolesStream,
    CompanyTeamsStream,
    GiftWrappingsStream,
    SharedCatalogCompaniesStream,
    SharedCatalogProductsStream,
    SharedCatalogsStream,
)
from tap_magento.streams.base import MagentoStream
from tap_magento.streams.catalog import (
    AttributeSetsStream,
    CategoriesStream,
    CategoryAttributesStream,
    ProductAttributesStream,
    ProductsStream,
)
from tap_magento.streams.child import ChildStream
from tap_magento.streams.children import (
    BundleProductOptionsStream,
    CartItemsStream,
    ConfigurableProductLinksStream,
    ConfigurableProductOptionsStream,
    CreditMemoCommentsStream,
    CreditMemoItemsStream,
    CustomerAddressesStream,
    InvoiceCommentsStream,
    InvoiceItemsStream,
    OrderAddressesStream,
    OrderPaymentsStream,
    OrderStatusHistoryStream,
    ProductCategoryLinksStream,
    ProductLinksStream,
    ProductMediaGalleryStream,
    ProductOptionsStream,
    ProductTierPricesStream,
    ShipmentCommentsStream,
    ShipmentItemsStream,
    ShipmentTracksStream,
)
from tap_magento.streams.content import (
    CmsBlocksStream,
    CmsPagesStream,
    CouponsStream,
    SalesRulesStream,
)
from tap_magento.streams.customers import (
    CompaniesStream,
    CustomerAddressAttributesStream,
    CustomerAttributesStream,
    CustomerGroupsStream,
    CustomersStream,
)
from tap_magento.streams.inventory import (
    InventorySourcesStream,
    InventoryStocksStream,
    SalableQuantitiesStream,
    SourceItemsStream,
    StockItemsStream,
    StockSourceLinksStream,
)
from tap_magento.streams.prices import ProductPricesStream, ProductSpecialPricesStream
from tap_magento.streams.sales import (
    CartsStream,
    CreditMemosStream,
    InvoicesStream,
    OrderItemsStream,
    OrdersStream,
    ReturnsStream,
    ShipmentsStream,
    TransactionsStream,
)
from tap_magento.streams.store import (
    CountriesStream,
    CurrenciesStream,
    StoreConfigsStream,
    StoreGroupsStream,
    StoreViewsStream,
    TaxClassesStream,
    TaxRatesStream,
    TaxRulesStream,
    WebsitesStream,
)

CHILD_STREAM_TYPES: tuple[type[ChildStream], ...] = (
    OrderAddressesStream,
    OrderStatusHistoryStream,
    OrderPaymentsStream,
    InvoiceItemsStream,
    InvoiceCommentsStream,
    ShipmentItemsStream,
    ShipmentTracksStream,
    ShipmentCommentsStream,
    CreditMemoItemsStream,
    CreditMemoCommentsStream,
    CustomerAddressesStream,
    CartItemsStream,
    ProductMediaGalleryStream,
    ProductTierPricesStream,
    ProductCategoryLinksStream,
    ProductLinksStream,
    ProductOptionsStream,
    ConfigurableProductOptionsStream,
    ConfigurableProductLinksStream,
    BundleProductOptionsStream,
)

# In the order --discover lists them.
STREAM_TYPES: tuple[type[MagentoStream], ...] = (
    OrdersStream,
    ProductsStream,
    CustomersStream,
    InvoicesStream,
    CreditMemosStream,
    CategoriesStream,
    SalesRulesStream,
    CouponsStream,
    WebsitesStream,
    SourceItemsStream,
    StockItemsStream,
    StoreConfigsStream,
    ShipmentsStream,
    OrderItemsStream,
    TransactionsStream,
    CartsStream,
    CustomerGroupsStream,
    StoreViewsStream,
    StoreGroupsStream,
    ProductAttributesStream,
    AttributeSetsStream,
    InventorySourcesStream,
    InventoryStocksStream,
    StockSourceLinksStream,
    SalableQuantitiesStream,
    TaxRatesStream,
    TaxClassesStream,
    TaxRulesStream,
    CmsPagesStream,
    CmsBlocksStream,
    CountriesStream,
    CurrenciesStream,
    ReturnsStream,
    CompaniesStream,
    CategoryAttributesStream,
    CustomerAttributesStream,
    CustomerAddressAttributesStream,
    ProductPricesStream,
    ProductSpecialPricesStream,
    CompanyRolesStream,
    CompanyTeamsStream,
    CompanyCreditsStream,
    CompanyCreditHistoryStream,
    SharedCatalogsStream,
    SharedCatalogProductsStream,
    SharedCatalogCompaniesStream,
    GiftWrappingsStream,
    *CHILD_STREAM_TYPES,
)


def declared(stream_type: type[MagentoStream], attribute: str) -> str | None:
    """A stream class's string attribute (``name``, ``replication_key``), with no instance."""
    value = inspect.getattr_static(stream_type, attribute, None)
    return value if isinstance(value, str) else None


STREAM_NAMES = frozenset(str(declared(t, "name")) for t in STREAM_TYPES)
