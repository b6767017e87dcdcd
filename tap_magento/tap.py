"""The tap: its settings and its streams."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from singer_sdk import Stream, Tap
from singer_sdk import typing as th

from tap_magento.connection import MagentoConnection
from tap_magento.streams import STREAM_TYPES


class TapMagento(Tap):
    """Singer tap for Magento 2 / Adobe Commerce, through its admin REST API."""

    name = "tap-magento"

    config_jsonschema = th.PropertiesList(
        th.Property(
            "store_url",
            th.StringType,
            required=True,
            title="Store URL",
            description="The store's base URL, e.g. https://shop.example.com (with or without "
            "/rest and a trailing slash). The special value 'sandbox' starts the bundled "
            "sandbox store for this run.",
        ),
        th.Property(
            "access_token",
            th.StringType,
            secret=True,
            title="Access token",
            description="Integration access token. Alone: sent as a Bearer token. With "
            "consumer_key: the OAuth 1.0a access token.",
        ),
        th.Property(
            "access_token_secret",
            th.StringType,
            secret=True,
            title="Access token secret",
            description="Integration access token secret (OAuth 1.0a).",
        ),
        th.Property(
            "consumer_key",
            th.StringType,
            secret=True,
            title="Consumer key",
            description="Integration consumer key. When set, every request is signed with "
            "OAuth 1.0a (HMAC-SHA256), the method Magento 2.4.4+ accepts by default.",
        ),
        th.Property(
            "consumer_secret",
            th.StringType,
            secret=True,
            title="Consumer secret",
            description="Integration consumer secret (OAuth 1.0a).",
        ),
        th.Property(
            "username",
            th.StringType,
            title="Admin username",
            description="Admin user name: the tap gets an admin token and renews it when it "
            "expires. Not possible when the store enforces two-factor authentication.",
        ),
        th.Property(
            "password",
            th.StringType,
            secret=True,
            title="Admin password",
            description="Admin user password (with username).",
        ),
        th.Property(
            "start_date",
            th.DateTimeType,
            title="Start date",
            description="Read incremental streams from this moment (UTC if no offset) when "
            "there is no bookmark yet. Default: everything.",
        ),
        th.Property(
            "end_date",
            th.DateTimeType,
            title="End date",
            description="Optional upper bound on updated_at for incremental streams.",
        ),
        th.Property(
            "page_size",
            th.IntegerType,
            default=300,
            title="Page size",
            description="Records per request. When the store refuses it ('Maximum "
            "SearchCriteria pageSize is N') the tap continues with N.",
        ),
        th.Property(
            "request_timeout",
            th.NumberType,
            default=300,
            title="Request timeout",
            description="Seconds to wait for one response before retrying.",
        ),
        th.Property(
            "user_agent",
            th.StringType,
            default="tap-magento",
            title="User agent",
            description="User-Agent header sent with every request.",
        ),
        th.Property(
            "store_codes",
            th.ArrayType(th.StringType),
            default=["default"],
            title="Store view codes",
            description="Store views to read store-scoped streams (products, store_configs) "
            "for; products come once per store view with that view's attribute values.",
        ),
        th.Property(
            "stock_items_max_qty",
            th.NumberType,
            default=1_000_000_000,
            title="Stock items quantity threshold",
            description="stock_items reads the low-stock report for items with qty up to "
            "this; the default is above any real stock so every item is listed.",
        ),
    ).to_dict()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kwargs.get("validate_config", True):
            _ = self.connection  # bad store_url or credentials fail now, with one clear line

    @cached_property
    def connection(self) -> MagentoConnection:
        return MagentoConnection(self.config, self.logger)

    def discover_streams(self) -> list[Stream]:
        return [stream_type(tap=self) for stream_type in STREAM_TYPES]


if __name__ == "__main__":
    TapMagento.cli()
