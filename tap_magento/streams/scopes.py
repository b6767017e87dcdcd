"""How a list is partitioned: the whole store at once, once per store view (or storefront),
once per shared catalog, or once per website sales channel. A stream names its scope; the
scope gives its partitions, the fields the SDK copies from a partition into each record, and
what a partition adds to a request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tap_magento.streams.store_directory import StoreDirectory

DEFAULT_STORE_CODE = "default"


@dataclass(frozen=True)
class WholeStore:
    """One pass over the store's list."""

    context_keys: tuple[str, ...] = ()

    def partitions(
        self, directory: StoreDirectory, config: Mapping[str, Any]
    ) -> list[dict[str, Any]] | None:
        """None: the SDK's own (one pass)."""
        return None

    def params(self, context: Mapping[str, Any] | None) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class StoreViews:
    """Once per store view in ``store_codes``; the code goes into the path (``{store_code}``)
    and, for routes that take it so, into ``code_param``. The SDK copies the partition
    (``store_code``) into each record and keys bookmarks by it."""

    code_param: str | None = None
    context_keys: tuple[str, ...] = ("store_code",)

    def partitions(
        self, directory: StoreDirectory, config: Mapping[str, Any]
    ) -> list[dict[str, Any]] | None:
        configured = config.get("store_codes") or [DEFAULT_STORE_CODE]
        return [{"store_code": code} for code in directory.store_codes(configured)]

    def params(self, context: Mapping[str, Any] | None) -> dict[str, Any]:
        if self.code_param and context:
            return {self.code_param: context["store_code"]}
        return {}


@dataclass(frozen=True)
class Storefronts:
    """Once per store view in ``store_codes``, as its storefront shows it: the view's own id
    (``storeId``) and default display currency (``currencyCode``), from its store config, go
    into the request. The SDK copies ``store_code`` into each record."""

    context_keys: tuple[str, ...] = ("store_code",)

    def partitions(
        self, directory: StoreDirectory, config: Mapping[str, Any]
    ) -> list[dict[str, Any]] | None:
        fronts = []
        for view in StoreViews().partitions(directory, config) or []:
            front = directory.storefront(view["store_code"])
            if front is not None:
                fronts.append({**view, **front})
        return fronts

    def params(self, context: Mapping[str, Any] | None) -> dict[str, Any]:
        if not context:
            return {}
        return {"storeId": context["store_id"], "currencyCode": context["currency_code"]}


@dataclass(frozen=True)
class SharedCatalogs:
    """Once per B2B shared catalog (``{shared_catalog_id}`` in the path); the SDK copies the
    id into each record."""

    context_keys: tuple[str, ...] = ("shared_catalog_id",)

    def partitions(
        self, directory: StoreDirectory, config: Mapping[str, Any]
    ) -> list[dict[str, Any]] | None:
        return [{"shared_catalog_id": number} for number in directory.shared_catalog_ids]

    def params(self, context: Mapping[str, Any] | None) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class SalesChannels:
    """Once per website sales channel: type ``website``, every website but the admin one.
    The SDK copies both partition keys into each record."""

    context_keys: tuple[str, ...] = ("sales_channel_type", "sales_channel_code")

    def partitions(
        self, directory: StoreDirectory, config: Mapping[str, Any]
    ) -> list[dict[str, Any]] | None:
        return [
            {"sales_channel_type": "website", "sales_channel_code": code}
            for code in directory.website_codes()
        ]

    def params(self, context: Mapping[str, Any] | None) -> dict[str, Any]:
        return {}


Scope = WholeStore | StoreViews | Storefronts | SharedCatalogs | SalesChannels


def filled_path(path: str, context: Mapping[str, Any] | None) -> str:
    """``/{store_code}/V1/products`` with the partition's values, as the SDK filled URLs."""
    for name, value in (context or {}).items():
        placeholder = f"{{{name}}}"
        if placeholder in path:
            text = value.replace("/", "%2F") if isinstance(value, str) else str(value)
            path = path.replace(placeholder, text)
    return path
