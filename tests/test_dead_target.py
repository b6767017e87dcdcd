"""A target that dies (stops reading the tap's output): one ERROR line that says so, exit 1, no
traceback, and no more work for the store.

Each test runs ``tap-magento`` as its own process with a real pipe, reads a little of it and
closes it, as ``tap-magento ... | head -c 100`` does. The store answers every page slowly, so a
run that kept going would ask for a hundred pages and take minutes; the assertions count
requests, and the seconds it took to stop are printed (``pytest -s``).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tap_magento.sandbox.search import SearchBehaviour
from tap_magento.sandbox.server import Fault, SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize
from tests.support import bearer_config, catalog_selecting, write_json

ORDERS = "/rest/V1/orders"
PAGES = 100  # what a whole run would ask for
CUT_SHORT = 30.0  # far less than the minutes a store's slow answers would make it wait


@pytest.mark.parametrize(
    ("workers", "read_bytes"),
    [(4, 100), (1, 100), (4, 0), (4, 3000)],
    ids=["4-workers-mid-schema", "1-worker", "closed-before-the-first-byte", "mid-record"],
)
def test_a_target_that_stops_reading_ends_the_run_in_one_line(
    tmp_path: Path, workers: int, read_bytes: int
) -> None:
    store = SandboxStore(StoreSize(orders=PAGES * 20, products=10, customers=10))
    behaviour = SearchBehaviour(latency_seconds=0.5)
    with SandboxServer(store, behaviour=behaviour) as server:
        config = bearer_config(server, page_size=20, max_parallel_requests=workers)
        args = [sys.executable, "-m", "tap_magento", "--config",
                write_json(tmp_path, "config.json", config),
                "--catalog", catalog_selecting(server, tmp_path, "orders")]  # fmt: skip
        before = len(server.requests)
        with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as tap:
            assert tap.stdout is not None and tap.stderr is not None
            if read_bytes:
                tap.stdout.read(read_bytes)
            tap.stdout.close()  # the target is gone
            closed = time.monotonic()
            stderr = tap.stderr.read().decode()
            status = tap.wait(timeout=300)
        print(f"stopped {time.monotonic() - closed:.2f} s after the pipe closed")
        asked = [r for r in server.requests[before:] if r.path == ORDERS]
    assert status == 1, stderr[-3000:]
    errors = [line for line in stderr.splitlines() if "| ERROR" in line or "CRITICAL" in line]
    assert len(errors) == 1, stderr[-3000:]
    assert "The target stopped reading the tap's output (a broken pipe)" in errors[0]
    assert "resumes from the last STATE the target confirmed" in errors[0]
    assert stderr.rstrip().splitlines()[-1].endswith("Stopped the bundled sandbox store") or (
        errors[0] in stderr.rstrip().splitlines()[-1]
    )
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr[-3000:]
    # What was in flight, and not the hundred pages of a run that kept going.
    assert len(asked) <= 2 * workers + 2, len(asked)


def test_a_target_that_dies_while_the_store_is_slow_to_answer_stops_the_wait(
    tmp_path: Path,
) -> None:
    with SandboxServer(SandboxStore(StoreSize(orders=50))) as server:
        # After the availability check, every page takes two minutes: only the pipe itself
        # can tell the tap in time.
        server.faults.add(Fault(path=ORDERS, status=503, delay=120, skip=1, times=None))
        config = bearer_config(server, max_parallel_requests=4)
        args = [sys.executable, "-m", "tap_magento", "--config",
                write_json(tmp_path, "config.json", config),
                "--catalog", catalog_selecting(server, tmp_path, "orders")]  # fmt: skip
        with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as tap:
            assert tap.stdout is not None and tap.stderr is not None
            assert b'"type":"SCHEMA"' in tap.stdout.readline()  # the tap now waits for the store
            tap.stdout.close()
            closed = time.monotonic()
            status = tap.wait(timeout=CUT_SHORT)  # waited out, it would take minutes
            stderr = tap.stderr.read().decode()
        print(f"stopped {time.monotonic() - closed:.2f} s after the pipe closed")
    assert status == 1, stderr[-3000:]
    errors = [line for line in stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 1 and "(a broken pipe)" in errors[0], stderr[-3000:]
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
