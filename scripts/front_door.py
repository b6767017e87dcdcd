"""Figures for the store's front door: page sizes against a gateway that cuts slow pages, and
seconds to stop after SIGTERM (during retry waits, a slow answer, a parallel pass).

Runs ``tap-magento`` as its own process, in real time, against the sandbox store in this one::

    python scripts/front_door.py [--orders 6000] [--stops 3]

The gateway models Fastly: a page's time grows with its records (``--row-seconds`` each), and
the gateway answers 503 "first byte timeout" once a page would take longer than
``--gateway-seconds``, after waiting that long.
"""

from __future__ import annotations

import argparse
import itertools
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tap_magento.sandbox.search import SearchBehaviour
from tap_magento.sandbox.server import (
    MAINTENANCE_PAGE,
    AnswerGate,
    Fault,
    Gateway,
    SandboxServer,
)
from tap_magento.sandbox.store import SandboxStore, StoreSize

ORDERS = "/rest/V1/orders"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=6000)
    parser.add_argument("--page-size", type=int, default=300)
    parser.add_argument("--row-seconds", type=float, default=0.004)
    parser.add_argument("--gateway-seconds", type=float, default=0.4)
    parser.add_argument("--stops", type=int, default=3, help="signals sent per situation")
    options = parser.parse_args()
    size = StoreSize(orders=options.orders, customers=5, products=5, categories=3, sales_rules=2)
    with (
        tempfile.TemporaryDirectory() as folder,
        SandboxServer(SandboxStore(size, lean=True)) as server,
    ):
        catalog = _orders_catalog(Path(folder), _config(server))
        _gateway(server, Path(folder), catalog, options)
        _stops(server, Path(folder), catalog, options.stops)


def _config(server: SandboxServer, **extra: Any) -> dict[str, Any]:
    return {"store_url": server.url, "access_token": server.auth.credentials.access_token,
            **extra}  # fmt: skip


def _gateway(server: SandboxServer, folder: Path, catalog: str, options: Any) -> None:
    rows = int(options.gateway_seconds / options.row_seconds)
    for workers in (1, 4):
        server.requests.clear()
        server.behaviour = SearchBehaviour(latency_row_seconds=options.row_seconds)
        server.gateway = Gateway(max_rows=rows, delay=options.gateway_seconds)
        config = _config(server, page_size=options.page_size, max_parallel_requests=workers)
        started = time.monotonic()
        done = _run(folder, config, catalog)
        seconds = time.monotonic() - started
        records = sum(1 for line in done.stdout.splitlines() if '"type":"RECORD"' in line)
        sizes = [(int(r.params["searchCriteria[pageSize]"]), r.status)
                 for r in server.requests if r.path == ORDERS]  # fmt: skip
        runs = ", ".join(f"{size}{' cut' if status == 503 else ''} x{len(list(group))}"
                         for (size, status), group in itertools.groupby(sizes))  # fmt: skip
        print(f"gateway cutting pages of more than {rows} orders ({options.gateway_seconds} s), "
              f"page_size {options.page_size}, {workers} worker(s): exit {done.returncode}, "
              f"{records} of {options.orders} orders in {seconds:.1f} s, "
              f"{server.gateway.cuts} cuts")  # fmt: skip
        print(f"  pages asked, in order: {runs}")
    server.gateway = None
    server.behaviour = SearchBehaviour()


def _stops(server: SandboxServer, folder: Path, catalog: str, stops: int) -> None:
    situations = {
        "retry waits (503 maintenance)": _during_waits,
        "a slow answer (one reader)": _during_a_slow_answer,
        "a parallel pass (answers held)": _during_a_pass,
    }
    for name, situation in situations.items():
        figures = []
        for _ in range(stops):
            server.requests.clear()
            server.faults.clear()
            server.hooks.clear()
            figures.append(situation(server, folder, catalog))
        shown = ", ".join(f"{seconds:.2f} s (exit {status}, {late} requests after)"
                          for seconds, status, late in figures)  # fmt: skip
        print(f"SIGTERM during {name}: {shown}")


def _during_waits(server: SandboxServer, folder: Path, catalog: str) -> tuple[float, int, int]:
    server.faults.add(Fault(path=r"/V1/orders\?", status=503, body=MAINTENANCE_PAGE, skip=1,
                            content_type="text/html", times=None))  # fmt: skip
    process = _start(folder, _config(server), catalog)
    _until(lambda: any(r.status == 503 for r in server.requests))
    time.sleep(0.5)
    return _stop(server, process)


def _during_a_slow_answer(
    server: SandboxServer, folder: Path, catalog: str
) -> tuple[float, int, int]:
    config = _config(server, max_parallel_requests=1, page_size=100)
    return _with_answers_held(server, folder, catalog, config, after=3)


def _during_a_pass(server: SandboxServer, folder: Path, catalog: str) -> tuple[float, int, int]:
    config = _config(server, page_size=50, max_parallel_requests=4)
    return _with_answers_held(server, folder, catalog, config, after=12)


def _with_answers_held(
    server: SandboxServer, folder: Path, catalog: str, config: dict[str, Any], after: int
) -> tuple[float, int, int]:
    """SIGTERM while the store holds every answer from the ``after``-th request on."""
    gate = AnswerGate(ORDERS, after)
    server.hooks.append(gate)
    process = _start(folder, config, catalog)
    _until(lambda: gate.arrived >= after)
    time.sleep(0.3)
    try:
        return _stop(server, process)
    finally:
        gate.release()


def _stop(server: SandboxServer, process: subprocess.Popen[bytes]) -> tuple[float, int, int]:
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=300)
    seconds = time.monotonic() - sent
    late = sum(1 for r in server.requests if r.path == ORDERS and r.started > sent + 0.5)
    return seconds, process.returncode, late


def _start(folder: Path, config: dict[str, Any], catalog: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tap_magento", "--config", _write(folder, "c.json", config),
         "--catalog", catalog],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _run(folder: Path, config: dict[str, Any], catalog: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tap_magento", "--config", _write(folder, "c.json", config),
         "--catalog", catalog],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def _orders_catalog(folder: Path, config: dict[str, Any]) -> str:
    found = subprocess.run(
        [sys.executable, "-m", "tap_magento", "--config", _write(folder, "d.json", config),
         "--discover"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    catalog = json.loads(found.stdout)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] == "orders"
    return _write(folder, "catalog.json", catalog)


def _write(folder: Path, name: str, content: Any) -> str:
    path = folder / name
    path.write_text(json.dumps(content))
    return str(path)


def _until(condition: Any, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("the tap never got there")
        time.sleep(0.05)


if __name__ == "__main__":
    main()
