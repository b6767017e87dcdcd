"""The commands users type: discovery, the one-command sandbox demo, the sandbox server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.support import ALL_STREAMS, SyncResult, run_cli, run_tap

REPO = Path(__file__).resolve().parent.parent

# The interface users' configs and warehouses depend on, as issue 2 spells it.


def test_discovery_lists_every_stream_with_its_keys(tmp_path) -> None:
    done = run_tap(tmp_path, {"store_url": "https://shop.example.com"}, "--discover")
    assert done.returncode == 0, done.stderr
    found = {}
    for entry in json.loads(done.stdout)["streams"]:
        root = next(m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == [])
        found[entry["tap_stream_id"]] = (root["table-key-properties"], root.get("replication-key"))
        expected_method = "INCREMENTAL" if root.get("replication-key") else "FULL_TABLE"
        assert entry["replication_method"] == expected_method
    assert found == ALL_STREAMS


def test_sandbox_config_runs_a_real_sync_in_one_command() -> None:
    done = run_cli("--config", str(REPO / "sandbox.json"), cwd=REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "started the bundled sandbox store" in done.stderr
    assert done.stderr.rstrip().endswith("Stopped the bundled sandbox store")
    # A newcomer's first command: nothing to worry about on stderr.
    assert [line for line in done.stderr.splitlines() if "| INFO " not in line] == []
    records = Counter(
        m["stream"] for m in SyncResult.parse(done.stdout).messages if m["type"] == "RECORD"
    )
    assert set(records) == set(ALL_STREAMS)
    assert records["orders"] == 500


@pytest.mark.parametrize(
    "extra",
    [
        [],
        ["--no-bearer"],
        ["--two-factor", "google"],
        [
            "--tenant",
            "t3nant",
            "--without",
            "Magento_Rma,Magento_Company,Magento_CompanyCredit,Magento_SharedCatalog,Magento_GiftWrapping,MSI",
        ],
    ],
    ids=["magento", "no-bearer", "two-factor", "cloud-service-without-modules"],
)
def test_sandbox_command_serves_a_store_the_tap_can_sync(tmp_path, extra) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["-m", "tap_magento.sandbox.cli", "--port", str(port), "--orders", "42", *extra]
    with subprocess.Popen(
        [sys.executable, *command],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as sandbox:
        try:
            assert sandbox.stdout is not None
            lines = [sandbox.stdout.readline() for _ in range(2)]
            config = json.loads(lines[1].split(":", 1)[1])
            done = run_tap(tmp_path, config)
        finally:
            sandbox.terminate()
    assert done.returncode == 0, done.stderr[-2000:]
    orders = [
        m
        for m in SyncResult.parse(done.stdout).messages
        if m.get("stream") == "orders" and m["type"] == "RECORD"
    ]
    assert len(orders) == 42
    skipped = [
        line for line in done.stderr.splitlines() if ": skipped: the store has no route" in line
    ]
    # Without them: returns, the eight B2B streams, gift wrappings and five MSI lists.
    assert len(skipped) == (15 if "--without" in extra else 0)


def test_sandbox_command_on_a_busy_port_says_so_in_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "tap_magento.sandbox.cli", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"tap-magento-sandbox: cannot listen on 127.0.0.1:{port} (Address already in use): "
        "choose another --port."
    ]
