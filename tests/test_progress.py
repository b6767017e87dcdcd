"""Progress a person can follow: a line per stream every few seconds, and a summary at the end."""

from __future__ import annotations

import logging
import re

import pytest

from tap_magento import progress
from tap_magento.progress import Progress
from tap_magento.sandbox.server import Fault
from tests.support import bearer_config, magento_to_rfc3339, sync

PROGRESS_LINE = re.compile(
    r"orders: ([\d,]+) records so far, ([\d,]+) pages, updated_at up to (\S+), "
    r"([\d.]+) requests/s, (.+)$"
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_line_only_when_the_interval_has_passed_however_many_pages_came(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    logger = logging.getLogger("test-progress")
    counts = Progress("orders", logger, every_seconds=5, clock=clock)
    with caplog.at_level(logging.INFO, logger="test-progress"):
        for page in range(100):  # 100 pages of 10 records in 3.125 s: no line yet
            clock.now += 1 / 32
            counts.requested()
            counts.answered()
            for record in range(10):
                counts.emitted({"updated_at": f"2025-01-01T00:{page // 60:02d}:{record:02d}Z"})
        assert caplog.messages == []
        clock.now += 1.875  # 5 s since the start
        counts.retried("unavailable (503)")
        counts.requested()
        counts.answered()
    assert caplog.messages == [
        "orders: 1,000 records so far, 101 pages, updated_at up to 2025-01-01T00:01:09Z, "
        "20.2 requests/s, 1 retries (1 unavailable (503))"
    ]


def test_progress_lines_follow_a_real_sync_and_the_summary_ends_it(
    server, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "REPORT_EVERY_SECONDS", 0.0)  # a line at every chance
    server.faults.add(Fault("/V1/orders", 503, times=1, skip=2))
    # One reader, so that pages and requests are exactly the list's.
    with caplog.at_level(logging.INFO):
        result = sync(
            bearer_config(server, page_size=100, max_parallel_requests=1), streams=["orders"]
        )

    lines = [PROGRESS_LINE.match(m) for m in caplog.messages]
    found = [line for line in lines if line]
    assert found, "no progress line"
    records = [int(line.group(1).replace(",", "")) for line in found]
    pages = [int(line.group(2).replace(",", "")) for line in found]
    assert records == sorted(records) and pages == sorted(pages)
    assert max(records) == len(result.records["orders"]) == 700
    assert max(pages) == 8  # 7 full pages and the short one that ends the pass
    # updated_at is the newest one emitted so far: the store's own values, in order.
    stored = {magento_to_rfc3339(o["updated_at"]) for o in server.store.records("orders")}
    seen = [line.group(3) for line in found]
    assert set(seen) <= stored and seen == sorted(seen)
    assert seen[-1] == max(stored)
    assert all(float(line.group(4)) > 0 for line in found)
    assert "1 retries (1 " in found[-1].group(5)
    summary = next(m for m in caplog.messages if "records emitted in" in m)
    assert re.search(r"orders: 700 records emitted in 8 pages, .* requests/s; ", summary)
    assert "1 retries" in summary


def test_the_sdk_per_request_metric_lines_are_off_unless_asked_for(
    server, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        sync(bearer_config(server, page_size=100), streams=["orders"])
    metrics = [m for m in caplog.messages if m.startswith("METRIC")]
    assert metrics and not [m for m in metrics if "http_request_duration" in m]
    assert [m for m in metrics if "record_count" in m]

    caplog.clear()
    with caplog.at_level(logging.INFO):
        config = bearer_config(
            server, page_size=100, log_request_metrics=True, max_parallel_requests=1
        )
        sync(config, streams=["orders"])
    timers = [m for m in caplog.messages if "http_request_duration" in m]
    assert len(timers) == 8
