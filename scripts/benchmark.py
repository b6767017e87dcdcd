"""Measure a sync against the sandbox store: time, records/s, requests, peak memory.

    python scripts/benchmark.py --orders 100000 --page-size 300
    python scripts/benchmark.py --orders 100000 --page-size 100 --lean --offset-row-us 2 \
        --paging page-numbers     # or keyset (the default), or windows
    python scripts/benchmark.py --orders 50000 --lean --failure-rate 0.06 --broken 5
    python scripts/benchmark.py --orders 20000 --select status,grand_total   # a few fields

The sandbox runs in this process; the tap runs as its own process (``tap-magento``), reading only
one stream, with its Singer output counted and thrown away. ``--offset-row-us`` makes the sandbox
spend that long per row an SQL OFFSET skips, as MySQL reads and discards them; the script then
prints how the store's time per request grows through the sync. ``--failure-rate`` fails that
share of requests with 500, 502, 503, 504, 429 or a dropped connection (in equal parts, with
the tap's real retry waits), and ``--broken`` makes that many orders unreadable. ``--select``
deselects every other property in the catalog, so the tap asks for those fields only.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tap_magento.sandbox.search import SearchBehaviour
from tap_magento.sandbox.server import Fault, RequestRecord, SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=300)
    parser.add_argument("--stream", default="orders")
    parser.add_argument("--paging", choices=sorted(PAGING), default="keyset")
    parser.add_argument("--offset-row-us", type=float, default=0.0)
    parser.add_argument("--lean", action="store_true", help="records of ~15 fields, not ~300")
    parser.add_argument("--failure-rate", type=float, default=0.0)
    parser.add_argument("--broken", type=int, default=0, help="orders the store cannot render")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="store time per request")
    parser.add_argument("--row-latency-ms", type=float, default=0.0, help="and per row answered")
    parser.add_argument(
        "--select", default="", help="only these properties of the stream, e.g. status,grand_total"
    )
    parser.add_argument(
        "--workers", default="1", help="max_parallel_requests to compare, e.g. 1,4,8"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    store = SandboxStore(StoreSize(orders=args.orders), lean=args.lean)
    print(f"sandbox store with {args.orders} orders built in {time.perf_counter() - started:.1f}s")
    behaviour = SearchBehaviour(
        offset_row_seconds=args.offset_row_us / 1e6,
        latency_seconds=args.latency_ms / 1000,
        latency_row_seconds=args.row_latency_ms / 1000,
    )
    for entity_id in random.Random(1).sample(sorted(store.collection("orders").rows), args.broken):
        store.break_record("orders", entity_id)
    seconds_by_workers: dict[int, float] = {}
    rates_by_workers: dict[int, float] = {}
    with SandboxServer(store, behaviour=behaviour) as server:
        for failure in FAILURES:
            chance = args.failure_rate / len(FAILURES)
            server.faults.add(Fault(path="/V1/", chance=chance, times=None, **failure))
        for workers in [int(w) for w in args.workers.split(",")]:
            server.requests.clear()
            print(f"--- max_parallel_requests {workers}")
            records, elapsed = _run_tap(server, args, workers)
            seconds_by_workers[workers] = elapsed
            rates_by_workers[workers] = records / elapsed
    if len(seconds_by_workers) > 1:
        base = next(iter(seconds_by_workers.values()))
        print("speed-up over the first: " + ", ".join(
            f"{w} workers {base / s:.2f}x" for w, s in seconds_by_workers.items()))  # fmt: skip
    if not args.failure_rate and not args.broken and not args.latency_ms:
        _compare_with_bare_client(args, rates_by_workers)


def _run_tap(server: SandboxServer, args: argparse.Namespace, workers: int) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.json"
        config.write_text(
            json.dumps(
                {
                    "store_url": server.url,
                    "access_token": server.auth.credentials.access_token,
                    "page_size": args.page_size,
                    "max_parallel_requests": workers,
                    **PAGING[args.paging],
                }
            )
        )
        catalog = Path(tmp) / "catalog.json"
        catalog.write_text(_catalog_selecting(config, args.stream, args.select))
        server.requests.clear()
        output = Path(tmp) / "output.jsonl"
        started = time.perf_counter()
        command = [sys.executable, "-m", "tap_magento", "--config", str(config)]
        # Into a file, counted afterwards: reading a pipe here would take CPU from the
        # sandbox, which shares this process (the bare client writes to /dev/null).
        with (
            output.open("wb") as sink,
            subprocess.Popen(
                [*command, "--catalog", str(catalog)], stdout=sink, stderr=subprocess.DEVNULL
            ) as tap,
        ):
            peak = PeakRss(tap.pid)
        elapsed = time.perf_counter() - started
        with output.open("rb") as lines:
            records = sum(1 for line in lines if line.startswith(b'{"type":"RECORD"'))
    peak_mib = peak.mib()
    answered = [r for r in server.requests if r.status == 200 and "/V1/store/" not in r.path]
    failed = len(server.requests) - len(answered)
    print(f"tap exit code: {tap.returncode}")
    received = sum(r.size for r in answered) / 2**20
    print(f"{args.stream}: {records} records, {len(answered)} requests ({received:.1f} MiB "
          f"received), page_size {args.page_size}, paging {args.paging}")  # fmt: skip
    print(f"time: {elapsed:.1f}s = {records / elapsed:.0f} records/s")
    if failed:
        print(f"failed requests (retried or narrowed down): {failed}")
    if args.broken:
        print(f"orders missing: {args.orders - records} (broken: {args.broken})")
    print(f"tap peak memory (max RSS): {peak_mib:.0f} MiB")
    _print_time_by_depth(answered)
    return records, elapsed


FAILURES = (
    {"status": 500}, {"status": 502}, {"status": 503}, {"status": 504}, {"status": 429},
    {"drop": True},
)  # fmt: skip
PAGING = {
    "keyset": {"keyset_paging": True},
    "windows": {"keyset_paging": False, "max_pages_per_window": 200},
    "page-numbers": {"keyset_paging": False, "max_pages_per_window": 1_000_000},
}


def _compare_with_bare_client(args: argparse.Namespace, tap_rates: dict[int, float]) -> None:
    """The same store, read by ``bare_client.py``: the least any client could do."""
    store = SandboxStore(StoreSize(orders=args.orders), lean=args.lean)
    with SandboxServer(store) as server:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(Path(__file__).with_name("bare_client.py")), server.url,
             server.auth.credentials.access_token, str(args.page_size)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        received = sum(r.size for r in server.requests)
    records = int(done.stdout)
    bare_rate = records / elapsed
    print(f"bare stdlib client: {records} records in {elapsed:.1f}s = {bare_rate:.0f} records/s "
          f"({len(server.requests)} requests, {received / 2**20:.1f} MiB received)")  # fmt: skip
    for workers, tap_rate in tap_rates.items():
        print(f"tap ({workers} workers) / bare client: {tap_rate / bare_rate:.2f}x the records/s")


def _print_time_by_depth(answered: list[RequestRecord], parts: int = 10) -> None:
    """The store's mean time per request in each tenth of the sync, and the deepest page."""
    print("part of the sync | requests | deepest currentPage | store ms per request")
    size = max(1, -(-len(answered) // parts))
    for start in range(0, len(answered), size):
        chunk = answered[start : start + size]
        pages = [int(r.params.get("searchCriteria[currentPage]") or r.params.get("currentPage")
                     or 1) for r in chunk]  # fmt: skip
        mean_ms = 1000 * sum(r.seconds for r in chunk) / len(chunk)
        print(f"{start // size + 1:>2}/{parts} | {len(chunk)} | {max(pages)} | {mean_ms:.1f}")


class PeakRss:
    """The tap process's own peak resident memory (``VmHWM``), sampled while it runs.

    ``getrusage(RUSAGE_CHILDREN)`` would count the memory of this process at the moment it
    forked the tap (the sandbox store lives here), not the tap's.
    """

    def __init__(self, pid: int) -> None:
        self._path = Path(f"/proc/{pid}/status")
        self._peak_kib = 0
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while True:
            try:
                status = self._path.read_text()
            except OSError:
                return
            found = re.search(r"VmHWM:\s+(\d+) kB", status)
            if found is None:  # exited: a zombie has no memory left to report
                return
            self._peak_kib = max(self._peak_kib, int(found.group(1)))
            time.sleep(0.02)

    def mib(self) -> float:
        self._thread.join(timeout=5)
        return self._peak_kib / 1024


def _catalog_selecting(config: Path, stream: str, properties: str) -> str:
    discovered = subprocess.run(
        [sys.executable, "-m", "tap_magento", "--config", str(config), "--discover"],
        capture_output=True,
        text=True,
        check=True,
    )
    catalog = json.loads(discovered.stdout)
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] == stream
            elif properties and entry["tap_stream_id"] == stream:
                metadata["metadata"]["selected"] = metadata["breadcrumb"][-1] in properties.split(
                    ","
                )
    return json.dumps(catalog)


if __name__ == "__main__":
    main()
