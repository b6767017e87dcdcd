"""The base stream: where requests go, how they authenticate, fail, retry and are decoded."""

from __future__ import annotations

import decimal
import json
import math
import re
from collections.abc import Generator
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import requests
from singer_sdk import RESTStream
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.schema.source import SchemaDirectory, StreamSchema

from tap_magento import schemas
from tap_magento.auth import store_message
from tap_magento.errors import PageSizeRefused
from tap_magento.timestamps import TimestampPlan, convert_timestamps, timestamp_plan

if TYPE_CHECKING:
    from requests.auth import AuthBase
    from singer_sdk.helpers.types import Context

    from tap_magento.connection import MagentoConnection

MAX_RETRY_WAIT_SECONDS = 60
PAGE_SIZE_REFUSAL = re.compile(r"Maximum SearchCriteria pageSize is (\d+)")


class MagentoStream(RESTStream[Any]):
    """Shared by every stream: a stream subclass declares its name, path, keys and schema."""

    schema = StreamSchema(SchemaDirectory(schemas))
    # Records arrive as JSON, so nested values need no type conversion; recursive conformance
    # cost over half of the tap's CPU on order records, and would drop nested keys a store's
    # modules add that no schema documents. Top-level properties are still checked.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.ROOT_ONLY
    # A STATE message every this many records: a killed sync repeats at most this many.
    STATE_MSG_FREQUENCY = 1000

    @property
    def connection(self) -> MagentoConnection:
        return cast("MagentoConnection", self._tap.connection)  # type: ignore[attr-defined]

    @property
    def url_base(self) -> str:
        return self.connection.rest_url

    @property
    def authenticator(self) -> AuthBase:
        return self.connection.auth

    @property
    def timeout(self) -> int:
        return max(1, math.ceil(self.connection.timeout))  # the SDK takes whole seconds

    # --- answers ------------------------------------------------------------------------------

    def validate_response(self, response: requests.Response) -> None:
        status = response.status_code
        if status == 400 and (refusal := PAGE_SIZE_REFUSAL.search(store_message(response))):
            raise PageSizeRefused(int(refusal.group(1)), self.response_error_message(response))
        if status == 401:
            raise FatalAPIError(self._unauthorized_message(response))
        if status in self.extra_retry_statuses or status >= 500:
            raise RetriableAPIError(self.response_error_message(response), response)
        if status >= 400:
            raise FatalAPIError(self.response_error_message(response))
        if "html" in response.headers.get("Content-Type", ""):
            raise FatalAPIError(self._not_json_message(response))

    def response_error_message(self, response: requests.Response) -> str:
        """Status, request path and the store's own message; never the query or headers."""
        body = (
            "an HTML page (maintenance, WAF or CDN?)"
            if "html" in response.headers.get("Content-Type", "")
            else repr(store_message(response))
        )
        return (
            f"{response.status_code} {response.reason} for {self._request_line(response)}: {body}"
        )

    def decode(self, response: requests.Response) -> Any:
        """The response body as JSON; a clear error when the store sent something else."""
        try:
            return json.loads(response.content, parse_float=decimal.Decimal)
        except ValueError:
            raise FatalAPIError(self._not_json_message(response)) from None

    def _unauthorized_message(self, response: requests.Response) -> str:
        method = getattr(self.authenticator, "method", "the configured credentials")
        return (
            f"401 for {self._request_line(response)}: {store_message(response)!r}. The store "
            f"refused {method}: check the credentials, that the integration or admin role has "
            "this API resource, and (Magento 2.4.4+) that integration tokens are allowed as "
            "Bearer tokens; otherwise use OAuth 1.0a (consumer_key, consumer_secret, "
            "access_token, access_token_secret)."
        )

    def _not_json_message(self, response: requests.Response) -> str:
        content_type = response.headers.get("Content-Type", "no content type")
        return (
            f"Expected JSON from {self._request_line(response)} but got {content_type} "
            f"({len(response.content)} bytes): a maintenance page, WAF or CDN answered "
            "instead of Magento, or store_url is not the store's base URL."
        )

    @staticmethod
    def _request_line(response: requests.Response) -> str:
        method = response.request.method if response.request is not None else "GET"
        return f"{method} {urlsplit(response.url).path}"

    # --- retries ------------------------------------------------------------------------------

    def backoff_wait_generator(self) -> Generator[float, Any, None]:
        return retry_waits()

    # --- records ------------------------------------------------------------------------------

    @cached_property
    def timestamp_plan(self) -> TimestampPlan:
        return timestamp_plan(self.schema)

    def post_process(self, row: dict[str, Any], context: Context | None = None) -> dict[str, Any]:
        return convert_timestamps(row, self.timestamp_plan)


def retry_waits(cap: float = MAX_RETRY_WAIT_SECONDS) -> Generator[float, Any, None]:
    """Exponential waits (1, 2, 4 ... seconds), or the store's ``Retry-After`` when it sends one.

    ``backoff`` primes the generator with ``send(None)`` and then sends each failure's exception.
    """
    attempt = 0
    exception = yield 0
    while True:
        retry_after = _retry_after_seconds(exception)
        wait = retry_after if retry_after is not None else 2.0**attempt
        attempt += 1
        exception = yield min(wait, cap)


def _retry_after_seconds(exception: Any) -> float | None:
    response = getattr(exception, "response", None)
    if response is None:
        return None
    value = response.headers.get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare from Magento's CDNs; fall back to exponential
