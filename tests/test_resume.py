"""A sync killed at any point and resumed from the last STATE it emitted delivers everything."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tap_magento.sandbox.server import SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize
from tests.support import INCREMENTAL, STREAMS, bearer_config

KILLS = 4


@pytest.fixture(scope="module")
def store_server() -> Iterator[SandboxServer]:
    size = StoreSize(orders=3000, customers=1200, products=400, categories=30, sales_rules=6)
    with SandboxServer(SandboxStore(size, lean=True)) as server:
        yield server


def _run(config: Path, state: dict | None, tmp: Path, kill_after: int | None) -> list[dict]:
    """Run tap-magento as its own process; SIGKILL it after ``kill_after`` messages."""
    args = [sys.executable, "-m", "tap_magento", "--config", str(config)]
    if state is not None:
        (tmp / "state.json").write_text(json.dumps(state))
        args += ["--state", str(tmp / "state.json")]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    messages = []
    for line in process.stdout:
        messages.append(json.loads(line))
        if kill_after is not None and len(messages) >= kill_after:
            os.kill(process.pid, signal.SIGKILL)
            break
    process.stdout.close()
    process.wait()
    return messages


def _bookmarks(state: dict | None) -> dict[str, set[str]]:
    """Every bookmark value per stream (products has one per store view)."""
    found: dict[str, set[str]] = {}
    for stream, entry in ((state or {}).get("bookmarks") or {}).items():
        for part in [entry, *entry.get("partitions", [])]:
            if "replication_key_value" in part:
                found.setdefault(stream, set()).add(part["replication_key_value"])
    return found


def _assert_bookmarks_follow_emitted_records(messages: list[dict], start: dict | None) -> None:
    latest = {stream: max(values) for stream, values in _bookmarks(start).items()}
    for message in messages:
        if message["type"] == "RECORD" and message["stream"] in INCREMENTAL:
            stream = message["stream"]
            value = message["record"][STREAMS[stream][1]]  # its replication key
            latest[stream] = max(latest.get(stream, value), value)
        elif message["type"] == "STATE":
            for stream, values in _bookmarks(message["value"]).items():
                assert max(values) <= latest[stream], f"{stream} bookmark ahead of its records"


@pytest.mark.slow
def test_killed_syncs_resumed_from_their_last_state_deliver_every_record(
    store_server, tmp_path
) -> None:
    config = tmp_path / "config.json"
    settings = bearer_config(store_server, page_size=50, lookback_seconds=0)
    if forced := os.environ.get("TAP_MAGENTO_TEST_MAX_PARALLEL_REQUESTS"):  # see support.sync
        settings["max_parallel_requests"] = int(forced)
    config.write_text(json.dumps(settings))
    rng = random.Random(2024)
    state: dict[str, Any] | None = None
    emitted: dict[str, dict[tuple, int]] = {stream: {} for stream in STREAMS}
    resumes = 0
    for attempt in range(KILLS + 1):
        kill_after = rng.randrange(30, 8000) if attempt < KILLS else None
        messages = _run(config, state, tmp_path, kill_after)
        _assert_bookmarks_follow_emitted_records(messages, state)
        _assert_only_records_from_the_bookmark_on_are_read_again(messages, state, emitted)
        states = [m["value"] for m in messages if m["type"] == "STATE"]
        if states:
            state, resumes = states[-1], resumes + 1
    assert resumes > KILLS, "every killed run had emitted a STATE to resume from"

    for stream, (key, _) in STREAMS.items():
        stored = {
            tuple(row.get(k, "default") for k in key)  # products: store_codes' default view
            for row in store_server.store.records(stream)
            if stream != "store_configs" or row["code"] == "default"
        }
        assert set(emitted[stream]) == stored, stream


def _assert_only_records_from_the_bookmark_on_are_read_again(
    messages: list[dict], state: dict | None, emitted: dict[str, dict[tuple, int]]
) -> None:
    """At-least-once: what was emitted before a resumed bookmark is never read again."""
    bookmarks = {stream: min(values) for stream, values in _bookmarks(state).items()}
    for message in messages:
        if message["type"] != "RECORD" or message["stream"] not in STREAMS:
            continue  # child rows: tests/test_children.py kills and resumes those
        stream, record = message["stream"], message["record"]
        identity = tuple(record[k] for k in STREAMS[stream][0])
        if identity in emitted[stream] and stream in bookmarks:
            assert record[STREAMS[stream][1]] >= bookmarks[stream], (stream, identity)
        emitted[stream][identity] = emitted[stream].get(identity, 0) + 1
