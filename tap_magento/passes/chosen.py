"""The pass over the records ``ids`` names: a reader per batch of keys, one after another."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from tap_magento.choices import filter_value
from tap_magento.passes.reader import PassReader, PassRun, ReadSettings, log_summary
from tap_magento.passes.summary import PassSummary, Record
from tap_magento.search_criteria import Filter, all_of

if TYPE_CHECKING:
    from tap_magento.passes.source import ListSource
    from tap_magento.progress import Progress

# Keys per ``in`` filter: a request's URL stays a few KB long.
IDS_PER_REQUEST = 200


class ChosenRecordsPass:
    """Reads just the records with these keys, whatever their timestamps; keys the store does
    not have are named in one WARNING at the end."""

    def __init__(
        self,
        source: ListSource,
        settings: ReadSettings,
        progress: Progress,
        run: PassRun,
        *,
        keys: Sequence[str],
        search_field: str,
    ) -> None:
        self._source = source
        self._settings = settings
        self._progress = progress
        self._run = run
        self._keys = keys
        self._search_field = search_field
        self._found: set[str] = set()
        self.summary = PassSummary()

    def records(self) -> Iterator[Record]:
        key_field = self._source.record_key[0]
        for batch in batches(self._keys):
            reader = PassReader(
                self._source, self._settings, self._progress, self._run,
                bounds=all_of(Filter(self._search_field, ",".join(batch), "in")),
            )  # fmt: skip
            for record in reader.records():
                self._found.add(filter_value(record.get(key_field)))
                yield record
            log_summary(self._source, self._progress, reader.summary)
            self.summary += reader.summary

    def log_summary(self) -> None:
        source = self._source
        missing = [key for key in self._keys if key not in self._found]
        if missing:
            shown = ", ".join(missing[:20]) + (", ..." if len(missing) > 20 else "")
            source.logger.warning(
                "%s: %d of the %d ids chosen are not in the store (or not in its filters): %s",
                source.label, len(missing), len(self._keys), shown,
            )  # fmt: skip
        else:
            source.logger.info("%s: all %d ids chosen were read", source.label, len(self._keys))


def batches(keys: Sequence[str]) -> Iterator[tuple[str, ...]]:
    for start in range(0, len(keys), IDS_PER_REQUEST):
        yield tuple(keys[start : start + IDS_PER_REQUEST])
