"""One pass read in parallel: its range cut into slices as workers free up, emitted in order.

A slow store takes seconds per page, and one reader waits for each page before asking for the
next. So a pass is cut into slices along the field its list is sorted on first (the timestamp
of an incremental pass, in whole seconds; the integer key of a full-table list), and each slice
is read by its own ``PassReader`` with the keyset cursor, on ``workers`` threads.

Planning costs two requests, sent together: the pass's first page of one tells where its
range starts, how many records it holds (``total_count``) and how big one of them is; a page
of one sorted the other way tells where it ends. ``SlicePlan`` then cuts
slices off the front of what is left, as workers ask for them, assuming the records left are
spread evenly over the range left; each finished slice's real count corrects that. A slice is
sized in whole pages, fewer towards the end, so that the workers finish together.

Records are emitted slice after slice, so they keep the cursor's order and a STATE message
never covers records not yet emitted. Workers hand the pass each record's JSON, and the pass
decodes it as it emits it (``decoding``): what it holds is the store's JSON, a fifth of what
the records take decoded, and each record is decoded, written and let go while still in the
processor's cache. What a pass holds is budgeted in JSON bytes, within ``MEMORY_BYTES``: the
pages being read and handed over (half of it: all workers at once when pages are small, fewer
when a page of full orders takes 6 MB; the slice being emitted is never held back), and the
records read ahead (the rest, at least a page, at most a slice per worker). A record weighs
its own JSON: a wholesale order of a thousand lines weighs what it really holds, not what an
ordinary one does. A worker that would go beyond either waits for the pass to catch up, still
holding its response; slices are no bigger than the workers' share of what may be read ahead.
How slices are cut is described in ``SlicePlan``.
"""

from __future__ import annotations

import bisect
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING

from tap_magento.front_door.errors import UnreadableRecords
from tap_magento.front_door.stopping import POLL_SECONDS
from tap_magento.passes.cursor import Cursor
from tap_magento.passes.decoding import RecordJson
from tap_magento.passes.reader import PassReader, PassSetup, ReadSettings, log_summary
from tap_magento.passes.summary import PassSummary, Record

if TYPE_CHECKING:
    from tap_magento.front_door.stopping import Stop
    from tap_magento.passes.decoding import Page
    from tap_magento.passes.spec import SliceAxis

# The JSON a parallel pass may hold: the pages in hand, and the records read ahead of the one
# being emitted. A full order takes 15 KB of JSON, so a page of 390 takes 6 MB (28 MB decoded).
MEMORY_BYTES = 48 * 2**20
# A slice holds at most this many pages: enough that a slice's partly filled last page is a
# small share of its requests.
MAX_SLICE_PAGES = 16
# A slice's pages are asked for this much bigger than ``page_size``, and slices aim at this
# many records a page: records are not spread exactly evenly, and a few more than the pages
# hold would cost one more request. Up to the store's maximum page size, when it has told it.
ASKED_PAGE_FACTOR = 1.3
AIMED_PAGE = 1.1


@dataclass(frozen=True, order=True)
class Slice:
    """Records whose slicing position is at or after ``lower`` and before ``upper``."""

    lower: int
    upper: int


class SlicePlan:
    """Cuts a range into slices from its front, one each time a worker asks.

    ``records``: how many the range holds (the store's ``total_count``). Each slice aims at
    ``page_size`` records (a page's aim: a page asked for holds a few more) a whole number of
    times: as many pages as keep every worker busy with what is left
    (``left / (workers * page_size)``), at least one and at most ``max_pages``.

    The records left are assumed to be spread evenly over what is left of the range, and each
    finished slice's real count corrects how many are left. A slice that comes back with
    hardly any of the records it was cut for (an eighth) means they lie further on, bunched
    (a bulk update's one second at the end of a range) or past a gap: each such slice in a
    row doubles the next ones' span, so that they are reached in a few slices, not in a crawl
    of thinner and thinner ones.

    The last record's second (or key) is a slice of its own: the planner knows where it is,
    and a range's end is where its records bunch most (a mass action or an import just before
    the run stamps many records with one second). It is cut with the last round of slices, so
    that it is read beside them rather than after them, and what it holds corrects the count
    left for them. It is still emitted last: the pass does not take it up while a part of the
    range below it is not cut yet (``uncut_below``).
    """

    def __init__(
        self, whole: Slice, records: int, page_size: int, workers: int, max_pages: int
    ) -> None:
        self._next = whole.lower
        self._last = max(whole.lower, whole.upper - 1)  # the last position's own slice
        self._end = self._last
        self._tail_cut = False
        self._page_size = page_size
        self._workers = workers
        self._max_pages = max_pages
        self._unassigned = float(records)  # records estimated in [_next, _end)
        self._expected: dict[Slice, float] = {}  # slices under way: records assumed in each
        self._stretch = 1  # how many times longer than even slices are cut

    def cut(self) -> Slice | None:
        """The next slice, or None when the range is all cut."""
        span = self._end - self._next
        left = max(self._unassigned, 1.0)
        if not self._tail_cut and (span <= 0 or left <= self._workers * self._page_size):
            self._tail_cut = True
            tail = Slice(self._last, self._last + 1)
            self._expected[tail] = 0.0  # unknown: what it holds corrects nothing
            return tail
        if span <= 0:
            return None
        pages = min(self._max_pages, max(1, int(left // (self._workers * self._page_size))))
        density = left / span / self._stretch
        steps = max(1, min(span, round(pages * self._page_size / density)))
        piece = Slice(self._next, self._next + steps)
        expected = min(left, left * steps / span)
        self._expected[piece] = expected
        self._unassigned -= expected
        self._next = piece.upper
        return piece

    def uncut_below(self, piece: Slice) -> bool:
        """Is a part of the range below ``piece`` still to be cut (the tail's case)?"""
        return self._next < min(self._end, piece.lower)

    def finished(self, piece: Slice, records: int) -> None:
        """``piece`` held ``records``: what is left holds the difference fewer (or more)."""
        expected = self._expected.pop(piece, float(records))
        self._unassigned = max(0.0, self._unassigned + expected - records)
        if piece.lower == self._last:  # its records were counted as spread over the range
            return
        if records < expected / 8:
            self._stretch = min(2 * self._stretch, 2**20)
        elif records >= expected / 2:
            self._stretch = 1


class ParallelPass:
    """A pass over ``source`` in slices of its ``axis``, read on ``settings.workers`` threads
    and emitted in order; a pass whose first record the store cannot render is read by one
    reader, which narrows such pages down."""

    def __init__(self, setup: PassSetup, axis: SliceAxis) -> None:
        self._setup = setup
        self._axis = axis
        self.summary = PassSummary()

    def records(self) -> Iterator[Record]:
        setup = self._setup
        try:
            schedule = self._schedule()
        except UnreadableRecords:
            setup.spec.logger.info(
                "%s: a record it cannot render: read by one reader", setup.progress.label
            )
            reader = PassReader(setup)
            yield from reader.records()
            self.summary = reader.summary
            return
        if schedule is None:
            self.summary = PassSummary(stopped_because="nothing in the range")
            return
        workers = [
            threading.Thread(
                target=self._work,
                args=(schedule,),
                daemon=True,
                name=f"{setup.progress.label} {number}",
            )
            for number in range(setup.settings.workers)
        ]
        for worker in workers:
            worker.start()
        slices = 0
        try:
            while (slot := schedule.head()) is not None:
                while (chunk := schedule.take(slot)) is not None:
                    yield from map(RecordJson.decoded, chunk)
                if slot.error is not None:
                    raise slot.error
                self.summary += slot.summary
                slices += 1
        finally:
            schedule.stop()
            # A stopped run does not wait for answers its workers still wait for: they send
            # nothing more, and end with the process.
            if not setup.client.stop.requested:
                for worker in workers:
                    worker.join()
        self.summary = replace(self.summary, stopped_because=f"the end of {slices} slices")

    def _schedule(self) -> _Schedule | None:
        """The plan, from the pass's first and last records (asked for together, a page of one
        each way): None when the range holds nothing."""
        setup = self._setup
        settings, stop = setup.settings, setup.client.stop

        def edge(from_end: bool) -> Page:
            cursor = Cursor(size=1, from_end=from_end, bounds=setup.spec.bounds)
            return setup.page(setup.ask(cursor))

        last_edge = _InThread(partial(edge, True), f"{setup.progress.label} plan")
        first = edge(False)
        last = last_edge.result(stop)
        if not first.records:
            return None
        asked_page = settings.page_size.scaled(ASKED_PAGE_FACTOR)
        asked = asked_page.value
        aim = max(1, int(asked * AIMED_PAGE / ASKED_PAGE_FACTOR))
        workers = settings.workers
        record_json = max(1, len(first.texts[0]))
        page_bytes = asked * record_json
        hands = max(1, min(workers, MEMORY_BYTES // 2 // page_bytes))
        ahead = max(page_bytes, MEMORY_BYTES - hands * page_bytes) // record_json
        budget = min(ahead, workers * MAX_SLICE_PAGES * aim)
        max_pages = max(1, min(MAX_SLICE_PAGES, budget // (workers * aim)))
        memory = _Memory(budget * record_json, hands * page_bytes)
        lower = self._axis.position(first.records[0])
        upper = self._axis.position((last.records or first.records)[-1]) + 1
        whole = Slice(lower, max(upper, lower + 1))
        plan = SlicePlan(whole, self._records(first, whole), aim, workers, max_pages)
        return _Schedule(plan, replace(settings, page_size=asked_page), memory, stop)

    def _records(self, first: Page, whole: Slice) -> int:
        """How many records the range holds: the store's ``total_count``; for a list that
        answers none (``products-render-info``), one per key of an integer range (keys of a
        table are dense, and each finished slice's count corrects the guess)."""
        if first.total_count is not None:
            return int(first.total_count or 1)
        return 1 if self._axis.timestamp else max(1, whole.upper - whole.lower)

    def _work(self, schedule: _Schedule) -> None:
        """A worker: slice after slice, each read into its slot a page at a time."""
        setup = replace(self._setup, settings=schedule.settings)
        while (slot := schedule.start()) is not None:
            reader = PassReader(
                setup,
                bounds=self._axis.bounds(slot.piece.lower, slot.piece.upper),
                holding=partial(schedule.holding, slot),
            )
            try:
                if not self._fill(reader, slot, schedule):
                    return  # the pass stopped
            except BaseException as error:  # handed to the pass, which raises it in order
                schedule.finish(slot, reader.summary, error)
                return
            schedule.finish(slot, reader.summary, None)

    @staticmethod
    def _fill(reader: PassReader, slot: _Slot, schedule: _Schedule) -> bool:
        """A slice's records handed to the pass a page at a time: a hand-over between
        threads per record would cost more than the record."""
        for chunk in reader.page_jsons():
            json_bytes = sum(len(record.text) for record in chunk)
            if chunk and not schedule.put(slot, chunk, json_bytes):
                return False
        return True

    def log_summary(self) -> None:
        log_summary(self._setup, self.summary)


@dataclass(frozen=True)
class _Memory:
    """What a parallel pass may hold, in JSON bytes."""

    read_ahead: int  # records waiting to be emitted
    in_hand: int  # pages being read and handed over


@dataclass(eq=False)
class _Slot:
    """A slice cut and not yet emitted: its records waiting, a page at a time, each with
    its JSON bytes."""

    piece: Slice
    chunks: deque[tuple[list[RecordJson], int]] = field(default_factory=deque)
    done: bool = False
    error: BaseException | None = None
    summary: PassSummary = field(default_factory=PassSummary)


class _Schedule:
    """What the workers and the pass share, behind one lock: the plan, the slots in order,
    and how many records they hold. Workers wait for room (``_room``), the pass for records
    (``_ready``): each side wakes only the other."""

    def __init__(
        self, plan: SlicePlan, settings: ReadSettings, memory: _Memory, stop: Stop
    ) -> None:
        self._plan = plan
        self._run_stop = stop
        self.settings = settings  # how the slices' readers read: their pages a little bigger
        self.memory = memory
        self._budget = memory.read_ahead
        self._in_hand = 0  # JSON bytes of the pages being read and handed over
        self._slots: list[_Slot] = []  # in the order of their slices (emission order)
        self._buffered = 0
        self._all_cut = False
        self._stopped = False
        lock = threading.Lock()
        self._room = threading.Condition(lock)
        self._ready = threading.Condition(lock)

    # --- the workers' side ----------------------------------------------------------------

    def start(self) -> _Slot | None:
        """A new slice to read; None: nothing left. A worker between slices holds no records,
        so it may start at once: its page is budgeted as one in hand (``holding``)."""
        with self._room:
            piece = None if self._stopped or self._all_cut else self._plan.cut()
            if piece is None:
                self._all_cut = True
                self._ready.notify()
                return None
            slot = _Slot(piece)
            bisect.insort(self._slots, slot, key=lambda cut: cut.piece)
            self._ready.notify()
            return slot

    @contextmanager
    def holding(self, slot: _Slot, json_bytes: int) -> Iterator[None]:
        """While a worker holds a page of ``json_bytes`` and hands it over: within what
        pages in hand may take (one page at least), unless its slice is the one being
        emitted (the pass waits for it)."""
        with self._room:
            while (
                not self._stopped
                and self._in_hand
                and self._in_hand + json_bytes > self.memory.in_hand
                and slot is not self._head
            ):
                self._wait(self._room)
            self._in_hand += json_bytes
        try:
            yield
        finally:
            with self._room:
                self._in_hand -= json_bytes
                self._room.notify_all()

    def put(self, slot: _Slot, chunk: list[RecordJson], json_bytes: int) -> bool:
        """Hold ``chunk`` (records of ``json_bytes``) for the pass; False when the pass has
        stopped. Only the slice being emitted may go beyond the budget, by a chunk, when the
        pass is waiting for it."""
        with self._room:
            while (
                not self._stopped
                and self._buffered
                and self._buffered + json_bytes > self._budget
                and not (slot is self._head and not slot.chunks)
            ):
                self._wait(self._room)
            if self._stopped:
                return False
            slot.chunks.append((chunk, json_bytes))
            self._buffered += json_bytes
            self._ready.notify()
            return True

    def finish(self, slot: _Slot, summary: PassSummary, error: BaseException | None) -> None:
        with self._room:
            slot.done, slot.summary, slot.error = True, summary, error
            self._plan.finished(slot.piece, summary.records)
            if error is not None:  # nothing is cut after a failure: the pass will stop there
                self._all_cut = True
            self._ready.notify()

    # --- the pass's side ------------------------------------------------------------------

    def head(self) -> _Slot | None:
        """The next slice to emit, once it and every slice below it are cut; None when every
        slice has been emitted."""
        with self._ready:
            while self._waiting_for_a_cut():
                self._wait(self._ready)
            return self._head

    def _waiting_for_a_cut(self) -> bool:
        if self._all_cut:
            return False
        head = self._head
        return head is None or self._plan.uncut_below(head.piece)

    def take(self, slot: _Slot) -> list[RecordJson] | None:
        """The head slice's next chunk; None when it has no more (it is then let go)."""
        with self._ready:
            while not slot.chunks and not slot.done:
                self._wait(self._ready)
            if slot.chunks:
                chunk, weight = slot.chunks.popleft()
                before = self._buffered
                self._buffered -= weight
                # Room again: workers wake once a quarter of the budget is free, not at
                # every chunk (waking them costs more than a chunk of lean records); and
                # when the slice being emitted has nothing left, its reader may hand on more.
                if before > self._budget * 3 // 4 >= self._buffered or not slot.chunks:
                    self._room.notify_all()
                return chunk
            self._slots.remove(slot)  # the lowest: nothing is cut below a slice taken up
            self._room.notify_all()  # a worker waiting for room may hold the new head
            return None

    def stop(self) -> None:
        with self._room:
            self._stopped = True
            self._room.notify_all()
            self._ready.notify_all()

    @property
    def _head(self) -> _Slot | None:
        return self._slots[0] if self._slots else None

    def _wait(self, condition: threading.Condition) -> None:
        """Wait to be woken, or for the run to be told to stop (``Cancelled``)."""
        condition.wait(POLL_SECONDS)
        self._run_stop.check()


class _InThread:
    """A call run on a thread of its own, whose result a stopped run does not wait for."""

    def __init__(self, call: Callable[[], Page], name: str) -> None:
        self._call = call
        self._done = threading.Event()
        self._page: Page | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._call_and_keep, name=name, daemon=True).start()

    def _call_and_keep(self) -> None:
        try:
            self._page = self._call()
        except BaseException as error:  # raised in the thread that asks for the result
            self._error = error
        finally:
            self._done.set()

    def result(self, stop: Stop) -> Page:
        while not self._done.wait(POLL_SECONDS):
            stop.check()
        if self._error is not None:
            raise self._error
        assert self._page is not None
        return self._page
