"""``tap-magento-sandbox``: run the sandbox store and print how to point the tap at it."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys

from tap_magento.sandbox.auth import AuthPolicy, SandboxAuth
from tap_magento.sandbox.search import SearchBehaviour
from tap_magento.sandbox.server import MODULE_ROUTES, SandboxServer
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
        "--wholesale-every",
        type=int,
        default=0,
        help="a B2B store: every Nth order has --wholesale-lines lines",
    )
    parser.add_argument("--wholesale-lines", type=int, default=StoreSize.wholesale_lines)
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="time every list request takes"
    )
    parser.add_argument("--row-latency-ms", type=float, default=0.0, help="and per row it answers")
    parser.add_argument(
        "--no-bearer",
        action="store_true",
        help="refuse integration tokens as Bearer (Magento 2.4.4+ default)",
    )
    parser.add_argument(
        "--two-factor",
        choices=["google", "duo_security", "authy", "u2fkey"],
        default=None,
        help="enforce two-factor authentication for admin tokens, with this provider set up "
        "for the admin user (Magento_TwoFactorAuth)",
    )
    parser.add_argument(
        "--without",
        default="",
        help="comma-separated modules the store lacks: Magento_Rma, Magento_Company, "
        "Magento_CompanyCredit, Magento_SharedCatalog, Magento_GiftWrapping, MSI",
    )
    parser.add_argument(
        "--tenant",
        default=None,
        help="answer as Adobe Commerce as a Cloud Service at /<tenant>/V1/..., with IMS tokens",
    )
    args = parser.parse_args(argv)
    missing = frozenset(m.strip() for m in args.without.split(",") if m.strip())
    unknown = missing - set(MODULE_ROUTES)
    if unknown:
        parser.error(
            f"--without: unknown modules {sorted(unknown)}; known: {sorted(MODULE_ROUTES)}"
        )

    store = SandboxStore(
        StoreSize(
            orders=args.orders,
            products=args.products,
            customers=args.customers,
            wholesale_every=args.wholesale_every,
            wholesale_lines=args.wholesale_lines,
        ),
        seed=args.seed,
        lean=args.lean,
    )
    try:
        server = _server(args, store, missing)
    except OSError as error:  # the port is taken, or the host is not this machine's
        print(
            f"tap-magento-sandbox: cannot listen on {args.host}:{args.port} "
            f"({error.strerror}): choose another --port.",
            file=sys.stderr,
        )
        sys.exit(1)
    creds = server.auth.credentials
    root = f"{server.url}/{args.tenant}" if args.tenant else f"{server.url}/rest"
    print(f"Sandbox Magento store at {root} (Ctrl-C to stop)")
    print(f"Tap config for it: {json.dumps(tap_config(server, args))}")
    two_factor = f", Google Authenticator secret {creds.totp_secret}" if args.two_factor else ""
    print(
        f"Admin login: {creds.username} / {creds.password}{two_factor}; OAuth 1.0a: consumer_key "
        f"{creds.consumer_key}, consumer_secret {creds.consumer_secret}, "
        f"access_token_secret {creds.access_token_secret}",
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


def tap_config(server: SandboxServer, args: argparse.Namespace) -> dict[str, str]:
    """A config the tap can read this store with: Bearer, or what the store's options leave."""
    creds = server.auth.credentials
    if args.tenant:
        return {
            "store_url": f"{server.url}/{args.tenant}",
            "ims_client_id": creds.ims_client_id,
            "ims_client_secret": creds.ims_client_secret,
            "ims_org_id": creds.ims_org_id,
            "ims_token_url": server.ims_token_url,
        }
    if args.two_factor == "google":  # what an agency given a 2FA admin user sets
        return {
            "store_url": server.url,
            "username": creds.username,
            "password": creds.password,
            "totp_secret": creds.totp_secret,
        }
    if args.no_bearer:  # the integration's token only signs OAuth 1.0a requests
        return {
            "store_url": server.url,
            "consumer_key": creds.consumer_key,
            "consumer_secret": creds.consumer_secret,
            "access_token": creds.access_token,
            "access_token_secret": creds.access_token_secret,
        }
    return {"store_url": server.url, "access_token": creds.access_token}


def _server(
    args: argparse.Namespace, store: SandboxStore, missing: frozenset[str]
) -> SandboxServer:
    return SandboxServer(
        store,
        auth=SandboxAuth(
            policy=AuthPolicy(
                integration_as_bearer=not args.no_bearer,
                two_factor_providers=(args.two_factor,) if args.two_factor else (),
            )
        ),
        behaviour=SearchBehaviour(
            past_end=args.past_end,
            max_page_size=args.max_page_size,
            max_page_depth=args.max_page_depth,
            offset_row_seconds=args.offset_row_us / 1e6,
            latency_seconds=args.latency_ms / 1000,
            latency_row_seconds=args.row_latency_ms / 1000,
        ),
        host=args.host,
        port=args.port,
        missing_modules=missing,
        tenant_id=args.tenant,
    )


if __name__ == "__main__":
    main()
