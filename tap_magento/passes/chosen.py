"""The pass over the records ``ids`` names: a reader per batch of keys, one after another."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from tap_magento.passes.reader import PassReader, log_summary
from tap_magento.passes.summary import PassSummary, Record
from tap_magento.search_criteria import Filter, all_of, filter_value

if TYPE_CHECKING:
    from tap_magento.passes.reader import PassSetup

# Keys per ``in`` filter: a request's URL stays a few KB long.
IDS_PER_REQUEST = 200


class ChosenRecordsPass:
    """Reads just the records with these keys, whatever their timestamps; keys the store does
    not have are named in one WARNING at the end."""

    def __init__(
        self,
        setup: PassSetup,
        *,
        keys: Sequence[str],
        search_field: str,
    ) -> None:
        self._setup = setup
        self._keys = keys
        self._search_field = search_field
        self._found: set[str] = set()
        self.summary = PassSummary()

    def records(self) -> Iterator[Record]:
        key_field = self._setup.spec.record_key[0]
        for batch in batches(self._keys):
            chosen = all_of(Filter(self._search_field, ",".join(batch), "in"))
            reader = PassReader(self._setup, bounds=chosen)
            for record in reader.records():
                self._found.add(filter_value(record.get(key_field)))
                yield record
            log_summary(self._setup, reader.summary)
            self.summary += reader.summary

    def log_summary(self) -> None:
        spec = self._setup.spec
        missing = [key for key in self._keys if key not in self._found]
        if missing:
            shown = ", ".join(missing[:20]) + (", ..." if len(missing) > 20 else "")
            spec.logger.warning(
                "%s: %d of the %d ids chosen are not in the store (or not in its filters): %s",
                spec.label,
                len(missing),
                len(self._keys),
                shown,
            )
        else:
            spec.logger.info("%s: all %d ids chosen were read", spec.label, len(self._keys))


def batches(keys: Sequence[str]) -> Iterator[tuple[str, ...]]:
    for start in range(0, len(keys), IDS_PER_REQUEST):
        yield tuple(keys[start : start + IDS_PER_REQUEST])
