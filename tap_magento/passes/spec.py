"""What a pass reads: ``ListSpec``, one list of one partition, described as data.

A stream builds one (its path, keys, cursor fields, range and how a cursor becomes query
parameters) and hands it down; the pass layer never sees the stream. A ``Query`` turns a
cursor into the list's own parameters: searchCriteria, the low-stock report's plain paging,
or none (an endpoint answering one array).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from singer_sdk.exceptions import FatalAPIError

from tap_magento.front_door.client import Asker, StoreRequest
from tap_magento.passes.cursor import Cursor
from tap_magento.passes.decoding import Page, PageDecoder
from tap_magento.passes.summary import Record, Skipped
from tap_magento.search_criteria import (
    Direction,
    Filter,
    FilterGroup,
    SortOrder,
    after,
    all_of,
    search_criteria_params,
)
from tap_magento.timestamps import parse_setting, to_magento


class Query(Protocol):
    """How a cursor becomes a list's query parameters."""

    def params(self, spec: ListSpec, cursor: Cursor) -> dict[str, Any]: ...


@dataclass(frozen=True)
class SearchCriteriaQuery:
    """A searchCriteria list: filtered on the cursor, sorted on the cursor fields.

    ``search_names``: where a field's searchCriteria name differs from the record's (EAV
    entities answer ``id`` but filter and sort on ``entity_id``).
    """

    search_names: Mapping[str, str] = field(default_factory=dict)

    def params(self, spec: ListSpec, cursor: Cursor) -> dict[str, Any]:
        # The key pass reads the whole list in order of its key, whatever its timestamps.
        sorted_on = spec.record_key if cursor.keys_only else spec.cursor_fields
        fields = tuple(self.search_names.get(name, name) for name in sorted_on)
        groups = cursor.bounds
        if cursor.after is not None:
            groups = (*groups, *after(fields, cursor.after))
        direction: Direction = "DESC" if cursor.from_end else "ASC"
        sort = tuple(SortOrder(name, direction) for name in fields)
        return search_criteria_params(groups, sort, cursor.size, cursor.page)


@dataclass(frozen=True)
class LowStockQuery:
    """``/V1/stockItems/lowStock/``: its own paging parameters and a ``qty`` threshold; no
    filters, so its pages cannot be windowed."""

    qty: Any

    def params(self, spec: ListSpec, cursor: Cursor) -> dict[str, Any]:
        return {"scopeId": 0, "qty": self.qty, "pageSize": cursor.size, "currentPage": cursor.page}


@dataclass(frozen=True)
class SliceAxis:
    """The field a list is sorted on first, as integers a pass can be cut on.

    Positions are a timestamp's seconds since the epoch (``timestamp``), or an integer key.
    """

    search_field: str  # the searchCriteria name
    record_field: str  # the record's name
    timestamp: bool

    def position(self, record: Record) -> int:
        value = record[self.record_field]
        if self.timestamp:
            return int(parse_setting(str(value)).timestamp())
        return int(value)

    def bounds(self, lower: int, upper: int) -> tuple[FilterGroup, ...]:
        """Records at or after ``lower`` and before ``upper``."""
        return all_of(
            Filter(self.search_field, self._value(lower), "gteq"),
            Filter(self.search_field, self._value(upper), "lt"),
        )

    def _value(self, position: int) -> str:
        if self.timestamp:
            return to_magento(datetime.datetime.fromtimestamp(position, datetime.timezone.utc))
        return str(position)


@dataclass(frozen=True)
class ListSpec:
    """One list in one partition, as a pass reads it."""

    asker: Asker
    label: str  # ``orders``, or ``products {'store_code': 'de'}``: what log lines name
    path: str  # under the REST root, the partition filled in
    query: Query
    record_key: tuple[str, ...]  # the store's own unique key of a record
    # What the list is sorted on, ending with the record key; () when it has no cursor.
    cursor_fields: tuple[str, ...] = ()
    # What every request of a pass carries: its range and the user's filters.
    bounds: tuple[FilterGroup, ...] = ()
    axis: SliceAxis | None = None  # what a pass is cut into slices on; None: one reader
    timestamp_field: str | None = None  # what the progress line follows
    # A timestamp the store must answer sorted on (an incremental list's replication key).
    sorted_on: str | None = None
    projection: str | None = None  # Magento's ``fields`` when the catalog deselects some
    context: Mapping[str, Any] | None = None  # the partition
    extra_params: Mapping[str, Any] = field(default_factory=dict)
    # What a key pass's records hold beside the key (the SKUs of products, say).
    key_extras: tuple[str, ...] = ()

    @property
    def logger(self) -> logging.Logger:
        return self.asker.logger

    def request(self, cursor: Cursor) -> StoreRequest:
        """The request for the page at ``cursor``."""
        params = {**self.query.params(self, cursor), **self.extra_params}
        if cursor.identify:  # what names the record: enough to step past it
            naming = dict.fromkeys((*self.cursor_fields, *self.record_key))
            params["fields"] = f"items[{','.join(naming)}]"
        elif cursor.keys_only:
            params["fields"] = (
                f"items[{','.join((*self.record_key, *self.key_extras))}],total_count"
            )
        elif self.projection is not None:
            params["fields"] = self.projection
        return StoreRequest(self.asker, self.path, params, context=self.context)

    def page(self, content: bytes) -> Page:
        """An answer as a page: each record's JSON, what the pass reads of it, and the total
        the store claimed."""
        page = self._pages.page(content)
        if self.sorted_on is not None:
            self._check_sorted(page)
        return page

    @cached_property
    def _pages(self) -> PageDecoder:
        read = (*self.record_key, *self.cursor_fields, self.sorted_on, self.timestamp_field)
        sliced = (self.axis.record_field,) if self.axis is not None else ()
        fields = [name for name in (*read, *sliced) if name is not None]
        return PageDecoder(fields, self.asker.endpoint)

    def _check_sorted(self, page: Page) -> None:
        key, previous = self.sorted_on or "", ""
        for record in page.records:
            stamp = record.get(key) or ""
            if stamp < previous:
                msg = (
                    f"{self.asker.endpoint} answered {key} {stamp} after {previous} although "
                    f"sorted by {key} was asked for: a store that ignores sortOrders cannot be "
                    "read incrementally without losing records."
                )
                raise FatalAPIError(msg)
            previous = stamp

    def describe(self, skipped: Skipped) -> str:
        """``entity_id 7 (updated_at ...)``, or where a record the store cannot name was."""
        if skipped.identity is not None:
            return self._name(skipped.identity)
        after = f"after {self._name(skipped.after)}" if skipped.after else "at the start"
        before = f"before {self._name(skipped.before)}" if skipped.before else "at the end"
        records = "record" if skipped.count == 1 else "records"
        return f"{skipped.count} {records} it cannot even name, {after} and {before}"

    def _name(self, record: Record) -> str:
        key = ", ".join(f"{name} {record.get(name)}" for name in self.record_key)
        rest = [name for name in self.cursor_fields if name not in self.record_key]
        if not rest:
            return key
        return f"{key} ({', '.join(f'{name} {record.get(name)}' for name in rest)})"


def pass_label(stream_name: str, context: Mapping[str, Any] | None) -> str:
    """``orders``, or ``products {'store_code': 'de'}`` for one partition."""
    return f"{stream_name} {dict(context)}" if context else stream_name
