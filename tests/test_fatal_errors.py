"""What no retry can fix ends the run with exit status 1 and one line that says what to fix."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess

import pytest
from singer_sdk.exceptions import FatalAPIError

from tap_magento.sandbox.auth import AuthPolicy
from tap_magento.sandbox.server import ACL_RESOURCES, Fault, SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize
from tests.support import (
    ALL_STREAMS,
    CHILD_STREAMS,
    SMALL,
    SyncResult,
    admin_config,
    bearer_config,
    make_server,
    oauth_config,
    run_tap,
    sync,
)

CLOUDFLARE_PAGE = (
    "<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head>"
    "<body>Sorry, you have been blocked</body></html>"
)
SUCURI_PAGE = "<html><title>Sucuri WebSite Firewall - Access Denied</title></html>"


def _fails_with(tmp_path, config, expected: str) -> str:
    """Run the tap as a user would; return its last error line, checked to be ``expected``."""
    done = run_tap(tmp_path, config)
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 1, errors or done.stderr[-3000:]  # not the SDK's "unhandled error"
    assert expected in errors[-1], errors[-1]
    return errors[-1]


def test_wrong_integration_token(server, tmp_path) -> None:
    line = _fails_with(
        tmp_path,
        bearer_config(server, access_token="not-the-token-1234"),
        "The store refused the integration access token as a Bearer token",
    )
    assert "not-the-token-1234" not in line


def test_wrong_oauth_secret(server, tmp_path) -> None:
    line = _fails_with(
        tmp_path,
        oauth_config(server, consumer_secret="not-the-secret-5678"),
        "The store refused the OAuth 1.0a (integration consumer key and access token)",
    )
    assert "'The signature is invalid. Verify and try again.'" in line
    assert "Check the credentials" in line


def test_wrong_admin_password(server, tmp_path) -> None:
    _fails_with(
        tmp_path,
        admin_config(server, password="not-the-password"),
        "The store refused the admin username or password",
    )


def test_token_without_an_acl_resource_skips_those_streams_naming_the_resource(tmp_path) -> None:
    granted = frozenset(set(ACL_RESOURCES.values()) - {"Magento_Sales::actions_view"})
    with make_server(policy=AuthPolicy(granted_resources=granted)) as server:
        done = run_tap(tmp_path, oauth_config(server))
    assert done.returncode == 0, done.stderr[-3000:]
    warnings = [line for line in done.stderr.splitlines() if "| WARNING" in line]
    for stream in ("orders", "order_items"):  # the two routes behind that resource
        assert sum(f"{stream}: skipped: lacks ACL resource Magento_Sales::actions_view" in w
                   for w in warnings) == 1, warnings  # fmt: skip
    result = SyncResult.parse(done.stdout)
    assert "orders" not in result.records and "order_items" not in result.records
    orders_children = {name for name, (_, parent) in CHILD_STREAMS.items() if parent == "orders"}
    assert {m["stream"] for m in result.messages if m["type"] == "SCHEMA"} == set(ALL_STREAMS) - {
        "orders",
        "order_items",
        *orders_children,
    }
    assert len(result.records["invoices"]) == len(server.store.records("invoices"))


def test_bearer_token_the_store_accepted_before_is_told_it_lacks_a_resource() -> None:
    granted = frozenset(set(ACL_RESOURCES.values()) - {"Magento_Sales::actions_view"})
    expected = re.escape(
        "The integration access token (Bearer) has no access to ACL resource "
        "Magento_Sales::actions_view"
    )
    # categories syncs first and succeeds: the token is right, and accepted as Bearer.
    with (
        make_server(policy=AuthPolicy(granted_resources=granted)) as server,
        pytest.raises(FatalAPIError, match=f"^{expected}"),
    ):
        sync(bearer_config(server), streams=["categories", "orders"])


def test_integration_token_refused_as_bearer_says_to_use_oauth_or_the_store_option(
    tmp_path,
) -> None:
    with make_server(policy=AuthPolicy(integration_as_bearer=False)) as server:
        line = _fails_with(
            tmp_path,
            bearer_config(server),
            "does not accept integration tokens as Bearer tokens",
        )
        assert "Use OAuth 1.0a" in line
        assert "Allow OAuth Access Tokens to be used as standalone Bearer tokens" in line


@pytest.mark.parametrize(
    ("fault", "vendor"),
    [
        (Fault(path="/V1/", status=403, body=CLOUDFLARE_PAGE, content_type="text/html",
                headers={"Server": "cloudflare", "CF-RAY": "8a1b2c3d4e5f-AMS"}, times=None),
         "Cloudflare"),
        (Fault(path="/V1/", status=403, body=SUCURI_PAGE, content_type="text/html",
                headers={"Server": "Sucuri/Cloudproxy", "X-Sucuri-ID": "16010"}, times=None),
         "Sucuri"),
        (Fault(path="/V1/", status=200, body=CLOUDFLARE_PAGE, content_type="text/html",
                headers={"CF-RAY": "8a1b2c3d4e5f-AMS"}, times=None),
         "Cloudflare"),
    ],
    ids=["cloudflare-403", "sucuri-403", "cloudflare-challenge-200"],
)  # fmt: skip
def test_firewall_page_instead_of_json_names_the_firewall(server, tmp_path, fault, vendor) -> None:
    server.faults.add(fault)
    line = _fails_with(tmp_path, bearer_config(server), f"{vendor} answered GET /rest/")
    assert "firewall, bot protection or access gate is blocking the tap" in line
    assert "User-Agent 'tap-magento'" in line


def test_store_url_that_is_not_the_store(server, tmp_path) -> None:
    line = _fails_with(
        tmp_path,
        bearer_config(server, store_url=server.url + "/shop"),
        "store_url is not the store's base URL: 404 Not Found for GET /shop/rest/V1/",
    )
    assert "Request does not match any route." in line


def test_unknown_store_code(server, tmp_path) -> None:
    _fails_with(
        tmp_path,
        bearer_config(server, store_codes=["default", "nope"]),
        "store_codes has nope, which this store does not have: its store views are default, "
        'fr, b2b (or use ["*"] for all of them).',
    )


def test_rate_limit_longer_than_max_wait(server, tmp_path) -> None:
    server.faults.add(path="/V1/", status=429, headers={"Retry-After": "3600"}, times=None)
    _fails_with(
        tmp_path,
        bearer_config(server),
        "The store asks to wait 3600 s (Retry-After), longer than max_wait_seconds (300)",
    )


def test_tls_certificate_the_tap_cannot_verify(tmp_path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate for this test")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    with SandboxServer(SandboxStore(SMALL), tls=(str(cert), str(key))) as server:
        assert server.url.startswith("https://")
        line = _fails_with(tmp_path, bearer_config(server), "TLS error talking to 127.0.0.1")
        assert "certificate verify failed" in line
        assert "REQUESTS_CA_BUNDLE" in line


def test_store_that_is_not_there_is_retried_then_named(tmp_path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    config = {"store_url": f"http://127.0.0.1:{port}", "access_token": "t0k3n-abcd"}
    with pytest.raises(FatalAPIError, match=r"failed 8 times .*connection refused") as error:
        sync(config, streams=["websites"])
    assert "Check that 127.0.0.1 is reachable" in str(error.value)


def test_a_run_that_gives_up_leaves_a_state_of_exactly_what_it_emitted(tmp_path) -> None:
    with make_server(StoreSize(orders=900, customers=5, products=5)) as server:
        # The store goes into maintenance after the access check, the plan and four pages.
        server.faults.add(path=r"/V1/orders\?", status=503, body="<html>Maintenance</html>",
                          content_type="text/html", skip=6, times=None)  # fmt: skip
        config = bearer_config(server, page_size=100, max_parallel_requests=1,
                               max_wait_seconds=1)  # fmt: skip
        done = run_tap(tmp_path, config)
    assert done.returncode == 1
    result = SyncResult.parse(done.stdout)
    orders = result.records["orders"]
    assert len(orders) == 500  # the pass read its first five pages
    assert result.messages[-1]["type"] == "STATE"
    bookmark = result.final_state["bookmarks"]["orders"]["replication_key_value"]
    assert bookmark == max(order["updated_at"] for order in orders)
