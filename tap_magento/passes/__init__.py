"""The read path of one list: every kind of pass, and the one place that picks which reads it.

A pass reads one list of one partition (the orders; the products of one store view) once:
- ``reader.PassReader``: page after page, with the keyset cursor (``paging``), narrowing an
  unreadable page down to the record at fault (``narrowing``);
- ``parallel.ParallelPass``: the pass cut into slices read on several threads, emitted in
  order;
- ``chosen.ChosenRecordsPass``: the records ``ids`` names, a batch of keys at a time;
- the key pass of deletion detection: a reader of the list's keys alone (``KeysOnly``);
- the re-read of deletion detection is a whole pass over another range of the same list.

Streams hand a pass one ``source.ListSource``; :func:`read` picks the pass and reads it.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from tap_magento.errors import PageSizeRefused
from tap_magento.passes.chosen import ChosenRecordsPass
from tap_magento.passes.parallel import ParallelPass
from tap_magento.passes.reader import PassReader, PassRun, ReadSettings, log_summary
from tap_magento.passes.sizing import PageCeiling
from tap_magento.passes.summary import PassSummary, Record
from tap_magento.progress import Progress

if TYPE_CHECKING:
    from tap_magento.connection import PageSizeLimit
    from tap_magento.passes.source import ListSource
    from tap_magento.stopping import Clock, Stop

__all__ = ["ChosenKeys", "Drained", "KeysOnly", "ReadSettings", "WholeList", "read"]


@dataclass(frozen=True)
class WholeList:
    """Every record of the source's range: in slices when the settings and the list allow."""


@dataclass(frozen=True)
class ChosenKeys:
    """Only the records with these keys (``search_field``: the key's searchCriteria name)."""

    keys: tuple[str, ...]
    search_field: str


@dataclass(frozen=True)
class KeysOnly:
    """The list's keys alone, sorted by key, ``page_size`` a page (the store's maximum if
    smaller)."""

    page_size: int


Reading = WholeList | ChosenKeys | KeysOnly


class Store(Protocol):
    """What the passes of a run share about the store (``connection.MagentoConnection``)."""

    @property
    def page_size(self) -> PageSizeLimit:
        """The largest page the store accepts, once it has said."""
        ...

    @property
    def clock(self) -> Clock: ...

    @property
    def stop(self) -> Stop: ...


class Pass(Protocol):
    """One pass of any kind: its records once, then how it went."""

    @property
    def summary(self) -> PassSummary: ...

    def records(self) -> Iterator[Record]: ...

    def log_summary(self) -> None: ...


def read(
    source: ListSource,
    settings: ReadSettings,
    store: Store,
    reading: Reading = WholeList(),
) -> Generator[Record, None, PassSummary]:
    """Every record of one pass; returns its summary, after logging it.

    A store that refuses the page size before anything was read gets the pass again at the
    size it names (``store.page_size`` keeps it for every later pass of the run).
    """
    label = f"{source.label} keys" if isinstance(reading, KeysOnly) else source.label
    wanted = reading.page_size if isinstance(reading, KeysOnly) else settings.page_size
    limit = store.page_size
    run = PassRun(store.clock, store.stop, PageCeiling(settings.min_page_size))
    while True:
        progress = Progress(label, source.logger, timestamp_field=source.timestamp_field)
        sized = replace(settings, page_size=limit.at_most(wanted), largest_page=limit.store_maximum)
        current = open_pass(source, sized, progress, run, reading)
        try:
            yield from current.records()
        except PageSizeRefused as refusal:
            if current.summary.records:
                raise
            source.logger.warning(
                "%s: the store refuses pages larger than %d records; continuing with %d "
                "(set page_size to %d to avoid this request).",
                label, refusal.maximum, refusal.maximum, refusal.maximum,
            )  # fmt: skip
            limit.lower_to(refusal.maximum)
            continue
        current.log_summary()
        _log_cuts(label, source, run.ceiling, sized.page_size)
        return current.summary


def open_pass(
    source: ListSource, settings: ReadSettings, progress: Progress, run: PassRun, reading: Reading
) -> Pass:
    """The one place that picks the pass that reads a list."""
    if isinstance(reading, ChosenKeys):
        return ChosenRecordsPass(source, settings, progress, run, keys=reading.keys,
                                 search_field=reading.search_field)  # fmt: skip
    if isinstance(reading, KeysOnly):
        return _Sequential(PassReader(source, replace(settings, pages_per_window=1), progress,
                                      run, keys_only=True), source, progress)  # fmt: skip
    keyset = settings.pages_per_window == 1
    if settings.workers > 1 and keyset and source.axis is not None:
        return ParallelPass(source, source.axis, settings, progress, run)
    return _Sequential(PassReader(source, settings, progress, run), source, progress)


def _log_cuts(label: str, source: ListSource, ceiling: PageCeiling, page_size: int) -> None:
    if ceiling.cuts:
        source.logger.info(
            "%s: the store's gateway cut %d pages; pages went down to %d and ended at %d. A "
            "page_size of %d would avoid the cuts.",
            label, ceiling.cuts, ceiling.smallest, ceiling.limit(page_size), ceiling.smallest,
        )  # fmt: skip
    if ceiling.heavy:
        source.logger.info(
            "%s: %d pages held more than %.0f MiB of JSON; pages went down to %d and ended "
            "at %d.",
            label, ceiling.heavy, ceiling.page_bytes / 2**20, ceiling.heavy_smallest,
            ceiling.limit(page_size),
        )  # fmt: skip


class _Sequential:
    """One reader, as a pass."""

    def __init__(self, reader: PassReader, source: ListSource, progress: Progress) -> None:
        self._reader = reader
        self._source = source
        self._progress = progress

    @property
    def summary(self) -> PassSummary:
        return self._reader.summary

    def records(self) -> Iterator[Record]:
        return self._reader.records()

    def log_summary(self) -> None:
        log_summary(self._source, self._progress, self.summary)


class Drained:
    """A pass's records to iterate once; then its ``summary``."""

    def __init__(self, reading: Generator[Record, None, PassSummary]) -> None:
        self._reading = reading
        self.summary = PassSummary()

    def __iter__(self) -> Iterator[Record]:
        self.summary = yield from self._reading
