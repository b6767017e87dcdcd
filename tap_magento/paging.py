"""Page-number paging that ends correctly on every Magento version (MAGENTO_REST.md).

Magento pages are numbered from 1. Past the last page, 2.3 and older answer with the last page
again, 2.4 with an empty list; ``total_count`` may be capped at the page size or inflated. So a
pass stops on an empty page, a short page, a page that repeats the previous one, or a
``total_count`` it can trust, and drops records a page repeats from the page before.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
from singer_sdk.pagination import BaseAPIPaginator

Record = dict[str, Any]
RecordKey = Callable[[Record], Hashable]


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
    stopped_because: str = "not started"


class PageNumberPaginator(BaseAPIPaginator[int]):
    """Walks ``currentPage`` 1, 2, 3 ... and decides where the list really ends.

    The SDK parses a page before it advances the paginator, so the stream hands each page to
    :meth:`fresh_records` while parsing; repeats are dropped there, and :meth:`has_more` then
    decides from what that page held.
    """

    def __init__(self, page_size: int, record_key: RecordKey) -> None:
        super().__init__(start_value=1)
        self.page_size = page_size
        self._record_key = record_key
        self._previous_keys: frozenset[Hashable] = frozenset()
        self._last: Page | None = None
        self._last_fresh = 0
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

    def get_next(self, response: requests.Response) -> int:
        return self.current_value + 1

    def _trusted_total_reached(self, page: Page) -> bool:
        total = page.total_count
        # A total no larger than one full page may be capped at the page size (e.g. stock
        # salable-qty exports before 2.4.9): one more request settles it.
        if total is None or total <= len(page.records):
            return False
        return self.current_value * self.page_size >= total


def primary_key_of(fields: Iterable[str]) -> RecordKey:
    names = tuple(fields)
    return lambda record: tuple(record.get(name) for name in names)
