"""``tap-magento-sandbox``: run the sandbox store and print how to point the tap at it."""

from __future__ import annotations

import argparse
import contextlib
import json

from tap_magento.sandbox.auth import AuthPolicy, SandboxAuth
from tap_magento.sandbox.search import SearchBehaviour
from tap_magento.sandbox.server import SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8808)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--orders", type=int, default=StoreSize.orders)
    parser.add_argument("--products", type=int, default=StoreSize.products)
    parser.add_argument("--customers", type=int, default=StoreSize.customers)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--past-end",
        choices=["repeat", "empty"],
        default="empty",
        help="what a page past the last one returns (2.3: repeat, 2.4: empty)",
    )
    parser.add_argument(
        "--max-page-size", type=int, default=None, help="enable input limits: refuse larger pages"
    )
    parser.add_argument(
        "--max-page-depth",
        type=int,
        default=None,
        help="answer pages deeper than this with 503, as big stores run out of memory",
    )
    parser.add_argument(
        "--offset-row-us",
        type=float,
        default=0.0,
        help="microseconds per row an SQL OFFSET skips, to model deep pages' cost",
    )
    parser.add_argument("--lean", action="store_true", help="records of ~15 fields, not ~300")
    parser.add_argument(
        "--no-bearer",
        action="store_true",
        help="refuse integration tokens as Bearer (Magento 2.4.4+ default)",
    )
    args = parser.parse_args(argv)

    store = SandboxStore(
        StoreSize(orders=args.orders, products=args.products, customers=args.customers),
        seed=args.seed,
        lean=args.lean,
    )
    server = SandboxServer(
        store,
        auth=SandboxAuth(policy=AuthPolicy(integration_as_bearer=not args.no_bearer)),
        behaviour=SearchBehaviour(
            past_end=args.past_end,
            max_page_size=args.max_page_size,
            max_page_depth=args.max_page_depth,
            offset_row_seconds=args.offset_row_us / 1e6,
        ),
        host=args.host,
        port=args.port,
    )
    creds = server.auth.credentials
    config = {"store_url": server.url, "access_token": creds.access_token}
    print(f"Sandbox Magento store at {server.url}/rest (Ctrl-C to stop)")
    print(f"Tap config for it: {json.dumps(config)}")
    print(
        f"Admin login: {creds.username} / {creds.password}; OAuth 1.0a: consumer_key "
        f"{creds.consumer_key}, consumer_secret {creds.consumer_secret}, "
        f"access_token_secret {creds.access_token_secret}",
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
