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
from dataclasses import dataclass, field, replace
from typing import Any

import requests
from singer_sdk.exceptions import FatalAPIError
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
# This many records in a row that the store cannot render means it is broken, not a few
# bad records: stop instead of narrowing every page down to nothing.
MAX_UNREADABLE_IN_A_ROW = 10


@dataclass
class Skipped:
    """Records the store could not render, left out of the sync.

    ``identity`` is what the store still told about it (its key and sort fields, asked for
    with ``fields``). When it could not even say that, the record was stepped past by
    position: ``after`` and ``before`` are the readable records on either side of it.
    """

    reason: str
    identity: Record | None = None
    after: Record | None = None
    before: Record | None = None
    count: int = 1


@dataclass
class PagingSummary:
    pages: int = 0
    records: int = 0
    repeated: int = 0
    repeated_keys: list[Hashable] = field(default_factory=list)  # the first few, for the log
    windows: int = 1
    stopped_because: str = "not started"
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True)
class Cursor:
    """Where the next request starts: page ``page`` of ``size`` records sorted after ``after``.

    ``after`` holds the sort-field values of the last record read (Magento's own formats), or
    None at the start. With keyset paging every request is page 1 after a new ``after``.
    ``identify`` asks only for the key fields of the one record at this position.
    """

    after: tuple[str, ...] | None = None
    page: int = 1
    size: int = 1
    identify: bool = False

    @property
    def offset(self) -> int:
        """How many records of this window come before the page."""
        return (self.page - 1) * self.size


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

    When a page cannot be read (:meth:`unreadable`), the paginator narrows it down: it asks
    for the same position in pages half as big, reads on at that size while the failed range
    lasts and halves again at each failure, until one record fails alone. It asks the store
    for just that record's key, moves past it, and doubles the page size with each page read
    until it is back to full size. Skips go to ``on_skip`` and the summary.
    """

    def __init__(
        self,
        page_size: int,
        record_key: RecordKey,
        position_of: Position | None = None,
        pages_per_window: int | None = None,
        on_skip: Callable[[Skipped], None] | None = None,
    ) -> None:
        super().__init__(start_value=Cursor(size=page_size))
        self.page_size = page_size
        self.pages_per_window = pages_per_window if position_of is not None else None
        self._record_key = record_key
        self._position_of = position_of
        self._on_skip = on_skip or (lambda skipped: None)
        self._previous_keys: frozenset[Hashable] = frozenset()
        self._last: Page | None = None
        self._last_fresh = 0
        self._last_position: tuple[str, ...] | None = None
        self._last_record: Record | None = None
        self._failure = ""  # the store's answer to the request being narrowed down
        self._gap: Skipped | None = None  # stepped past blind; waits for the next record
        # Records from the current position on that may hold the one that failed a page:
        # while there are any, pages stay small; after that they double back to full size.
        self._suspects = 0
        self._unreadable_in_a_row = 0
        self.summary = PagingSummary()

    # --- reading ------------------------------------------------------------------------------

    def fresh_records(self, page: Page) -> list[Record]:
        """The page's records minus those the previous page (or this one) already had."""
        self._last = page
        if self.current_value.identify:
            self._identified(page)
            return []
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
        self._last_fresh = len(fresh)
        if page.records:
            # Now, in the store's own formats: records are post-processed after parsing.
            if self._position_of is not None:
                self._last_position = self._position_of(page.records[-1])
            self._unreadable_in_a_row = 0
            self._suspects = max(0, self._suspects - len(page.records))
        self._close_gap(fresh[0] if fresh else None)
        if fresh:
            # A copy: the stream rewrites records' timestamps after parsing.
            self._last_record = dict(fresh[-1])
        self.summary.pages += 1
        self.summary.records += len(fresh)
        self.summary.repeated += len(page.records) - len(fresh)
        if not page.records:
            self.summary.stopped_because = "empty page"
        elif not fresh:
            self.summary.stopped_because = "page repeated the previous one"
        return fresh

    def continue_if_empty(self, response: requests.Response) -> bool:
        # An identifying request yields no records, but the list goes on after that record.
        return self.current_value.identify

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

    def get_next(self, response: requests.Response) -> Cursor:
        cursor = self.current_value
        if cursor.identify:
            assert self._last is not None
            return self._past(cursor, self._last.records[0])
        size = cursor.size if self._suspects else min(2 * cursor.size, self.page_size)
        if self.pages_per_window is None:  # no cursor: stay on this list's page grid
            return _on_grid(cursor.after, cursor.offset + cursor.size, size)
        if size == cursor.size and cursor.page < self.pages_per_window:
            return Cursor(cursor.after, cursor.page + 1, size)
        return self._next_window(cursor, size)

    # --- records the store cannot render ------------------------------------------------------

    @property
    def narrowing(self) -> bool:
        """Is the current request part of narrowing an unreadable page down?"""
        cursor = self.current_value
        return cursor.identify or 1 < cursor.size < self.page_size

    def unreadable(self, failure: str) -> None:
        """The request at the current cursor failed as unreadable: decide what to ask next."""
        cursor = self.current_value
        if cursor.identify:  # the store cannot even name it: step past it by position
            self._step_past(cursor)
        elif cursor.size > 1:  # the same position, in pages half as big
            self._failure = failure
            self._suspects = cursor.size
            self._move_to(_on_grid(cursor.after, cursor.offset, cursor.size // 2))
        else:
            self._failure = failure
            self._unreadable_in_a_row += 1
            if self._unreadable_in_a_row >= MAX_UNREADABLE_IN_A_ROW:
                msg = (
                    f"{self._unreadable_in_a_row} records in a row could not be read "
                    f"({failure}): the store looks broken rather than held up by a few bad "
                    "records. Its exception log (var/log, var/report) has the cause."
                )
                raise FatalAPIError(msg)
            self._move_to(replace(cursor, identify=True))

    def _identified(self, page: Page) -> None:
        if not page.records:
            return  # it is gone, and nothing follows it
        identity = page.records[0]
        self._suspects = 0
        self._close_gap(identity)
        self._report(Skipped(self._failure, identity=identity))

    def _past(self, cursor: Cursor, identity: Record) -> Cursor:
        """The cursor just past a record the store named but could not render."""
        if self._position_of is None:
            return _on_grid(cursor.after, cursor.offset + 1, 2)
        return Cursor(self._position_of(identity), 1, min(2, self.page_size))

    def _step_past(self, cursor: Cursor) -> None:
        self._suspects = 0
        if self._gap is None:
            self._gap = Skipped(self._failure, after=self._last_record)
        else:
            self._gap.count += 1
        self._move_to(Cursor(cursor.after, cursor.offset + 2, 1))  # size 1: page = offset + 1

    def _close_gap(self, before: Record | None) -> None:
        if self._gap is not None:
            self._gap.before = dict(before) if before is not None else None
            self._report(self._gap)
            self._gap = None

    def _report(self, skipped: Skipped) -> None:
        self.summary.skipped.append(skipped)
        self._on_skip(skipped)

    def _move_to(self, cursor: Cursor) -> None:
        # The SDK's paginator has no public setter; the token it sends next is this one.
        self._value = cursor

    # --- windows ------------------------------------------------------------------------------

    def _next_window(self, cursor: Cursor, size: int) -> Cursor:
        after = self._last_position
        if after is None or after == cursor.after:
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


def _on_grid(after: tuple[str, ...] | None, offset: int, most: int) -> Cursor:
    """The biggest page of at most ``most`` records that starts exactly at ``offset``.

    Page numbers address multiples of the page size, so a page that must start at an odd
    offset is smaller (at worst a single record).
    """
    size = next(n for n in range(max(most, 1), 0, -1) if offset % n == 0)
    return Cursor(after, offset // size + 1, size)


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
