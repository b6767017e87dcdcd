"""What a pass reads: ``ListSpec``, one list of one partition, described as data.

A stream builds one (its path, keys, cursor fields, range and how a cursor becomes query
parameters) and hands it down; the pass layer never sees the stream. A ``Query`` turns a
cursor into the list's own parameters: searchCriteria, the low-stock report's plain paging,
or none (an endpoint answering one array).
"""

from __future__ import annotations

import datetime
import decimal
import gc
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec
from singer_sdk.exceptions import FatalAPIError

from tap_magento.front_door.client import Asker, StoreRequest
from tap_magento.passes.cursor import Cursor
from tap_magento.passes.paging import Page
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

# Numbers stay exact: Magento's prices and quantities are decimals in its database (up to
# DECIMAL(20,4)). A number of at most 15 significant digits comes back from a float exactly
# (DBL_DIG): its shortest representation, which the writer prints, has the same value. So an
# answer is decoded with floats, a third faster to decode and three times faster to encode,
# unless it holds a run of 16 digits or points (anywhere, strings too: then it is decoded with
# Decimals, as a number that long might not survive a float).
EXACT_DECODER = msgspec.json.Decoder(float_hook=decimal.Decimal)
FLOAT_DECODER = msgspec.json.Decoder()
_DIGITS_AS_ZERO = bytes(48 if chr(byte) in "0123456789." else 32 for byte in range(256))
LONG_NUMBER = b"0" * 16
# Looked for a piece at a time: a translated copy of a whole page (megabytes) would be mapped
# and unmapped by the system for every page.
SCANNED_AT_ONCE = 2**16


def decoded(content: bytes) -> Any:
    """An answer's JSON text (``StoreClient.ask``), decoded, every number exact.

    The garbage collector is off meanwhile (msgspec's advice): a decoded JSON text holds no
    reference cycle, and the collector's passes over a page's hundred thousand new objects
    took a third of decoding it.
    """
    decoder = EXACT_DECODER if has_long_number(content) else FLOAT_DECODER
    collecting = gc.isenabled()
    gc.disable()
    try:
        return decoder.decode(content)
    finally:
        if collecting:
            gc.enable()


def has_long_number(content: bytes) -> bool:
    """Does ``content`` hold a run of 16 digits or points (a number a float may not keep)?"""
    overlap = len(LONG_NUMBER) - 1
    for start in range(0, len(content), SCANNED_AT_ONCE):
        piece = content[start : start + SCANNED_AT_ONCE + overlap]
        if LONG_NUMBER in piece.translate(_DIGITS_AS_ZERO):
            return True
    return False


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
        """An answer as a page: its records and the total the store claimed."""
        body = decoded(content)
        if not isinstance(body, dict):
            msg = (
                f"{self.asker.endpoint} answered {type(body).__name__}, not a search result: "
                "is this Magento?"
            )
            raise FatalAPIError(msg)
        page = Page(list(body.get("items") or []), body.get("total_count"))
        if self.sorted_on is not None:
            self._check_sorted(page)
        return page

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
