"""A store behind an access gate (Cloudflare Access, a staging proxy): request_headers go with
every request to the store, its token requests included, and never into any output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tap_magento.sandbox.server import IMS_TOKEN_PATH, SandboxServer
from tests.support import (
    SyncResult,
    admin_config,
    bearer_config,
    ims_config,
    make_server,
    run_cli,
    run_tap,
    write_json,
)

GATE = {
    "CF-Access-Client-Id": "0123456789abcdef.access",
    "CF-Access-Client-Secret": "gate-secret-4f1c9d2e7a6b5c3d",
}
DEBUG = {"TAP_MAGENTO_LOGLEVEL": "DEBUG"}


def _gated(server: SandboxServer) -> SandboxServer:
    server.access_gate = dict(GATE)
    return server


@pytest.mark.parametrize("config_for", [bearer_config, admin_config], ids=["bearer", "admin"])
def test_a_gated_store_is_read_with_its_headers_on_every_request(
    tmp_path: Path, config_for
) -> None:
    with make_server() as server:
        _gated(server)
        done = run_tap(tmp_path, config_for(server, request_headers=GATE), env=DEBUG)
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(SyncResult.parse(done.stdout).records["orders"]) == 700
    assert server.requests and all(r.status != 403 for r in server.requests)
    if config_for is admin_config:
        assert any(r.path.endswith("/V1/integration/admin/token") for r in server.requests)
    for where in (done.stdout, done.stderr):
        assert all(value not in where for value in GATE.values())


def test_without_the_headers_the_gate_is_named_in_one_error_line(tmp_path: Path) -> None:
    with make_server() as server:
        _gated(server)
        done = run_tap(tmp_path, bearer_config(server))
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 1 and "request_headers" in errors[0], done.stderr[-3000:]
    assert "Cloudflare" in errors[0] and "Traceback" not in done.stderr


def test_the_headers_come_from_the_environment_as_json(tmp_path: Path) -> None:
    with make_server() as server:
        _gated(server)
        config = write_json(tmp_path, "config.json", bearer_config(server))
        env = {"TAP_MAGENTO_REQUEST_HEADERS": json.dumps(GATE)}
        done = run_cli("--config", config, "--config", "ENV", "--test", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Connection test passed" in done.stderr


def test_adobe_ims_is_not_sent_the_store_s_gate_headers(tmp_path: Path) -> None:
    with make_server(tenant_id="t3nant") as server:
        _gated(server)
        done = run_tap(tmp_path, ims_config(server, request_headers=GATE), "--test")
    assert done.returncode == 0, done.stderr[-3000:]
    token_requests = [r for r in server.requests if r.path == IMS_TOKEN_PATH]
    assert token_requests
    assert all("CF-Access-Client-Secret" not in r.headers for r in token_requests)
    store_requests = [r for r in server.requests if r.path != IMS_TOKEN_PATH]
    assert store_requests and all(
        r.headers.get("CF-Access-Client-Secret") == GATE["CF-Access-Client-Secret"]
        for r in store_requests
    )


def test_the_values_are_secret_in_about_and_errors(tmp_path: Path) -> None:
    about = run_cli("--about", "--format=json")
    spec = json.loads(about.stdout)["settings"]["properties"]["request_headers"]
    assert spec.get("secret") is True
    wrong = {name: f"{value}-wrong" for name, value in GATE.items()}
    with make_server() as server:
        _gated(server)
        done = run_tap(tmp_path, bearer_config(server, request_headers=wrong), env=DEBUG)
    assert done.returncode == 1
    assert "DEBUG" in done.stderr and "request_headers" in done.stderr
    assert all(value not in done.stderr + done.stdout for value in wrong.values())
