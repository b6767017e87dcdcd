"""A list the store answers: what a stream declares about it, turned into a ``ListSpec`` that
the pass layer reads (``passes.read``) through the run's ``StoreClient``.

A stream declares its ``paging`` (a searchCriteria list, the low-stock report, or one
answer), its ``scope`` (``streams.scopes``), and, when it is incremental, its
``replication_key``: records whose timestamp lies in the run's window
(``run_window.RunWindow``), from the bookmark (or ``start_date``) less the lookback, sorted on
that timestamp and the key. A full-table searchCriteria list is sorted on its key and read
with the same keyset cursor. When ``detect_deletions`` names an incremental stream, a
``DeletionDetection`` also reports what was deleted since the last run, after its records.
"""

from __future__ import annotations

import datetime
from collections.abc import Generator, Iterable, Mapping
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk.singerlib.catalog import REPLICATION_FULL_TABLE
from typing_extensions import override

from tap_magento import passes
from tap_magento.choices import chosen_filters, chosen_ids
from tap_magento.custom_attributes import LIST_FIELD, OBJECT_FIELD
from tap_magento.front_door.client import StoreRequest
from tap_magento.passes.cursor import Cursor
from tap_magento.passes.spec import (
    ListSpec,
    LowStockQuery,
    Query,
    SearchCriteriaQuery,
    SliceAxis,
    pass_label,
)
from tap_magento.search_criteria import Filter, FilterGroup, all_of
from tap_magento.streams.answers import Answer, AsRecords
from tap_magento.streams.base import MagentoStream
from tap_magento.streams.deletion_detection import (
    DELETED_AT,
    DeletionDetection,
    DeletionPolicy,
    with_deleted_at,
)
from tap_magento.streams.emitter import Emitter
from tap_magento.streams.scopes import Scope, WholeStore, filled_path
from tap_magento.timestamps import to_magento

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_magento.passes.summary import PassSummary, Record


class Paging(Enum):
    """How a list is asked for, page after page."""

    SEARCH_CRITERIA = "searchCriteria: filtered, sorted, read with a keyset cursor"
    LOW_STOCK = "the low-stock report's own pageSize and currentPage, no filters"
    ONE_ANSWER = "one JSON array with everything, no paging"


class ListStream(MagentoStream):
    """A list of the store's: name, path, keys, and what differs (``paging``, ``scope``,
    ``replication_key``, ``search_names``) as class attributes."""

    paging: ClassVar[Paging] = Paging.SEARCH_CRITERIA
    scope: ClassVar[Scope] = WholeStore()
    # Where a searchCriteria field is named differently from the record's field (EAV entities
    # answer ``id`` but filter and sort on their table's ``entity_id`` column).
    search_names: ClassVar[Mapping[str, str]] = {}
    # The route that answers for every partition at once (read without one, as the store
    # directory reads store configs); None: the stream has none.
    whole_store_path: ClassVar[str | None] = None
    # How a one-answer list's answer becomes records (``streams.answers``).
    answer: ClassVar[Answer] = AsRecords()
    # Top-level columns copied from an object field of each record: column -> (field, key).
    copied: ClassVar[Mapping[str, tuple[str, str]]] = {}
    # The lookback re-reads records older than the bookmark, which the SDK's check would take
    # for unsorted data; the pass checks the store's order instead (``ListSpec.sorted_on``).
    check_sorted = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.emitter = Emitter(self)

    # --- what the SDK asks ----------------------------------------------------------------

    @property
    @override
    def is_sorted(self) -> bool:
        # Sorted on the timestamp by the server: a killed sync resumes from state.
        return self.replication_key is not None

    @property
    @override
    def context_keys(self) -> tuple[str, ...]:
        return self.scope.context_keys

    @property
    @override
    def partitions(self) -> list[dict[str, Any]] | None:
        own = self.scope.partitions(self.run.store_directory, self.config)
        return super().partitions if own is None else own

    @property
    @override
    def replication_method(self) -> str:
        # Records read by key leave the bookmark where it was: the SDK moves bookmarks of
        # incremental streams only.
        if self.chosen_ids is not None:
            return REPLICATION_FULL_TABLE
        return super().replication_method

    @property
    @override
    def emit_activate_version_messages(self) -> bool:
        # A few records read by key are not the whole table: a target must not drop the rest.
        return self.chosen_ids is None and super().emit_activate_version_messages

    @override
    def extend_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        schema = super().extend_schema(schema)
        return with_deleted_at(schema) if self.detects_deletions else schema

    @override
    def post_process(self, row: dict[str, Any], context: Context | None = None) -> dict[str, Any]:
        for column, (outer, inner) in self.copied.items():
            held = row.get(outer)
            row[column] = held.get(inner) if isinstance(held, dict) else None
        record = super().post_process(row, context)
        if self.detects_deletions:  # a live record: its row is not deleted (any more)
            record.setdefault(DELETED_AT, None)
        return record

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        self.emitter.announce()
        if self.scope.context_keys and not context and self.whole_store_path is None:
            return  # a partitioned list with no partitions (a store without shared catalogs)
        if self.paging is Paging.ONE_ANSWER:
            request, label = self.request(context), self.label(context)
            answered = passes.read_answer(request, self.run.client, label)
            yield from self.answer.records(answered, context)
            return
        yield from self.read(self.list_spec(context), self.reading)
        if self.deletions is not None:
            yield from self.deletions.deleted_records(
                keys=self.spec(context, self.user_filters, None),
                whole=self.spec(context, self.whole_range(), self.slice_axis),
                state=self.get_context_state(context),
                partitions=len(self.partitions or ()),
            )

    @override
    def generate_child_contexts(
        self, record: dict[str, Any], context: Context | None
    ) -> Iterable[Context | None]:
        """No context for the SDK to sync children with: the emitter writes each selected
        child's rows from this record here."""
        self.emitter.emit(record, context)
        return ()

    # --- the list -------------------------------------------------------------------------

    @property
    def cursor_fields(self) -> tuple[str, ...]:
        """What the list is sorted on, last the record key; () when it has no cursor. A
        timestamp alone is not unique (bulk actions share a second): the key breaks ties."""
        if self.paging is not Paging.SEARCH_CRITERIA:
            return ()
        if self.replication_key is not None:
            return (self.replication_key, *self.record_key)
        return self.record_key

    def search_name(self, field: str) -> str:
        return self.search_names.get(field, field)

    @cached_property
    def user_filters(self) -> tuple[FilterGroup, ...]:
        if self.paging is not Paging.SEARCH_CRITERIA:
            return ()
        return chosen_filters(self.config, self.name)

    @cached_property
    def chosen_ids(self) -> tuple[str, ...] | None:
        """The keys ``ids`` names for this stream: only those records are read."""
        if self.paging is not Paging.SEARCH_CRITERIA:
            return None
        return chosen_ids(self.config, self.name)

    @property
    def reading(self) -> passes.Reading:
        """Which records a pass reads."""
        if self.chosen_ids is None:
            return passes.WholeList()
        return passes.ChosenKeys(self.chosen_ids, self.search_name(self.record_key[0]))

    @cached_property
    def query(self) -> Query:
        if self.paging is Paging.LOW_STOCK:
            return LowStockQuery(self.config["stock_items_max_qty"])
        return SearchCriteriaQuery(self.search_names)

    def label(self, context: Context | None) -> str:
        return pass_label(self.name, context)

    def request(self, context: Context | None) -> StoreRequest:
        """The one request of a list that is one answer (without a partition: the route that
        answers for all of them, if the stream has one)."""
        path = self.whole_store_path if context is None and self.whole_store_path else self.path
        return StoreRequest(
            self.asker,
            filled_path(path, context),
            self.scope.params(context),
            context=context,
        )

    def spec(
        self, context: Context | None, bounds: tuple[FilterGroup, ...], axis: SliceAxis | None
    ) -> ListSpec:
        """The list of one partition over ``bounds``, as a pass reads it."""
        return ListSpec(
            asker=self.asker,
            label=self.label(context),
            path=filled_path(self.path, context),
            query=self.query,
            record_key=self.record_key,
            cursor_fields=self.cursor_fields,
            bounds=bounds,
            axis=axis,
            timestamp_field=self.replication_key,
            sorted_on=self.replication_key,
            projection=self.projection,
            context=context,
            extra_params=self.scope.params(context),
        )

    def list_spec(self, context: Context | None) -> ListSpec:
        """What a pass over this partition's list reads: its range (records chosen by key,
        whatever their timestamps) and the user's filters."""
        own = self.range_filters(context) if self.chosen_ids is None else ()
        return self.spec(context, (*own, *self.user_filters), self.slice_axis)

    def range_filters(self, context: Context | None) -> tuple[FilterGroup, ...]:
        """The records a pass covers: from the bookmark (less the lookback) on, for an
        incremental list; all of them for a full-table one."""
        if self.replication_key is None:
            return ()
        return self.range_from(
            self.run.run_window.lower(self.get_starting_timestamp(context), self.name)
        )

    def range_from(self, lower: datetime.datetime | None) -> tuple[FilterGroup, ...]:
        """From ``lower`` (None: the first record) to the run window's upper bound."""
        stamp_field = self.search_name(self.replication_key or "")
        bounds = [] if lower is None else [Filter(stamp_field, to_magento(lower), "gteq")]
        return all_of(*bounds, self.run.run_window.upper_filter(stamp_field))

    def whole_range(self) -> tuple[FilterGroup, ...]:
        """Every record from the stream's start, with the user's filters (deletion
        detection's re-read)."""
        return (*self.range_from(self.run.run_window.start_of(self.name)), *self.user_filters)

    @property
    def slice_axis(self) -> SliceAxis | None:
        """What a pass is cut into slices on; None: one reader reads it.

        An incremental list is cut on its timestamp. A full-table list is cut on its key when
        that is one integer: a range of strings (SKUs) cannot be cut into parts of about equal
        counts without reading it.
        """
        if self.paging is not Paging.SEARCH_CRITERIA:
            return None
        if self.replication_key is not None:
            stamp_field = self.search_name(self.replication_key)
            return SliceAxis(stamp_field, self.replication_key, timestamp=True)
        if len(self.record_key) != 1:
            return None
        key = self.record_key[0]
        declared = self.schema["properties"].get(key, {}).get("type")
        integer = declared == "integer" or (isinstance(declared, list) and "integer" in declared)
        return SliceAxis(self.search_name(key), key, timestamp=False) if integer else None

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
        needed = (*self.record_key, *self.cursor_fields, *selected, *self.emitter.fields_needed)
        return f"items[{','.join(dict.fromkeys(needed))}],total_count"

    @cached_property
    def detects_deletions(self) -> bool:
        """Does ``detect_deletions`` name this stream?"""
        return self.name in (self.config.get("detect_deletions") or ())

    @cached_property
    def deletions(self) -> DeletionDetection | None:
        """What finds this stream's deleted records, when ``detect_deletions`` names it."""
        if not self.detects_deletions:
            return None
        window = self.run.run_window
        skipped_because = (
            "chosen ids"
            if self.chosen_ids is not None
            else "up to end_date"
            if self.config.get("end_date")
            else None
        )
        policy = DeletionPolicy(
            key_field=self.record_key[0],
            stamp_field=self.replication_key or "",
            as_records=self.config.get("deletions_as") != "activate_version",
            # Milliseconds: above any earlier version of this table, the SDK's (seconds) too.
            table_version=int(window.started_at.timestamp() * 1000),
            deleted_at=window.started_at,
            not_looked_for_in=skipped_because,
        )
        return DeletionDetection(
            policy,
            stream_name=self.name,
            client=self.run.client,
            settings=self.run.read_settings,
            versions=self,
            logger=self.logger,
        )

    def read(self, spec: ListSpec, reading: passes.Reading) -> Generator[Record, None, PassSummary]:
        """One pass over ``spec`` (``passes.read``); its summary is logged."""
        return passes.read(spec, self.run.read_settings, self.run.client, reading)

    def probe(self) -> None:
        """Ask for the least this stream can: raises what reading its first page would."""
        partitions = self.partitions
        if partitions == []:
            return  # nothing to read (its partitions' list was read, so the route exists)
        context = partitions[0] if partitions else None
        client = self.run.client
        if self.paging is Paging.ONE_ANSWER:
            client.ask(self.request(context))
        else:
            client.ask(self.spec(context, (), None).request(Cursor(size=1)))
