"""Stream families: what differs between Magento endpoints, so streams stay declarative.

- ``SearchCriteriaStream``: a searchCriteria list sorted by its key, read with a keyset cursor.
- ``IncrementalStream``: a searchCriteria list filtered on ``updated_at`` between the bookmark
  (less ``lookback_seconds``) and the run's upper bound, sorted on ``updated_at`` and its key.
- ``LowStockStream``: ``/V1/stockItems/lowStock/``, paged by plain ``pageSize``/``currentPage``.
- ``PlainArrayStream``: an endpoint answering one JSON array, no paging.
- ``StoreScoped``: once per configured store view, ``{store_code}`` in the path.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk.exceptions import FatalAPIError
from singer_sdk.pagination import SinglePagePaginator

from tap_magento.client import MagentoStream
from tap_magento.errors import PageSizeRefused, UnreadableRecords
from tap_magento.paging import (
    Cursor,
    Page,
    Skipped,
    WindowPaginator,
    position_of,
    primary_key_of,
)
from tap_magento.search_criteria import (
    Filter,
    FilterGroup,
    SortOrder,
    after,
    all_of,
    search_criteria_params,
)
from tap_magento.timestamps import parse_setting, to_magento

if TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

DEFAULT_STORE_CODE = "default"


class PagedStream(MagentoStream):
    """A list answered as ``{"items": [...], "total_count": N}``, one numbered page at a time.

    A page the store cannot render (``UnreadableRecords``) is handed back to the paginator,
    which narrows it down to the record at fault; the pass then goes on from there.
    """

    _pager: WindowPaginator | None = None
    # The store's own unique key for one record in a response (the primary key minus what the
    # tap adds, such as store_code): what pages are sorted by last and repeats are told by.
    record_key: ClassVar[tuple[str, ...] | None] = None

    @property
    def unique_key(self) -> tuple[str, ...]:
        return self.record_key or tuple(self.primary_keys or ())

    @property
    def identity_fields(self) -> tuple[str, ...]:
        """What names a record the store cannot render (asked for with ``fields``)."""
        return self.unique_key

    def page_params(self, context: Context | None, cursor: Cursor) -> dict[str, Any]:
        raise NotImplementedError

    def new_paginator(self, page_size: int) -> WindowPaginator:
        return WindowPaginator(
            page_size, primary_key_of(self.unique_key), on_skip=self._record_skipped
        )

    def get_new_paginator(self) -> WindowPaginator:
        # Kept on the stream because parse_response must see the pager: the SDK parses a page
        # (and yields its records) before it asks the paginator whether to go on. A pager
        # left unfinished by an unreadable page is handed back to go on where it stopped.
        if self._pager is None or self._pager.finished:
            self._pager = self.new_paginator(self.connection.page_size.value)
        return self._pager

    def get_url_params(
        self, context: Context | None, next_page_token: Cursor | None
    ) -> dict[str, Any]:
        assert self._pager is not None
        cursor = next_page_token or self._pager.current_value
        params = self.page_params(context, cursor)
        if cursor.identify:
            params["fields"] = f"items[{','.join(self.identity_fields)}]"
        return params

    @property
    def server_error_tries(self) -> int | None:
        # While narrowing, a failing page is only halved again: retrying it would not help.
        return 1 if self._pager is not None and self._pager.narrowing else None

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
        self._pager = None
        self.start_pass(context)
        while True:
            try:
                yield from self.request_records(context)
                break
            except PageSizeRefused as refusal:
                if self._pager is None or self._pager.summary.records:
                    raise
                self.logger.warning(
                    "The store refuses pages larger than %d records; continuing with %d "
                    "(set page_size to %d to avoid this request).",
                    refusal.maximum, refusal.maximum, refusal.maximum,
                )  # fmt: skip
                self.connection.page_size.lower_to(refusal.maximum)
                self._pager = None
            except UnreadableRecords as failure:
                if self._pager is None:
                    raise
                self._pager.unreadable(str(failure))
        self._log_summary()

    def _record_skipped(self, skipped: Skipped) -> None:
        what = self.describe(skipped)
        if not self.config["skip_unreadable_records"]:
            msg = (
                f"{self.name}: the store cannot render {what} ({skipped.reason}). Fix it in "
                "Magento, or set skip_unreadable_records to true to skip it and go on."
            )
            raise FatalAPIError(msg)
        self.logger.warning(
            "%s: skipped %s: the store cannot render it (%s)", self.name, what, skipped.reason
        )

    def describe(self, skipped: Skipped) -> str:
        """``entity_id 7 (updated_at ...)``, or where a record the store cannot name was."""
        if skipped.identity is not None:
            return self._name(skipped.identity)
        after = f"after {self._name(skipped.after)}" if skipped.after else "at the start"
        before = f"before {self._name(skipped.before)}" if skipped.before else "at the end"
        records = "record" if skipped.count == 1 else "records"
        return f"{skipped.count} {records} it cannot even name, {after} and {before}"

    def _name(self, record: dict[str, Any]) -> str:
        key = ", ".join(f"{name} {record.get(name)}" for name in self.unique_key)
        rest = [name for name in self.identity_fields if name not in self.unique_key]
        if not rest:
            return key
        return f"{key} ({', '.join(f'{name} {record.get(name)}' for name in rest)})"

    def _log_summary(self) -> None:
        if self._pager is None:
            return
        summary = self._pager.summary
        repeats = f" (keys {summary.repeated_keys}...)" if summary.repeated else ""
        skipped = sum(s.count for s in summary.skipped)
        progress = self.progress
        self.logger.log(
            logging.WARNING if skipped else logging.INFO,
            "%s: %d records emitted in %d pages, %d windows (stopped on %s), %.1f s at %.1f "
            "requests/s; %d repeated records dropped%s; %s; %d unreadable records skipped%s",
            progress.label, summary.records, summary.pages, summary.windows,
            summary.stopped_because, progress.elapsed_seconds(), progress.requests_per_second(),
            summary.repeated, repeats, progress.retry_summary(), skipped,
            f": {'; '.join(self.describe(s) for s in summary.skipped)}" if skipped else "",
        )  # fmt: skip


class SearchCriteriaStream(PagedStream):
    """A searchCriteria list, sorted on its key and read in windows after a cursor.

    With ``keyset_paging`` (the default) every request is page 1 of the records after the last
    one read, so a request costs the same deep in the list as at its start. Otherwise pages go
    up to ``max_pages_per_window`` deep before the window moves past the last record read.
    """

    # Where a searchCriteria field is named differently from the record's field (EAV entities
    # answer ``id`` but filter and sort on their table's ``entity_id`` column).
    search_names: ClassVar[dict[str, str]] = {}

    @property
    def cursor_fields(self) -> tuple[str, ...]:
        """The record fields the list is sorted on, last a unique key, so the order is total."""
        return self.unique_key

    def filter_groups(self, context: Context | None) -> tuple[FilterGroup, ...]:
        return ()

    def new_paginator(self, page_size: int) -> WindowPaginator:
        pages_per_window = (
            1 if self.config["keyset_paging"] else self.config["max_pages_per_window"]
        )
        return WindowPaginator(
            page_size,
            primary_key_of(self.unique_key),
            position_of(self.cursor_fields),
            max(1, pages_per_window),
            on_skip=self._record_skipped,
        )

    @property
    def identity_fields(self) -> tuple[str, ...]:
        return self.cursor_fields

    def page_params(self, context: Context | None, cursor: Cursor) -> dict[str, Any]:
        fields = tuple(self.search_names.get(name, name) for name in self.cursor_fields)
        groups = self.filter_groups(context)
        if cursor.after is not None:
            groups = (*groups, *after(fields, cursor.after))
        return search_criteria_params(
            groups, tuple(SortOrder(name) for name in fields), cursor.size, cursor.page
        )


class IncrementalStream(SearchCriteriaStream):
    """Records whose ``updated_at`` lies between the bookmark and this run's upper bound.

    The lower bound is the bookmark (or ``start_date``) less ``lookback_seconds``: Magento
    stamps ``updated_at`` when a transaction starts, and it may commit after a sync has passed
    that second. The upper bound is fixed when the run starts (or ``end_date``), so a busy
    store cannot keep a sync chasing its own changes; those are the next run's.
    """

    replication_key = "updated_at"
    is_sorted = True  # sorted by updated_at on the server: a killed sync resumes from state
    # The lookback re-reads records older than the bookmark, which the SDK's check would take
    # for unsorted data; parse_response checks the store's order instead.
    check_sorted = False

    @property
    def cursor_fields(self) -> tuple[str, ...]:
        # updated_at alone is not unique (bulk actions share a second): the key breaks ties.
        return ("updated_at", *self.unique_key)

    def filter_groups(self, context: Context | None) -> tuple[FilterGroup, ...]:
        bounds = []
        start = self.get_starting_timestamp(context)
        if start is not None:
            earliest = start - datetime.timedelta(seconds=self.config["lookback_seconds"])
            start_date = self.config.get("start_date")
            if start_date:
                earliest = max(earliest, parse_setting(start_date))
            bounds.append(Filter("updated_at", to_magento(earliest), "gteq"))
        bounds.append(Filter("updated_at", to_magento(self.upper_bound), "lteq"))
        return all_of(*bounds)

    def parse_response(self, response: requests.Response) -> Iterable[dict[str, Any]]:
        previous = ""
        for record in super().parse_response(response):
            updated_at = record.get("updated_at") or ""
            if updated_at < previous:
                msg = (
                    f"{self.path} answered updated_at {updated_at} after {previous} although "
                    "sorted by updated_at was asked for: a store that ignores sortOrders cannot "
                    "be read incrementally without losing records."
                )
                raise FatalAPIError(msg)
            previous = updated_at
            yield record

    @property
    def upper_bound(self) -> datetime.datetime:
        started_at: datetime.datetime = self._tap.started_at  # type: ignore[attr-defined]
        end_date = self.config.get("end_date")
        return min(parse_setting(end_date), started_at) if end_date else started_at


class LowStockStream(PagedStream):
    """``/V1/stockItems/lowStock/``: its own paging parameters and a ``qty`` threshold.

    It takes no filters, so its pages cannot be windowed: they go as deep as the list is long.
    """

    def page_params(self, context: Context | None, cursor: Cursor) -> dict[str, Any]:
        return {
            "scopeId": 0,
            "qty": self.config["stock_items_max_qty"],
            "pageSize": cursor.size,
            "currentPage": cursor.page,
        }


class PlainArrayStream(MagentoStream):
    """An endpoint that answers one JSON array with everything."""

    def get_new_paginator(self) -> SinglePagePaginator:
        return SinglePagePaginator()

    def parse_response(self, response: requests.Response) -> Iterable[dict[str, Any]]:
        body = self.decode(response)
        yield from body if isinstance(body, list) else [body]

    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        self.start_pass(context)
        yield from super().get_records(context)
        progress = self.progress
        self.logger.info(
            "%s: %d records emitted in %.1f s; %s",
            progress.label, progress.records, progress.elapsed_seconds(), progress.retry_summary(),
        )  # fmt: skip


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
