"""How big a pass's pages may be while the store's gateway cuts the slow ones.

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
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

# Quick pages in a row before the pages double again (the first time; doubled after each
# growth that the gateway cut again).
QUICK_RUN = 4


@dataclass(frozen=True)
class Cut:
    """What a cut page changed: the size asked next, and whether it is the pass's first."""

    size: int
    first: bool


class PageCeiling:
    """The largest page a pass asks for, after cuts: shared by every reader of one pass."""

    def __init__(self, floor: int) -> None:
        self.floor = max(1, floor)
        self._ceiling: int | None = None  # None: no page was cut, or pages grew back
        self._cut_seconds = 0.0  # how long the gateway waited before cutting
        self._quick = 0
        self._run = QUICK_RUN
        self._grown = False
        self.cuts = 0
        self.smallest: int | None = None
        self._lock = threading.Lock()

    def limit(self, wanted: int) -> int:
        """The size to ask for instead of ``wanted``."""
        ceiling = self._ceiling
        return wanted if ceiling is None else min(wanted, ceiling)

    def can_shrink(self, size: int) -> bool:
        """Could a page of ``size`` that is cut be asked for smaller?"""
        return size > self.floor

    def cut(self, size: int, seconds: float) -> Cut:
        """A page of ``size`` was cut after ``seconds``: the size to ask for next."""
        smaller = max(self.floor, size // 2)
        with self._lock:
            first = self.cuts == 0
            self.cuts += 1
            if self._grown:  # the last growth was too much: wait longer before the next
                self._run *= 2
                self._grown = False
            self._ceiling = smaller if self._ceiling is None else min(self._ceiling, smaller)
            self._cut_seconds = seconds
            self._quick = 0
            self.smallest = min(self.smallest or self._ceiling, self._ceiling)
            return Cut(self._ceiling, first)

    def answered(self, size: int, seconds: float, wanted: int) -> None:
        """A page of ``size`` (a pass that wants ``wanted``) came back in ``seconds``."""
        with self._lock:
            ceiling = self._ceiling
            if ceiling is None or size < ceiling:  # pages narrowed down or short: no evidence
                return
            quick = seconds <= self._cut_seconds / 2
            self._quick = self._quick + 1 if quick else 0
            if self._quick < self._run:
                return
            self._quick = 0
            self._grown = True
            self._ceiling = None if 2 * ceiling >= wanted else 2 * ceiling

    @property
    def current(self) -> int | None:
        return self._ceiling
