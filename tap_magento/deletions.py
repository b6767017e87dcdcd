"""Deleted records: the keys a list had at the last run and no longer has.

Magento's REST API never says that something was deleted. So, for the streams named in
``detect_deletions``, a run also reads the list's whole key set (``fields=items[<key>]``, keyset
pages sorted by the key) and compares it with the key set the last run saved in STATE. A key
that disappeared reaches the target as a record of the stream carrying ``_sdc_deleted_at``.

The key set is kept as ranges of consecutive keys, so it stays small when keys are mostly
contiguous (a store's ids are an auto-increment). Only a key pass that read the whole list,
skipping nothing, may report deletions or replace the saved set: a run that fails halfway, or
one record the store cannot render, reports nothing and keeps the last complete set.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

# Where a stream's (or partition's) STATE keeps its key set: [gap, length, gap, length, ...],
# each range as the distance from the end of the one before (from 0 for the first) and the
# number of keys in it. A million keys with 1% deleted at random: about 100 KB.
STATE_FIELD = "key_ranges"
# About 1 MB of STATE. A key set more fragmented than this is not saved (see docs/deletions.md).
MAX_KEY_RANGES = 100_000


def deleted_keys(state: dict[str, Any], present: KeyRanges) -> Iterator[int]:
    """The keys the set saved in ``state`` has and ``present`` has not; none the first time.

    ``state``: the stream's (or partition's) STATE, which keeps the set between runs.
    """
    saved = state.get(STATE_FIELD)
    if saved is not None:
        yield from KeyRanges.from_state(saved).missing_from(present)


def save_keys(
    state: dict[str, Any], present: KeyRanges, deleted: int, label: str, logger: logging.Logger
) -> None:
    """Keep ``present`` for the next run, once its deletions were delivered (so a run stopped
    on the way reports them again rather than never); past ``MAX_KEY_RANGES``, drop it."""
    first = STATE_FIELD not in state
    if len(present) > MAX_KEY_RANGES:
        logger.warning(
            "%s: %d keys in %d ranges: too fragmented to keep in STATE (the bound is %d "
            "ranges); deletions are not looked for (docs/deletions.md in the tap's repository).",
            label,
            present.count(),
            len(present),
            MAX_KEY_RANGES,
        )
        state.pop(STATE_FIELD, None)
        return
    state[STATE_FIELD] = present.to_state()
    logger.info(
        "%s: %d keys in %d ranges; %s",
        label,
        present.count(),
        len(present),
        "the first key pass: deletions are reported from the next run on"
        if first
        else f"{deleted} deleted since the last run",
    )


class KeyRanges:
    """A set of integer keys as sorted, disjoint ranges ``(first, last)``."""

    def __init__(self, ranges: Iterable[tuple[int, int]] = ()) -> None:
        self.ranges: list[tuple[int, int]] = list(ranges)

    @classmethod
    def of(cls, keys: Iterable[int]) -> KeyRanges:
        """From keys in ascending order (repeats allowed)."""
        ranges = cls()
        for key in keys:
            ranges.add(key)
        return ranges

    def add(self, key: int) -> None:
        """Add a key no smaller than any added before."""
        if self.ranges:
            first, last = self.ranges[-1]
            if key < last:
                msg = f"keys must come in ascending order: {key} after {last}"
                raise ValueError(msg)
            if key <= last + 1:
                self.ranges[-1] = (first, key)
                return
        self.ranges.append((key, key))

    def __len__(self) -> int:
        return len(self.ranges)

    def count(self) -> int:
        return sum(last - first + 1 for first, last in self.ranges)

    def missing_from(self, other: KeyRanges) -> Iterator[int]:
        """The keys of this set that ``other`` does not have, in ascending order."""
        theirs = iter(other.ranges)
        current = next(theirs, None)
        for first, last in self.ranges:
            key = first
            while key <= last:
                while current is not None and current[1] < key:
                    current = next(theirs, None)
                if current is None or key < current[0]:
                    stop = last if current is None else min(last, current[0] - 1)
                    yield from range(key, stop + 1)
                    key = stop + 1
                else:
                    key = current[1] + 1

    def to_state(self) -> list[int]:
        encoded: list[int] = []
        end = 0
        for first, last in self.ranges:
            encoded += [first - end, last - first + 1]
            end = last
        return encoded

    @classmethod
    def from_state(cls, encoded: Any) -> KeyRanges:
        """The saved form back; ValueError when it is not one."""
        if (
            not isinstance(encoded, list)
            or len(encoded) % 2
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in encoded)
        ):
            msg = "it must be a list of non-negative integers, in pairs"
            raise ValueError(msg)
        ranges: list[tuple[int, int]] = []
        end = 0
        for gap, length in _pairs(encoded):
            if length < 1 or (ranges and gap < 2):
                msg = "its ranges must be non-empty and apart"
                raise ValueError(msg)
            first = end + gap
            ranges.append((first, first + length - 1))
            end = first + length - 1
        return cls(ranges)


def _pairs(numbers: list[int]) -> Iterator[tuple[int, int]]:
    it = iter(numbers)
    return zip(it, it, strict=True)
