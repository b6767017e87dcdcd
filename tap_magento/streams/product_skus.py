"""Every product's SKU, once a run: what ``product_special_prices`` asks for.

A run that reads ``products`` whole (no bookmark, no filters, no ``ids``) before it keeps the
SKUs that read saw; otherwise a keys-only pass over products reads them (the kind deletion
detection uses: ids and SKUs alone, thousands a page).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from tap_magento import passes

if TYPE_CHECKING:
    from tap_magento.streams.lists import ListStream


class ProductSkus:
    def __init__(self, products: ListStream) -> None:
        self._products = products
        self._seen: list[str] | None = None

    @property
    def known(self) -> bool:
        return self._seen is not None

    def remember(self, skus: list[str]) -> None:
        """The SKUs of a whole products read."""
        self._seen = sorted(set(skus))

    def all(self) -> list[str]:
        products = self._products
        if self._seen is None:
            partitions = products.partitions
            context = partitions[0] if partitions else None
            spec = replace(products.spec(context, (), None), key_extras=("sku",))
            run = products.run
            keys = passes.read(spec, run.read_settings, run.client, passes.KeysOnly())
            self._seen = sorted({str(r["sku"]) for r in keys if r.get("sku") is not None})
        else:
            products.logger.info("product_special_prices: the SKUs of this run's products read")
        return self._seen
