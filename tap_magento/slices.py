"""One pass read in parallel: its range cut into slices, emitted in order.

A slow store takes 0.3-3 s per page, and one reader waits for each page before asking for the
next. So a pass is cut into slices of about equal record counts along the field its list is
sorted on first: the timestamp of an incremental pass (in whole seconds), the integer key of a
full-table list. The store tells a range's count cheaply (``total_count`` of a page of one),
and ranges with too many records are cut until each holds about ``target`` records or is a
single step (one second: a bulk action's cluster stays whole; one key). Each slice is read by
its own ``PassReader``, with the keyset cursor,
on a small thread pool; the pass yields slice after slice, so records keep the cursor's order
and a STATE message never covers records not yet emitted. As many slices as workers are
under way, each buffering at most one slice: a worker that gets that far ahead waits for the
pass to catch up, so memory is bounded whatever the store's size.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from tap_magento.narrowing import Skipped
from tap_magento.paging import PagingSummary
from tap_magento.reader import PassReader

Record = dict[str, Any]


@dataclass(frozen=True, order=True)
class Slice:
    """Records whose slicing field is at or after ``lower`` and before ``upper``.

    Positions are integers: a timestamp's seconds since the epoch, or the key itself.
    """

    lower: int
    upper: int

    def parts(self, wanted: int) -> list[Slice]:
        """Up to ``wanted`` slices of equal length; [self] for a single step."""
        steps = self.upper - self.lower
        count = max(1, min(wanted, steps))
        cuts = [self.lower + steps * i // count for i in range(count)]
        return [Slice(a, b) for a, b in zip(cuts, [*cuts[1:], self.upper], strict=True)]


# What one worker reads: a slice, or None for the whole pass (when it could not be planned).
Piece = Slice | None
Mapper = Callable[[Callable[[Slice], int], Sequence[Slice]], list[int]]


# Records handed from a worker to the pass at a time.
CHUNK = 100
# However the store counts (an inflated total_count never stops halving), no more slices.
MAX_SLICES = 512


def plan(  # noqa: PLR0917 - the plan's inputs, all of them positional in every call
    whole: Slice,
    count: Callable[[Slice], int],
    target: int,
    map_all: Mapper,
    workers: int = 1,
    whole_count: int | None = None,
) -> list[Slice]:
    """The non-empty slices of ``whole``, each of about ``target`` records at most.

    A range with too many records is cut into as many equal stretches of time as its count
    calls for (records are often spread evenly in time), the first time rounded up to a
    multiple of ``workers`` so that the last round of slices keeps every worker busy; only
    stretches still too full are cut again. Each round's counts are asked for together
    (``map_all``: on the pool), so planning costs a few round trips and about one count per
    slice.
    """
    done: list[Slice] = []
    level = [(whole, count(whole) if whole_count is None else whole_count)]
    while level:
        cutting: list[Slice] = []
        for position, (piece, records) in enumerate(level):
            # Slices this piece may become: the rest of the level keeps one each at least.
            budget = MAX_SLICES - len(done) - len(cutting) - (len(level) - position - 1)
            needed = -(-records // target)
            if piece == whole:  # the first cut: a multiple of the workers
                needed = -(-needed // workers) * workers
            wanted = min(needed, budget)
            parts = piece.parts(wanted) if records > target and wanted > 1 else [piece]
            if len(parts) == 1:
                if records:
                    done.append(piece)
            else:
                cutting.extend(parts)
        level = list(zip(cutting, map_all(count, cutting), strict=True))
    return sorted(done)


class _End:
    """Put after a slice's last record; carries the worker's error, if it had one."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class ParallelPass:
    """Plans a pass's slices, then reads them with one ``PassReader`` each, ``workers`` at a
    time, and yields their records slice after slice."""

    def __init__(
        self,
        label: str,
        plan_slices: Callable[[Mapper], tuple[Sequence[Piece], int]],
        reader_for: Callable[[Piece], PassReader],
        *,
        workers: int,
        logger: logging.Logger,
    ) -> None:
        self.label = label
        # What finished slices read and skipped, for the summary; their readers are let go
        # (a reader keeps its last page), so memory does not grow with the number of slices.
        self.finished: list[tuple[PagingSummary, list[Skipped]]] = []
        self._first: PassReader | None = None
        self._plan_slices = plan_slices
        self._reader_for = reader_for
        self._workers = workers
        self._buffered = 1
        self._logger = logger
        self._emitted = 0

    @property
    def emitted_any(self) -> bool:
        return self._emitted > 0

    @property
    def skipped_any(self) -> bool:
        return any(skipped for _, skipped in self.finished)

    def records(self) -> Iterator[Record]:
        with ThreadPoolExecutor(self._workers, thread_name_prefix=self.label) as pool:
            slices, self._buffered = self._plan_slices(lambda f, items: list(pool.map(f, items)))
            yield from self._in_order(slices, pool)

    def _in_order(self, slices: Sequence[Piece], pool: ThreadPoolExecutor) -> Iterator[Record]:
        stop = threading.Event()
        upcoming = iter(slices)
        running: deque[tuple[PassReader, queue.Queue[Any], Future[None]]] = deque()

        def start_next() -> None:
            for piece in itertools.islice(upcoming, 1):
                reader = self._reader_for(piece)
                self._first = self._first or reader
                buffer: queue.Queue[Any] = queue.Queue(maxsize=-(-self._buffered // CHUNK))
                running.append((reader, buffer, pool.submit(_fill, reader, buffer, stop)))

        for _ in range(self._workers):
            start_next()
        try:
            while running:
                reader, buffer, future = running.popleft()
                start_next()
                while not isinstance(item := buffer.get(), _End):
                    self._emitted += len(item)
                    yield from item
                if item.error is not None:
                    raise item.error
                future.result()
                paginator = reader.paginator
                self.finished.append((paginator.summary, paginator.narrowing.skipped))
        finally:
            stop.set()  # workers still filling a buffer give up at their next record

    def log_summary(self) -> None:
        """One line for the whole pass, as a single reader's (``PassReader.log_summary``)."""
        first = self._first
        if first is None:
            self._logger.info("%s: 0 records emitted (nothing in the range)", self.label)
            return
        total = first.paginator.summary
        for summary, skipped in self.finished[1:]:
            total.pages += summary.pages
            total.records += summary.records
            total.repeated += summary.repeated
            total.windows += summary.windows
            first.paginator.narrowing.skipped.extend(skipped)
        total.stopped_because = f"the end of {len(self.finished)} slices"
        first.log_summary()


def _fill(reader: PassReader, buffer: queue.Queue[Any], stop: threading.Event) -> None:
    """A worker: one slice's records into its buffer, a chunk at a time (a hand-over between
    threads per record would cost more than the record), then its end (and error, if any)."""
    end = _End()
    chunk: list[Record] = []
    try:
        for record in reader.records():
            chunk.append(record)
            if len(chunk) == CHUNK:
                if not _put(buffer, chunk, stop):
                    return
                chunk = []
    except BaseException as error:  # handed to the pass, which raises it in order
        end = _End(error)
    if chunk and not _put(buffer, chunk, stop):
        return
    _put(buffer, end, stop)


def _put(buffer: queue.Queue[Any], item: Any, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            buffer.put(item, timeout=0.1)
        except queue.Full:
            continue
        return True
    return False
