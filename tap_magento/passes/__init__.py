"""The read path of one list: every kind of pass, and the one place that picks which reads it.

A pass reads one list of one partition (the orders; the products of one store view) once:
- ``reader.PassReader``: page after page, with the keyset cursor (``paging``), narrowing an
  unreadable page down to the record at fault (``narrowing``);
- ``parallel.ParallelPass``: the pass cut into slices read on several threads, emitted in
  order;
- ``chosen.ChosenRecordsPass``: the records ``ids`` names, a batch of keys at a time;
- the key pass of deletion detection: a reader of the list's keys alone (``KeysOnly``);
- the re-read of deletion detection is a whole pass over another range of the same list.

Streams hand a pass one ``spec.ListSpec`` and the run's ``StoreClient``; :func:`read` picks
the pass and reads it. A list that is one answer (no paging) is read by :func:`read_answer`.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from tap_magento.front_door.errors import PageSizeRefused
from tap_magento.passes.chosen import ChosenRecordsPass
from tap_magento.passes.decoding import decoded
from tap_magento.passes.parallel import ParallelPass
from tap_magento.passes.reader import PassReader, PassSetup, ReadSettings, log_summary
from tap_magento.passes.sizing import PageCeiling, PageSize
from tap_magento.passes.spec import ListSpec
from tap_magento.passes.summary import PassSummary, Record
from tap_magento.progress import Progress

if TYPE_CHECKING:
    from tap_magento.front_door.client import StoreClient, StoreRequest

__all__ = [
    "ChosenKeys",
    "Drained",
    "KeysOnly",
    "ListSpec",
    "ReadSettings",
    "WholeList",
    "read",
    "read_answer",
]


@dataclass(frozen=True)
class WholeList:
    """Every record of the source's range: in slices when the settings and the list allow."""


@dataclass(frozen=True)
class ChosenKeys:
    """Only the records with these keys (``search_field``: the key's searchCriteria name)."""

    keys: tuple[str, ...]
    search_field: str


# Keys per page of a key pass: a page of keys is small, though the store still loads whole
# records to answer it. A store that refuses it names its maximum, which is used instead.
KEY_PAGE_RECORDS = 2000


@dataclass(frozen=True)
class KeysOnly:
    """The list's keys alone, sorted by key, in pages of at least ``KEY_PAGE_RECORDS`` (the
    store's maximum if smaller)."""


Reading = WholeList | ChosenKeys | KeysOnly


class Pass(Protocol):
    """One pass of any kind: its records once, then how it went."""

    @property
    def summary(self) -> PassSummary: ...

    def records(self) -> Iterator[Record]: ...

    def log_summary(self) -> None: ...


def read(
    spec: ListSpec,
    settings: ReadSettings,
    client: StoreClient,
    reading: Reading = WholeList(),
) -> Generator[Record, None, PassSummary]:
    """Every record of one pass; returns its summary, after logging it.

    A store that refuses the page size before anything was read gets the pass again at the
    size it names (``settings.store_maximum`` keeps it for every later pass of the run).
    """
    keys_only = isinstance(reading, KeysOnly)
    label = f"{spec.label} keys" if keys_only else spec.label
    wanted = settings.page_size.wanted
    if keys_only:
        wanted = max(KEY_PAGE_RECORDS, wanted)
    ceiling = PageCeiling(settings.min_page_size)
    while True:
        progress = Progress(label, spec.logger, timestamp_field=spec.timestamp_field)
        sized = replace(settings, page_size=settings.store_maximum.page_size(wanted))
        setup = PassSetup(spec, client, sized, progress, ceiling)
        current = open_pass(setup, reading)
        try:
            yield from current.records()
        except PageSizeRefused as refusal:
            if current.summary.records:
                raise
            spec.logger.warning(
                "%s: the store refuses pages larger than %d records; continuing with %d "
                "(set page_size to %d to avoid this request).",
                label,
                refusal.maximum,
                refusal.maximum,
                refusal.maximum,
            )
            settings.store_maximum.lower_to(refusal.maximum)
            continue
        current.log_summary()
        _log_ceiling(label, setup, sized.page_size)
        return current.summary


def open_pass(setup: PassSetup, reading: Reading) -> Pass:
    """The one place that picks the pass that reads a list."""
    if isinstance(reading, ChosenKeys):
        return ChosenRecordsPass(setup, keys=reading.keys, search_field=reading.search_field)
    settings = setup.settings
    if isinstance(reading, KeysOnly):
        keys_setup = replace(setup, settings=replace(settings, pages_per_window=1))
        return _Sequential(PassReader(keys_setup, keys_only=True), setup)
    keyset = settings.pages_per_window == 1
    axis = setup.spec.axis
    if settings.workers > 1 and keyset and axis is not None:
        return ParallelPass(setup, axis)
    return _Sequential(PassReader(setup), setup)


def read_answer(request: StoreRequest, client: StoreClient, label: str) -> Iterator[Any]:
    """The records of an endpoint that answers one JSON array (or one object) with
    everything: one request a pass."""
    logger = request.asker.logger
    progress = Progress(label, logger, timestamp_field=None)
    body = decoded(client.ask(request, progress))
    for record in body if isinstance(body, list) else [body]:
        progress.emitted(record)
        yield record
    logger.info(
        "%s: %d records emitted in %.1f s; %s",
        progress.label,
        progress.records,
        progress.elapsed_seconds(),
        progress.retry_summary(),
    )


def _log_ceiling(label: str, setup: PassSetup, page_size: PageSize) -> None:
    ceiling, logger = setup.ceiling, setup.spec.logger
    if ceiling.cuts:
        logger.info(
            "%s: the store's gateway cut %d pages; pages went down to %d and ended at %d. A "
            "page_size of %d would avoid the cuts.",
            label,
            ceiling.cuts,
            ceiling.smallest,
            ceiling.limit(page_size),
            ceiling.smallest,
        )
    if ceiling.heavy:
        logger.info(
            "%s: %d pages held more than %.0f MiB of JSON; pages went down to %d and ended at %d.",
            label,
            ceiling.heavy,
            ceiling.page_bytes / 2**20,
            ceiling.heavy_smallest,
            ceiling.limit(page_size),
        )


class _Sequential:
    """One reader, as a pass."""

    def __init__(self, reader: PassReader, setup: PassSetup) -> None:
        self._reader = reader
        self._setup = setup

    @property
    def summary(self) -> PassSummary:
        return self._reader.summary

    def records(self) -> Iterator[Record]:
        return self._reader.records()

    def log_summary(self) -> None:
        log_summary(self._setup, self.summary)


class Drained:
    """A pass's records to iterate once; then its ``summary``."""

    def __init__(self, reading: Generator[Record, None, PassSummary]) -> None:
        self._reading = reading
        self.summary = PassSummary()

    def __iter__(self) -> Iterator[Record]:
        self.summary = yield from self._reading
