"""What a pass read, skipped and dropped: summaries that add up across slices and batches."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]

# Repeated keys named in a pass's summary line, at most.
SHOWN_REPEATS = 10


@dataclass(frozen=True)
class Skipped:
    """Records the store could not render, left out of the sync.

    ``identity`` is what the store still told about it (its key and cursor fields, asked for
    with ``fields``). When it could not even say that, the record was stepped past by
    position: ``after`` and ``before`` are the readable records on either side of it.
    """

    reason: str
    identity: Record | None = None
    after: Record | None = None
    before: Record | None = None
    count: int = 1


@dataclass(frozen=True)
class PassSummary:
    """How a pass (or a part of one) went; ``a + b`` is both parts read one after the other."""

    records: int = 0
    pages: int = 0
    windows: int = 0
    repeated: int = 0
    repeated_keys: tuple[Hashable, ...] = ()  # the first few, for the log
    skipped: tuple[Skipped, ...] = ()
    stopped_because: str = "not started"

    def __add__(self, other: PassSummary) -> PassSummary:
        return PassSummary(
            records=self.records + other.records,
            pages=self.pages + other.pages,
            windows=self.windows + other.windows,
            repeated=self.repeated + other.repeated,
            repeated_keys=(*self.repeated_keys, *other.repeated_keys)[:SHOWN_REPEATS],
            skipped=(*self.skipped, *other.skipped),
            stopped_because=other.stopped_because,
        )

    @property
    def skipped_records(self) -> int:
        return sum(skipped.count for skipped in self.skipped)
