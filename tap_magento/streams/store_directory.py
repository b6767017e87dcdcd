"""The store's websites, store views (with their configs) and shared catalogs, read once a run:
what store-scoped streams (one pass per store view), sales-channel streams (one pass per
website) and shared-catalog streams (one answer per catalog) are partitioned by."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from singer_sdk.exceptions import FatalAPIError

from tap_magento.front_door.diagnosis import one_line
from tap_magento.front_door.errors import AccessRefused

ALL_STORE_VIEWS = "*"
LOGGER = logging.getLogger("tap-magento")
ADMIN = "admin"  # the admin store view and website (id 0): never a storefront or channel


class StoreDirectory:
    """``read(stream_name)`` gives a plain-array stream's records (store_views, websites)."""

    def __init__(self, read: Callable[[str], list[dict[str, Any]]]) -> None:
        self._read = read
        self._without_storefront: set[str] = set()

    @cached_property
    def store_views(self) -> list[dict[str, Any]]:
        return [v for v in self._read("store_views") if not _is_admin(v)]

    @cached_property
    def websites(self) -> list[dict[str, Any]]:
        return [w for w in self._read("websites") if not _is_admin(w)]

    @cached_property
    def store_configs(self) -> list[dict[str, Any]]:
        return self._read("store_configs")

    def storefront(self, code: str) -> dict[str, Any] | None:
        """What a store view's storefront is asked with: its id and default display
        currency (``store_id``, ``currency_code``); None, said once, when the store has no
        config for the view (it has no storefront)."""
        for config in self.store_configs:
            if config.get("code") == code:
                currency = config.get("default_display_currency_code")
                return {"store_id": config["id"], "currency_code": currency or ""}
        if code not in self._without_storefront:
            self._without_storefront.add(code)
            LOGGER.warning(
                "Store view %s has no store config (GET /V1/store/storeConfigs), so no "
                "storefront to price: its storefront prices are not read",
                code,
            )
        return None

    @cached_property
    def shared_catalog_ids(self) -> list[int]:
        """The B2B shared catalogs' ids (the public one first)."""
        return sorted(int(catalog["id"]) for catalog in self._read("shared_catalogs"))

    def website_codes(self) -> list[str]:
        """The sales channels of type ``website``: every website but the admin one."""
        return [str(website["code"]) for website in self.websites]

    def store_codes(self, configured: Sequence[str]) -> list[str]:
        """The store views to read: ``["*"]`` means every active one; others are checked."""
        wildcard = ALL_STORE_VIEWS in configured
        try:
            views = self.store_views
        except AccessRefused as refused:
            if not wildcard:
                return list(configured)  # a wrong code still fails, on its first request
            msg = (
                'store_codes ["*"] lists the store views with GET /V1/store/storeViews, which '
                f"the credentials may not read ({one_line(refused)}): grant that resource or "
                "list the codes in store_codes."
            )
            raise FatalAPIError(msg) from None
        if wildcard:
            return [str(v["code"]) for v in views if v.get("is_active", 1)]
        known = [str(view["code"]) for view in views]
        unknown = [code for code in configured if code not in known]
        if unknown:
            msg = (
                f"store_codes has {', '.join(unknown)}, which this store does not have: its "
                f'store views are {", ".join(known)} (or use ["*"] for all of them).'
            )
            raise FatalAPIError(msg)
        return list(configured)


def _is_admin(entry: dict[str, Any]) -> bool:
    return entry.get("id") == 0 or entry.get("code") == ADMIN
