"""Stream families: what differs between Magento endpoints, so streams stay declarative.

- ``SearchCriteriaStream``: a searchCriteria list sorted by its key, read with a keyset cursor.
- ``IncrementalStream``: a searchCriteria list filtered on its timestamp (``updated_at`` unless
  it names another) between the bookmark (less ``lookback_seconds``) and the run's upper
  bound, sorted on that timestamp and its key.
- ``LowStockStream``: ``/V1/stockItems/lowStock/``, paged by plain ``pageSize``/``currentPage``.
- ``PlainArrayStream``: an endpoint answering one JSON array, no paging.
- ``StoreScoped``: once per configured store view (or every one), ``{store_code}`` in the path.
- ``SalesChannelScoped``: once per website sales channel, type and code in the path.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk.exceptions import FatalAPIError
from singer_sdk.singerlib.catalog import REPLICATION_FULL_TABLE
from typing_extensions import override

from tap_magento.choices import ChosenRecordsPass, chosen_filters, chosen_ids
from tap_magento.client import MagentoStream
from tap_magento.custom_attributes import LIST_FIELD, OBJECT_FIELD
from tap_magento.errors import PageSizeRefused, UnreadableRecords
from tap_magento.narrowing import Cursor, Skipped
from tap_magento.paging import Page, WindowPaginator, cursor_of, key_of
from tap_magento.progress import Progress
from tap_magento.reader import Pass, PassReader, pass_label
from tap_magento.search_criteria import (
    Direction,
    Filter,
    FilterGroup,
    SortOrder,
    after,
    all_of,
    search_criteria_params,
)
from tap_magento.slices import Mapper, ParallelPass, Piece, Slice, plan
from tap_magento.timestamps import parse_setting, to_magento

if TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

DEFAULT_STORE_CODE = "default"
# The store's JSON that the slices of one pass read in parallel may hold between them, waiting
# for their turn to be emitted (decoded, records take a few times more).
SLICE_BUFFER_BYTES = 48 * 2**20


class PagedStream(MagentoStream):
    """A list answered as ``{"items": [...], "total_count": N}``, one numbered page at a time.

    Each pass (one partition) is read by its own :class:`PassReader`. A store that refuses the
    page size before anything was read gets the pass again at the size it names.
    """

    @property
    def cursor_fields(self) -> tuple[str, ...]:
        """The fields the list is sorted on, last the record key; () when it has no cursor."""
        return ()

    def page_params(self, context: Context | None, cursor: Cursor) -> dict[str, Any]:
        raise NotImplementedError

    @override
    def smallest_page(self) -> Cursor:
        return Cursor(size=1)

    def new_paginator(
        self, page_size: int, bounds: tuple[FilterGroup, ...] = ()
    ) -> WindowPaginator:
        return WindowPaginator(
            page_size, key_of(self.record_key), on_skip=self._record_skipped, bounds=bounds
        )

    def new_pass(self, context: Context | None) -> Pass:
        """What reads one pass over the list: one reader, page after page."""
        return self.reader(context, self.progress_for(context))

    def reader(
        self, context: Context | None, progress: Progress, bounds: tuple[FilterGroup, ...] = ()
    ) -> PassReader:
        return PassReader(
            progress,
            self.new_paginator(self.connection.page_size.value, bounds),
            fetch=lambda cursor, progress, tries: self.fetch(context, cursor, progress, tries),
            parse=self.parse_page,
            describe=self.describe,
            logger=self.logger,
        )

    def progress_for(self, context: Context | None) -> Progress:
        label = pass_label(self.name, context)
        return Progress(label, self.logger, timestamp_field=self.replication_key)

    @override
    def get_url_params(
        self, context: Context | None, next_page_token: Cursor | None
    ) -> dict[str, Any]:
        cursor = next_page_token or Cursor(size=self.connection.page_size.value)
        params = self.page_params(context, cursor)
        if cursor.identify:  # what names the record: enough to step past it
            naming = dict.fromkeys((*self.cursor_fields, *self.record_key))
            params["fields"] = f"items[{','.join(naming)}]"
        elif cursor.keys_only:
            params["fields"] = f"items[{','.join(self.record_key)}],total_count"
        elif self.projection is not None:
            params["fields"] = self.projection
        return params

    @cached_property
    def projection(self) -> str | None:
        """Magento's ``fields`` when the catalog deselects properties, else None.

        The store then renders and sends only the selected properties, the key and the cursor
        fields (and ``total_count``). A property with some nested properties deselected is
        asked for whole; the SDK drops the deselected parts.
        """
        if not self.deselects_any:
            return None
        selected = (
            # custom_attributes_object is made from the store's custom_attributes
            LIST_FIELD if name == OBJECT_FIELD else name
            for name in self.schema["properties"]
            if self.mask.get(("properties", name), True)
            and name not in self.context_keys
            and not name.startswith("_sdc_")  # the tap's own, not the store's
        )
        wanted = dict.fromkeys((*self.record_key, *self.cursor_fields, *selected))
        return f"items[{','.join(wanted)}],total_count"

    def parse_page(self, response: requests.Response) -> Page:
        body = self.decode(response)
        if not isinstance(body, dict):
            msg = (
                f"{self.path} answered {type(body).__name__}, not a search result: is this Magento?"
            )
            raise FatalAPIError(msg)
        return Page(list(body.get("items") or []), body.get("total_count"))

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        while True:
            reader = self.new_pass(context)
            try:
                yield from reader.records()
            except PageSizeRefused as refusal:
                if reader.emitted_any:
                    raise
                self.logger.warning(
                    "The store refuses pages larger than %d records; continuing with %d "
                    "(set page_size to %d to avoid this request).",
                    refusal.maximum, refusal.maximum, refusal.maximum,
                )  # fmt: skip
                self.connection.page_size.lower_to(refusal.maximum)
                continue
            reader.log_summary()
            return

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
        key = ", ".join(f"{name} {record.get(name)}" for name in self.record_key)
        rest = [name for name in self.cursor_fields if name not in self.record_key]
        if not rest:
            return key
        return f"{key} ({', '.join(f'{name} {record.get(name)}' for name in rest)})"


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
    @override
    def cursor_fields(self) -> tuple[str, ...]:
        return self.record_key

    def search_name(self, field: str) -> str:
        return self.search_names.get(field, field)

    def filter_groups(self, context: Context | None) -> tuple[FilterGroup, ...]:
        """What every request of a pass carries: its range (not when reading chosen ids), and
        the user's ``stream_filters``."""
        own = () if self.chosen_ids is not None else self.range_filters(context)
        return (*own, *self.user_filters)

    def range_filters(self, context: Context | None) -> tuple[FilterGroup, ...]:
        """The records a pass covers; a full-table list: all of them."""
        return ()

    @cached_property
    def user_filters(self) -> tuple[FilterGroup, ...]:
        return chosen_filters(self.config, self.name)

    @cached_property
    def chosen_ids(self) -> tuple[str, ...] | None:
        """The keys ``ids`` names for this stream: only those records are read."""
        return chosen_ids(self.config, self.name)

    @property
    @override
    def replication_method(self) -> str:
        # Records read by key leave the bookmark where it was: the SDK moves bookmarks of
        # incremental streams only.
        return REPLICATION_FULL_TABLE if self.chosen_ids is not None else super().replication_method

    @property
    @override
    def emit_activate_version_messages(self) -> bool:
        # A few records read by key are not the whole table: a target must not drop the rest.
        return self.chosen_ids is None and super().emit_activate_version_messages

    @override
    def new_paginator(
        self, page_size: int, bounds: tuple[FilterGroup, ...] = ()
    ) -> WindowPaginator:
        pages_per_window = (
            1 if self.config["keyset_paging"] else self.config["max_pages_per_window"]
        )
        return WindowPaginator(
            page_size,
            key_of(self.record_key),
            cursor_of(self.cursor_fields),
            max(1, pages_per_window),
            on_skip=self._record_skipped,
            bounds=bounds,
        )

    @override
    def page_params(self, context: Context | None, cursor: Cursor) -> dict[str, Any]:
        if cursor.keys_only:  # the whole list, whatever its timestamps, in order of its key
            fields = tuple(map(self.search_name, self.record_key))
            groups = (*self.user_filters, *cursor.bounds)
        else:
            fields = tuple(map(self.search_name, self.cursor_fields))
            groups = (*self.filter_groups(context), *cursor.bounds)
        if cursor.after is not None:
            groups = (*groups, *after(fields, cursor.after))
        direction: Direction = "DESC" if cursor.from_end else "ASC"
        return search_criteria_params(
            groups, tuple(SortOrder(name, direction) for name in fields), cursor.size, cursor.page
        )

    # --- reading a pass in parallel slices (slices.py) ------------------------------------------

    # A slice holds about this many pages: each slice costs a count or two to plan, so not
    # too few; a worker buffers at most one slice.
    slice_pages: ClassVar[int] = 16

    @property
    def slice_field(self) -> str | None:
        """The searchCriteria field a pass is cut into slices on; None: one reader reads it.

        A full-table list is cut on its key when that is one integer: a range of strings
        (SKUs) cannot be cut into parts of about equal counts without reading it.
        """
        if len(self.record_key) != 1:
            return None
        key = self.record_key[0]
        declared = self.schema["properties"].get(key, {}).get("type")
        integer = declared == "integer" or (isinstance(declared, list) and "integer" in declared)
        return self.search_name(key) if integer else None

    def slice_position(self, record: dict[str, Any]) -> int:
        """Where a record (as the store sent it) lies on the slicing axis."""
        return int(record[self.record_key[0]])

    def slice_value(self, position: int) -> str:
        """A position on the slicing axis as a filter value."""
        return str(position)

    def pass_end(self, context: Context | None, progress: Progress) -> int:
        """Just past the pass's last position: its last key plus one."""
        page = self.parse_page(self.fetch(context, Cursor(size=1, from_end=True), progress))
        return self.slice_position(page.records[0]) + 1 if page.records else 0

    @override
    def new_pass(self, context: Context | None) -> Pass:
        """Slices in parallel, with ``max_parallel_requests`` above 1 and keyset paging."""
        if self.chosen_ids is not None:
            progress = self.progress_for(context)
            field = self.search_name(self.record_key[0])
            return ChosenRecordsPass(
                progress.label,
                self.chosen_ids,
                self.record_key[0],
                lambda keys: self.reader(
                    context, progress, all_of(Filter(field, ",".join(keys), "in"))
                ),
                self.logger,
            )
        workers = int(self.config["max_parallel_requests"])
        if workers <= 1 or not self.config["keyset_paging"] or self.slice_field is None:
            return super().new_pass(context)
        progress = self.progress_for(context)
        return ParallelPass(
            progress.label,
            lambda map_all: self.plan_slices(context, progress, map_all),
            lambda piece: self.reader(context, progress, self.slice_bounds(piece)),
            workers=workers,
            logger=self.logger,
        )

    def plan_slices(
        self, context: Context | None, progress: Progress, map_all: Mapper
    ) -> tuple[Sequence[Piece], int]:
        """Cut the pass's range into slices; also the records a slice may buffer.

        The pass's first record, in a page of one, gives where its range starts, how many
        records it holds, and one record's size. A slice holds up to ``slice_pages`` pages,
        fewer when records are big: all workers' buffers together hold about
        ``SLICE_BUFFER_BYTES`` of the store's JSON. A page of one that the store cannot render
        leaves the pass whole: one reader, which narrows such pages down.
        """
        page_size = self.connection.page_size.value
        workers = int(self.config["max_parallel_requests"])
        try:
            response = self.fetch(context, Cursor(size=1), progress)
            first = self.parse_page(response)
            if not first.records:
                return [], page_size  # nothing in the range at all
            whole = Slice(self.slice_position(first.records[0]), self.pass_end(context, progress))

            def count(piece: Slice) -> int:
                cursor = Cursor(size=1, bounds=self.slice_bounds(piece))
                return int(self.parse_page(self.fetch(context, cursor, progress)).total_count or 0)

            by_memory = SLICE_BUFFER_BYTES // (workers * max(len(response.content), 1))
            target = max(page_size, min(self.slice_pages * page_size, by_memory))
            records = int(first.total_count or 0)
            return plan(whole, count, target, map_all, workers, records), target
        except UnreadableRecords:
            self.logger.info("%s: a record it cannot render: read in one slice", progress.label)
            return [None], page_size

    def slice_bounds(self, piece: Piece) -> tuple[FilterGroup, ...]:
        if piece is None or self.slice_field is None:
            return ()
        return all_of(
            Filter(self.slice_field, self.slice_value(piece.lower), "gteq"),
            Filter(self.slice_field, self.slice_value(piece.upper), "lt"),
        )


class IncrementalStream(SearchCriteriaStream):
    """Records whose timestamp (``replication_key``) lies between the bookmark and this run's
    upper bound.

    The lower bound is the bookmark (or ``start_date``) less ``lookback_seconds``: Magento
    stamps ``updated_at`` when a transaction starts, and it may commit after a sync has passed
    that second. The upper bound is fixed when the run starts (or ``end_date``), so a busy
    store cannot keep a sync chasing its own changes; those are the next run's.
    """

    replication_key: str = "updated_at"  # a stream may name another of its timestamps
    is_sorted = True  # sorted on the timestamp by the server: a killed sync resumes from state
    # The lookback re-reads records older than the bookmark, which the SDK's check would take
    # for unsorted data; parse_page checks the store's order instead.
    check_sorted = False

    @property
    @override
    def cursor_fields(self) -> tuple[str, ...]:
        # A timestamp alone is not unique (bulk actions share a second): the key breaks ties.
        return (self.replication_key, *self.record_key)

    @property
    def stamp_field(self) -> str:
        """The replication key's searchCriteria name."""
        return self.search_name(self.replication_key)

    def earliest(self, context: Context | None) -> datetime.datetime | None:
        """The pass's lower bound: the bookmark (or start_date) less the lookback."""
        start = self.get_starting_timestamp(context)
        if start is None:
            return None
        earliest = start - datetime.timedelta(seconds=self.config["lookback_seconds"])
        start_date = self.config.get("start_date")
        return max(earliest, parse_setting(start_date)) if start_date else earliest

    @override
    def range_filters(self, context: Context | None) -> tuple[FilterGroup, ...]:
        bounds = []
        earliest = self.earliest(context)
        if earliest is not None:
            bounds.append(Filter(self.stamp_field, to_magento(earliest), "gteq"))
        bounds.append(self.upper_bound_filter(self.stamp_field))
        return all_of(*bounds)

    @property
    @override
    def slice_field(self) -> str:
        return self.stamp_field

    @override
    def slice_position(self, record: dict[str, Any]) -> int:
        """The record's timestamp in seconds since the epoch."""
        return int(parse_setting(str(record[self.replication_key])).timestamp())

    @override
    def slice_value(self, position: int) -> str:
        return to_magento(datetime.datetime.fromtimestamp(position, datetime.timezone.utc))

    @override
    def pass_end(self, context: Context | None, progress: Progress) -> int:
        """The run's upper bound, exclusive: no request needed."""
        return int(self.upper_bound_exclusive().timestamp())

    def upper_bound_exclusive(self) -> datetime.datetime:
        started_at: datetime.datetime = self._tap.started_at  # type: ignore[attr-defined]
        end_date = self.config.get("end_date")
        if end_date and parse_setting(end_date) <= started_at:
            return parse_setting(end_date)
        return started_at + datetime.timedelta(seconds=1)

    def upper_bound_filter(self, field: str) -> Filter:
        """Up to the run's start (inclusive), or before ``end_date`` when it is earlier.

        ``end_date`` is exclusive so that ranges can be laid end to end: one job reads up to
        ``end_date`` M and the next from ``start_date`` M, and a record stamped at M is read
        by the second only.
        """
        started_at: datetime.datetime = self._tap.started_at  # type: ignore[attr-defined]
        end_date = self.config.get("end_date")
        if end_date and parse_setting(end_date) <= started_at:
            return Filter(field, to_magento(parse_setting(end_date)), "lt")
        return Filter(field, to_magento(started_at), "lteq")

    @override
    def parse_page(self, response: requests.Response) -> Page:
        page = super().parse_page(response)
        key, previous = self.replication_key, ""
        for record in page.records:
            stamp = record.get(key) or ""
            if stamp < previous:
                msg = (
                    f"{self.path} answered {key} {stamp} after {previous} although sorted by "
                    f"{key} was asked for: a store that ignores sortOrders cannot be read "
                    "incrementally without losing records."
                )
                raise FatalAPIError(msg)
            previous = stamp
        return page


class LowStockStream(PagedStream):
    """``/V1/stockItems/lowStock/``: its own paging parameters and a ``qty`` threshold.

    It takes no filters, so its pages cannot be windowed: they go as deep as the list is long.
    """

    @override
    def page_params(self, context: Context | None, cursor: Cursor) -> dict[str, Any]:
        return {
            "scopeId": 0,
            "qty": self.config["stock_items_max_qty"],
            "pageSize": cursor.size,
            "currentPage": cursor.page,
        }


class PlainArrayStream(MagentoStream):
    """An endpoint that answers one JSON array with everything: one request a pass."""

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        progress = Progress(pass_label(self.name, context), self.logger, timestamp_field=None)
        body = self.decode(self.fetch(context, None, progress))
        for record in body if isinstance(body, list) else [body]:
            progress.emitted(record)
            yield record
        self.logger.info(
            "%s: %d records emitted in %.1f s; %s",
            progress.label, progress.records, progress.elapsed_seconds(), progress.retry_summary(),
        )  # fmt: skip


class StoreScoped(MagentoStream):
    """Read once per store view in ``store_codes``; the code goes into the path.

    The SDK copies the partition (``store_code``) into each record and keys bookmarks by it.
    """

    store_code_param: ClassVar[str | None] = None  # a query parameter that also takes the code
    context_keys = ("store_code",)

    @property
    @override
    def partitions(self) -> list[dict[str, Any]]:
        configured = self.config.get("store_codes") or [DEFAULT_STORE_CODE]
        return [{"store_code": code} for code in self.store_directory.store_codes(configured)]

    @override
    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        inherited = super().get_url_params(context, next_page_token)
        params = dict(inherited) if isinstance(inherited, dict) else {}
        if self.store_code_param and context:
            params[self.store_code_param] = context["store_code"]
        return params


class SalesChannelScoped(MagentoStream):
    """Read once per website sales channel: type ``website``, every website but the admin one.

    The SDK copies both partition keys into each record.
    """

    context_keys = ("sales_channel_type", "sales_channel_code")

    @property
    @override
    def partitions(self) -> list[dict[str, Any]]:
        return [
            {"sales_channel_type": "website", "sales_channel_code": code}
            for code in self.store_directory.website_codes()
        ]
