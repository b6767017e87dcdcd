"""What ``product_special_prices`` costs in requests: a sandbox store of N products, read with
the tap's default batch and with a store that caps batches at 20 SKUs.

    python scripts/special_price_requests.py --products 10000

Prints, for each case, the requests for the SKUs (the keys-only pass over products) and for
the special prices (POSTs, refused ones included), and the special prices the store holds.
"""

from __future__ import annotations

import argparse
import io
from contextlib import redirect_stdout

from tap_magento.sandbox.server import SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize
from tap_magento.tap import TapMagento

SPECIAL_PRICES = "/V1/products/special-price-information"


def count(products: int, max_skus: int | None) -> None:
    size = StoreSize(orders=10, products=products, customers=10, categories=5, sales_rules=1)
    with SandboxServer(SandboxStore(size)) as server:
        server.max_skus = max_skus
        config = {"store_url": server.url, "access_token": server.auth.credentials.access_token}
        tap = TapMagento(config=config)
        for name, stream in tap.streams.items():
            stream.selected = name == "product_special_prices"
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        with redirect_stdout(out):
            tap.sync_all()
        asked = server.requests
        skus = [r for r in asked if r.path.endswith("/V1/products") and "fields" in r.params]
        posts = [r for r in asked if r.path.endswith(SPECIAL_PRICES)]
        refused = [r for r in posts if r.status != 200]
        records = len(server.store.records("product_special_prices"))
    cap = f"capped at {max_skus} SKUs" if max_skus else "taking the tap's batch"
    print(
        f"{products:,} products, a store {cap}: {len(skus)} requests for the SKUs, "
        f"{len(posts)} for the special prices ({len(refused)} refused), "
        f"{records:,} special prices in the store"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    args = parser.parse_args()
    for max_skus in (None, 20):
        count(args.products, max_skus)


if __name__ == "__main__":
    main()
