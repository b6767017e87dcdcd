"""Measure a sync against the sandbox store: time, records/s, requests, peak memory.

    python scripts/benchmark.py --orders 100000 --page-size 300
    python scripts/benchmark.py --orders 100000 --workers 1,4 --rounds 3   # medians of 3
    python scripts/benchmark.py --orders 100000 --page-size 100 --lean --offset-row-us 2 \
        --paging page-numbers     # or keyset (the default), or windows
    python scripts/benchmark.py --orders 50000 --lean --failure-rate 0.06 --broken 5
    python scripts/benchmark.py --orders 20000 --select status,grand_total   # a few fields
    python scripts/benchmark.py --orders 12000 --lean --latency real --workers 1,4   # slow store
    python scripts/benchmark.py --orders 20000 --children sales --no-bare-client   # child rows
    python scripts/benchmark.py --orders 6000 --wholesale-every 30 --workers 1,4 \
        --no-bare-client          # a B2B store: one order in 30 has 1,000 lines (2.6 MB of JSON)

The sandbox runs in this process; the tap runs as its own process (``tap-magento``), reading only
one stream, with its Singer output written to a file and counted. Then the same store is read
by the two yardsticks of ``scripts/bare_client.py`` (a bare stdlib client and the msgspec
floor), and a table gives every client's CPU per record against them (not with failures,
broken records, a latency model or ``--no-bare-client``). ``--latency real`` makes every
list request take 1 s plus 5 ms per row (2.5 s for a page of 300: a real store's full orders),
``--latency fast`` 150 ms plus 1 ms per row; ``--latency-ms`` and ``--row-latency-ms`` set any
other model. The tap's peak memory is measured twice: its own ``VmHWM``, sampled, and the
``ru_maxrss`` that ``wait4`` reports when it exits. Both come from a small launcher process
started before the store is built: a process forked from this one, which holds the store, would
report this process's memory as its own ``ru_maxrss`` (Linux keeps the high-water mark of the
memory a child had before ``exec``). ``--offset-row-us`` makes the sandbox
spend that long per row an SQL OFFSET skips, as MySQL reads and discards them; the script then
prints how the store's time per request grows through the sync. ``--failure-rate`` fails that
share of requests with 500, 502, 503, 504, 429 or a dropped connection (in equal parts, with
the tap's real retry waits), and ``--broken`` makes that many orders unreadable. ``--select``
deselects every other property in the catalog, so the tap asks for those fields only.
``--children sales`` selects the ten sales child streams beside the stream (their parents
invoices, shipments and credit memos are then read too, not emitted); records/s then counts
the rows of every stream.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tap_magento.sandbox.search import SearchBehaviour
from tap_magento.sandbox.server import Fault, RequestRecord, SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=300)
    parser.add_argument("--stream", default="orders")
    parser.add_argument("--children", choices=sorted(CHILDREN), help="child streams to select too")
    parser.add_argument("--paging", choices=sorted(PAGING), default="keyset")
    parser.add_argument("--offset-row-us", type=float, default=0.0)
    parser.add_argument("--lean", action="store_true", help="records of ~15 fields, not ~300")
    parser.add_argument(
        "--wholesale-every", type=int, default=0, help="every Nth order has --wholesale-lines"
    )
    parser.add_argument("--wholesale-lines", type=int, default=StoreSize.wholesale_lines)
    parser.add_argument("--failure-rate", type=float, default=0.0)
    parser.add_argument("--broken", type=int, default=0, help="orders the store cannot render")
    parser.add_argument("--latency", choices=sorted(LATENCY_MODELS), help="a store model")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="store time per request")
    parser.add_argument("--row-latency-ms", type=float, default=0.0, help="and per row answered")
    parser.add_argument(
        "--select", default="", help="only these properties of the stream, e.g. status,grand_total"
    )
    parser.add_argument(
        "--workers", default="1", help="max_parallel_requests to compare, e.g. 1,4,8"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="every client this many times, in turn: medians"
    )
    parser.add_argument(
        "--no-bare-client", action="store_true", help="skip the bare client's run (1M full orders)"
    )
    args = parser.parse_args()
    if args.latency:
        args.latency_ms, args.row_latency_ms = LATENCY_MODELS[args.latency]
    launcher = Launcher()  # before the store is built: see the module's docstring

    started = time.perf_counter()
    size = StoreSize(orders=args.orders, wholesale_every=args.wholesale_every,
                     wholesale_lines=args.wholesale_lines)  # fmt: skip
    store = SandboxStore(size, lean=args.lean)
    print(f"sandbox store with {args.orders} orders built in {time.perf_counter() - started:.1f}s")
    behaviour = SearchBehaviour(
        offset_row_seconds=args.offset_row_us / 1e6,
        latency_seconds=args.latency_ms / 1000,
        latency_row_seconds=args.row_latency_ms / 1000,
    )
    for entity_id in random.Random(1).sample(sorted(store.collection("orders").rows), args.broken):
        store.break_record("orders", entity_id)
    rounds, seconds_by_workers = _run_rounds(store, behaviour, args, launcher)
    if len(seconds_by_workers) > 1:
        base = next(iter(seconds_by_workers.values()))
        print("speed-up over the first: " + ", ".join(
            f"{w} workers {base / s:.2f}x" for w, s in seconds_by_workers.items()))  # fmt: skip
    if len(rounds[0]) > len(seconds_by_workers):
        _print_cpu_table(rounds)
    _print_parallel_overhead(rounds)
    launcher.close()


def _run_rounds(
    store: SandboxStore, behaviour: SearchBehaviour, args: argparse.Namespace, launcher: Launcher
) -> tuple[list[dict[str, Measured]], dict[int, float]]:
    """Every client over the store, ``--rounds`` times in turn: what each run measured, and
    the last round's wall time per worker count."""
    seconds_by_workers: dict[int, float] = {}
    rounds: list[dict[str, Measured]] = []
    with SandboxServer(store, behaviour=behaviour) as server:
        for failure in FAILURES:
            chance = args.failure_rate / len(FAILURES)
            server.faults.add(Fault(path="/V1/", chance=chance, times=None, **failure))
        for number in range(1, args.rounds + 1):
            if args.rounds > 1:
                print(f"=== round {number} of {args.rounds}")
            clients: dict[str, Measured] = {}
            for workers in [int(w) for w in args.workers.split(",")]:
                server.requests.clear()
                print(f"--- max_parallel_requests {workers}")
                measured = _run_tap(server, args, workers, launcher)
                seconds_by_workers[workers] = measured.seconds
                clients[f"tap-magento, {workers} worker{'s' if workers > 1 else ''}"] = measured
            if not (args.failure_rate or args.broken or args.latency_ms or args.no_bare_client):
                # The same store, in the same run: the yardsticks of scripts/bare_client.py.
                for name, flags in REFERENCE_CLIENTS.items():
                    server.requests.clear()
                    clients[name] = _run_reference_client(server, args, flags, launcher)
            rounds.append(clients)
    return rounds, seconds_by_workers


@dataclass(frozen=True)
class Measured:
    """One client's run over the store: what it read, and what it cost."""

    records: int
    seconds: float
    cpu_seconds: float
    peak_mib: float


REFERENCE_CLIENTS = {
    "bare stdlib client (http.client, json)": [],
    "the same with msgspec both ways (the floor)": ["--msgspec"],
}
STDLIB, FLOOR = REFERENCE_CLIENTS


def _run_reference_client(
    server: SandboxServer, args: argparse.Namespace, flags: list[str], launcher: Launcher
) -> Measured:
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "count"
        client = [sys.executable, str(Path(__file__).with_name("bare_client.py")), server.url,
                  server.auth.credentials.access_token, str(args.page_size), *flags]  # fmt: skip
        run = launcher.run(client, str(output))
        records = int(output.read_text())
    return Measured(records, run["seconds"], run["cpu_seconds"], run["vmhwm_kib"] / 1024)


def _print_cpu_table(rounds: list[dict[str, Measured]]) -> None:
    """CPU per record of every client that read the store, against the two yardsticks: in
    each round, then the median over the rounds (the store shares the cores, so one run of
    a client may be a tenth off the next)."""
    per_record = [
        {name: m.cpu_seconds / max(1, m.records) * 1e6 for name, m in clients.items()}
        for clients in rounds
    ]
    print("| client | records | CPU | CPU per record | x bare client | x floor | wall | peak |")
    print("|---|---|---|---|---|---|---|---|")
    for name in rounds[0]:
        runs = [clients[name] for clients in rounds]
        us = statistics.median(r[name] for r in per_record)
        bare = statistics.median(r[name] / r[STDLIB] for r in per_record)
        floor = statistics.median(r[name] / r[FLOOR] for r in per_record)
        cpu = statistics.median(m.cpu_seconds for m in runs)
        wall = statistics.median(m.seconds for m in runs)
        peak = max(m.peak_mib for m in runs)
        print(f"| {name} | {runs[0].records:,} | {cpu:.1f} s | {us:.0f} us | {bare:.2f} | "
              f"{floor:.2f} | {wall:.1f} s | {peak:.0f} MiB |")  # fmt: skip
    if len(rounds) > 1:
        print(f"(medians of {len(rounds)} rounds; peak: the highest)")
        for name in rounds[0]:
            ratios = ", ".join(f"{r[name] / r[STDLIB]:.2f}" for r in per_record)
            print(f"  {name}: x bare client per round {ratios}")


def _print_parallel_overhead(rounds: list[dict[str, Measured]]) -> None:
    """CPU per record of each tap run with more than one worker, over the first tap run's
    (one worker, as a rule), round by round and as a median."""
    taps = [name for name in rounds[0] if name.startswith("tap-magento")]
    if len(taps) < 2:
        return

    def per_record(m: Measured) -> float:
        return m.cpu_seconds / max(1, m.records)

    first = taps[0]
    for name in taps[1:]:
        ratios = [per_record(clients[name]) / per_record(clients[first]) for clients in rounds]
        shown = ", ".join(f"{ratio - 1:+.0%}" for ratio in ratios)
        print(
            f"CPU per record, {name} over {first}: {statistics.median(ratios) - 1:+.0%} "
            f"(median; per round {shown})"
        )


LATENCY_MODELS = {"real": (1000.0, 5.0), "fast": (150.0, 1.0)}
CHILDREN = {
    "sales": ("order_addresses", "order_status_history", "order_payments", "invoice_items",
              "invoice_comments", "shipment_items", "shipment_tracks", "shipment_comments",
              "credit_memo_items", "credit_memo_comments"),
}  # fmt: skip


def _run_tap(
    server: SandboxServer, args: argparse.Namespace, workers: int, launcher: Launcher
) -> Measured:
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
        streams = (args.stream, *CHILDREN.get(args.children or "", ()))
        catalog.write_text(_catalog_selecting(config, streams, args.select))
        server.requests.clear()
        output = Path(tmp) / "output.jsonl"
        command = [sys.executable, "-m", "tap_magento", "--config", str(config)]
        # Into a file, counted afterwards: reading a pipe here would take CPU from the
        # sandbox, which shares this process (the bare client writes to /dev/null).
        run = launcher.run([*command, "--catalog", str(catalog)], str(output))
        with output.open("rb") as lines:
            records = sum(1 for line in lines if line.startswith(b'{"type":"RECORD"'))
    elapsed = run["seconds"]
    answered = [r for r in server.requests if r.status == 200 and "/V1/store/" not in r.path]
    failed = len(server.requests) - len(answered)
    print(f"tap exit code: {run['exit']}")
    received = sum(r.size for r in answered) / 2**20
    what = f"{args.stream} and {args.children} children" if args.children else args.stream
    print(f"{what}: {records} records, {len(answered)} requests ({received:.1f} MiB "
          f"received), page_size {args.page_size}, paging {args.paging}")  # fmt: skip
    print(f"time: {elapsed:.1f}s = {records / elapsed:.0f} records/s")
    if failed:
        print(f"failed requests (retried or narrowed down): {failed}")
    if args.broken:
        print(f"orders missing: {args.orders - records} (broken: {args.broken})")
    print(f"tap peak memory: VmHWM {run['vmhwm_kib'] / 1024:.0f} MiB, wait4 ru_maxrss "
          f"{run['maxrss_kib'] / 1024:.0f} MiB; CPU {run['cpu_seconds']:.1f} s "
          f"({run['sys_seconds']:.1f} s in the kernel, {run['page_faults']:,} page faults, "
          f"{run['switches']:,} context switches)")  # fmt: skip
    _print_time_by_depth(answered)
    return Measured(records, elapsed, run["cpu_seconds"], run["vmhwm_kib"] / 1024)


FAILURES = (
    {"status": 500}, {"status": 502}, {"status": 503}, {"status": 504}, {"status": 429},
    {"drop": True},
)  # fmt: skip
PAGING: dict[str, dict[str, Any]] = {
    "keyset": {"keyset_paging": True},
    "windows": {"keyset_paging": False, "max_pages_per_window": 200},
    "page-numbers": {"keyset_paging": False, "max_pages_per_window": 1_000_000},
}


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


class Launcher:
    """A small process that runs commands and reports their time and peak memory.

    Started before the store is built, it stays small, so the ``ru_maxrss`` of its children is
    theirs alone. For each command it samples the child's own ``VmHWM`` from ``/proc`` and
    takes ``wait4``'s ``ru_maxrss`` when it exits: two measurements of one figure.
    """

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    def run(self, command: list[str], stdout_path: str) -> dict[str, float]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps([command, stdout_path]) + "\n")
        self._process.stdin.flush()
        result: dict[str, float] = json.loads(self._process.stdout.readline())
        return result

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait()


LAUNCHER = """
import json, os, re, subprocess, sys, threading, time

def sample(pid, peak):
    while True:
        try:
            found = re.search(r"VmHWM:\\s+(\\d+) kB", open(f"/proc/{pid}/status").read())
        except OSError:
            return
        if found is None:
            return
        peak[0] = max(peak[0], int(found.group(1)))
        time.sleep(0.02)

for line in sys.stdin:
    command, stdout_path = json.loads(line)
    started = time.perf_counter()
    with open(stdout_path, "wb") as sink:
        child = subprocess.Popen(command, stdout=sink, stderr=subprocess.DEVNULL)
    peak = [0]
    sampler = threading.Thread(target=sample, args=(child.pid, peak), daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    sampler.join(1)
    print(json.dumps({"seconds": seconds, "exit": os.waitstatus_to_exitcode(status),
                      "vmhwm_kib": peak[0], "maxrss_kib": usage.ru_maxrss,
                      "cpu_seconds": usage.ru_utime + usage.ru_stime,
                      "sys_seconds": usage.ru_stime, "page_faults": usage.ru_minflt,
                      "switches": usage.ru_nvcsw + usage.ru_nivcsw}), flush=True)
"""


def _catalog_selecting(config: Path, streams: tuple[str, ...], properties: str) -> str:
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
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in streams
            elif properties and entry["tap_stream_id"] == streams[0]:
                metadata["metadata"]["selected"] = metadata["breadcrumb"][-1] in properties.split(
                    ","
                )
    return json.dumps(catalog)


if __name__ == "__main__":
    main()
