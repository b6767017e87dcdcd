"""Each authentication method end to end against the sandbox's real checks."""

from __future__ import annotations

import pytest
import requests
from singer_sdk.exceptions import FatalAPIError

from tap_magento.front_door.auth import AdminToken
from tap_magento.sandbox.auth import AuthPolicy
from tap_magento.sandbox.server import Fault
from tests.support import (
    admin_config,
    bearer_config,
    make_server,
    oauth_config,
    run_tap,
    sync,
)

ORDERS = ["orders"]


@pytest.mark.parametrize("config_for", [bearer_config, oauth_config, admin_config])
def test_every_auth_method_syncs_all_orders(server, config_for) -> None:
    result = sync(config_for(server, page_size=100), streams=ORDERS)
    assert len(result.records["orders"]) == len(server.store.records("orders"))


def test_oauth1_requests_are_really_signed(server) -> None:
    # One reader, so the requests are exactly the four pages.
    sync(oauth_config(server, page_size=200, max_parallel_requests=1), streams=ORDERS)
    orders = [r for r in server.requests if r.path == "/rest/V1/orders"]
    assert len(orders) == 4 and all(r.status == 200 for r in orders)


def test_bad_oauth1_secret_stops_with_the_stores_message(server) -> None:
    config = oauth_config(server, consumer_secret="not-the-secret")
    with pytest.raises(FatalAPIError, match="signature is invalid") as error:
        sync(config, streams=ORDERS)
    assert "not-the-secret" not in str(error.value)


def test_oauth1_retries_are_signed_afresh(server) -> None:
    # A reused nonce is refused by Magento: the retried request must carry a new signature.
    server.faults.add(Fault(path="/V1/orders", status=503, headers={"Retry-After": "0"}, times=2))
    result = sync(oauth_config(server), streams=ORDERS)
    assert len(result.records["orders"]) == len(server.store.records("orders"))
    statuses = [r.status for r in server.requests if r.path == "/rest/V1/orders"]
    assert statuses[:3] == [503, 503, 200]


def test_wrong_admin_password_is_a_clear_error(server) -> None:
    with pytest.raises(FatalAPIError, match="refused the admin username or password"):
        sync(admin_config(server, password="wrong-password-123"), streams=ORDERS)


def test_admin_token_that_expires_mid_sync_is_renewed_once() -> None:
    with make_server(policy=AuthPolicy(admin_token_max_uses=2)) as server:
        # One reader: with several, requests in flight when a token expires share one renewal,
        # but how many pages a token lasts is not fixed.
        config = admin_config(server, page_size=100, max_parallel_requests=1)
        result = sync(config, streams=ORDERS)
        assert len(result.records["orders"]) == len(server.store.records("orders"))
        assert server.auth.logins >= 3  # 7 pages, 2 requests per token
        statuses = [r.status for r in server.requests if r.path == "/rest/V1/orders"]
        assert statuses.count(401) == server.auth.logins - 1


def test_integration_token_refused_as_bearer_points_to_oauth1() -> None:
    with make_server(policy=AuthPolicy(integration_as_bearer=False)) as server:
        with pytest.raises(FatalAPIError, match=r"OAuth 1\.0a") as error:
            sync(bearer_config(server), streams=ORDERS)
        assert "isn't authorized to access Magento_Sales::actions_view" in str(error.value)
        assert server.auth.credentials.access_token not in str(error.value)
        # ... and OAuth 1.0a with the same integration works on that store.
        result = sync(oauth_config(server), streams=ORDERS)
        assert len(result.records["orders"]) == len(server.store.records("orders"))


def test_log_names_the_auth_method_but_never_a_secret(server, tmp_path) -> None:
    config = oauth_config(server, page_size=500)
    done = run_tap(tmp_path, config)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "OAuth 1.0a" in done.stderr
    creds = server.auth.credentials
    for secret in (creds.consumer_secret, creds.access_token, creds.access_token_secret):
        assert secret not in done.stderr
        assert secret not in done.stdout


def test_missing_credentials_is_a_one_line_config_error(server, tmp_path) -> None:
    done = run_tap(tmp_path, {"store_url": server.url})
    assert done.returncode != 0
    assert "No credentials: set access_token, or username and password" in done.stderr
    assert "Traceback" not in done.stderr


def test_incomplete_oauth1_settings_say_what_is_missing(server) -> None:
    from singer_sdk.exceptions import ConfigValidationError

    config = {"store_url": server.url, "consumer_key": "abc", "access_token": "x"}
    with pytest.raises(ConfigValidationError, match="consumer_secret, access_token_secret"):
        sync(config)


def test_a_renewed_token_the_store_refuses_is_not_renewed_again() -> None:
    # A 401 for a token just renewed means the resource is refused, not that the token
    # expired: parallel readers must not each log in again (how many would depend on timing).
    granted = frozenset({"Magento_Backend::store"})
    with make_server(policy=AuthPolicy(granted_resources=granted)) as server:
        creds = server.auth.credentials
        headers = {"User-Agent": "tap-magento"}
        auth = AdminToken(server.url + "/rest", creds.username, creds.password, 10, headers)
        with requests.Session() as session:
            for _ in range(3):
                answer = session.get(server.url + "/rest/V1/orders?searchCriteria[pageSize]=1",
                                     auth=auth, timeout=10)  # fmt: skip
                assert answer.status_code == 401
    assert server.auth.logins == 2  # the first login and one renewal
    # (Once the store has accepted a renewed token, a 401 means it expired again:
    # test_admin_token_that_expires_mid_sync_is_renewed_once.)
