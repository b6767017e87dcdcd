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
from dataclasses import dataclass, replace
from typing import Any

from tap_magento.passes.cursor import Cursor, on_grid
from tap_magento.passes.decoding import Page
from tap_magento.passes.narrowing import CursorOf, Narrowing
from tap_magento.passes.summary import SHOWN_REPEATS, PassSummary, Record, Skipped
from tap_magento.search_criteria import FilterGroup

KeyOf = Callable[[Record], Hashable]


@dataclass(frozen=True)
class _Seen:
    """What the paginator keeps of the last page: not its records, which would keep a whole
    page in memory after the reader has handed them on."""

    count: int
    total_count: int | None
    first: Record | None


class PagingStalled(RuntimeError):
    """The store answered a window with records that do not move the cursor forward."""


class WindowPaginator:
    """Pages through a window, then moves the window past the last record read.

    Within a window it walks ``currentPage`` 1, 2, 3 ... and decides where the list really ends.
    After ``pages_per_window`` pages it starts again at page 1 of the records after the last
    one read, so no request is deeper than that; with ``pages_per_window=1`` that is keyset
    paging. ``cursor_of`` gives a record's cursor-field values; without it the window never
    moves. A page the store cannot render goes to :meth:`unreadable`, and the narrowing decides
    where to ask next; what it skips goes to ``on_skip``.

    The reader hands each page to :meth:`fresh_positions`, then calls :meth:`advance`, which
    decides from what that page held whether the list goes on. Not the SDK's
    ``BaseAPIPaginator``: the SDK's page loop never runs it (a pass reads its own pages), and
    narrowing must move the cursor to where the SDK's paginator has no setter.
    """

    def __init__(
        self,
        page_size: Callable[[], int],
        key_of: KeyOf,
        cursor_of: CursorOf | None = None,
        pages_per_window: int | None = None,
        *,
        on_skip: Callable[[Skipped], None],
        bounds: tuple[FilterGroup, ...] = (),
        keys_only: bool = False,
    ) -> None:
        # What every request of the pass carries, whatever the position.
        self._stamp: dict[str, Any] = {"bounds": bounds, "keys_only": keys_only}
        self.current = Cursor(size=page_size(), **self._stamp)
        self.finished = False
        self.pages_per_window = pages_per_window if cursor_of is not None else None
        self._narrowing = Narrowing(page_size, cursor_of, self._report_skipped)
        self._on_skip = on_skip
        self._key_of = key_of
        self._cursor_of = cursor_of
        self._previous_keys: frozenset[Hashable] = frozenset()
        self._last: _Seen | None = None
        self._last_fresh = 0
        self._last_cursor: tuple[str, ...] | None = None
        self._last_record: Record | None = None
        # The summary's counts, kept as plain fields: they change on every page.
        self._pages = self._records = self._repeated = 0
        self._windows = 1
        self._repeated_keys: list[Hashable] = []
        self._skipped: list[Skipped] = []
        self._stopped_because = "not started"

    @property
    def summary(self) -> PassSummary:
        return PassSummary(
            records=self._records,
            pages=self._pages,
            windows=self._windows,
            repeated=self._repeated,
            repeated_keys=tuple(self._repeated_keys),
            skipped=tuple(self._skipped),
            stopped_because=self._stopped_because,
        )

    @property
    def narrowing(self) -> bool:
        """Is the next request part of narrowing a page down (worth one try only)?"""
        return self._narrowing.active(self.current)

    # --- reading ------------------------------------------------------------------------------

    def fresh_positions(self, page: Page) -> list[int]:
        """Where the page's records are that the previous page (or this one) did not have."""
        records = page.records
        self._last = _Seen(len(records), page.total_count, next(iter(records), None))
        if self.current.identify:
            if records:  # else it is gone, and nothing follows it
                self._narrowing.identified(records[0])
            return []
        keys = [self._key_of(record) for record in records]
        seen = set(self._previous_keys)
        fresh = []
        for position, key in enumerate(keys):
            if key not in seen:
                seen.add(key)
                fresh.append(position)
            elif len(self._repeated_keys) < SHOWN_REPEATS:
                self._repeated_keys.append(key)
        self._previous_keys = frozenset(keys)
        self._last_fresh = len(fresh)
        if records and self._cursor_of is not None:
            # Now, in the store's own formats: records are post-processed after reading.
            self._last_cursor = self._cursor_of(records[-1])
        self._narrowing.read(len(records), records[fresh[0]] if fresh else None)
        if fresh:
            self._last_record = records[fresh[-1]]
        self._pages += 1
        self._records += len(fresh)
        self._repeated += len(records) - len(fresh)
        if not records:
            self._stopped_because = "empty page"
        elif not fresh:
            self._stopped_because = "page repeated the previous one"
        return fresh

    def unreadable(self, failure: str) -> None:
        """The request at the current cursor failed as unreadable: decide what to ask next."""
        moved = self._narrowing.failed(self.current, failure, self._last_record)
        self.current = replace(moved, **self._stamp)

    def resize(self, size: int) -> None:
        """The page at the current cursor was cut short by the store's gateway: the same
        position, in a page of at most ``size``."""
        cursor = self.current
        self.current = replace(on_grid(cursor.after, cursor.offset, size), **self._stamp)

    def advance(self) -> None:
        """After :meth:`fresh_positions`: the next page's cursor, or ``finished``."""
        if not self._has_more():
            self.finished = True
            return
        following = replace(self._next(), **self._stamp)
        if following == self.current:
            msg = (
                f"The paginator did not advance past {following}: paging stopped rather than loop."
            )
            raise PagingStalled(msg)
        self.current = following

    def _has_more(self) -> bool:
        page = self._last
        if page is None or not page.count:
            return False
        if self.current.identify:
            return True
        if self._last_fresh == 0:
            return False
        if page.count < self.current.size:
            self._stopped_because = "short page"
            return False
        if self._trusted_total_reached(page):
            self._stopped_because = "total_count reached"
            return False
        return True

    def _next(self) -> Cursor:
        cursor = self.current
        if cursor.identify:
            assert self._last is not None and self._last.first is not None
            return self._narrowing.past(cursor, self._last.first)
        size = self._narrowing.next_size(cursor.size)
        if self.pages_per_window is None:  # no cursor: stay on this list's page grid
            return on_grid(cursor.after, cursor.offset + cursor.size, size)
        if size == cursor.size and cursor.page < self.pages_per_window:
            return Cursor(cursor.after, cursor.page + 1, size)
        return self._next_window(size)

    def _report_skipped(self, skipped: Skipped) -> None:
        self._skipped.append(skipped)
        self._on_skip(skipped)

    # --- windows ------------------------------------------------------------------------------

    def _next_window(self, size: int) -> Cursor:
        after = self._last_cursor
        if after is None or after == self.current.after:
            msg = (
                f"The store answered records at or before the cursor {after} although they "
                "were asked for records after it: it ignores the filter, so paging stopped "
                "rather than loop."
            )
            raise PagingStalled(msg)
        self._windows += 1
        return Cursor(after, 1, size)

    def _trusted_total_reached(self, page: _Seen) -> bool:
        total = page.total_count
        # A total no larger than one full page may be capped at the page size (e.g. stock
        # salable-qty exports before 2.4.9): one more request settles it.
        if total is None or total <= page.count:
            return False
        # The total counts the records of this window (those after the cursor).
        cursor = self.current
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
