"""Storefront prices: what a product costs per store view (``products-render-info``), and the
special prices behind them (``special-price-information``, by SKU)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from singer_sdk.singerlib.catalog import REPLICATION_FULL_TABLE
from typing_extensions import override

from tap_magento.front_door.client import StoreRequest
from tap_magento.passes.batches import read_in_batches
from tap_magento.streams.lists import ListStream, Paging
from tap_magento.streams.names import EAV_NAMES
from tap_magento.streams.scopes import Storefronts

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

PRICE_COLUMNS: tuple[str, ...] = (
    "final_price",
    "regular_price",
    "minimal_price",
    "max_price",
    "minimal_regular_price",
    "max_regular_price",
    "special_price",
)

# The prices as top-level columns too: what a warehouse filters and sums on.
PRICE_INFO = {column: ("price_info", column) for column in PRICE_COLUMNS}


class ProductPricesStream(ListStream):
    """What each store view's storefront shows, priced in its display currency. Final prices
    change without ``updated_at`` (a price rule or a special price starts overnight): read
    whole each run."""

    name = "product_prices"
    path = "/{store_code}/V1/products-render-info"
    primary_keys = ("id", "store_code")
    scope = Storefronts()
    search_names = EAV_NAMES
    copied = PRICE_INFO
    state_partitioning_keys = ("store_code",)


class ProductSpecialPricesStream(ListStream):
    """Special prices of every product, by SKU, a batch of SKUs a request. The SKUs come from
    the run's ``ProductSkus``: a products read of this run, or a keys-only pass."""

    name = "product_special_prices"
    path = "/V1/products/special-price-information"
    primary_keys = ("sku", "store_id", "price_from")
    paging = Paging.ONE_ANSWER  # one POST a batch: no searchCriteria, no cursor
    reads_after = "products"  # whose whole read gives the SKUs

    @property
    @override
    def replication_method(self) -> str:
        return REPLICATION_FULL_TABLE

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        skus = self.run.product_skus.all()
        yield from read_in_batches(
            skus,
            lambda batch: StoreRequest(self.asker, self.path, method="POST", body={"skus": batch}),
            self.run.client,
            label=self.name,
            logger=self.logger,
        )

    @override
    def probe(self) -> None:
        """An empty batch: the route and its ACL resource, without a SKU to look up."""
        self.run.client.ask(StoreRequest(self.asker, self.path, method="POST", body={"skus": []}))
