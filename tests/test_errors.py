"""Errors that no retry fixes stop the sync with the store's message and the path."""

from __future__ import annotations

import pytest
from singer_sdk.exceptions import FatalAPIError

from tap_magento.front_door.connection import rest_url
from tap_magento.sandbox.auth import AuthPolicy
from tap_magento.sandbox.server import ACL_RESOURCES, MAINTENANCE_PAGE, Fault
from tests.support import bearer_config, make_server, run_tap, sync

ORDERS = ["orders"]


@pytest.mark.parametrize(
    "store_url",
    [
        "https://shop.example.com",
        "https://shop.example.com/",
        "https://shop.example.com/rest",
        "https://shop.example.com/rest/",
    ],
)
def test_store_url_is_accepted_with_or_without_slash_and_rest(store_url) -> None:
    assert rest_url(store_url) == "https://shop.example.com/rest"


def test_store_url_in_a_subdirectory_keeps_it() -> None:
    assert rest_url("http://localhost:8080/magento/") == "http://localhost:8080/magento/rest"


@pytest.mark.parametrize(
    "store_url", ["shop.example.com", "ftp://shop.example.com", "https://", ""]
)
def test_store_url_without_scheme_or_host_is_a_one_line_error(tmp_path, store_url) -> None:
    done = run_tap(tmp_path, {"store_url": store_url, "access_token": "t0k3n"})
    assert done.returncode != 0
    assert "store_url must be the store's base URL with scheme and host" in done.stderr
    assert "Traceback" not in done.stderr


def test_wrong_store_url_path_stops_with_the_stores_message(server, tmp_path) -> None:
    config = bearer_config(server)
    config["store_url"] = server.url + "/not-magento"
    done = run_tap(tmp_path, config)
    assert done.returncode != 0
    assert "404 Not Found for GET /not-magento/rest/V1/" in done.stderr
    assert "Request does not match any route." in done.stderr
    assert config["access_token"] not in done.stderr + done.stdout


def test_unknown_store_code_is_reported_even_when_store_views_cannot_be_listed() -> None:
    # Without Magento_Backend::store the codes cannot be checked up front; the store's own
    # answer for the unknown code is the error then.
    granted = frozenset(set(ACL_RESOURCES.values()) - {"Magento_Backend::store"})
    with (
        make_server(policy=AuthPolicy(granted_resources=granted)) as server,
        pytest.raises(FatalAPIError, match="store that was requested wasn't found") as error,
    ):
        sync(bearer_config(server, store_codes=["nope"]), streams=["products"])
    assert "/rest/nope/V1/products" in str(error.value)


def test_html_page_with_status_200_is_a_clear_error(server) -> None:
    server.faults.add(Fault(path="/V1/orders", status=200, body=MAINTENANCE_PAGE,
                            content_type="text/html", times=None))  # fmt: skip
    with pytest.raises(
        FatalAPIError, match=r"Expected JSON from GET /rest/V1/orders \(200\) but got text/html"
    ):
        sync(bearer_config(server), streams=ORDERS)


def test_non_json_body_without_html_content_type_is_a_clear_error(server) -> None:
    server.faults.add(
        Fault(path="/V1/orders", status=200, body="<?xml?>", content_type="application/json")
    )
    with pytest.raises(FatalAPIError, match="Expected JSON"):
        sync(bearer_config(server), streams=ORDERS)


def test_bad_request_stops_with_store_message(server) -> None:
    server.faults.add(Fault(path="/V1/coupons", status=400,
                            body='{"message": "\\"%fieldName\\" is required.", "parameters": {"fieldName": "x"}}'))  # fmt: skip
    with pytest.raises(
        FatalAPIError,
        match=r"400 Bad Request for GET /rest/V1/coupons/search: '\"x\" is required.'",
    ):
        sync(bearer_config(server), streams=["coupons"])
