"""Paging that ends correctly on every Magento version and never goes deep (MAGENTO_REST.md).

Magento pages are numbered from 1. Past the last page, 2.3 and older answer with the last page
again, 2.4 with an empty list; ``total_count`` may be capped at the page size or inflated. So a
pass stops on an empty page, a short page, a page that repeats the previous one, or a
``total_count`` it can trust, and drops records a page repeats from the page before. Pages
are SQL OFFSET, so deep ones are slow or fail: a pass reads the list in windows, each starting
just after the last record read (a keyset cursor on the sort fields).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
from singer_sdk.pagination import BaseAPIPaginator

Record = dict[str, Any]
RecordKey = Callable[[Record], Hashable]
Position = Callable[[Record], tuple[str, ...]]


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


@dataclass(frozen=True)
class Cursor:
    """Where the next request starts: page ``page`` of the records sorted after ``after``.

    ``after`` holds the sort-field values of the last record read (Magento's own formats), or
    None at the start. With keyset paging every request is page 1 after a new ``after``.
    """

    after: tuple[str, ...] | None = None
    page: int = 1


class PagingStalled(RuntimeError):
    """The store answered a window with records that do not move the cursor forward."""


class WindowPaginator(BaseAPIPaginator[Cursor]):
    """Pages through a window, then moves the window past the last record read.

    Within a window it walks ``currentPage`` 1, 2, 3 ... and decides where the list really ends.
    After ``pages_per_window`` pages it starts again at page 1 of the records after the last
    one read, so no request is deeper than that (SQL OFFSET, MAGENTO_REST.md); with
    ``pages_per_window=1`` that is keyset paging. ``position_of`` gives a record's values of
    the fields the list is sorted on; without it the window never moves.

    The SDK parses a page before it advances the paginator, so the stream hands each page to
    :meth:`fresh_records` while parsing; repeats are dropped there, and :meth:`has_more` then
    decides from what that page held.
    """

    def __init__(
        self,
        page_size: int,
        record_key: RecordKey,
        position_of: Position | None = None,
        pages_per_window: int | None = None,
    ) -> None:
        super().__init__(start_value=Cursor())
        self.page_size = page_size
        self.pages_per_window = pages_per_window if position_of is not None else None
        self._record_key = record_key
        self._position_of = position_of
        self._previous_keys: frozenset[Hashable] = frozenset()
        self._last: Page | None = None
        self._last_fresh = 0
        self._last_position: tuple[str, ...] | None = None
        self.summary = PagingSummary()

    def fresh_records(self, page: Page) -> list[Record]:
        """The page's records minus those the previous page (or this one) already had."""
        keys = [self._record_key(record) for record in page.records]
        seen = set(self._previous_keys)
        fresh = []
        for key, record in zip(keys, page.records, strict=True):
            if key not in seen:
                seen.add(key)
                fresh.append(record)
            elif len(self.summary.repeated_keys) < SHOWN_REPEATS:
                self.summary.repeated_keys.append(key)
        self._previous_keys = frozenset(keys)
        self._last, self._last_fresh = page, len(fresh)
        if self._position_of is not None and page.records:
            # Now, in the store's own formats: records are post-processed after parsing.
            self._last_position = self._position_of(page.records[-1])
        self.summary.pages += 1
        self.summary.records += len(fresh)
        self.summary.repeated += len(page.records) - len(fresh)
        if not page.records:
            self.summary.stopped_because = "empty page"
        elif not fresh:
            self.summary.stopped_because = "page repeated the previous one"
        return fresh

    def has_more(self, response: requests.Response) -> bool:
        page = self._last
        if page is None or not page.records or self._last_fresh == 0:
            return False
        if len(page.records) < self.page_size:
            self.summary.stopped_because = "short page"
            return False
        if self._trusted_total_reached(page):
            self.summary.stopped_because = "total_count reached"
            return False
        return True

    def get_next(self, response: requests.Response) -> Cursor:
        cursor = self.current_value
        if self.pages_per_window is None or cursor.page < self.pages_per_window:
            return Cursor(cursor.after, cursor.page + 1)
        after = self._last_position
        if after is None or after == cursor.after:
            msg = (
                f"The store answered records at or before the cursor {after} although they "
                "were asked for records after it: it ignores the filter, so paging stopped "
                "rather than loop."
            )
            raise PagingStalled(msg)
        self.summary.windows += 1
        return Cursor(after, 1)

    def _trusted_total_reached(self, page: Page) -> bool:
        total = page.total_count
        # A total no larger than one full page may be capped at the page size (e.g. stock
        # salable-qty exports before 2.4.9): one more request settles it.
        if total is None or total <= len(page.records):
            return False
        # The total counts the records of this window (those after the cursor).
        return self.current_value.page * self.page_size >= total


def primary_key_of(fields: Iterable[str]) -> RecordKey:
    names = tuple(fields)
    return lambda record: tuple(record.get(name) for name in names)


def position_of(fields: Iterable[str]) -> Position:
    """A record's values of ``fields`` as searchCriteria filter values."""
    names = tuple(fields)
    return lambda record: tuple(_filter_value(record.get(name)) for name in names)


def _filter_value(value: Any) -> str:
    if value is None:
        msg = "a record has no value for a field the list is sorted on"
        raise PagingStalled(msg)
    return str(value)
