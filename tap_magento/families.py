"""Stream families: what differs between Magento endpoints, so streams stay declarative.

- ``SearchCriteriaStream``: a searchCriteria list, paged by ``currentPage``, sorted by its key.
- ``IncrementalStream``: a searchCriteria list filtered and sorted on ``updated_at``.
- ``LowStockStream``: ``/V1/stockItems/lowStock/``, paged by plain ``pageSize``/``currentPage``.
- ``PlainArrayStream``: an endpoint answering one JSON array, no paging.
- ``StoreScoped``: once per configured store view, ``{store_code}`` in the path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk.exceptions import FatalAPIError
from singer_sdk.pagination import SinglePagePaginator

from tap_magento.client import MagentoStream
from tap_magento.errors import PageSizeRefused
from tap_magento.paging import Page, PageNumberPaginator, primary_key_of
from tap_magento.search_criteria import Filter, SortOrder, all_of, search_criteria_params
from tap_magento.timestamps import parse_setting, to_magento

if TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

DEFAULT_STORE_CODE = "default"


class PagedStream(MagentoStream):
    """A list answered as ``{"items": [...], "total_count": N}``, one numbered page at a time."""

    _pager: PageNumberPaginator | None = None
    # The store's own unique key for one record in a response (the primary key minus what the
    # tap adds, such as store_code): what pages are sorted by last and repeats are told by.
    record_key: ClassVar[tuple[str, ...] | None] = None

    @property
    def unique_key(self) -> tuple[str, ...]:
        return self.record_key or tuple(self.primary_keys or ())

    def page_params(self, context: Context | None, page: int, page_size: int) -> dict[str, Any]:
        raise NotImplementedError

    def get_new_paginator(self) -> PageNumberPaginator:
        # Kept on the stream because parse_response must see the pager: the SDK parses a page
        # (and yields its records) before it asks the paginator whether to go on.
        self._pager = PageNumberPaginator(
            self.connection.page_size.value, primary_key_of(self.unique_key)
        )
        return self._pager

    def get_url_params(
        self, context: Context | None, next_page_token: int | None
    ) -> dict[str, Any]:
        assert self._pager is not None
        return self.page_params(context, next_page_token or 1, self._pager.page_size)

    def parse_response(self, response: requests.Response) -> Iterable[dict[str, Any]]:
        body = self.decode(response)
        if not isinstance(body, dict):
            msg = (
                f"{self.path} answered {type(body).__name__}, not a search result: is this Magento?"
            )
            raise FatalAPIError(msg)
        page = Page(list(body.get("items") or []), body.get("total_count"))
        assert self._pager is not None
        yield from self._pager.fresh_records(page)

    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        try:
            yield from self.request_records(context)
        except PageSizeRefused as refusal:
            if self._pager is None or self._pager.summary.records:
                raise
            self.logger.warning(
                "The store refuses pages larger than %d records; continuing with %d "
                "(set page_size to %d to avoid this request).",
                refusal.maximum, refusal.maximum, refusal.maximum,
            )  # fmt: skip
            self.connection.page_size.lower_to(refusal.maximum)
            yield from self.request_records(context)
        self._log_summary(context)

    def _log_summary(self, context: Context | None) -> None:
        if self._pager is None:
            return
        summary = self._pager.summary
        repeats = f" (keys {summary.repeated_keys}...)" if summary.repeated else ""
        self.logger.info(
            "%s%s: %d records in %d pages (stopped on %s); %d repeated records dropped%s.",
            self.name, f" {dict(context)}" if context else "", summary.records, summary.pages,
            summary.stopped_because, summary.repeated, repeats,
        )  # fmt: skip


class SearchCriteriaStream(PagedStream):
    """A searchCriteria list read in full, sorted on its primary key so pages never overlap."""

    def filter_groups(self, context: Context | None) -> tuple[Any, ...]:
        return ()

    def sort_orders(self) -> tuple[SortOrder, ...]:
        return tuple(SortOrder(key) for key in self.unique_key)

    def page_params(self, context: Context | None, page: int, page_size: int) -> dict[str, Any]:
        return search_criteria_params(
            self.filter_groups(context), self.sort_orders(), page_size, page
        )


class IncrementalStream(SearchCriteriaStream):
    """Only records whose ``updated_at`` is at or after the bookmark (or ``start_date``)."""

    replication_key = "updated_at"
    is_sorted = True  # sorted by updated_at on the server: a killed sync resumes from state

    def filter_groups(self, context: Context | None) -> tuple[Any, ...]:
        bounds = []
        start = self.get_starting_timestamp(context)
        if start is not None:
            bounds.append(Filter("updated_at", to_magento(start), "gteq"))
        end_date = self.config.get("end_date")
        if end_date:
            bounds.append(Filter("updated_at", to_magento(parse_setting(end_date)), "lteq"))
        return all_of(*bounds)

    def sort_orders(self) -> tuple[SortOrder, ...]:
        # updated_at alone is not unique (bulk actions share a second): the key breaks ties.
        return (SortOrder("updated_at"), *super().sort_orders())


class LowStockStream(PagedStream):
    """``/V1/stockItems/lowStock/``: its own paging parameters and a ``qty`` threshold."""

    def page_params(self, context: Context | None, page: int, page_size: int) -> dict[str, Any]:
        return {
            "scopeId": 0,
            "qty": self.config["stock_items_max_qty"],
            "pageSize": page_size,
            "currentPage": page,
        }


class PlainArrayStream(MagentoStream):
    """An endpoint that answers one JSON array with everything."""

    def get_new_paginator(self) -> SinglePagePaginator:
        return SinglePagePaginator()

    def parse_response(self, response: requests.Response) -> Iterable[dict[str, Any]]:
        body = self.decode(response)
        yield from body if isinstance(body, list) else [body]


class StoreScoped(MagentoStream):
    """Read once per store view in ``store_codes``; the code goes into the path.

    The SDK copies the partition (``store_code``) into each record and keys bookmarks by it.
    """

    store_code_param: ClassVar[str | None] = None  # a query parameter that also takes the code

    @property
    def partitions(self) -> list[dict[str, Any]]:
        codes = self.config.get("store_codes") or [DEFAULT_STORE_CODE]
        return [{"store_code": code} for code in codes]

    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        inherited = super().get_url_params(context, next_page_token)
        params = dict(inherited) if isinstance(inherited, dict) else {}
        if self.store_code_param and context:
            params[self.store_code_param] = context["store_code"]
        return params
