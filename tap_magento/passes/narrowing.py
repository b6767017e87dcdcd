"""Narrowing an unreadable page down to the one record at fault, and stepping past it.

Magento fails a whole page when it cannot render one of its records, every time it is asked
(docs/magento-rest.md, "One bad record fails its page"). So when a page fails, the same
position is asked for in pages half as big, halving again at each failure, until one record
fails alone. The store is then asked for just that record's key and sort fields (``fields``),
which it can usually still render; the pass moves past it and page sizes double back to full
size with each page read. A record the store cannot even name is stepped past by position and
reported between its readable neighbours.

The sequence, across modules: ``front_door.diagnosis.raise_for_answer`` turns the store's 500 or
404 into ``UnreadableRecords``; ``front_door.retry.RetryPolicy`` tries it a few times (once while
narrowing) and hands it back unchanged; ``passes.reader.PassReader`` gives it to the paginator,
which asks this class where to go next, and reports what it skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from singer_sdk.exceptions import FatalAPIError

from tap_magento.passes.cursor import Cursor, on_grid
from tap_magento.passes.summary import Record, Skipped

CursorOf = Callable[[Record], tuple[str, ...]]

# This many records in a row that the store cannot render means it is broken, not a few
# bad records: stop instead of narrowing every page down to nothing.
MAX_UNREADABLE_IN_A_ROW = 10


class Narrowing:
    """Where to ask next after an unreadable page, for one pass; and what was skipped.

    ``cursor_of`` gives a record's cursor-field values; without it (a list that cannot be
    filtered) records are stepped past by position alone.
    """

    def __init__(
        self,
        full_size: Callable[[], int],
        cursor_of: CursorOf | None,
        on_skip: Callable[[Skipped], None],
    ) -> None:
        # The pass's page size now: smaller while the store's gateway cuts pages.
        self.full_size = full_size
        self._cursor_of = cursor_of
        self._on_skip = on_skip
        self._failure = ""  # the store's answer to the request being narrowed down
        # Records stepped past blind, waiting for the next readable record to close the gap.
        self._gap: Skipped | None = None
        # Records from the current position on that may hold the one that failed a page:
        # while there are any, pages stay small; after that they double back to full size.
        self._suspects = 0
        self._in_a_row = 0

    def active(self, cursor: Cursor) -> bool:
        """Is a request at ``cursor`` part of narrowing a page down?"""
        return cursor.identify or 1 < cursor.size < self.full_size()

    def failed(self, cursor: Cursor, failure: str, last_read: Record | None) -> Cursor:
        """The request at ``cursor`` was unreadable: the cursor to ask next."""
        if cursor.identify:  # the store cannot even name it: step past it by position
            self._suspects = 0
            if self._gap is None:
                self._gap = Skipped(self._failure, after=last_read)
            else:
                self._gap = replace(self._gap, count=self._gap.count + 1)
            return Cursor(cursor.after, cursor.offset + 2, 1)  # size 1: page = offset + 1
        self._failure = failure
        if cursor.size > 1:  # the same position, in pages half as big
            self._suspects = cursor.size
            return on_grid(cursor.after, cursor.offset, cursor.size // 2)
        self._in_a_row += 1
        if self._in_a_row >= MAX_UNREADABLE_IN_A_ROW:
            msg = (
                f"{self._in_a_row} records in a row could not be read ({failure}): the store "
                "looks broken rather than held up by a few bad records. Its exception log "
                "(var/log, var/report) has the cause."
            )
            raise FatalAPIError(msg)
        return replace(cursor, identify=True)

    def identified(self, identity: Record) -> None:
        """The store named the record it cannot render: report it."""
        self._suspects = 0
        self._close_gap(identity)
        self._report(Skipped(self._failure, identity=identity))

    def past(self, cursor: Cursor, identity: Record) -> Cursor:
        """The cursor just past a record the store named but could not render."""
        if self._cursor_of is None:
            return on_grid(cursor.after, cursor.offset + 1, 2)
        return Cursor(self._cursor_of(identity), 1, min(2, self.full_size()))

    def read(self, count: int, first: Record | None) -> None:
        """A page of ``count`` records was read; ``first``: its first new record, if any."""
        if count:
            self._in_a_row = 0
            self._suspects = max(0, self._suspects - count)
        self._close_gap(first)

    def next_size(self, size: int) -> int:
        """Pages stay small past a failure, then double back to full size."""
        return size if self._suspects else min(2 * size, self.full_size())

    def _close_gap(self, before: Record | None) -> None:
        if self._gap is not None:
            gap, self._gap = self._gap, None
            self._report(replace(gap, before=dict(before) if before is not None else None))

    def _report(self, skipped: Skipped) -> None:
        self._on_skip(skipped)
