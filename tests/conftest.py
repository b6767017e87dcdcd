"""Fixtures: a real sandbox store over HTTP, and helpers that run the tap as users do."""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from tap_magento import retry
from tap_magento.sandbox.auth import AuthPolicy, SandboxAuth
from tap_magento.sandbox.search import SearchBehaviour
from tap_magento.sandbox.server import SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize
from tap_magento.tap import TapMagento

SMALL = StoreSize(orders=700, products=90, customers=120, categories=20, sales_rules=5)


@dataclass
class SyncResult:
    messages: list[dict[str, Any]]
    records: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    states: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def parse(cls, stdout: str) -> SyncResult:
        result = cls(messages=[json.loads(line) for line in stdout.splitlines() if line.strip()])
        for message in result.messages:
            if message["type"] == "RECORD":
                result.records[message["stream"]].append(message["record"])
            elif message["type"] == "SCHEMA":
                result.schemas[message["stream"]] = message["schema"]
            elif message["type"] == "STATE":
                result.states.append(message["value"])
        return result

    @property
    def final_state(self) -> dict[str, Any]:
        return self.states[-1]


def sync(
    config: dict[str, Any],
    state: dict[str, Any] | None = None,
    streams: list[str] | None = None,
) -> SyncResult:
    """Run the tap in this process (as ``tap-magento --config ... [--state ...]``)."""
    tap = TapMagento(config=config, state=copy.deepcopy(state))  # the SDK updates it in place
    if streams is not None:
        for name, stream in tap.streams.items():
            stream.selected = name in streams
    out = io.StringIO()
    with redirect_stdout(out):
        tap.sync_all()
    return SyncResult.parse(out.getvalue())


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``tap-magento`` as a separate process, as a scheduler would."""
    return subprocess.run(
        [sys.executable, "-m", "tap_magento", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        check=False,
    )


def make_server(
    size: StoreSize = SMALL,
    behaviour: SearchBehaviour | None = None,
    policy: AuthPolicy | None = None,
) -> SandboxServer:
    return SandboxServer(
        SandboxStore(size), auth=SandboxAuth(policy=policy or AuthPolicy()), behaviour=behaviour
    )


# Retries in tests wait a hundredth of the real schedule (retry.RULES); a store's own
# Retry-After is still obeyed to the second. The real schedule is checked in test_retries.
TEST_WAIT_SCALE = 0.01


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    scaled = {
        cause: replace(rule, first_wait=rule.first_wait * TEST_WAIT_SCALE,
                       max_wait=rule.max_wait * TEST_WAIT_SCALE)
        for cause, rule in retry.RULES.items()
    }  # fmt: skip
    monkeypatch.setattr(retry, "RULES", scaled)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with make_server() as running:
        yield running


def bearer_config(server: SandboxServer, **extra: Any) -> dict[str, Any]:
    return {"store_url": server.url, "access_token": server.auth.credentials.access_token, **extra}


def oauth_config(server: SandboxServer, **extra: Any) -> dict[str, Any]:
    creds = server.auth.credentials
    return {
        "store_url": server.url,
        "consumer_key": creds.consumer_key,
        "consumer_secret": creds.consumer_secret,
        "access_token": creds.access_token,
        "access_token_secret": creds.access_token_secret,
        **extra,
    }


def admin_config(server: SandboxServer, **extra: Any) -> dict[str, Any]:
    creds = server.auth.credentials
    return {
        "store_url": server.url,
        "username": creds.username,
        "password": creds.password,
        **extra,
    }


def magento_to_rfc3339(value: str) -> str:
    """Independent of the tap's code: what a Magento UTC timestamp must be emitted as."""
    date, time = value.split(" ")
    return f"{date}T{time}+00:00"


def assert_same_record(emitted: Any, stored: Any, schema: dict[str, Any], path: str = "") -> None:
    """Every stored value arrives, unchanged except for timestamps in RFC 3339."""
    if isinstance(stored, dict):
        assert isinstance(emitted, dict), path
        properties = schema.get("properties", {})
        for key, value in stored.items():
            assert key in emitted, f"{path}.{key} missing"
            assert_same_record(emitted[key], value, properties.get(key, {}), f"{path}.{key}")
    elif isinstance(stored, list):
        assert isinstance(emitted, list) and len(emitted) == len(stored), path
        for index, (a, b) in enumerate(zip(emitted, stored, strict=True)):
            assert_same_record(a, b, schema.get("items", {}), f"{path}[{index}]")
    elif schema.get("format") == "date-time" and stored is not None:
        assert emitted == magento_to_rfc3339(stored), path
    else:
        assert emitted == stored, f"{path}: {emitted!r} != {stored!r}"
