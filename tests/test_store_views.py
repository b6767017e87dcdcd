"""``store_codes: ["*"]``: every active store view, listed at the start of each run."""

from __future__ import annotations

import datetime

from tap_magento.sandbox.store import StoreView
from tests.support import bearer_config, sync

SCOPED = ["products", "store_configs"]
LATER = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(
    hours=1
)


def _views(result, stream: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in result.records[stream]:
        code = record["store_code"] if stream == "products" else record["code"]
        counts[code] = counts.get(code, 0) + 1
    return counts


def test_every_store_view_is_read_and_a_new_one_next_run_in_full(server) -> None:
    products = len(server.store.records("products"))
    config = bearer_config(server, store_codes=["*"])
    first = sync(config, streams=SCOPED)
    # The sandbox has three store views besides the admin one (id 0), which is left out.
    assert _views(first, "products") == {"default": products, "fr": products, "b2b": products}
    assert _views(first, "store_configs") == {"default": 1, "fr": 1, "b2b": 1}
    partitions = first.final_state["bookmarks"]["products"]["partitions"]
    assert sorted(p["context"]["store_code"] for p in partitions) == ["b2b", "default", "fr"]

    server.store.add_store_view(StoreView(4, "de", 1, "German Store View", "de_DE"))
    server.store.touch("products", 5, when=LATER)
    second = sync(config, state=first.final_state, streams=SCOPED)

    read = _views(second, "products")
    assert read["de"] == products, "a store view added since is read in full"
    for code in ("default", "fr", "b2b"):  # from their own bookmarks: little more than id 5
        ids = {r["id"] for r in second.records["products"] if r["store_code"] == code}
        assert 5 in ids and len(ids) < products / 2
    assert _views(second, "store_configs") == {"default": 1, "fr": 1, "b2b": 1, "de": 1}
    bookmarks = {
        p["context"]["store_code"]: p["replication_key_value"]
        for p in second.final_state["bookmarks"]["products"]["partitions"]
    }
    assert sorted(bookmarks) == ["b2b", "de", "default", "fr"]
    assert bookmarks["default"] == LATER.isoformat()


def test_a_store_view_removed_keeps_its_bookmark_harmlessly(server) -> None:
    config = bearer_config(server, store_codes=["*"])
    first = sync(config, streams=["products"])
    with server.store.lock:
        del server.store.views["b2b"]
        server.store.collection("store_views").remove(3)
    before = len(server.requests)
    second = sync(config, state=first.final_state, streams=["products"])
    assert {r["store_code"] for r in second.records["products"]} <= {"default", "fr"}
    codes = [
        p["context"]["store_code"]
        for p in second.final_state["bookmarks"]["products"]["partitions"]
    ]
    assert "b2b" in codes  # kept from the first run, not read again
    assert not any(r.path.startswith("/rest/b2b/") for r in server.requests[before:])
