"""The run's window: where a pass starts and ends, from the bookmark and the settings."""

from __future__ import annotations

import datetime

from tap_magento.run_window import RunWindow
from tap_magento.search_criteria import Filter

UTC = datetime.timezone.utc
STARTED = datetime.datetime(2026, 11, 28, 9, 0, 0, tzinfo=UTC)
LOOKBACK = datetime.timedelta(seconds=120)


def test_a_pass_starts_at_the_bookmark_less_the_lookback_but_not_before_start_date() -> None:
    start_date = datetime.datetime(2026, 11, 1, tzinfo=UTC)
    window = RunWindow.of({"start_date": "2026-11-01", "lookback_seconds": 120}, STARTED)
    bookmark = datetime.datetime(2026, 11, 20, tzinfo=UTC)
    assert window.lower(bookmark, "orders") == bookmark - LOOKBACK
    # A bookmark just after start_date: the lookback stops at start_date.
    assert window.lower(start_date + datetime.timedelta(seconds=30), "orders") == start_date
    assert window.lower(None, "orders") == start_date
    assert RunWindow.of({}, STARTED).lower(None, "orders") is None


def test_a_pass_ends_at_the_runs_start_inclusive_or_before_an_earlier_end_date() -> None:
    assert RunWindow.of({}, STARTED).upper_filter("updated_at") == Filter(
        "updated_at", "2026-11-28 09:00:00", "lteq"
    )
    earlier = RunWindow.of({"end_date": "2026-11-27"}, STARTED)
    assert earlier.upper_filter("updated_at") == Filter("updated_at", "2026-11-27 00:00:00", "lt")
    # An end_date after the run's start cannot reach records not written yet.
    later = RunWindow.of({"end_date": "2027-01-01"}, STARTED)
    assert later.upper_filter("updated_at") == Filter("updated_at", "2026-11-28 09:00:00", "lteq")


def test_a_streams_own_start_replaces_start_date_earlier_or_later() -> None:
    config = {
        "start_date": "2026-11-01",
        "stream_start_dates": {"orders": "2026-11-10T06:00:00Z", "products": "2020-01-01"},
        "lookback_seconds": 120,
    }
    window = RunWindow.of(config, STARTED)
    assert window.lower(None, "orders") == datetime.datetime(2026, 11, 10, 6, tzinfo=UTC)
    assert window.lower(None, "products") == datetime.datetime(2020, 1, 1, tzinfo=UTC)
    assert window.lower(None, "customers") == datetime.datetime(2026, 11, 1, tzinfo=UTC)
    # With a bookmark, the stream's own start is the floor the lookback stops at.
    bookmark = datetime.datetime(2026, 11, 10, 6, 1, tzinfo=UTC)
    assert window.lower(bookmark, "orders") == datetime.datetime(2026, 11, 10, 6, tzinfo=UTC)
    assert window.lower(bookmark, "customers") == bookmark - LOOKBACK
