"""The tap: its settings and its streams."""

from __future__ import annotations

import datetime
import logging
from functools import cached_property
from typing import Any

import click
from singer_sdk import Stream, Tap
from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError, FatalAPIError, RetriableAPIError
from singer_sdk.tap_base import CliTestOptionValue

from tap_magento.access_check import Verdict, check_access, verdict
from tap_magento.client import MagentoStream
from tap_magento.connection import MagentoConnection
from tap_magento.diagnosis import one_line
from tap_magento.paging import PagingStalled
from tap_magento.progress import quiet_request_metrics
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
            "max_wait_seconds",
            th.NumberType,
            default=300,
            title="Maximum wait seconds",
            description="How long one request may spend waiting out 429 (rate limited) and "
            "503 (maintenance) answers before the run stops. 429's Retry-After is obeyed; "
            "502/504, dropped connections and timeouts get 8 tries, 500 gets 3.",
        ),
        th.Property(
            "min_request_interval",
            th.NumberType,
            default=0,
            title="Minimum request interval",
            description="Seconds between the starts of consecutive requests, to be gentle "
            "with a small store. 0: as fast as the store answers.",
        ),
        th.Property(
            "skip_unreadable_records",
            th.BooleanType,
            default=True,
            title="Skip unreadable records",
            description="When the store cannot render one record (it fails its whole page "
            "with a 500, e.g. an order whose product was deleted), narrow the page down, skip "
            "just that record and log its id. false: stop the run on such a record instead.",
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
        th.Property(
            "lookback_seconds",
            th.IntegerType,
            default=120,
            title="Lookback seconds",
            description="Start each incremental run this many seconds before the bookmark. "
            "Magento stamps updated_at when a transaction starts, and it may commit after the "
            "tap has read past that second; the few records read twice are harmless.",
        ),
        th.Property(
            "keyset_paging",
            th.BooleanType,
            default=True,
            title="Keyset paging",
            description="Read every list as page 1 of the records after the last one read "
            "(sorted by updated_at, then the key). Requests cost the same deep in the list as "
            "at its start, and records changed during the sync are neither skipped nor "
            "repeated. Set false only for a store whose filters misbehave: pages then go up "
            "to max_pages_per_window deep.",
        ),
        th.Property(
            "max_pages_per_window",
            th.IntegerType,
            default=200,
            title="Maximum pages per window",
            description="Without keyset_paging: pages read by page number before the window "
            "moves past the last record read and starts again at page 1. Deep pages are SQL "
            "OFFSET: slow, and on big stores they fail.",
        ),
        th.Property(
            "emit_activate_version_messages",
            th.BooleanType,
            default=True,
            title="Emit ACTIVATE_VERSION messages",
            description="Full-table streams (sales_rules, coupons, websites, source_items, "
            "stock_items, store_configs) start with ACTIVATE_VERSION, so a target can delete "
            "or mark rows that disappeared from the store.",
        ),
        th.Property(
            "log_request_metrics",
            th.BooleanType,
            default=False,
            title="Log request metrics",
            description="Log the SDK's http_request_duration METRIC line for every request. "
            "Off by default: that is a line per page. The tap's progress line every few "
            "seconds and the SDK's record and request counters are logged either way.",
        ),
    ).to_dict()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The upper bound of updated_at for this run: what changes later is the next run's.
        self.started_at = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        super().__init__(*args, **kwargs)
        quiet_request_metrics(enabled=bool(self.config.get("log_request_metrics")))
        if kwargs.get("validate_config", True):
            _ = self.connection  # bad store_url or credentials fail now, with one clear line

    def check_connection(self) -> bool:
        """Reach the store, log in, and log which streams the credentials may read."""
        # One record per stream is all the check reads: ask for pages of one.
        self.connection.page_size.lower_to(1)
        streams = [s for s in self.streams.values() if isinstance(s, MagentoStream)]
        try:
            found = verdict(check_access(streams))
        except (FatalAPIError, RetriableAPIError, PagingStalled) as error:
            found = Verdict(False, [], f"Connection test failed: {one_line(error)}")
        for warning in found.warnings:
            self.logger.warning("%s", warning)
        self.logger.log(logging.INFO if found.passed else logging.ERROR, "%s", found.summary)
        return found.passed

    @classmethod
    def cb_test(cls, ctx: click.Context, param: click.Option, value: str) -> None:
        """``--test``: ``check_connection`` instead of the SDK's dry run.

        The SDK's stops at the first stream the credentials may not read, and its CLI exits 0
        whatever happened; ``--test=schema`` is left to the SDK.
        """
        if value != CliTestOptionValue.All.value:
            super().cb_test(ctx, param, value)
            return
        config = ctx.params.get("config")  # the SDK's parsed --config, files or ENV
        try:
            tap = cls(
                config=config.config if config else None,
                parse_env_config=bool(config and config.parse_env),
            )
        except ConfigValidationError as error:
            for message in error.errors:
                cls.logger.error("Config validation error: %s", message)
            ctx.exit(1)
        except (FatalAPIError, RetriableAPIError, PagingStalled) as error:
            cls.logger.error("Connection test failed: %s", one_line(error))
            ctx.exit(1)
        ctx.exit(0 if tap.check_connection() else 1)

    @classmethod
    def invoke(cls, *args: Any, **kwargs: Any) -> None:
        """The CLI: an error the tap has explained is one line and exit status 1.

        Other exceptions (bugs) keep the SDK's traceback.
        """
        try:
            super().invoke(*args, **kwargs)
        except (FatalAPIError, RetriableAPIError, PagingStalled) as error:
            cls.logger.error("%s", one_line(error))
            raise SystemExit(1) from None

    @cached_property
    def connection(self) -> MagentoConnection:
        return MagentoConnection(self.config, self.logger)

    def discover_streams(self) -> list[Stream]:
        return [stream_type(tap=self) for stream_type in STREAM_TYPES]


if __name__ == "__main__":
    TapMagento.cli()
