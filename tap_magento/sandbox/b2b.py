"""What an Adobe Commerce B2B store and its storefront prices hold, beside the core store.

Company roles, teams, credit limits and their history, shared catalogs (with their SKUs and
companies), gift wrappings, and special prices: small lists, derived from ids so that a test
can say what each holds without the random stream.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tap_magento.timestamps import to_magento

if TYPE_CHECKING:
    from tap_magento.sandbox.store import Collection

Row = dict[str, Any]
AddCollection = Callable[..., "Collection"]
COMPANIES = range(1, 6)
SHARED_CATALOGS = range(1, 4)  # 1 is the public catalog
HISTORY_EPOCH = datetime.datetime(2025, 3, 1, tzinfo=datetime.timezone.utc)
# A transparent 1x1 PNG: what a gift wrapping's image_base64_content holds.
PIXEL_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def add_b2b(add: AddCollection, product_skus: list[str]) -> None:
    """The B2B modules' lists, keyed and aliased as their tables are."""
    roles = add("company_roles", lambda r: r["id"], aliases={"role_id": "id"})
    for company_id in COMPANIES:
        for number, name in enumerate(("Default User", "Buyer"), start=1):
            role_id = (company_id - 1) * 2 + number
            roles.add(
                {
                    "id": role_id,
                    "role_name": name,
                    "company_id": company_id,
                    "permissions": [
                        {
                            "id": role_id * 10 + step,
                            "role_id": role_id,
                            "resource_id": resource,
                            "permission": "allow" if number == 2 or step == 0 else "deny",
                        }
                        for step, resource in enumerate(
                            ("Magento_Company::index", "Magento_Sales::place_order")
                        )
                    ],
                }
            )
    teams = add("company_teams", lambda r: r["id"], aliases={"team_id": "id"})
    for team_id in range(1, 8):
        teams.add({"id": team_id, "name": f"Team {team_id}", "description": f"Buyers {team_id}"})
    credits = add("company_credits", lambda r: r["id"], aliases={"entity_id": "id"})
    history = add(
        "company_credit_history", lambda r: r["id"], aliases={"entity_id": "id"}, stamp="datetime"
    )
    for company_id in COMPANIES:
        limit = 1000.0 * company_id
        balance = 0.0
        for step in range(4):
            amount = -125.5 * (step + 1) if step else limit
            balance = balance + amount if step else 0.0
            moment = HISTORY_EPOCH + datetime.timedelta(days=company_id, hours=step)
            history.add(
                {
                    "id": len(history.rows) + 1,
                    "company_credit_id": company_id,
                    "user_id": company_id,
                    "user_type": 2,
                    "currency_credit": "USD",
                    "currency_operation": "USD",
                    "rate": 1.0,
                    "rate_credit": 1.0,
                    "amount": amount,
                    "balance": balance,
                    "credit_limit": limit,
                    "available_limit": limit + balance,
                    "type": 1 if step == 0 else 3,
                    "datetime": to_magento(moment),
                    "purchase_order": f"PO-{company_id}-{step}" if step else None,
                    "custom_reference_number": None,
                    "comment": None,
                }
            )
        credits.add(
            {
                "id": company_id,
                "company_id": company_id,
                "credit_limit": limit,
                "balance": balance,
                "currency_code": "USD",
                "exceed_limit": company_id % 2 == 0,
                "available_limit": limit + balance,
                "credit_comment": None,
            }
        )
    catalogs = add("shared_catalogs", lambda r: r["id"], aliases={"entity_id": "id"})
    catalog_skus = add("shared_catalog_products", lambda r: (r["shared_catalog_id"], r["sku"]))
    catalog_companies = add(
        "shared_catalog_companies", lambda r: (r["shared_catalog_id"], r["company_id"])
    )
    for catalog_id in SHARED_CATALOGS:
        catalogs.add(
            {
                "id": catalog_id,
                "name": "Default (General)" if catalog_id == 1 else f"Wholesale {catalog_id}",
                "description": None if catalog_id == 1 else f"Prices for tier {catalog_id}",
                "customer_group_id": 1 if catalog_id == 1 else catalog_id + 2,
                "type": 1 if catalog_id == 1 else 0,
                "created_at": to_magento(HISTORY_EPOCH + datetime.timedelta(hours=catalog_id)),
                "created_by": 1,
                "store_id": 0,
                "tax_class_id": 3,
            }
        )
        for index, sku in enumerate(product_skus):
            if catalog_id == 1 or index % catalog_id == 0:
                catalog_skus.add({"shared_catalog_id": catalog_id, "sku": sku})
    for company_id in COMPANIES:
        catalog_companies.add({"shared_catalog_id": 2 + company_id % 2, "company_id": company_id})
    wrappings = add("gift_wrappings", lambda r: r["wrapping_id"])
    for wrapping_id in range(1, 4):
        wrappings.add(
            {
                "wrapping_id": wrapping_id,
                "design": f"Wrapping {wrapping_id}",
                "status": 1 if wrapping_id < 3 else 0,
                "base_price": 2.5 * wrapping_id,
                "image_name": f"wrap{wrapping_id}.png",
                "image_base64_content": PIXEL_PNG,
                "base_currency_code": "USD",
                "website_ids": [1, 2] if wrapping_id == 1 else [1],
                "image_url": f"http://sandbox.example/media/wrapping/wrap{wrapping_id}.png",
            }
        )


def add_special_prices(add: AddCollection, prices: dict[str, float]) -> None:
    """Every fourth product has a special price for all store views (store_id 0), every
    eighth another for store view 1 from a later date: ``prices`` is SKU -> base price."""
    special = add("product_special_prices", lambda r: (r["sku"], r["store_id"], r["price_from"]))
    for index, (sku, price) in enumerate(prices.items(), start=1):
        if index % 4:
            continue
        special.add(
            {
                "sku": sku,
                "store_id": 0,
                "price": round(price * 0.85, 2),
                "price_from": "2024-01-01 00:00:00",
                "price_to": "2030-12-31 23:59:59",
                "extension_attributes": {},
            }
        )
        if index % 8 == 0:
            special.add(
                {
                    "sku": sku,
                    "store_id": 1,
                    "price": round(price * 0.7, 2),
                    "price_from": "2024-06-01 00:00:00",
                    "price_to": "2030-06-30 23:59:59",
                    "extension_attributes": {},
                }
            )
