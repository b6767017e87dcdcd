"""What the Singer SDK's own record loop costs, with nothing of the tap's around it.

    python scripts/sdk_record_loop.py --records 100000

A stock SDK tap whose one stream yields ready-made lean order records (no HTTP, no decoding,
no timestamps): what is left is the SDK's ``_sync_records`` (state, stream maps, RECORD
messages, the msgspec writer) writing to /dev/null. Beside it, the bare client's own per-record
work (``json.loads`` of pages and ``json.dumps`` of records) on the same records, for scale.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Iterable
from typing import Any

from singer_sdk import Stream, Tap
from singer_sdk import typing as th
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.helpers.conform import TypeConformanceLevel
from typing_extensions import override

LEAN_ORDER = {
    "entity_id": 1, "increment_id": "100000001", "created_at": "2024-01-01T00:00:00+00:00",
    "updated_at": "2024-01-01T00:00:00+00:00", "state": "processing", "status": "processing",
    "store_id": 1, "customer_id": 5, "customer_email": "c@example.com", "grand_total": 12.5,
    "base_grand_total": 12.5, "subtotal": 12.5, "total_qty_ordered": 1,
}  # fmt: skip


def sdk_seconds(records: int) -> float:
    class Orders(Stream):
        name = "orders"
        primary_keys = ("entity_id",)
        replication_key = "updated_at"
        is_sorted = True
        TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE  # as the tap runs
        schema = th.PropertiesList(*(th.Property(k, th.StringType) for k in LEAN_ORDER)).to_dict()

        @override
        def get_records(self, context: Any) -> Iterable[dict[str, Any]]:
            for entity_id in range(records):
                yield {**LEAN_ORDER, "entity_id": entity_id}

    class Bare(Tap):
        name = "sdk-record-loop"
        message_writer_class = MsgSpecWriter
        config_jsonschema = th.PropertiesList().to_dict()

        @override
        def discover_streams(self) -> list[Stream]:
            return [Orders(self)]

    tap = Bare(config={})
    started = time.perf_counter()
    with open("/dev/null", "w") as sink, contextlib.redirect_stdout(sink):
        tap.sync_all()
    return time.perf_counter() - started


def bare_seconds(records: int, page_size: int = 300) -> float:
    page = json.dumps({"items": [LEAN_ORDER] * page_size})
    started = time.perf_counter()
    with open("/dev/null", "w") as sink:
        for _ in range(-(-records // page_size)):
            for item in json.loads(page)["items"]:
                sink.write(json.dumps(item) + "\n")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    print(
        f"the SDK's record loop, {args.records:,} lean records: {sdk_seconds(args.records):.2f} s"
    )
    print(f"the bare client's own work on them: {bare_seconds(args.records):.2f} s")


if __name__ == "__main__":
    main()
