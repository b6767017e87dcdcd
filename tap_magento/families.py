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
import logging
from collections.abc import Generator, Hashable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk.exceptions import FatalAPIError
from singer_sdk.singerlib.catalog import REPLICATION_FULL_TABLE
from singer_sdk.streams.rest import PageContext
from typing_extensions import override

from tap_magento import passes
from tap_magento.children import ChildStream, announce_children, emit_children
from tap_magento.choices import chosen_filters, chosen_ids
from tap_magento.client import MagentoStream
from tap_magento.custom_attributes import LIST_FIELD, OBJECT_FIELD
from tap_magento.deletion_detection import DELETED_AT, DeletionDetection
from tap_magento.passes.cursor import Cursor
from tap_magento.passes.paging import Page
from tap_magento.passes.source import SliceAxis, pass_label
from tap_magento.passes.summary import PassSummary, Record, Skipped
from tap_magento.progress import Progress
from tap_magento.sdk_internals import keep_state
from tap_magento.search_criteria import (
    Direction,
    Filter,
    FilterGroup,
    SortOrder,
    after,
    all_of,
    search_criteria_params,
)
from tap_magento.timestamps import to_magento

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_magento.retry import Retries

DEFAULT_STORE_CODE = "default"


@dataclass(frozen=True)
class StreamList:
    """One stream's list in one partition, as a pass reads it (a ``passes.source.ListSource``).

    ``bounds``: the range this pass reads and the user's filters.
    """

    stream: PagedStream
    context: Context | None
    bounds: tuple[FilterGroup, ...]
    axis: SliceAxis | None

    @property
    def label(self) -> str:
        return pass_label(self.stream.name, self.context)

    @property
    def logger(self) -> logging.Logger:
        return self.stream.logger

    @property
    def record_key(self) -> tuple[str, ...]:
        return self.stream.record_key

    @property
    def cursor_fields(self) -> tuple[str, ...]:
        return self.stream.cursor_fields

    @property
    def timestamp_field(self) -> str | None:
        return self.stream.replication_key

    def fetch(
        self,
        cursor: Cursor,
        progress: Progress,
        retries: Retries | None,
        byte_cap: int | None = None,
    ) -> bytes:
        return self.stream.fetch(self.context, cursor, progress, retries, byte_cap)

    def parse(self, content: bytes) -> Page:
        return self.stream.parse_page(content)

    def warn_once(self, topic: Hashable, message: str, *args: Any) -> bool:
        return self.stream.warn_once(topic, message, *args)

    def describe(self, skipped: Skipped) -> str:
        return self.stream.describe(skipped)


class PagedStream(MagentoStream):
    """A list answered as ``{"items": [...], "total_count": N}``, one numbered page at a time.

    Each pass (one partition) is read by ``passes.read``, from the stream's ``list_source``.
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

    @cached_property
    def read_settings(self) -> passes.ReadSettings:
        keyset = self.config["keyset_paging"]
        return passes.ReadSettings(
            page_size=int(self.config["page_size"]),
            pages_per_window=1 if keyset else max(1, int(self.config["max_pages_per_window"])),
            skip_unreadable=bool(self.config["skip_unreadable_records"]),
            workers=int(self.config["max_parallel_requests"]),
            min_page_size=int(self.config["min_page_size"]),
        )

    def list_source(self, context: Context | None) -> StreamList:
        """What a pass over this partition's list reads."""
        return self.stream_list(context, (), None)

    def stream_list(
        self, context: Context | None, bounds: tuple[FilterGroup, ...], axis: SliceAxis | None
    ) -> StreamList:
        """A ``StreamList``, with what building a request computes lazily computed now.

        A pass may send its requests from several threads, and on Python < 3.12 a
        ``functools.cached_property`` (the SDK's and ours: schema, selection, ``fields``, the
        User-Agent) holds one lock for every stream while it computes: a worker computing one
        while the thread that waits for it holds another would wait forever.
        """
        self.get_http_request(page=PageContext(context, Cursor(size=1, bounds=bounds)))
        return StreamList(self, context, bounds, axis)

    @property
    def reading(self) -> passes.Reading:
        """Which records a pass reads."""
        return passes.WholeList()

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        announce_children(self)
        yield from self.read(self.list_source(context), self.reading)

    @override
    def generate_child_contexts(
        self, record: dict[str, Any], context: Context | None
    ) -> Iterable[Context | None]:
        """No context for the SDK to sync children with: each selected child writes its rows
        from this record here (``children``)."""
        if self.child_streams:
            if not self.selected:  # read for its children only: its bookmark still moves
                keep_state(self, record, context)
            emit_children(self, record, context)
        return ()

    def read(
        self, source: StreamList, reading: passes.Reading
    ) -> Generator[Record, None, PassSummary]:
        """One pass over ``source`` (``passes.read``); its summary is logged."""
        return passes.read(source, self.read_settings, self.connection, reading)

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
        wanted = dict.fromkeys((*self.record_key, *self.cursor_fields, *selected,
                                *self.children_need))  # fmt: skip
        return f"items[{','.join(wanted)}],total_count"

    @property
    def children_need(self) -> tuple[str, ...]:
        """The fields of this stream's records its selected children are read from."""
        needed: dict[str, None] = {}
        for child in self.child_streams:
            if isinstance(child, ChildStream) and child.selected:
                needed.update(
                    dict.fromkeys(sorted(child.list_fields | set(child.from_parent.values())))
                )
        return tuple(name for name in needed if name not in self.context_keys)

    def parse_page(self, content: bytes) -> Page:
        body = self.decode(content)
        if not isinstance(body, dict):
            msg = (
                f"{self.path} answered {type(body).__name__}, not a search result: is this Magento?"
            )
            raise FatalAPIError(msg)
        return Page(list(body.get("items") or []), body.get("total_count"))

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

    @property
    @override
    def reading(self) -> passes.Reading:
        if self.chosen_ids is None:
            return passes.WholeList()
        return passes.ChosenKeys(self.chosen_ids, self.search_name(self.record_key[0]))

    @override
    def list_source(self, context: Context | None) -> StreamList:
        # Records chosen by key are read whatever their timestamps.
        own = self.range_filters(context) if self.chosen_ids is None else ()
        return self.stream_list(context, (*own, *self.user_filters), self.slice_axis)

    def range_filters(self, context: Context | None) -> tuple[FilterGroup, ...]:
        """The records a pass covers; a full-table list: all of them."""
        return ()

    @property
    def slice_axis(self) -> SliceAxis | None:
        """What a pass is cut into slices on; None: one reader reads it.

        A full-table list is cut on its key when that is one integer: a range of strings
        (SKUs) cannot be cut into parts of about equal counts without reading it.
        """
        if len(self.record_key) != 1:
            return None
        key = self.record_key[0]
        declared = self.schema["properties"].get(key, {}).get("type")
        integer = declared == "integer" or (isinstance(declared, list) and "integer" in declared)
        return SliceAxis(self.search_name(key), key, timestamp=False) if integer else None

    @override
    def page_params(self, context: Context | None, cursor: Cursor) -> dict[str, Any]:
        # The key pass reads the whole list in order of its key, whatever its timestamps.
        sorted_on = self.record_key if cursor.keys_only else self.cursor_fields
        fields = tuple(map(self.search_name, sorted_on))
        groups = cursor.bounds
        if cursor.after is not None:
            groups = (*groups, *after(fields, cursor.after))
        direction: Direction = "DESC" if cursor.from_end else "ASC"
        return search_criteria_params(
            groups, tuple(SortOrder(name, direction) for name in fields), cursor.size, cursor.page
        )


class IncrementalStream(SearchCriteriaStream):
    """Records whose timestamp (``replication_key``) lies in the run's window
    (``run_window.RunWindow``): from the bookmark (or ``start_date``) less the lookback, up to
    the run's start or ``end_date``.

    When ``detect_deletions`` names the stream, a ``DeletionDetection`` also reports the
    records deleted since the last run, after the stream's own.
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

    @override
    def range_filters(self, context: Context | None) -> tuple[FilterGroup, ...]:
        """From the bookmark (less the lookback) on."""
        return self.range_from(self.run.run_window.lower(self.get_starting_timestamp(context)))

    def range_from(self, lower: datetime.datetime | None) -> tuple[FilterGroup, ...]:
        """From ``lower`` (None: the first record) to the run window's upper bound."""
        window = self.run.run_window
        bounds = [] if lower is None else [Filter(self.stamp_field, to_magento(lower), "gteq")]
        return all_of(*bounds, window.upper_filter(self.stamp_field))

    @property
    @override
    def slice_axis(self) -> SliceAxis:
        return SliceAxis(self.stamp_field, self.replication_key, timestamp=True)

    @cached_property
    def deletions(self) -> DeletionDetection | None:
        """What finds this stream's deleted records, when ``detect_deletions`` names it."""
        if self.name not in (self.config.get("detect_deletions") or ()):
            return None
        return DeletionDetection(self)

    @override
    def extend_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        schema = super().extend_schema(schema)
        return schema if self.deletions is None else self.deletions.extend_schema(schema)

    @override
    def post_process(self, row: dict[str, Any], context: Context | None = None) -> dict[str, Any]:
        record = super().post_process(row, context)
        if self.deletions is not None:  # a live record: its row is not deleted (any more)
            record.setdefault(DELETED_AT, None)
        return record

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        yield from super().get_records(context)
        if self.deletions is not None:
            yield from self.deletions.deleted_records(context)

    @override
    def parse_page(self, content: bytes) -> Page:
        page = super().parse_page(content)
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
