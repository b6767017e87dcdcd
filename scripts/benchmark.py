"""Measure a sync against the sandbox store: time, records/s, requests, peak memory.

    python scripts/benchmark.py --orders 100000 --page-size 300

The sandbox runs in this process; the tap runs as its own process (``tap-magento``), reading only
the orders stream, with its Singer output counted and thrown away.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tap_magento.sandbox.server import SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=300)
    parser.add_argument("--stream", default="orders")
    args = parser.parse_args()

    started = time.perf_counter()
    store = SandboxStore(StoreSize(orders=args.orders))
    print(f"sandbox store with {args.orders} orders built in {time.perf_counter() - started:.1f}s")
    with SandboxServer(store) as server, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.json"
        config.write_text(
            json.dumps(
                {
                    "store_url": server.url,
                    "access_token": server.auth.credentials.access_token,
                    "page_size": args.page_size,
                }
            )
        )
        catalog = Path(tmp) / "catalog.json"
        catalog.write_text(_catalog_selecting(config, args.stream))
        started = time.perf_counter()
        command = [sys.executable, "-m", "tap_magento", "--config", str(config)]
        with subprocess.Popen(
            [*command, "--catalog", str(catalog)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        ) as tap:
            assert tap.stdout is not None
            records = sum(1 for line in tap.stdout if line.startswith(b'{"type":"RECORD"'))
        elapsed = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        requests = len([r for r in server.requests if r.status == 200])
    print(f"tap exit code: {tap.returncode}")
    print(f"{args.stream}: {records} records, {requests} requests, page_size {args.page_size}")
    print(f"time: {elapsed:.1f}s = {records / elapsed:.0f} records/s")
    print(f"tap peak memory (max RSS): {peak_mib:.0f} MiB")


def _catalog_selecting(config: Path, stream: str) -> str:
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
    return json.dumps(catalog)


if __name__ == "__main__":
    main()
