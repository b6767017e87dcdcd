"""Property: whatever the data's shape, page size, paging mode and update timing, the union of
what two consecutive runs emit is exactly the store, in its final versions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tap_magento.sandbox.server import SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize
from tests.support import bearer_config, sync

pytestmark = pytest.mark.slow  # left out of the quick loop: pytest -m "not slow"

BASE = datetime.datetime(2025, 3, 1, tzinfo=datetime.timezone.utc)


@dataclass(frozen=True)
class Update:
    before_request: int  # applied just before the sync's n-th orders request
    order: int  # index into the store's orders
    seconds_later: int  # how far the store's clock moved since the previous change


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[int], dict, list[Update]]:
    orders = draw(st.integers(min_value=0, max_value=60))
    # Few distinct seconds make clusters; many make a spread.
    seconds = draw(st.integers(min_value=1, max_value=40))
    times = draw(st.lists(st.integers(0, seconds - 1), min_size=orders, max_size=orders))
    page_size = draw(st.integers(min_value=1, max_value=12))
    keyset = draw(st.booleans())
    paging = {"page_size": page_size, "keyset_paging": keyset,
              "max_pages_per_window": draw(st.integers(1, 4))}  # fmt: skip
    # Page numbers skip a record when one moves during the sync (the reason keyset is the
    # default); in that mode the store holds still.
    update = st.builds(
        Update, st.integers(1, 30), st.integers(0, max(orders - 1, 0)), st.integers(0, 2)
    )
    updates = draw(st.lists(update, max_size=15)) if keyset and orders else []
    return times, paging, updates


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_two_runs_deliver_exactly_the_store_in_its_final_versions(scenario) -> None:
    times, paging, updates = scenario
    store = SandboxStore(StoreSize(orders=len(times), products=0, customers=0, categories=0,
                                   sales_rules=0), lean=True)  # fmt: skip
    order_ids = sorted(store.collection("orders").rows)
    for order_id, second in zip(order_ids, times, strict=True):
        store.touch("orders", order_id, when=BASE + datetime.timedelta(seconds=second))
    clock = BASE + datetime.timedelta(seconds=max(times, default=0))
    pending = sorted(updates, key=lambda u: u.before_request)
    seen_requests = []
    changed: set[int] = set()

    def apply_updates(path: str, params: dict[str, str]) -> None:
        nonlocal clock
        if path != "/rest/V1/orders":
            return
        seen_requests.append(params)
        while pending and pending[0].before_request <= len(seen_requests):
            update = pending.pop(0)
            clock += datetime.timedelta(seconds=update.seconds_later)
            store.touch("orders", order_ids[update.order], when=clock,
                        status=f"v{len(seen_requests)}")  # fmt: skip
            changed.add(order_ids[update.order])

    with SandboxServer(store) as server:
        server.hooks.append(apply_updates)
        config = bearer_config(server, lookback_seconds=0, **paging)
        first = sync(config, streams=["orders"])
        server.hooks.clear()
        second = sync(config, first.final_state, ["orders"])

    latest = {r["entity_id"]: r for run in (first, second) for r in run.records["orders"]}
    assert set(latest) == set(order_ids)
    for order_id, row in store.collection("orders").rows.items():
        assert latest[order_id]["updated_at"][:19].replace("T", " ") == row["updated_at"]
        assert latest[order_id]["status"] == row["status"]
    # Within a run an order comes twice only when it changed after it was read.
    first_ids = [r["entity_id"] for r in first.records["orders"]]
    repeated = {i for i in first_ids if first_ids.count(i) > 1}
    assert repeated <= changed
