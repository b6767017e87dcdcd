"""Wholesale (B2B) stores: orders of a thousand lines, megabytes each.

Pages follow their bytes as well as their records: an answer over ``PAGE_BYTES`` makes the
following pages smaller, one that goes on beyond ``ANSWER_BYTES`` is left unread and asked
for again smaller, and a record bigger than a page is still read, with a WARNING naming it.
The sandbox's wholesale orders are real ones: a line for every ``total_qty_ordered``.
"""

from __future__ import annotations

import logging

import pytest
import requests

from tap_magento.front_door.client import read_capped
from tap_magento.front_door.errors import PageTooBig
from tap_magento.passes.sizing import ANSWER_BYTES, PAGE_BYTES, PageCeiling, PageSize
from tap_magento.sandbox.server import SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize
from tests.support import bearer_config, sync

ORDERS = ["orders"]


def wholesale_server(orders: int, every: int, lines: int) -> SandboxServer:
    return SandboxServer(
        SandboxStore(StoreSize(orders=orders, wholesale_every=every, wholesale_lines=lines))
    )


def asked_sizes(server: SandboxServer) -> list[int]:
    return [
        int(r.params["searchCriteria[pageSize]"])
        for r in server.requests
        if r.path == "/rest/V1/orders" and "searchCriteria[pageSize]" in r.params
    ]


@pytest.mark.parametrize("workers", [1, 4])
def test_a_wholesale_store_is_read_whole_in_smaller_pages(workers: int, caplog) -> None:
    # One order in ten has 1,000 lines (2.6 MB of JSON): a page of 200 would be 54 MB.
    with wholesale_server(orders=200, every=10, lines=1000) as server:
        caplog.set_level(logging.INFO)
        config = bearer_config(server, max_parallel_requests=workers)
        result = sync(config, streams=ORDERS)
        orders = result.records["orders"]
        assert sorted(o["entity_id"] for o in orders) == sorted(
            server.store.collection("orders").rows
        )
        wholesale = [o for o in orders if o["entity_id"] % 10 == 0]
        assert len(wholesale) == 20
        assert all(len(o["items"]) == 1000 for o in wholesale)
        assert len({i["item_id"] for o in wholesale for i in o["items"]}) == 20_000
        sizes = asked_sizes(server)
        # After the first big answer, pages are asked for at what PAGE_BYTES holds of them:
        # a few orders, never 200 again.
        assert max(sizes[-5:]) < 30, sizes
        said = [r for r in caplog.records if "MiB of JSON; reading pages" in r.getMessage()]
        assert [r.levelno for r in said][:1] == [logging.WARNING]  # once, then INFO
        assert all(r.levelno == logging.INFO for r in said[1:])


def test_a_record_bigger_than_a_page_is_read_alone_with_a_warning(caplog) -> None:
    # 2,500 lines: 6.5 MB, more than PAGE_BYTES (6 MiB) on its own.
    with wholesale_server(orders=60, every=30, lines=2500) as server:
        caplog.set_level(logging.INFO)
        result = sync(bearer_config(server, max_parallel_requests=1), streams=ORDERS)
        assert len(result.records["orders"]) == 60
        big = [o for o in result.records["orders"] if o["entity_id"] in {30, 60}]
        assert [len(o["items"]) for o in big] == [2500, 2500]
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
                    and "alone takes" in r.getMessage()]  # fmt: skip
        assert any("entity_id 30 alone takes 6." in w for w in warnings), warnings
        assert any("entity_id 60 alone takes 6." in w for w in warnings), warnings


def test_an_answer_beyond_the_cap_is_left_unread(server: SandboxServer) -> None:
    url = f"{server.url}/rest/V1/orders?searchCriteria[pageSize]=100"
    headers = {"Authorization": f"Bearer {server.auth.credentials.access_token}"}
    with requests.get(url, headers=headers, stream=True, timeout=30) as answer:
        size = int(answer.headers["Content-Length"])
        with pytest.raises(PageTooBig) as too_big:
            read_capped(answer, size // 2)
        assert too_big.value.seen > size // 2
    # Under the cap, the body is read once and the response reads as any other.
    with requests.get(url, headers=headers, stream=True, timeout=30) as answer:
        read_capped(answer, size)
        assert len(answer.content) == size
        assert len(answer.json()["items"]) == 100
        assert answer.text.startswith("{")


PAGE = PageSize(300)


def test_pages_shrink_at_once_and_grow_back_as_answers_stay_small() -> None:
    ceiling = PageCeiling(floor=10)
    assert ceiling.limit(PAGE) == 300  # nothing known yet
    # 300 records in 30 MiB: 0.1 MiB each, so PAGE_BYTES (6 MiB) holds 60.
    assert ceiling.weighed(300, 30 * 2**20) == 60
    assert ceiling.limit(PAGE) == 60
    # Small answers (10 KiB a record) move the average a quarter of the way each.
    sizes = []
    for _ in range(12):
        ceiling.weighed(ceiling.limit(PAGE), ceiling.limit(PAGE) * 10 * 2**10)
        sizes.append(ceiling.limit(PAGE))
    assert sizes[0] == 77  # 6 MiB / (0.1 MiB * 3/4 + 10 KiB / 4) = 77.5
    assert sizes == sorted(sizes) and sizes[-1] == 300
    # A record read alone says nothing of the others, however big it is.
    assert ceiling.weighed(1, 3 * PAGE_BYTES) is None
    assert ceiling.limit(PAGE) == 300
    assert ANSWER_BYTES > PAGE_BYTES
