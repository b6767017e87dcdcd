"""No credential ever reaches the log (at DEBUG too), stdout, STATE, an error or --about."""

from __future__ import annotations

import json

import pytest

from tap_magento.sandbox.auth import AuthPolicy
from tap_magento.sandbox.server import MAINTENANCE_PAGE, Fault, SandboxServer
from tap_magento.sandbox.store import Unreadable
from tests.support import (
    SyncResult,
    admin_config,
    bearer_config,
    make_server,
    oauth_config,
    run_cli,
    run_tap,
    two_factor_config,
)

DEBUG = {"TAP_MAGENTO_LOGLEVEL": "DEBUG"}
PRODUCT_GONE = Unreadable(404, "The product that was requested doesn't exist.")
NONCE_REFUSED = (
    '{"message": "The nonce is already being used by the consumer with ID %1", "parameters": ["1"]}'
)


def _secrets(server: SandboxServer) -> list[str]:
    creds = server.auth.credentials
    return [
        *(creds.consumer_key, creds.consumer_secret, creds.access_token),
        *(creds.access_token_secret, creds.password, creds.totp_secret),
        *server.auth.issued_tokens,
    ]


def _add_faults(server: SandboxServer) -> None:
    # Waits in this separate process are real: faults that say how long to wait keep it short.
    server.faults.add(Fault(path="/V1/orders", status=500, headers={"Retry-After": "0"}, times=2))
    server.faults.add(Fault(path="/V1/invoices", status=503, body=MAINTENANCE_PAGE,
                            content_type="text/html", headers={"Retry-After": "0"}))  # fmt: skip
    server.faults.add(Fault(path="/V1/customers", status=429, headers={"Retry-After": "0"}))
    server.faults.add(Fault(path="/V1/categories", drop=True))  # waits 0.5-1 s
    server.faults.add(Fault(path="/V1/coupons", status=401, body=NONCE_REFUSED))
    broken = min(r["entity_id"] for r in server.store.records("credit_memos"))
    server.store.break_record("credit_memos", broken, PRODUCT_GONE)  # a 404: never retried


@pytest.mark.slow
@pytest.mark.parametrize(
    "config_for", [bearer_config, oauth_config, admin_config, two_factor_config]
)
def test_no_secret_in_any_output_through_retries_skips_and_errors(config_for, tmp_path) -> None:
    # Admin tokens expire every 40 requests, so the tap logs in again mid-sync.
    two_factor = ("google",) if config_for is two_factor_config else ()
    policy = AuthPolicy(admin_token_max_uses=40, two_factor_providers=two_factor)
    with make_server(policy=policy) as server:
        _add_faults(server)
        config = config_for(server, page_size=100)
        done = run_tap(tmp_path, config, env=DEBUG)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "DEBUG" in done.stderr  # debug logging really was on
        assert "retry 1" in done.stderr and "skipped entity_id" in done.stderr
        state = SyncResult.parse(done.stdout).final_state
        (tmp_path / "state.json").write_text(json.dumps(state))
        # A second run from that state, ending in a fatal error.
        failing = {**config, "store_codes": ["nope"]}
        (tmp_path / "failing.json").write_text(json.dumps(failing))
        failed = run_cli("--config", str(tmp_path / "failing.json"),
                         "--state", str(tmp_path / "state.json"), env=DEBUG)  # fmt: skip
        assert failed.returncode == 1
        about = run_cli("--config", str(tmp_path / "config.json"), "--about", "--format=json")
        if config_for in {admin_config, two_factor_config}:
            assert server.auth.issued_tokens, "the admin path was not exercised"
        secrets = _secrets(server)
        outputs = {
            "sync stdout": done.stdout, "sync stderr": done.stderr,
            "STATE": json.dumps(state), "failed stdout": failed.stdout,
            "failed stderr": failed.stderr, "about": about.stdout + about.stderr,
        }  # fmt: skip
        for where, text in outputs.items():
            for secret in secrets:
                assert secret not in text, f"a secret leaked into {where}"


def test_credentials_in_store_url_are_refused_without_echoing_them(tmp_path) -> None:
    config = {"store_url": "https://etl:hunter2-password@shop.example.com", "access_token": "t0k"}
    done = run_tap(tmp_path, config, env=DEBUG)
    assert done.returncode != 0
    assert "store_url must not hold a user name or password" in done.stderr
    assert "hunter2-password" not in done.stderr + done.stdout
