"""Bad input of any kind (config, environment, STATE, catalog): one line, exit 1, nothing else.

Each case runs ``tap-magento`` as a scheduler would, against a live sandbox store, with a
valid STATE file beside it. The run must stop before its first request with exactly one ERROR
line that names what to fix, write nothing to stdout (no SCHEMA, no STATE), print no
traceback, and leave the STATE file as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tap_magento.front_door.connection import SECRET_SETTINGS
from tap_magento.sandbox.server import SandboxServer
from tests.support import SyncResult, bearer_config, make_server, oauth_config, run_cli, write_json

GOOD_STATE = {
    "bookmarks": {
        "orders": {"replication_key": "updated_at",
                   "replication_key_value": "2025-01-01T00:00:00+00:00"},
    }
}  # fmt: skip
GOOD_CATALOG = {"streams": [{"tap_stream_id": "orders", "schema": {}, "metadata": []}]}


# name -> what to change in a good run ("config": settings to set, None to remove; "oauth":
# start from OAuth 1.0a credentials; "env"; "state"; "catalog"; "*_text": a file's raw text)
# and "says": what its one error line must say.
CASES: dict[str, dict[str, Any]] = {
    # Numbers: types and ranges.
    "page_size 0": {"config": {"page_size": 0}, "says": "page_size: 0 is less than the minimum of 1"},
    "page_size negative": {"config": {"page_size": -5}, "says": "page_size: -5 is less than"},
    "page_size as text": {"config": {"page_size": "300"}, "says": "page_size: '300' is not of type"},
    "page_size fraction": {"config": {"page_size": 1.5}, "says": "page_size: 1.5 is not of type"},
    "page_size huge": {"config": {"page_size": 100_000}, "says": "page_size: 100000 is greater"},
    "min_page_size 0": {"config": {"min_page_size": 0}, "says": "min_page_size: 0 is less than the minimum of 1"},
    "min_page_size negative": {"config": {"min_page_size": -10}, "says": "min_page_size: -10 is less than"},
    "min_page_size as text": {"config": {"min_page_size": "10"}, "says": "min_page_size: '10' is not of type"},
    "min_page_size fraction": {"config": {"min_page_size": 2.5}, "says": "min_page_size: 2.5 is not of type"},
    "min_page_size above page_size": {"config": {"page_size": 50, "min_page_size": 80}, "says": "min_page_size (80) is larger than page_size (50)"},
    "min_page_size above the default page_size": {"config": {"min_page_size": 500}, "says": "min_page_size (500) is larger than page_size (300)"},
    "request_timeout 0": {"config": {"request_timeout": 0}, "says": "request_timeout: 0 is less than or equal"},
    "request_timeout negative": {"config": {"request_timeout": -1}, "says": "request_timeout: -1"},
    "max_wait_seconds negative": {"config": {"max_wait_seconds": -1}, "says": "max_wait_seconds: -1"},
    "min_request_interval negative": {"config": {"min_request_interval": -0.5}, "says": "min_request_interval: -0.5"},
    "lookback_seconds negative": {"config": {"lookback_seconds": -1}, "says": "lookback_seconds: -1"},
    "lookback_seconds as words": {"config": {"lookback_seconds": "2 minutes"}, "says": "lookback_seconds: '2 minutes'"},
    # What to read: stream_filters and ids.
    "stream_filters unknown stream": {"config": {"stream_filters": {"order": [{"field": "status", "value": "x"}]}}, "says": "stream_filters: 'order' is not a stream"},
    "stream_filters plain array": {"config": {"stream_filters": {"websites": [{"field": "code", "value": "x"}]}}, "says": "websites is not a searchCriteria list"},
    "stream_filters on the cursor": {"config": {"stream_filters": {"orders": [{"field": "updated_at", "condition_type": "gt", "value": "2024-01-01"}]}}, "says": "orders cannot be filtered on updated_at"},
    "stream_filters on the key's search name": {"config": {"stream_filters": {"products": [{"field": "entity_id", "value": 5}]}}, "says": "products cannot be filtered on entity_id"},
    "stream_filters condition type": {"config": {"stream_filters": {"orders": [{"field": "status", "condition_type": "equals", "value": "x"}]}}, "says": "stream_filters.orders[0].condition_type: 'equals' is not one of"},
    "stream_filters no value": {"config": {"stream_filters": {"orders": [{"field": "status"}]}}, "says": "'value' is a required property"},
    "stream_filters field name": {"config": {"stream_filters": {"orders": [{"field": "status; drop", "value": "x"}]}}, "says": "stream_filters.orders[0].field"},
    "stream_filters not a list": {"config": {"stream_filters": {"orders": {"field": "status", "value": "x"}}}, "says": "stream_filters.orders: {"},
    "ids empty": {"config": {"ids": {"orders": []}}, "says": "ids.orders: [] should be non-empty"},
    "ids two-field key": {"config": {"ids": {"source_items": ["SKU-1"]}}, "says": "ids: source_items records are named by sku and source_code"},
    "ids plain array": {"config": {"ids": {"countries": ["DE"]}}, "says": "countries is not a searchCriteria list"},
    "ids fraction": {"config": {"ids": {"orders": [1.5]}}, "says": "ids.orders[0]: 1.5 is not of type"},
    "ids not an object": {"config": {"ids": [1001]}, "says": "ids: [1001] is not of type"},
    "ids empty key": {"config": {"ids": {"orders": [""]}}, "says": "ids.orders[0]"},
    "detect_deletions a word": {"config": {"detect_deletions": "products"}, "says": "detect_deletions: 'products' is not of type"},
    "detect_deletions unknown": {"config": {"detect_deletions": ["product"]}, "says": "detect_deletions: 'product' is not a stream whose deletions can be detected"},
    "detect_deletions full table": {"config": {"detect_deletions": ["coupons"]}, "says": "detect_deletions: 'coupons' is not a stream"},
    "deletions_as unknown": {"config": {"deletions_as": "delete"}, "says": "deletions_as: 'delete' is not one of ['records', 'activate_version']"},
    "custom_attributes_as_object a word": {"config": {"custom_attributes_as_object": "yes"}, "says": "custom_attributes_as_object: 'yes' is not of type 'boolean'"},
    "max_parallel_requests 0": {"config": {"max_parallel_requests": 0}, "says": "max_parallel_requests: 0 is less than the minimum of 1"},
    "max_parallel_requests 99": {"config": {"max_parallel_requests": 99}, "says": "max_parallel_requests: 99 is greater than the maximum of 16"},
    "max_pages_per_window 0": {"config": {"max_pages_per_window": 0}, "says": "max_pages_per_window: 0"},
    "stock_items_max_qty negative": {"config": {"stock_items_max_qty": -1}, "says": "stock_items_max_qty: -1"},
    # Dates: formats and order.
    "start_date yesterday": {"config": {"start_date": "yesterday"}, "says": "start_date has 'yesterday', which is not a date (2024-01-01) or an RFC 3339 date-time"},
    "start_date month 13": {"config": {"start_date": "2024-13-01"}, "says": "start_date is '2024-13-01', which is not a date"},
    "start_date 30 February": {"config": {"start_date": "2024-02-30T00:00:00Z"}, "says": "start_date is '2024-02-30T00:00:00Z'"},
    "start_date a number": {"config": {"start_date": 20240101}, "says": "start_date: 20240101 is not of type"},
    "end_date next week": {"config": {"end_date": "next week"}, "says": "end_date has 'next week'"},
    "start_date after end_date": {"config": {"start_date": "2025-01-01", "end_date": "2024-01-01"}, "says": "start_date (2025-01-01) must be before end_date (2024-01-01)"},
    "stream_start_dates unknown stream": {"config": {"stream_start_dates": {"order": "2024-01-01"}}, "says": "stream_start_dates: 'order' is not an incremental stream"},
    "stream_start_dates full-table stream": {"config": {"stream_start_dates": {"sales_rules": "2024-01-01"}}, "says": "stream_start_dates: 'sales_rules' is not an incremental stream (a full-table stream is read whole and has no start)"},
    "stream_start_dates child stream": {"config": {"stream_start_dates": {"order_addresses": "2024-01-01"}}, "says": "set stream_start_dates.orders instead"},
    "stream_start_dates malformed date": {"config": {"stream_start_dates": {"orders": "2024-02-30"}}, "says": "stream_start_dates.orders is '2024-02-30', which is not a date"},
    "stream_start_dates words": {"config": {"stream_start_dates": {"orders": "last year"}}, "says": "stream_start_dates.orders: 'last year' does not match"},
    "stream_start_dates a number": {"config": {"stream_start_dates": {"orders": 20240101}}, "says": "stream_start_dates.orders: 20240101 is not of type"},
    "stream_start_dates a list": {"config": {"stream_start_dates": ["orders", "2024-01-01"]}, "says": "stream_start_dates: ['orders', '2024-01-01'] is not of type"},
    "stream_start_dates after end_date": {"config": {"end_date": "2025-01-01", "stream_start_dates": {"orders": "2025-06-01"}}, "says": "stream_start_dates.orders (2025-06-01) must be before end_date (2025-01-01)"},
    "start_date equals end_date": {"config": {"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-01-01"}, "says": "must be before end_date"},
    # Lists: kinds of elements.
    "store_codes a string": {"config": {"store_codes": "default"}, "says": "store_codes: 'default' is not of type 'array'"},
    "store_codes empty": {"config": {"store_codes": []}, "says": "store_codes: [] should be non-empty"},
    "store_codes a number": {"config": {"store_codes": [1]}, "says": "store_codes: 1 is not of type 'string'"},
    "store_codes with a space": {"config": {"store_codes": ["de fr"]}, "says": "store_codes has 'de fr', which is not a store view code"},
    "store_codes twice": {"config": {"store_codes": ["default", "default"]}, "says": "store_codes lists a value twice"},
    # Booleans and strings.
    "keyset_paging as text": {"config": {"keyset_paging": "yes"}, "says": "keyset_paging: 'yes' is not of type 'boolean'"},
    "skip_unreadable_records a number": {"config": {"skip_unreadable_records": 1}, "says": "skip_unreadable_records: 1 is not of type 'boolean'"},
    "user_agent empty": {"config": {"user_agent": ""}, "says": "user_agent: '' should be non-empty"},
    "user_agent two lines": {"config": {"user_agent": "tap\nX-Evil: 1"}, "says": "user_agent has 'tap\\nX-Evil: 1', which is not one line of text"},
    # The store's address.
    "store_url missing": {"config": {"store_url": None}, "says": "'store_url' is a required property"},
    "store_url without scheme": {"config": {"store_url": "shop.example.com"}, "says": "store_url must be the store's base URL with scheme and host"},
    "store_url ftp": {"config": {"store_url": "ftp://shop.example.com"}, "says": "store_url must be the store's base URL"},
    "store_url a number": {"config": {"store_url": 42}, "says": "store_url: 42 is not of type 'string'"},
    # Credentials: exactly one way in, complete.
    "oauth without its secrets": {"oauth": True, "config": {"consumer_secret": None, "access_token_secret": None}, "says": "OAuth 1.0a needs consumer_key, consumer_secret, access_token and access_token_secret; consumer_secret, access_token_secret missing"},
    "oauth secret without consumer_key": {"config": {"access_token_secret": "s3cr3t-value"}, "says": "; consumer_key, consumer_secret missing"},
    "oauth and admin login": {"oauth": True, "config": {"username": "admin", "password": "pa55word"}, "says": "Two ways to authenticate are set"},
    "token and admin login": {"config": {"username": "admin", "password": "pa55word"}, "says": "access_token for an integration): keep one"},
    "username without password": {"config": {"access_token": None, "username": "admin"}, "says": "username is set without password"},
    "no credentials": {"config": {"access_token": None}, "says": "No credentials: set access_token"},
    "IMS without its secret": {"config": {"access_token": None, "ims_client_id": "abc", "ims_org_id": "X@AdobeOrg"}, "says": "Adobe IMS needs ims_client_id, ims_client_secret and ims_org_id; ims_client_secret missing"},
    "IMS and a token": {"config": {"ims_client_id": "abc", "ims_client_secret": "s3cr3t-ims", "ims_org_id": "X@AdobeOrg"}, "says": "Two ways to authenticate are set"},
    "IMS scopes empty": {"config": {"ims_scopes": []}, "says": "ims_scopes: [] should be non-empty"},
    "IMS token URL not a URL": {"config": {"ims_token_url": "ims.adobe.com"}, "says": "ims_token_url: 'ims.adobe.com' does not match"},
    "empty token": {"config": {"access_token": ""}, "says": "access_token is empty"},
    "password a number": {"config": {"access_token": None, "username": "admin", "password": 918273}, "says": "password must have type"},
    "totp_secret not base32": {"config": {"access_token": None, "username": "admin", "password": "pa55word", "totp_secret": "JBSWY3DP1"}, "says": "totp_secret is not a base32 secret"},
    "totp_secret without the admin login": {"config": {"access_token": None, "totp_secret": "JBSWY3DPEHPK3PXP"}, "says": "totp_secret is set without username and password"},
    "totp_secret beside a token": {"config": {"totp_secret": "JBSWY3DPEHPK3PXP"}, "says": "Two ways to authenticate are set"},
    # Config files.
    "config not JSON": {"config_text": "{store_url: sandbox", "says": "is not JSON"},
    "config a list": {"config_text": "[1, 2]", "says": "holds a JSON list, not an object of settings"},
    "config missing": {"config_path": "no-such-config.json", "says": "Cannot read the config file"},
    # Settings from the environment.
    "ENV integer": {"env": {"TAP_MAGENTO_PAGE_SIZE": "abc"}, "says": "TAP_MAGENTO_PAGE_SIZE is 'abc', which is not of type integer"},
    "ENV number": {"env": {"TAP_MAGENTO_REQUEST_TIMEOUT": "soon"}, "says": "TAP_MAGENTO_REQUEST_TIMEOUT is 'soon'"},
    "ENV boolean": {"env": {"TAP_MAGENTO_KEYSET_PAGING": "maybe"}, "says": "TAP_MAGENTO_KEYSET_PAGING is 'maybe', which is not of type boolean"},
    "ENV array": {"env": {"TAP_MAGENTO_STORE_CODES": "not json"}, "says": "TAP_MAGENTO_STORE_CODES is 'not json', which is not of type array"},
    "ENV out of range": {"env": {"TAP_MAGENTO_PAGE_SIZE": "0"}, "says": "page_size: 0 is less than the minimum"},
    "ENV min_page_size as words": {"env": {"TAP_MAGENTO_MIN_PAGE_SIZE": "ten"}, "says": "TAP_MAGENTO_MIN_PAGE_SIZE"},
    # STATE.
    "STATE not JSON": {"state_text": "{bookmarks", "says": "The STATE file"},
    "STATE a list": {"state": [], "says": "must be a JSON object, not a list"},
    "STATE bookmarks a list": {"state": {"bookmarks": []}, "says": "STATE's \"bookmarks\" must be an object"},
    "STATE bookmark garbage": {"state": {"bookmarks": {"orders": {"replication_key_value": "garbage"}}}, "says": "STATE's bookmark for orders has replication_key_value 'garbage'"},
    "STATE bookmark a number": {"state": {"bookmarks": {"customers": {"replication_key_value": 12345}}}, "says": "bookmark for customers has replication_key_value 12345"},
    "STATE bookmark not an object": {"state": {"bookmarks": {"orders": "2024-01-01"}}, "says": "STATE's bookmark for orders must be an object"},
    "STATE partitions not a list": {"state": {"bookmarks": {"products": {"partitions": {"store_code": "default"}}}}, "says": "bookmark for products has \"partitions\""},
    "STATE partition bookmark garbage": {"state": {"bookmarks": {"products": {"partitions": [{"context": {"store_code": "default"}, "replication_key_value": "soon"}]}}}, "says": "bookmark for products has replication_key_value 'soon'"},
    "STATE other replication key": {"state": {"bookmarks": {"orders": {"replication_key": "created_at", "replication_key_value": "2024-01-01T00:00:00Z"}}}, "says": "STATE's bookmark for orders is on 'created_at'"},
    # Catalogs.
    "STATE file missing": {"state_path": "no-state.json", "says": "(No such file or directory). On a first run leave --state out"},
    "STATE file a folder": {"state_path": ".", "says": "cannot be read (Is a directory)"},
    "catalog file missing": {"catalog_path": "no-catalog.json", "says": "Write one with `tap-magento --discover`"},
    # request_headers: headers the tap sets itself, and what HTTP cannot carry.
    "request_headers Authorization": {"config": {"request_headers": {"Authorization": "Bearer x"}}, "says": "request_headers: Authorization is set by the tap itself (from the credentials settings)"},
    "request_headers host": {"config": {"request_headers": {"host": "shop.example.com"}}, "says": "request_headers: host is set by the tap itself (from store_url)"},
    "request_headers Content-Length": {"config": {"request_headers": {"Content-Length": "0"}}, "says": "Content-Length is set by the tap itself"},
    "request_headers name with a space": {"config": {"request_headers": {"X Gate": "1"}}, "says": "request_headers: 'X Gate' is not a header name"},
    "request_headers name with a colon": {"config": {"request_headers": {"X-Gate:": "1"}}, "says": "'X-Gate:' is not a header name"},
    "request_headers value with a newline": {"config": {"request_headers": {"X-Gate": "a\r\nX-Other: b"}}, "says": "request_headers: the value of X-Gate holds a line break"},
    "request_headers value a number": {"config": {"request_headers": {"X-Gate": 5}}, "says": "request_headers.X-Gate: 5 is not of type 'string'"},
    "request_headers a list": {"config": {"request_headers": ["X-Gate: 1"]}, "says": "request_headers"},
    # Another Magento tap's STATE (hotglue's names and shapes): refused whole, with the fix.
    "STATE of another tap's streams": {"state": {"bookmarks": {"salerules": {}, **GOOD_STATE["bookmarks"]}}, "says": "This STATE was not written by tap-magento (a bookmark for salerules, which is not a stream of this tap)"},
    "STATE products without store views": {"state": {"bookmarks": {"products": {"replication_key": "updated_at", "replication_key_value": "2025-01-01T00:00:00+00:00"}}}, "says": "(products with one bookmark, not one per store_code)"},
    "STATE partitions by another key": {"state": {"bookmarks": {"orders": {"partitions": [{"context": {"product_sku": "SKU-1"}}]}}}, "says": "(orders with bookmarks per product_sku)"},
    "STATE bookmark on a full-table stream": {"state": {"bookmarks": {"sales_rules": {"replication_key": "rule_id", "replication_key_value": 5}}}, "says": "(a replication_key_value for sales_rules, which this tap reads whole)"},
    "catalog not JSON": {"catalog_text": "streams:", "says": "The catalog file"},
    "catalog a list": {"catalog": [], "says": "The catalog in"},
    "catalog without streams": {"catalog": {"stream": []}, "says": "The catalog must be a JSON object with a \"streams\" list"},
    "catalog entry without id": {"catalog": {"streams": [{"stream": "orders"}]}, "says": "streams[0] must be an object with a \"tap_stream_id\""},
    "catalog metadata not a list": {"catalog": {"streams": [{"tap_stream_id": "orders", "metadata": {"selected": True}}]}, "says": "entry for orders has \"metadata\" that is not a list"},
}  # fmt: skip


@pytest.fixture(scope="module")
def store() -> Iterator[SandboxServer]:
    with make_server() as server:
        yield server


def _run_case(store: SandboxServer, tmp_path, case: dict[str, Any]):
    config = (oauth_config if case.get("oauth") else bearer_config)(store)
    for name, value in case.get("config", {}).items():
        if value is None:
            config.pop(name, None)
        else:
            config[name] = value
    if "config_text" in case:
        config_path = tmp_path / "config.json"
        config_path.write_text(case["config_text"])
    elif "config_path" in case:
        config_path = tmp_path / case["config_path"]
    else:
        config_path = tmp_path / "config.json"
        config_path.write_text(json.dumps(config))
    state_path = tmp_path / "state.json"
    state_path.write_text(case.get("state_text") or json.dumps(case.get("state", GOOD_STATE)))
    given_state = tmp_path / case["state_path"] if "state_path" in case else state_path
    args = ["--config", str(config_path), "--state", str(given_state)]
    if case.get("env"):
        args += ["--config", "ENV"]
    if "catalog" in case or "catalog_text" in case:
        catalog_path = tmp_path / "catalog.json"
        catalog_path.write_text(case.get("catalog_text") or json.dumps(case["catalog"]))
        args += ["--catalog", str(catalog_path)]
    if "catalog_path" in case:
        args += ["--catalog", str(tmp_path / case["catalog_path"])]
    state_before = state_path.read_bytes()
    done = run_cli(*args, env=case.get("env"))
    return done, state_path.read_bytes() == state_before


def test_there_are_at_least_forty_bad_inputs_and_the_docs_say_how_many() -> None:
    assert len(CASES) >= 40
    docs = (Path(__file__).resolve().parent.parent / "docs" / "configuration.md").read_text()
    assert f"`tests/test_bad_input.py` runs {len(CASES)} such inputs" in docs


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_bad_input_is_one_line_exit_1_and_nothing_else(store, tmp_path, case) -> None:
    asked_before = len(store.requests)
    done, state_untouched = _run_case(store, tmp_path, case)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if "| ERROR" in line or "CRITICAL" in line]
    assert len(errors) == 1, done.stderr[-3000:]
    assert case["says"] in errors[0], errors[0]
    secrets = [str(v) for k, v in case.get("config", {}).items() if k in SECRET_SETTINGS and v]
    assert not [s for s in secrets if s in done.stderr], "a secret value is in the error"
    assert done.stdout == ""
    assert state_untouched
    assert len(store.requests) == asked_before, "the store was asked before the input was checked"


@pytest.mark.parametrize("case", ["page_size 0", "start_date after end_date", "ENV boolean",
                                  "oauth and admin login", "config a list"])  # fmt: skip
def test_bad_config_is_one_line_for_test_too(store, tmp_path, case) -> None:
    config = bearer_config(store, **CASES[case].get("config", {}))
    path = write_json(tmp_path, "config.json", config)
    if "config_text" in CASES[case]:
        (tmp_path / "config.json").write_text(CASES[case]["config_text"])
    args = ["--config", path, *(["--config", "ENV"] if CASES[case].get("env") else []), "--test"]
    done = run_cli(*args, env=CASES[case].get("env"))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 1 and CASES[case]["says"] in errors[0], done.stderr[-2000:]
    assert done.stdout == ""


def test_a_catalog_selecting_an_unknown_stream_is_named_in_a_warning(store, tmp_path) -> None:
    selected = [{"breadcrumb": [], "metadata": {"selected": True}}]
    catalog = {"streams": [{"tap_stream_id": "ordres", "schema": {}, "metadata": selected}]}
    done = run_cli("--config", write_json(tmp_path, "config.json", bearer_config(store)),
                   "--catalog", write_json(tmp_path, "catalog.json", catalog))  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    warnings = [line for line in done.stderr.splitlines() if "| WARNING" in line]
    assert any("The catalog selects 'ordres', which is not a stream of this tap" in w
               and "orders" in w and "websites" in w for w in warnings), done.stderr[-2000:]  # fmt: skip
    assert '"type":"RECORD"' not in done.stdout


def test_a_plain_start_date_means_midnight_utc(store, tmp_path) -> None:
    config = bearer_config(store, start_date="2025-03-01", end_date="2025-04-01")
    catalog_args = [
        "--catalog",
        write_json(tmp_path, "catalog.json", _only_orders(store, tmp_path)),
    ]
    done = run_cli("--config", write_json(tmp_path, "config.json", config), *catalog_args)
    assert done.returncode == 0, done.stderr[-2000:]
    asked = [r.params for r in store.requests if r.path == "/rest/V1/orders"]
    filters = {(p[k.replace("[value]", "[conditionType]")], p[k]) for p in asked for k in p
               if k.endswith("[value]") and p[k.replace("[value]", "[field]")] == "updated_at"}  # fmt: skip
    assert ("gteq", "2025-03-01 00:00:00") in filters
    assert ("lt", "2025-04-01 00:00:00") in filters  # end_date is exclusive
    emitted = [json.loads(line)["record"]["updated_at"] for line in done.stdout.splitlines()
               if '"type":"RECORD"' in line]  # fmt: skip
    stored = [o["updated_at"] for o in store.store.records("orders")
              if "2025-03-01 00:00:00" <= o["updated_at"] < "2025-04-01 00:00:00"]  # fmt: skip
    assert emitted and len(emitted) == len(stored)


def _only_orders(store: SandboxServer, tmp_path) -> dict[str, Any]:
    done = run_cli("--config", write_json(tmp_path, "discover.json", bearer_config(store)),
                   "--discover")  # fmt: skip
    catalog = json.loads(done.stdout)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] == "orders"
    return catalog


def test_the_state_a_run_writes_is_never_taken_for_another_tap_s(store, tmp_path) -> None:
    # Every stream, store views and sales channels as partitions, deletion detection's keys.
    config = write_json(tmp_path, "config.json", bearer_config(store, store_codes=["*"]))
    first = run_cli("--config", config)
    assert first.returncode == 0, first.stderr[-2000:]
    state = SyncResult.parse(first.stdout).final_state
    assert state["bookmarks"]["products"]["partitions"] and state["bookmarks"]["customers"]
    again = run_cli("--config", config, "--state", write_json(tmp_path, "state.json", state))
    assert again.returncode == 0, again.stderr[-2000:]
    assert "| ERROR" not in again.stderr and "| WARNING" not in again.stderr
