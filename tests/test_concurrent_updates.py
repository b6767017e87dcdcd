"""A store that keeps changing during a sync: nothing skipped, every final version delivered."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator

import pytest

from tap_magento.sandbox.server import SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize
from tests.support import STORE_KEYS, SyncResult, bearer_config, sync

EDITED = {
    "orders": "status",
    "customers": "lastname",
}  # the streams edited, and a field each edit changes
PAGE_NUMBERS = {"keyset_paging": False, "max_pages_per_window": 10_000}


@pytest.fixture
def busy_server() -> Iterator[SandboxServer]:
    store = SandboxStore(StoreSize(orders=6000, customers=3000, products=5), lean=True)
    with SandboxServer(store) as server:
        yield server


def _latest_versions(*runs: SyncResult) -> dict[str, dict]:
    """Per stream and key, the last version a target would hold after loading every run."""
    latest: dict[str, dict] = {stream: {} for stream in EDITED}
    for run in runs:
        for stream in EDITED:
            (key,) = STORE_KEYS[stream]
            for record in run.records[stream]:
                latest[stream][record[key]] = record
    return latest


def _assert_target_holds_the_store(server: SandboxServer, latest: dict[str, dict]) -> None:
    for stream in EDITED:
        rows = server.store.collection(stream).rows
        assert set(latest[stream]) == set(rows), f"{stream}: records never delivered"
        stale = [
            key
            for key, row in rows.items()
            if latest[stream][key]["updated_at"][:19].replace("T", " ") != row["updated_at"]
            or latest[stream][key][EDITED[stream]] != row[EDITED[stream]]
        ]
        assert not stale, f"{stream}: final versions not delivered for {stale[:10]}"


@pytest.mark.slow
def test_writer_thread_during_the_sync_loses_nothing(busy_server) -> None:
    store, stop, rng = busy_server.store, threading.Event(), random.Random(11)
    edits = {"count": 0}

    def writer() -> None:
        while not stop.is_set():
            stream = rng.choice(list(EDITED))
            key = rng.choice(list(store.collection(stream).rows))
            edits["count"] += 1
            store.touch(stream, key, **{EDITED[stream]: f"edit-{edits['count']}"})
            stop.wait(0.002)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        first = sync(bearer_config(busy_server, page_size=50), streams=list(EDITED))
    finally:
        stop.set()
        thread.join()
    assert edits["count"] > 100, "the writer must have changed records during the sync"

    second = sync(bearer_config(busy_server, page_size=50), first.final_state, list(EDITED))
    _assert_target_holds_the_store(busy_server, _latest_versions(first, second))


@pytest.mark.parametrize(("paging", "skipped"), [({}, 0), (PAGE_NUMBERS, 1)],
                         ids=["keyset", "page-numbers"])  # fmt: skip
def test_an_order_changed_mid_sync_shifts_page_numbers_past_a_record_but_not_keyset(
    busy_server, paging, skipped
) -> None:
    """With OFFSET paging the changed order leaves the list and the next page starts one later."""
    store = busy_server.store
    first_in_order = min(store.collection("orders").rows.values(),
                         key=lambda r: (r["updated_at"], r["entity_id"]))  # fmt: skip
    orders_requests = []

    def change_after_second_page(path: str, params: dict[str, str]) -> None:
        if path == "/rest/V1/orders":
            orders_requests.append(params)
            if len(orders_requests) == 3:
                store.touch("orders", first_in_order["entity_id"], status="changed")

    busy_server.hooks.append(change_after_second_page)
    first = sync(bearer_config(busy_server, page_size=100, **paging), streams=["orders"])
    busy_server.hooks.clear()
    second = sync(bearer_config(busy_server, page_size=100), first.final_state, ["orders"])

    delivered = {r["entity_id"] for run in (first, second) for r in run.records["orders"]}
    assert len(set(store.collection("orders").rows) - delivered) == skipped
