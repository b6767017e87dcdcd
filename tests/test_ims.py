"""Adobe Commerce as a Cloud Service: IMS server-to-server credentials and the tenant URL."""

from __future__ import annotations

import json

from tap_magento.sandbox.auth import AuthPolicy
from tests.support import (
    SyncResult,
    assert_each_stored_record_once,
    ims_config,
    make_server,
    run_tap,
    sync,
)

TENANT = "Ab1cD2eF3gH4"
ORDERS = ["orders"]


def test_a_token_is_fetched_once_and_every_request_goes_to_the_tenant() -> None:
    with make_server(tenant_id=TENANT) as server:
        result = sync(ims_config(server, page_size=100), streams=ORDERS)
        assert_each_stored_record_once(server, "orders", result.records["orders"])
        assert server.auth.ims_logins == 1
        asked = [r for r in server.requests if r.path.endswith("/V1/orders")]
        assert asked and all(r.path == f"/{TENANT}/V1/orders" for r in asked)
        creds = server.auth.credentials
        assert all(r.headers.get("x-api-key") == creds.ims_client_id for r in asked)
        assert all(r.headers.get("x-gw-ims-org-id") == creds.ims_org_id for r in asked)
        token_requests = [r for r in server.requests if r.path == "/ims/token/v3"]
        assert [r.method for r in token_requests] == ["POST"]


def test_an_expired_token_is_renewed_once_mid_sync() -> None:
    # 700 orders in pages of 100 take 8 requests; a token lasts 6.
    policy = AuthPolicy(ims_token_max_uses=6)
    with make_server(policy=policy, tenant_id=TENANT) as server:
        result = sync(ims_config(server, page_size=100, max_parallel_requests=1), streams=ORDERS)
        assert_each_stored_record_once(server, "orders", result.records["orders"])
        assert server.auth.ims_logins == 2
        refused = [r for r in server.requests if r.status == 401]
        assert len(refused) == 1, "one 401, then the renewed token"


def test_a_wrong_client_secret_is_one_line(tmp_path) -> None:
    with make_server(tenant_id=TENANT) as server:
        done = run_tap(tmp_path, ims_config(server, ims_client_secret="p8e-not-the-secret-0000"))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 1, done.stderr[-2000:]
    assert "Adobe IMS refused the token request (invalid_client: invalid client_secret" in errors[0]
    assert "p8e-not-the-secret-0000" not in done.stderr
    assert done.stdout == ""


def test_no_secret_or_token_in_any_output_at_debug(tmp_path) -> None:
    policy = AuthPolicy(ims_token_max_uses=20)  # renewed during the sync, so two tokens
    with make_server(policy=policy, tenant_id=TENANT) as server:
        config = ims_config(server, page_size=50)
        done = run_tap(tmp_path, config, env={"TAP_MAGENTO_LOGLEVEL": "DEBUG"})
        assert done.returncode == 0, done.stderr[-3000:]
        assert "DEBUG" in done.stderr
        assert server.auth.ims_logins >= 2
        result = SyncResult.parse(done.stdout)
        assert len(result.records["orders"]) == len(server.store.records("orders"))
        secrets = [config["ims_client_secret"], *server.auth.issued_tokens]
        state = json.dumps(result.final_state)
        for secret in secrets:
            assert secret not in done.stderr
            assert secret not in done.stdout
            assert secret not in state
