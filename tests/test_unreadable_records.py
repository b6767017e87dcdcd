"""A record the store cannot render costs that record only, named in the log and summary."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from singer_sdk.exceptions import FatalAPIError

from tap_magento.sandbox.store import StoreSize, Unreadable
from tests.support import STORE_KEYS, bearer_config, keys, make_server, sync

MODES = {"keyset": {}, "windows": {"keyset_paging": False, "max_pages_per_window": 3}}
UNNAMEABLE = Unreadable(nameable=False)
PRODUCT_GONE = Unreadable(
    status=404,
    message="The product that was requested doesn't exist. Verify the product and try again.",
)


def _stored_in_order(server, stream):
    """Stored keys in the order the tap reads them: by updated_at (if any), then the key."""
    records = server.store.records(stream)
    records.sort(key=lambda r: (r.get("updated_at") or "", *(r[k] for k in STORE_KEYS[stream])))
    return keys(stream, records)


def _lost(server, result, stream):
    emitted = keys(stream, result.records[stream])
    assert len(emitted) == len(set(emitted)), f"{stream}: duplicates"
    stored = set(keys(stream, server.store.records(stream)))
    assert set(emitted) <= stored, f"{stream}: invented records"
    return stored - set(emitted)


@pytest.mark.parametrize("mode", MODES)
def test_two_broken_orders_on_different_pages_lose_exactly_those_two(mode, caplog) -> None:
    with make_server() as server:
        order = _stored_in_order(server, "orders")
        named, unnamed = order[150][0], order[520][0]
        server.store.break_record("orders", named)
        server.store.break_record("orders", unnamed, UNNAMEABLE)
        with caplog.at_level(logging.INFO):
            result = sync(bearer_config(server, page_size=100, **MODES[mode]), streams=["orders"])
        assert _lost(server, result, "orders") == {(named,), (unnamed,)}
        summary = next(r.message for r in caplog.records if "records emitted" in r.message)
        assert "698 records emitted" in summary
        assert "2 unreadable records skipped" in summary
        # The store still names the first when asked for its key and timestamp only ...
        assert f"entity_id {named} (updated_at " in summary
        # ... and the second is placed between its readable neighbours.
        before, after = order[519][0], order[521][0]
        assert f"after entity_id {before} " in summary
        assert f"before entity_id {after} " in summary
        warnings = [r.message for r in caplog.records if r.levelno == logging.WARNING]
        assert any(f"skipped entity_id {named} " in w for w in warnings)


def test_narrowing_a_page_down_takes_a_few_requests_not_a_page_of_them(caplog) -> None:
    with make_server() as server:
        order = _stored_in_order(server, "orders")
        server.store.break_record("orders", order[437][0])
        result = sync(bearer_config(server, page_size=300), streams=["orders"])
        assert _lost(server, result, "orders") == {order[437]}
        requests = [r for r in server.requests if r.path == "/rest/V1/orders"]
        # 3 full pages, 3 tries of the failing one, about 2 log2(300) while narrowing and
        # widening again: reading it record by record would take 300.
        assert len(requests) <= 40, len(requests)
        identify = [r for r in requests if "fields" in r.params]
        assert [r.params["fields"] for r in identify] == ["items[updated_at,entity_id]"]


@pytest.mark.parametrize(
    ("stream", "position"),
    [("customers", 40), ("products", 33), ("coupons", 12), ("source_items", 101),
     ("stock_items", 55)],
)  # fmt: skip
@pytest.mark.parametrize(
    "how", [Unreadable(), UNNAMEABLE, PRODUCT_GONE], ids=["named", "unnamed", "404"]
)
def test_every_list_skips_only_its_broken_record(stream, position, how) -> None:
    with make_server() as server:
        broken = _stored_in_order(server, stream)[position]
        server.store.break_record(stream, broken if len(broken) > 1 else broken[0], how)
        result = sync(bearer_config(server, page_size=50), streams=[stream])
        assert _lost(server, result, stream) == {broken}


def test_with_skip_unreadable_records_false_the_broken_order_stops_the_run() -> None:
    with make_server() as server:
        broken = _stored_in_order(server, "orders")[250][0]
        server.store.break_record("orders", broken)
        config = bearer_config(server, page_size=100, skip_unreadable_records=False)
        with pytest.raises(FatalAPIError, match=f"cannot render entity_id {broken} ") as error:
            sync(config, streams=["orders"])
        assert "set skip_unreadable_records to true" in str(error.value)


def test_a_store_that_renders_nothing_stops_instead_of_skipping_everything() -> None:
    with make_server() as server:
        for (entity_id,) in _stored_in_order(server, "orders"):
            server.store.break_record("orders", entity_id)
        with pytest.raises(FatalAPIError, match="10 records in a row could not be read"):
            sync(bearer_config(server, page_size=100), streams=["orders"])


@pytest.mark.slow
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    broken=st.lists(
        st.tuples(st.integers(0, 79), st.booleans()), max_size=4, unique_by=lambda b: b[0]
    ),
    page_size=st.integers(1, 24),
    mode=st.sampled_from(sorted(MODES)),
)
def test_any_broken_records_cost_exactly_themselves(broken, page_size, mode) -> None:
    with make_server(StoreSize(orders=80, products=5, customers=5)) as server:
        order = _stored_in_order(server, "orders")
        for position, nameable in broken:
            server.store.break_record("orders", order[position][0], Unreadable(nameable=nameable))
        result = sync(bearer_config(server, page_size=page_size, **MODES[mode]), streams=["orders"])
        assert _lost(server, result, "orders") == {order[position] for position, _ in broken}
