"""A store_url that redirects (to www., to https://, to /index.php): the tap follows no
redirect, so credentials never reach another address, and the one error line says where the
store sent it and which store_url to set."""

from __future__ import annotations

from pathlib import Path

import pytest

from tap_magento.front_door.diagnosis import moved_base
from tap_magento.sandbox.server import SandboxServer
from tests.support import admin_config, bearer_config, make_server, oauth_config, run_tap


def _moved(server: SandboxServer, to: str) -> SandboxServer:
    server.redirect_to = to
    return server


ANOTHER_HOST = ("http://localhost:{port}", "http://localhost:{port}")  # www., say
TO_HTTPS = ("https://127.0.0.1:{port}", "https://127.0.0.1:{port}")
INDEX_PHP = ("http://127.0.0.1:{port}/index.php", "http://127.0.0.1:{port}/index.php")


# Each kind of redirect, each way to log in (the admin's is the token request), and --test.
@pytest.mark.parametrize(
    ("to", "store_url", "config_for", "command"),
    [
        (*ANOTHER_HOST, bearer_config, []),
        (*TO_HTTPS, bearer_config, []),
        (*INDEX_PHP, bearer_config, []),
        (*ANOTHER_HOST, oauth_config, []),
        (*ANOTHER_HOST, admin_config, []),
        (*TO_HTTPS, admin_config, ["--test"]),
        (*ANOTHER_HOST, oauth_config, ["--test"]),
    ],
    ids=[
        "another-host",
        "to-https",
        "index-php",
        "oauth",
        "admin-login",
        "admin-test",
        "oauth-test",
    ],
)
def test_a_redirect_stops_the_run_at_once_naming_the_store_url_to_set(
    tmp_path: Path, to: str, store_url: str, config_for, command: list[str]
) -> None:
    with make_server() as server:
        port = server.url.rsplit(":", 1)[1]
        _moved(server, to.format(port=port))
        done = run_tap(tmp_path, config_for(server), *command)
        requests = list(server.requests)
    assert done.returncode == 1, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 1, done.stderr[-3000:]
    assert f"with a redirect (301) to {to.format(port=port)}/rest/V1/" in errors[0]
    assert f"set store_url to {store_url.format(port=port)}." in errors[0]
    assert "Traceback" not in done.stderr and done.stdout == ""
    # Asked once, and never again at the address it was sent to (127.0.0.1 is the server's own).
    assert len(requests) == 1, [r.path for r in requests]
    assert all(r.headers.get("Host", "").startswith("127.0.0.1") for r in requests)


@pytest.mark.parametrize(
    ("asked", "sent_to", "base"),
    [
        ("/rest/default/V1/products", "/rest/default/V1/products", "https://www.shop.example"),
        ("/rest/V1/orders", "/index.php/rest/V1/orders", "https://www.shop.example/index.php"),
        ("/shop/rest/V1/orders", "/rest/V1/orders", "https://www.shop.example"),
        ("/rest/V1/orders", "/login", None),  # nothing in common: the address itself is named
    ],
)
def test_the_suggested_store_url_is_the_redirect_less_the_route(asked, sent_to, base) -> None:
    assert moved_base(asked, sent_to, "https://www.shop.example") == base
