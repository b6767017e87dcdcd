"""Where the next request of a pass starts: the keyset cursor, its page and its filters."""

from __future__ import annotations

from dataclasses import dataclass

from tap_magento.search_criteria import FilterGroup


@dataclass(frozen=True)
class Cursor:
    """Where the next request starts: page ``page`` of ``size`` records sorted after ``after``.

    ``after`` holds the cursor-field values of the last record read (Magento's own formats), or
    None at the start. With keyset paging every request is page 1 after a new ``after``.
    ``identify`` asks only for the key and cursor fields of the one record at this position.
    ``bounds``: the filter groups every request of the pass carries: its range, the user's
    ``stream_filters``, a slice's bounds, the keys chosen by ``ids``.
    ``from_end``: the list sorted the other way (to find the last key of a range).
    ``keys_only``: the list's keys alone, sorted by key (the key pass of deletion detection).
    """

    after: tuple[str, ...] | None = None
    page: int = 1
    size: int = 1
    identify: bool = False
    bounds: tuple[FilterGroup, ...] = ()
    from_end: bool = False
    keys_only: bool = False

    @property
    def offset(self) -> int:
        """How many records of this window come before the page."""
        return (self.page - 1) * self.size


def on_grid(after: tuple[str, ...] | None, offset: int, most: int) -> Cursor:
    """The biggest page of at most ``most`` records that starts exactly at ``offset``.

    Page numbers address multiples of the page size, so a page that must start at an odd
    offset is smaller (at worst a single record).
    """
    size = next(n for n in range(max(most, 1), 0, -1) if offset % n == 0)
    return Cursor(after, offset // size + 1, size)
