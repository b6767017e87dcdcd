"""What a page of full orders costs to decode and write, whole or a record at a time.

    python scripts/page_decoding.py            # a page of 300 full sandbox orders
    python scripts/page_decoding.py --records 390 --lean

The measure that led to ``tap_magento/passes/decoding.py``. One process, no store, no threads:
CPU time per record, the best of ``--repeat`` rounds, for

- **whole**: how the tap read pages before: the answer scanned for long numbers
  (``has_long_number``), decoded at once, then each record encoded;
- **split**: the idea alone: each record's JSON split off (``msgspec.Raw``), then decoded
  and encoded in turn;
- **the tap's page**: ``PageDecoder.page`` (the scan, the split, and the key and cursor
  fields of every record decoded at once), then each record decoded with ``Page.record``
  and encoded;
- **the front door's check** alone: the answer's JSON checked whole (``StoreClient.ask``
  does it before a pass sees the answer).

A decoded full order takes about 72 KB: a whole page (21 MB at 300) is out of the processor's
caches by the time its records are written, one record is not.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable

import msgspec

from tap_magento.passes.decoding import PageDecoder, has_long_number
from tap_magento.sandbox.store import SandboxStore, StoreSize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--lean", action="store_true", help="records of ~15 fields, not ~300")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    store = SandboxStore(size=StoreSize(orders=args.records), lean=args.lean)
    orders = store.records("orders")[: args.records]
    content = json.dumps({"items": orders, "total_count": len(orders)}).encode()
    print(f"{len(orders)} orders, {len(content) / len(orders) / 1024:.1f} KiB of JSON each")
    decoder, encoder = msgspec.json.Decoder(), msgspec.json.Encoder()
    split_decoder = msgspec.json.Decoder(_Split)
    pages = PageDecoder(["entity_id", "updated_at"], "/V1/orders")

    def whole() -> None:
        has_long_number(content)
        for record in decoder.decode(content)["items"]:
            encoder.encode(record)

    def split() -> None:
        for text in split_decoder.decode(content).items:
            encoder.encode(decoder.decode(text))

    def tap_page() -> None:
        page = pages.page(content)
        for position in range(len(page.records)):
            encoder.encode(page.record(position))

    def checked() -> None:
        msgspec.json.decode(content, type=msgspec.Raw)

    gc.disable()  # as the tap decodes: without the collector's passes
    ways = {"whole": whole, "split": split, "the tap's page": tap_page, "the check": checked}
    for name, way in ways.items():
        print(f"{name}: {_best(way, args.repeat) / len(orders) * 1e6:.1f} us per record")


class _Split(msgspec.Struct):
    items: list[msgspec.Raw]


def _best(way: Callable[[], None], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.process_time()
        way()
        times.append(time.process_time() - started)
    return min(times)


if __name__ == "__main__":
    main()
