"""What the tests share: a sandbox store to sync, the tap run as users run it, and the
expectations every stream test checks against (names, keys, each stored record exactly once).

Tests import from here; ``conftest.py`` holds only fixtures.
"""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
import threading
from collections import defaultdict
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tap_magento.sandbox.auth import AuthPolicy, SandboxAuth
from tap_magento.sandbox.search import SearchBehaviour
from tap_magento.sandbox.server import SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize
from tap_magento.tap import TapMagento

# Every stream: its primary key and replication key, as users' warehouses know them. Written
# out here, not read from the tap, so that a renamed stream or key fails the tests.
STREAMS: dict[str, tuple[list[str], str | None]] = {
    "orders": (["entity_id"], "updated_at"),
    "products": (["id", "store_code"], "updated_at"),
    "customers": (["id"], "updated_at"),
    "invoices": (["entity_id"], "updated_at"),
    "credit_memos": (["entity_id"], "updated_at"),
    "categories": (["id"], "updated_at"),
    "sales_rules": (["rule_id"], None),
    "coupons": (["coupon_id"], None),
    "websites": (["id"], None),
    "source_items": (["sku", "source_code"], None),
    "stock_items": (["item_id"], None),
    "store_configs": (["id"], None),
    "shipments": (["entity_id"], "updated_at"),
    "order_items": (["item_id"], "updated_at"),
    "transactions": (["transaction_id"], "created_at"),
    "carts": (["id"], "updated_at"),
    "customer_groups": (["id"], None),
    "store_views": (["id"], None),
    "store_groups": (["id"], None),
    "product_attributes": (["attribute_id"], None),
    "attribute_sets": (["attribute_set_id"], None),
    "inventory_sources": (["source_code"], None),
    "inventory_stocks": (["stock_id"], None),
    "stock_source_links": (["stock_id", "source_code"], None),
    "salable_quantities": (["sku", "sales_channel_code"], None),
    "tax_rates": (["id"], None),
    "tax_classes": (["class_id"], None),
    "tax_rules": (["id"], None),
    "cms_pages": (["id"], "update_time"),
    "cms_blocks": (["id"], "update_time"),
    "countries": (["id"], None),
    "currencies": (["base_currency_code"], None),
    "returns": (["entity_id"], "date_requested"),
    "companies": (["id"], None),
    "category_attributes": (["attribute_id"], None),
    "customer_attributes": (["attribute_code"], None),
    "customer_address_attributes": (["attribute_code"], None),
    "product_prices": (["id", "store_code"], None),
    "product_special_prices": (["sku", "store_id", "price_from"], None),
    "company_roles": (["id"], None),
    "company_teams": (["id"], None),
    "company_credits": (["id"], None),
    "company_credit_history": (["id"], None),
    "shared_catalogs": (["id"], None),
    "shared_catalog_products": (["shared_catalog_id", "sku"], None),
    "shared_catalog_companies": (["shared_catalog_id", "company_id"], None),
    "gift_wrappings": (["wrapping_id"], None),
}
# The streams of modules Magento Open Source lacks (Adobe Commerce only), and those modules.
COMMERCE_ONLY = {
    "returns": "Magento_Rma",
    "companies": "Magento_Company",
    "company_roles": "Magento_Company",
    "company_teams": "Magento_Company",
    "company_credits": "Magento_CompanyCredit",
    "company_credit_history": "Magento_CompanyCredit",
    "shared_catalogs": "Magento_SharedCatalog",
    "shared_catalog_products": "Magento_SharedCatalog",
    "shared_catalog_companies": "Magento_SharedCatalog",
    "gift_wrappings": "Magento_GiftWrapping",
}
# The child streams: rows of lists inside a parent's records; their keys and their parent.
CHILD_STREAMS: dict[str, tuple[list[str], str]] = {
    "order_addresses": (["entity_id"], "orders"),
    "order_status_history": (["entity_id"], "orders"),
    "order_payments": (["entity_id"], "orders"),
    "invoice_items": (["entity_id"], "invoices"),
    "invoice_comments": (["entity_id"], "invoices"),
    "shipment_items": (["entity_id"], "shipments"),
    "shipment_tracks": (["entity_id"], "shipments"),
    "shipment_comments": (["entity_id"], "shipments"),
    "credit_memo_items": (["entity_id"], "credit_memos"),
    "credit_memo_comments": (["entity_id"], "credit_memos"),
    "customer_addresses": (["id"], "customers"),
    "cart_items": (["item_id"], "carts"),
    "product_media_gallery": (["product_id", "store_code", "id"], "products"),
    "product_tier_prices": (
        ["product_id", "store_code", "website_id", "customer_group_id", "qty"],
        "products",
    ),
    "product_category_links": (["product_id", "store_code", "category_id"], "products"),
    "product_links": (["product_id", "store_code", "link_type", "linked_product_sku"], "products"),
    "product_options": (["product_id", "store_code", "option_id"], "products"),
    "configurable_product_options": (["product_id", "store_code", "id"], "products"),
    "configurable_product_links": (["product_id", "store_code", "child_product_id"], "products"),
    "bundle_product_options": (["product_id", "store_code", "option_id"], "products"),
}
# Every stream as --discover lists it: (primary key, replication key).
ALL_STREAMS = {**STREAMS, **{name: (key, None) for name, (key, _) in CHILD_STREAMS.items()}}
INCREMENTAL = frozenset(name for name, (_, replication_key) in STREAMS.items() if replication_key)
# The key of a record as the store sends it (products get their store_code from the tap).
STORE_KEYS = {
    name: tuple(k for k in key if k != "store_code") for name, (key, _) in STREAMS.items()
}


def keys(stream: str, records: list[dict[str, Any]], key: tuple[str, ...] | None = None) -> list:
    """Each record's key (the store's own key unless ``key`` says otherwise)."""
    names = key or STORE_KEYS[stream]
    return [tuple(record[name] for name in names) for record in records]


def assert_each_stored_record_once(
    server: SandboxServer, stream: str, records: list[dict[str, Any]]
) -> None:
    """Exactly the store's records: none twice, none missing, none invented."""
    emitted = keys(stream, records)
    assert len(emitted) == len(set(emitted)), f"{stream}: a record was emitted twice"
    stored = set(keys(stream, server.store.records(stream)))
    assert set(emitted) == stored, (
        f"{stream}: {len(stored - set(emitted))} missing, {len(set(emitted) - stored)} invented"
    )


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


class FakeClock:
    """The run's time in a test: it passes only when the tap waits, and every wait returns at
    once and is recorded. So retry schedules and pacing are checked by what the tap asked
    for, never by when requests arrived (which a busy machine delays)."""

    def __init__(self, *, frozen: bool = False, unix_start: float = 1_800_000_000.0) -> None:
        """``frozen``: waits do not move it (as several threads waiting at the same time);
        ``unix_start``: what ``unix_time`` reads before any wait."""
        self._now = 0.0
        self._unix_start = unix_start
        self._frozen = frozen
        self.waits: list[float] = []
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def unix_time(self) -> float:
        return self._unix_start + self._now

    def pass_wall_time(self, seconds: float) -> None:
        """Move ``unix_time`` only (as the hours a long sync takes between two logins)."""
        with self._lock:
            self._unix_start += seconds

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.waits.append(seconds)
            if not self._frozen:
                self._now += seconds


def sync(
    config: dict[str, Any],
    state: dict[str, Any] | None = None,
    streams: list[str] | None = None,
    *,
    catalog: dict[str, Any] | None = None,
    fails: bool = False,
    clock: FakeClock | None = None,
) -> SyncResult:
    """Run the tap in this process (as ``tap-magento --config ... [--state ...]``).

    ``fails``: the run must stop with an error; what it wrote until then is returned.
    ``clock``: the run's clock (a new ``FakeClock`` if not given): its waits take no time.

    ``TAP_MAGENTO_TEST_MAX_PARALLEL_REQUESTS`` sets ``max_parallel_requests`` where a test does
    not: ``.ci/run`` runs the paging, retry and resume tests once more with one reader.
    """
    forced = os.environ.get("TAP_MAGENTO_TEST_MAX_PARALLEL_REQUESTS")
    if forced and "max_parallel_requests" not in config:
        config = {**config, "max_parallel_requests": int(forced)}
    # The SDK updates the state in place.
    tap = TapMagento(
        config=config, state=copy.deepcopy(state), catalog=catalog, clock=clock or FakeClock()
    )
    if streams is not None:
        for name, stream in tap.streams.items():
            stream.selected = name in streams
    # The tap writes bytes to sys.stdout.buffer (msgspec's writer), as to a real stdout.
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")
    with redirect_stdout(out):
        if fails:
            with pytest.raises(Exception):  # noqa: B017, PT011 - whatever stopped it
                tap.sync_all()
        else:
            tap.sync_all()
    out.flush()
    return SyncResult.parse(raw.getvalue().decode())


def write_json(folder: Path, name: str, content: Any) -> str:
    """Write ``content`` as a JSON file (a config, state or catalog); return its path."""
    path = folder / name
    path.write_text(json.dumps(content))
    return str(path)


def discovered_catalog(server: SandboxServer, folder: Path) -> dict[str, Any]:
    """What ``tap-magento --discover`` answers for the sandbox store."""
    config = write_json(folder, "discover.json", bearer_config(server))
    return dict(json.loads(run_cli("--config", config, "--discover").stdout))


def catalog_selecting(server: SandboxServer, folder: Path, *streams: str) -> str:
    """A catalog file, as discovered, with only these streams selected."""
    catalog = discovered_catalog(server, folder)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return write_json(folder, f"catalog-{'-'.join(streams)}.json", catalog)


def run_tap(
    folder: Path, config: dict[str, Any], *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``tap-magento --config config.json ARGS`` in its own process, as a scheduler runs it."""
    return run_cli("--config", write_json(folder, "config.json", config), *args, env=env)


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
    missing_modules: frozenset[str] = frozenset(),
    tenant_id: str | None = None,
) -> SandboxServer:
    return SandboxServer(
        SandboxStore(size),
        auth=SandboxAuth(policy=policy or AuthPolicy()),
        behaviour=behaviour,
        missing_modules=missing_modules,
        tenant_id=tenant_id,
    )


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


def two_factor_config(server: SandboxServer, **extra: Any) -> dict[str, Any]:
    """An admin user with Google Authenticator, on a store that enforces two-factor auth."""
    return {**admin_config(server, **extra), "totp_secret": server.auth.credentials.totp_secret}


def ims_config(server: SandboxServer, **extra: Any) -> dict[str, Any]:
    """Adobe Commerce as a Cloud Service: the tenant URL and IMS server-to-server credentials."""
    creds = server.auth.credentials
    return {
        "store_url": f"{server.url}/{server.tenant_id}",
        "ims_client_id": creds.ims_client_id,
        "ims_client_secret": creds.ims_client_secret,
        "ims_org_id": creds.ims_org_id,
        "ims_token_url": server.ims_token_url,
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
