"""A run stopped by SIGTERM or SIGINT: no request after it, a non-zero exit, a STATE that covers
exactly what was emitted, and a resumed run that delivers the rest.

Each test runs ``tap-magento`` as its own process and sends it a real signal. How many seconds
it took to stop is printed (``pytest -s``); the assertions on time only tell "cut short" from
"waited out", which differ by minutes.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tap_magento.sandbox.search import SearchBehaviour
from tap_magento.sandbox.server import MAINTENANCE_PAGE, AnswerGate, Fault, SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize
from tests.support import bearer_config, write_json

ORDERS_PATH = "/rest/V1/orders"
# Far less than any wait or answer these tests make the tap wait for (a minute or more).
CUT_SHORT = 20.0


class Running:
    """``tap-magento`` in its own process, its stdout read as it comes."""

    def __init__(self, folder: Path, config: dict[str, Any], state: dict | None = None) -> None:
        catalog = _orders_catalog(folder, config)
        args = [sys.executable, "-m", "tap_magento", "--config",
                write_json(folder, "config.json", config), "--catalog", catalog]  # fmt: skip
        if state is not None:
            args += ["--state", write_json(folder, "state.json", state)]
        self.process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.messages: list[dict[str, Any]] = []
        self._stderr: list[str] = []
        self._readers = [threading.Thread(target=self._read, daemon=True),
                         threading.Thread(target=self._read_stderr, daemon=True)]  # fmt: skip
        for reader in self._readers:
            reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.messages.append(json.loads(line))

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        self._stderr.extend(self.process.stderr)

    def _ended(self, seconds: float) -> str:
        self.process.wait(timeout=seconds)
        for reader in self._readers:
            reader.join(timeout=10)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
        return "".join(self._stderr)

    def records(self) -> list[dict[str, Any]]:
        return [m["record"] for m in list(self.messages) if m["type"] == "RECORD"]

    def stop(self, signum: int) -> tuple[float, str]:
        """Send ``signum``; the seconds until the process ended, and its stderr."""
        sent = time.monotonic()
        self.process.send_signal(signum)
        self.process.wait(timeout=120)
        seconds = time.monotonic() - sent
        print(f"stopped by {signal.Signals(signum).name} in {seconds:.2f} s")
        return seconds, self._ended(10)

    def finish(self) -> str:
        stderr = self._ended(300)
        assert self.process.returncode == 0, stderr[-3000:]
        return stderr


def _orders_catalog(folder: Path, config: dict[str, Any]) -> str:
    discover = subprocess.run(
        [sys.executable, "-m", "tap_magento", "--config",
         write_json(folder, "discover.json", config), "--discover"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    catalog = json.loads(discover.stdout)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] == "orders"
    return write_json(folder, "catalog.json", catalog)


def _until(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.05)


def _orders_requests(server: SandboxServer) -> int:
    """Orders requests the store has answered."""
    return sum(1 for r in server.requests if r.path == ORDERS_PATH)


def _one_stop_line(stderr: str, signal_name: str, status: int) -> None:
    errors = [line for line in stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 1, errors
    assert f"Stopped by {signal_name}" in errors[0]
    assert f"Exit status {status}" in errors[0]
    assert "Traceback" not in stderr


@pytest.fixture
def store() -> Iterator[SandboxServer]:
    size = StoreSize(orders=3000, customers=5, products=5, categories=3, sales_rules=2)
    with SandboxServer(SandboxStore(size, lean=True)) as server:
        yield server


@pytest.mark.parametrize("workers", [1, 4], ids=["one-reader", "parallel"])
def test_sigterm_during_retry_waits_stops_at_once_without_another_request(
    store: SandboxServer, tmp_path: Path, workers: int
) -> None:
    config = bearer_config(store, max_parallel_requests=workers)
    # The store goes into maintenance once the run has checked it can read orders.
    store.faults.add(Fault(path="/V1/orders", status=503, body=MAINTENANCE_PAGE, skip=1,
                           content_type="text/html", times=None))  # fmt: skip
    running = Running(tmp_path, config)
    _until(lambda: any(r.status == 503 for r in store.requests), "a 503")
    time.sleep(0.5)  # the first wait is 2.5 s at least: the tap is waiting now
    sent = _orders_requests(store)

    seconds, stderr = running.stop(signal.SIGTERM)

    assert running.process.returncode == 143
    assert _orders_requests(store) == sent, "a request after the signal"
    assert seconds < CUT_SHORT  # waited out, the 503s would hold it for 300 s
    _one_stop_line(stderr, "SIGTERM", 143)


def test_sigterm_while_waiting_for_a_slow_answer_abandons_it(
    store: SandboxServer, tmp_path: Path
) -> None:
    # The access check and a first page, then a page the store takes minutes to answer.
    gate = AnswerGate(ORDERS_PATH, after=3)
    store.hooks.append(gate)
    running = Running(tmp_path, bearer_config(store, max_parallel_requests=1, page_size=100))
    _until(lambda: len(running.records()) >= 100 and gate.arrived >= 3, "a slow page")
    time.sleep(0.3)
    try:
        seconds, stderr = running.stop(signal.SIGTERM)
    finally:
        gate.release()
    assert running.process.returncode == 143
    assert seconds < CUT_SHORT
    _one_stop_line(stderr, "SIGTERM", 143)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_parallel_pass_stopped_by_a_signal_resumes_exactly(
    store: SandboxServer, tmp_path: Path, signum: int
) -> None:
    store.behaviour = SearchBehaviour(latency_seconds=0.02)
    # From the 12th request on, the store answers nothing until the run has stopped: the
    # workers wait for answers, and the pass for them.
    gate = AnswerGate(ORDERS_PATH, after=12)
    store.hooks.append(gate)
    config = bearer_config(store, page_size=50, lookback_seconds=0, max_parallel_requests=4)
    running = Running(tmp_path, config)
    _until(lambda: gate.arrived >= 15 and running.records(), "requests in flight")
    time.sleep(0.3)
    signalled = time.monotonic()
    try:
        seconds, stderr = running.stop(signum)
    finally:
        gate.release()

    status = 130 if signum == signal.SIGINT else 143
    assert running.process.returncode == status
    assert seconds < CUT_SHORT
    _one_stop_line(stderr, signal.Signals(signum).name, status)
    # Requests already sent may still arrive just after the signal; none is sent after it.
    late = [r for r in store.requests if r.path == ORDERS_PATH and r.started > signalled + 1.0]
    assert late == []

    first = running.records()
    states = [m["value"] for m in running.messages if m["type"] == "STATE"]
    assert running.messages[-1]["type"] == "STATE"
    bookmark = states[-1]["bookmarks"]["orders"]["replication_key_value"]
    # The last STATE covers exactly what was emitted: up to the last record, not before it.
    assert bookmark == max(record["updated_at"] for record in first)

    store.behaviour = SearchBehaviour()
    store.hooks.clear()
    resumed = Running(tmp_path, config, state=states[-1])
    resumed.finish()
    second = resumed.records()
    stored = {row["entity_id"] for row in store.store.records("orders")}
    first_keys = [r["entity_id"] for r in first]
    second_keys = [r["entity_id"] for r in second]
    assert len(first_keys) == len(set(first_keys))
    assert set(first_keys) | set(second_keys) == stored
    # What both runs emitted is only the bookmark's own second, read again from it.
    again = {r["entity_id"] for r in second} & set(first_keys)
    assert all(r["updated_at"] == bookmark for r in second if r["entity_id"] in again)
