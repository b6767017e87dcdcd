"""Progress a person can follow: a stream's pass in one INFO line every few seconds.

A line per page would flood a log on a store of millions of orders (thousands of pages), and
nothing at all for an hour looks like a hang. So the counts are kept on every request, page,
record and retry, and written out only when ``every_seconds`` have passed since the last line.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from singer_sdk.metrics import METRICS_LOGGER_NAME, Metric, MetricExclusionFilter

from tap_magento.timestamps import to_rfc3339

REPORT_EVERY_SECONDS = 5.0


class Progress:
    """One pass of one stream (one partition): what it has done so far, and how fast."""

    def __init__(
        self,
        label: str,
        logger: logging.Logger,
        every_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        timestamp_field: str | None = "updated_at",
    ) -> None:
        self.label = label
        self.timestamp_field = timestamp_field
        self.logger = logger
        # Read at construction, not import, so a test can make lines come sooner.
        self.every_seconds = REPORT_EVERY_SECONDS if every_seconds is None else every_seconds
        self.clock = clock
        self.started = self.last_line = clock()
        self.requests = 0
        self.pages = 0
        self.records = 0
        self.latest: str | None = None  # the newest timestamp read, when the pass has one
        self.retries: Counter[str] = Counter()
        self._lock = threading.Lock()

    def requested(self) -> None:
        """An attempt was sent (retries included: that is what the store sees)."""
        with self._lock:  # a pass read in slices counts from several threads
            self.requests += 1

    def answered(self) -> None:
        """A page came back and was accepted."""
        with self._lock:
            self.pages += 1
        self._report_if_due()

    def retried(self, cause: str) -> None:
        with self._lock:
            self.retries[cause] += 1

    def emitted(self, record: Mapping[str, Any]) -> None:
        self.records += 1
        stamp = record.get(self.timestamp_field) if self.timestamp_field else None
        if stamp:
            self.latest = str(stamp)
        self._report_if_due()

    def _report_if_due(self) -> None:
        now = self.clock()
        if now - self.last_line >= self.every_seconds:
            self.last_line = now
            self.logger.info("%s", self.line(now))

    def line(self, now: float | None = None) -> str:
        """``orders: 12,300 records so far, 41 pages, updated_at up to ..., 8.2 requests/s, ...``"""
        now = self.clock() if now is None else now
        parts = [f"{self.records:,} records so far", f"{self.pages:,} pages"]
        if self.latest:
            parts.append(f"{self.timestamp_field} up to {to_rfc3339(self.latest)}")
        parts += [f"{self.requests_per_second(now):.1f} requests/s", self.retry_summary()]
        return f"{self.label}: {', '.join(parts)}"

    def requests_per_second(self, now: float | None = None) -> float:
        elapsed = (self.clock() if now is None else now) - self.started
        return self.requests / elapsed if elapsed > 0 else 0.0

    def elapsed_seconds(self) -> float:
        return self.clock() - self.started

    def retry_summary(self) -> str:
        total = sum(self.retries.values())
        if not total:
            return "no retries"
        causes = ", ".join(f"{count} {cause}" for cause, count in self.retries.most_common())
        return f"{total} retries ({causes})"


# The SDK logs a METRIC line per request; the progress line replaces it for people.
PER_REQUEST_METRICS = MetricExclusionFilter(metrics=[Metric.HTTP_REQUEST_DURATION])


def quiet_request_metrics(*, enabled: bool) -> None:
    """Drop the SDK's per-request METRIC lines unless ``log_request_metrics`` is set."""
    metrics_logger = logging.getLogger(METRICS_LOGGER_NAME)
    if enabled:
        metrics_logger.removeFilter(PER_REQUEST_METRICS)
    else:
        metrics_logger.addFilter(PER_REQUEST_METRICS)  # a no-op when already there
