"""How big a pass's pages may be: while the store's gateway cuts the slow ones, and while its
answers are big.

Adobe Commerce Cloud serves every request through Fastly, which answers 503 "first byte
timeout" when the store takes longer than 60 s to start its answer; nginx or Varnish in front
of other stores answer 504; the tap's own ``request_timeout`` does the same (docs/magento-rest.md,
"Gateways that cut slow pages"). A page of a few hundred full orders can take that long on a
busy store, every time it is asked, so asking again at the same size cannot help.

So a cut page is asked for again at half its size, down to ``min_page_size``; below that the
page is retried and then narrowed down like an unreadable one. The smaller size holds for the
rest of the pass, for every reader of it (the slices of a parallel pass), and grows back
(doubling) after a run of quick pages: pages answered in at most half the time the cut one
was given. Each growth that is cut again makes the next run twice as long, so that a store
whose limit lies between two sizes is tried at the bigger one ever more rarely.

Pages are bounded by their bytes as well: a wholesale store's orders of a thousand lines take
megabytes each, so a page of 300 can be a hundred MB of JSON, five times that once decoded.
Pages are asked for at most as many records as ``PAGE_BYTES`` holds, at what a record's JSON
takes on average: an answer over ``PAGE_BYTES`` sets that average to its own at once, every
other answer moves it a quarter of the way to its own. So pages shrink after the first big
answer and grow back as answers stay small, without needing several pages in a row free of
big records (on a store where one order in thirty has a thousand lines, most pages hold one).
A page of one is asked for whatever its record weighs. An answer that goes on beyond
``ANSWER_BYTES`` is not read to its end (``PageTooBig``): it is asked for again, smaller.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

# Quick pages in a row before the pages double again (the first time; doubled after each
# growth that the gateway cut again).
QUICK_RUN = 4
# The JSON a page should not go beyond: above a page of 390 full orders (5.5 MB), so that
# only stores with big records read smaller pages.
PAGE_BYTES = 6 * 2**20
# An answer of more than one record is not read beyond this (what a worker may hold raw).
ANSWER_BYTES = PAGE_BYTES * 3 // 2


@dataclass(frozen=True)
class PageSize:
    """How many records a pass asks for a page: what it wants, within the largest page the
    store accepts once it has said (``StoreMaximum``)."""

    wanted: int
    store_maximum: int | None = None

    @property
    def value(self) -> int:
        if self.store_maximum is None:
            return self.wanted
        return min(self.wanted, self.store_maximum)

    def scaled(self, factor: float) -> PageSize:
        """``factor`` times as many wanted, within the same maximum."""
        return PageSize(int(self.wanted * factor), self.store_maximum)


class StoreMaximum:
    """The largest page the store accepts, learnt from its refusals: one a run, shared by the
    passes of every stream (a pass refused sets it for all later ones)."""

    def __init__(self) -> None:
        self.records: int | None = None

    def page_size(self, wanted: int) -> PageSize:
        return PageSize(wanted, self.records)

    def lower_to(self, maximum: int) -> None:
        self.records = maximum


class PageCeiling:
    """The largest page a pass asks for, after cuts: shared by every reader of one pass."""

    def __init__(self, floor: int, page_bytes: int = PAGE_BYTES) -> None:
        self.floor = max(1, floor)
        self.page_bytes = page_bytes
        self._ceiling: int | None = None  # None: no page was cut, or pages grew back
        self._cut_seconds = 0.0  # how long the gateway waited before cutting
        self._quick = 0
        self._streak_needed = QUICK_RUN
        self._grown = False
        self.cuts = 0
        self.smallest: int | None = None
        self._record_json: float | None = None  # JSON bytes per record, smoothed
        self.heavy = 0  # answers over page_bytes
        self.heavy_smallest: int | None = None
        self._lock = threading.Lock()

    def limit(self, page_size: PageSize) -> int:
        """The size to ask for instead of ``page_size``."""
        ceiling, wanted = self._ceiling, page_size.value
        size = wanted if ceiling is None else min(wanted, ceiling)
        per_record = self._record_json
        return size if per_record is None else max(1, min(size, int(self.page_bytes / per_record)))

    def weighed(self, records: int, content_bytes: int) -> int | None:
        """An answer of ``records`` took ``content_bytes`` of JSON: the size pages are now
        asked at when it was over ``page_bytes``, else None."""
        if not records:
            return None
        per_record = content_bytes / records
        heavy = content_bytes > self.page_bytes
        if heavy and records == 1:
            return None  # a record read alone, as big as it is: it says nothing of the others
        with self._lock:
            known = self._record_json
            if known is None or heavy:
                self._record_json = max(known or 0.0, per_record)
            else:
                self._record_json = known + (per_record - known) / 4
            if not heavy:
                return None
            self.heavy += 1
            size = max(1, int(self.page_bytes / self._record_json))
            self.heavy_smallest = min(self.heavy_smallest or size, size)
            return size

    def can_shrink(self, size: int) -> bool:
        """Could a page of ``size`` that is cut be asked for smaller?"""
        return size > self.floor

    def cut(self, size: int, seconds: float) -> int:
        """A page of ``size`` was cut after ``seconds``: the size to ask for next."""
        smaller = max(self.floor, size // 2)
        with self._lock:
            self.cuts += 1
            if self._grown:  # the last growth was too much: wait longer before the next
                self._streak_needed *= 2
                self._grown = False
            self._ceiling = smaller if self._ceiling is None else min(self._ceiling, smaller)
            self._cut_seconds = seconds
            self._quick = 0
            self.smallest = min(self.smallest or self._ceiling, self._ceiling)
            return self._ceiling

    def answered(self, size: int, seconds: float, page_size: PageSize) -> None:
        """A page of ``size`` (a pass that wants ``page_size``) came back in ``seconds``."""
        with self._lock:
            ceiling = self._ceiling
            if ceiling is None or size < ceiling:  # pages narrowed down or short: no evidence
                return
            quick = seconds <= self._cut_seconds / 2
            self._quick = self._quick + 1 if quick else 0
            if self._quick < self._streak_needed:
                return
            self._quick = 0
            self._grown = True
            self._ceiling = None if 2 * ceiling >= page_size.value else 2 * ceiling
