"""Paging that ends correctly on every Magento version and never goes deep.

Magento pages are numbered from 1. Past the last page, 2.3 and older answer with the last page
again, 2.4 with an empty list; ``total_count`` may be capped at the page size or inflated
(docs/magento-rest.md, "Paging"). So a pass stops on an empty page, a short page, a page that
repeats the previous one, or a ``total_count`` it can trust, and drops records a page repeats
from the page before. Pages are SQL OFFSET, so deep ones are slow or fail: a pass reads the
list in windows, each starting just after the last record read (a keyset cursor).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import requests
from singer_sdk.pagination import BaseAPIPaginator
from typing_extensions import override

from tap_magento.narrowing import Cursor, CursorOf, Narrowing, Record, Skipped, on_grid
from tap_magento.search_criteria import FilterGroup

KeyOf = Callable[[Record], Hashable]


@dataclass(frozen=True)
class Page:
    """What one response held: its records and the total the store claimed."""

    records: list[Record]
    total_count: int | None


SHOWN_REPEATS = 10


@dataclass
class PagingSummary:
    pages: int = 0
    records: int = 0
    repeated: int = 0
    repeated_keys: list[Hashable] = field(default_factory=list)  # the first few, for the log
    windows: int = 1
    stopped_because: str = "not started"


class PagingStalled(RuntimeError):
    """The store answered a window with records that do not move the cursor forward."""


class WindowPaginator(BaseAPIPaginator[Cursor]):
    """Pages through a window, then moves the window past the last record read.

    Within a window it walks ``currentPage`` 1, 2, 3 ... and decides where the list really ends.
    After ``pages_per_window`` pages it starts again at page 1 of the records after the last
    one read, so no request is deeper than that; with ``pages_per_window=1`` that is keyset
    paging. ``cursor_of`` gives a record's cursor-field values; without it the window never
    moves. A page the store cannot render goes to :meth:`unreadable`, and its ``narrowing``
    decides where to ask next.

    The reader hands each page to :meth:`fresh_records` before it advances the paginator;
    repeats are dropped there, and :meth:`has_more` then decides from what that page held.
    """

    def __init__(
        self,
        page_size: int,
        key_of: KeyOf,
        cursor_of: CursorOf | None = None,
        pages_per_window: int | None = None,
        *,
        on_skip: Callable[[Skipped], None] | None = None,
        bounds: tuple[FilterGroup, ...] = (),
        keys_only: bool = False,
    ) -> None:
        # What every request of the pass carries, whatever the position.
        self._stamp: dict[str, Any] = {"bounds": bounds, "keys_only": keys_only}
        super().__init__(start_value=Cursor(size=page_size, **self._stamp))
        self.pages_per_window = pages_per_window if cursor_of is not None else None
        self.narrowing = Narrowing(page_size, cursor_of, on_skip or (lambda skipped: None))
        self.summary = PagingSummary()
        self._key_of = key_of
        self._cursor_of = cursor_of
        self._previous_keys: frozenset[Hashable] = frozenset()
        self._last: Page | None = None
        self._last_fresh = 0
        self._last_cursor: tuple[str, ...] | None = None
        self._last_record: Record | None = None

    # --- reading ------------------------------------------------------------------------------

    def fresh_records(self, page: Page) -> list[Record]:
        """The page's records minus those the previous page (or this one) already had."""
        self._last = page
        if self.current_value.identify:
            if page.records:  # else it is gone, and nothing follows it
                self.narrowing.identified(page.records[0])
            return []
        keys = [self._key_of(record) for record in page.records]
        seen = set(self._previous_keys)
        fresh = []
        for key, record in zip(keys, page.records, strict=True):
            if key not in seen:
                seen.add(key)
                fresh.append(record)
            elif len(self.summary.repeated_keys) < SHOWN_REPEATS:
                self.summary.repeated_keys.append(key)
        self._previous_keys = frozenset(keys)
        self._last_fresh = len(fresh)
        if page.records and self._cursor_of is not None:
            # Now, in the store's own formats: records are post-processed after reading.
            self._last_cursor = self._cursor_of(page.records[-1])
        self.narrowing.read(len(page.records), fresh[0] if fresh else None)
        if fresh:
            # A copy: the stream rewrites records' timestamps after reading.
            self._last_record = dict(fresh[-1])
        self.summary.pages += 1
        self.summary.records += len(fresh)
        self.summary.repeated += len(page.records) - len(fresh)
        if not page.records:
            self.summary.stopped_because = "empty page"
        elif not fresh:
            self.summary.stopped_because = "page repeated the previous one"
        return fresh

    def unreadable(self, failure: str) -> None:
        """The request at the current cursor failed as unreadable: decide what to ask next."""
        self._move_to(self.narrowing.failed(self.current_value, failure, self._last_record))

    @override
    def continue_if_empty(self, response: requests.Response) -> bool:
        # An identifying request yields no records, but the list goes on after that record.
        return self.current_value.identify

    @override
    def has_more(self, response: requests.Response) -> bool:
        page = self._last
        if page is None or not page.records:
            return False
        if self.current_value.identify:
            return True
        if self._last_fresh == 0:
            return False
        if len(page.records) < self.current_value.size:
            self.summary.stopped_because = "short page"
            return False
        if self._trusted_total_reached(page):
            self.summary.stopped_because = "total_count reached"
            return False
        return True

    @override
    def get_next(self, response: requests.Response) -> Cursor:
        return replace(self._next(), **self._stamp)

    def _next(self) -> Cursor:
        cursor = self.current_value
        if cursor.identify:
            assert self._last is not None
            return self.narrowing.past(cursor, self._last.records[0])
        size = self.narrowing.next_size(cursor.size)
        if self.pages_per_window is None:  # no cursor: stay on this list's page grid
            return on_grid(cursor.after, cursor.offset + cursor.size, size)
        if size == cursor.size and cursor.page < self.pages_per_window:
            return Cursor(cursor.after, cursor.page + 1, size)
        return self._next_window(size)

    def _move_to(self, cursor: Cursor) -> None:
        # The SDK's paginator has no public setter; the token it sends next is this one.
        self._value = replace(cursor, **self._stamp)

    # --- windows ------------------------------------------------------------------------------

    def _next_window(self, size: int) -> Cursor:
        after = self._last_cursor
        if after is None or after == self.current_value.after:
            msg = (
                f"The store answered records at or before the cursor {after} although they "
                "were asked for records after it: it ignores the filter, so paging stopped "
                "rather than loop."
            )
            raise PagingStalled(msg)
        self.summary.windows += 1
        return Cursor(after, 1, size)

    def _trusted_total_reached(self, page: Page) -> bool:
        total = page.total_count
        # A total no larger than one full page may be capped at the page size (e.g. stock
        # salable-qty exports before 2.4.9): one more request settles it.
        if total is None or total <= len(page.records):
            return False
        # The total counts the records of this window (those after the cursor).
        cursor = self.current_value
        return cursor.offset + cursor.size >= total


def key_of(fields: Iterable[str]) -> KeyOf:
    """A record's values of ``fields``: what tells it apart from every other record."""
    names = tuple(fields)
    return lambda record: tuple(record.get(name) for name in names)


def cursor_of(fields: Iterable[str]) -> CursorOf:
    """A record's values of ``fields`` as searchCriteria filter values."""
    names = tuple(fields)
    return lambda record: tuple(_filter_value(record.get(name)) for name in names)


def _filter_value(value: Any) -> str:
    if value is None:
        msg = "a record has no value for a field the list is sorted on"
        raise PagingStalled(msg)
    return str(value)
