"""The stretch of time one run reads, fixed when it starts and handed down to every pass."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tap_magento.search_criteria import Filter
from tap_magento.timestamps import parse_setting, to_magento


@dataclass(frozen=True)
class RunWindow:
    """From a bookmark (or ``start_date``) less the lookback, up to the run's start or
    ``end_date``.

    The upper bound is fixed when the run starts, so a busy store cannot keep a sync chasing
    its own changes; those are the next run's. ``end_date`` is exclusive, so that ranges can be
    laid end to end: one job reads up to ``end_date`` M and the next from ``start_date`` M, and
    a record stamped at M is read by the second only. The lookback re-reads a little: Magento
    stamps ``updated_at`` when a transaction starts, and it may commit after a sync has passed
    that second.
    """

    started_at: datetime.datetime  # whole seconds, UTC
    start_date: datetime.datetime | None = None
    end_date: datetime.datetime | None = None
    lookback: datetime.timedelta = datetime.timedelta(0)
    # ``stream_start_dates``: a stream's own start, instead of ``start_date``.
    stream_starts: Mapping[str, datetime.datetime] = field(default_factory=dict)

    @classmethod
    def of(cls, config: Mapping[str, Any], started_at: datetime.datetime) -> RunWindow:
        start_date, end_date = config.get("start_date"), config.get("end_date")
        starts = config.get("stream_start_dates") or {}
        return cls(
            started_at=started_at,
            start_date=parse_setting(start_date) if start_date else None,
            end_date=parse_setting(end_date) if end_date else None,
            lookback=datetime.timedelta(seconds=config.get("lookback_seconds") or 0),
            stream_starts={name: parse_setting(value) for name, value in starts.items()},
        )

    def start_of(self, stream: str) -> datetime.datetime | None:
        """Where ``stream`` starts without a bookmark: its own start, else ``start_date``."""
        return self.stream_starts.get(stream, self.start_date)

    def lower(self, bookmark: datetime.datetime | None, stream: str) -> datetime.datetime | None:
        """Where a pass starts: the bookmark less the lookback, not before the stream's start."""
        start = self.start_of(stream)
        if bookmark is None:
            return start
        earliest = bookmark - self.lookback
        return max(earliest, start) if start else earliest

    def upper_filter(self, field: str) -> Filter:
        """Up to the run's start (inclusive), or before ``end_date`` when it is earlier."""
        if self.end_date is not None and self.end_date <= self.started_at:
            return Filter(field, to_magento(self.end_date), "lt")
        return Filter(field, to_magento(self.started_at), "lteq")
