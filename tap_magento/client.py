"""The base stream: where requests go, how they authenticate, fail, retry and are decoded."""

from __future__ import annotations

import decimal
import json
import math
from collections.abc import Callable, Generator
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

import backoff
import requests
from singer_sdk import RESTStream
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.schema.source import SchemaDirectory, StreamSchema

from tap_magento import schemas
from tap_magento.diagnosis import network_reason, not_json_message, raise_for_answer
from tap_magento.progress import Progress
from tap_magento.retry import RETRIED_ERRORS, cause_of
from tap_magento.timestamps import TimestampPlan, convert_timestamps, timestamp_plan

if TYPE_CHECKING:
    from backoff.types import Details
    from requests.auth import AuthBase
    from singer_sdk.helpers.types import Context

    from tap_magento.connection import MagentoConnection

RequestFunc = Callable[..., requests.Response]


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
        raise_for_answer(response, self.connection.credentials, self.connection.user_agent)
        self.connection.accepted()
        self.progress.answered()

    def decode(self, response: requests.Response) -> Any:
        """The response body as JSON; a clear error when the store sent something else."""
        try:
            return json.loads(response.content, parse_float=decimal.Decimal)
        except ValueError:
            raise FatalAPIError(not_json_message(response, self.connection.user_agent)) from None

    # --- retries ------------------------------------------------------------------------------

    def request_decorator(self, func: RequestFunc) -> RequestFunc:
        """Pace every attempt, and retry by cause (``retry.RULES``) instead of one schedule."""

        def paced(*args: Any, **kwargs: Any) -> requests.Response:
            self.connection.pacer.wait_turn()
            self.progress.requested()
            return func(*args, **kwargs)

        retrying: RequestFunc = backoff.on_exception(
            self.backoff_wait_generator,
            RETRIED_ERRORS,
            max_tries=None,  # the schedule decides, per cause
            jitter=None,  # the schedule jitters its own waits, not the store's Retry-After
            on_backoff=self.backoff_handler,
            logger=None,  # backoff_handler logs; backoff's own give-up line would be noise
        )(paced)
        return retrying

    def backoff_wait_generator(self) -> Generator[float, Any, None]:
        return self.connection.retry_policy.waits(self.server_error_tries)

    @property
    def server_error_tries(self) -> int | None:
        """How often to try a request that fails with 500; None: as ``retry.RULES`` says."""
        return None

    def backoff_handler(self, details: Details) -> None:
        error = details.get("exception")
        cause = cause_of(error) if error is not None else None
        label = cause.value if cause is not None else "failure"
        self.progress.retried(label)
        self.logger.warning(
            "%s: retry %d in %.1f s after %s",
            self.name, details["tries"], details.get("wait", 0.0), _one_line(error),
        )  # fmt: skip

    # --- progress -----------------------------------------------------------------------------

    _progress: Progress | None = None

    @property
    def progress(self) -> Progress:
        """This pass's counts: the periodic progress line and the end-of-stream summary."""
        if self._progress is None:
            self._progress = Progress(self.name, self.logger)
        return self._progress

    def start_pass(self, context: Context | None) -> None:
        """Count afresh for one pass over the stream (one partition of it)."""
        label = f"{self.name} {dict(context)}" if context else self.name
        self._progress = Progress(label, self.logger)

    # --- records ------------------------------------------------------------------------------

    @cached_property
    def timestamp_plan(self) -> TimestampPlan:
        return timestamp_plan(self.schema)

    def post_process(self, row: dict[str, Any], context: Context | None = None) -> dict[str, Any]:
        converted = convert_timestamps(row, self.timestamp_plan)
        self.progress.emitted(converted)
        return converted


def _one_line(error: BaseException | None) -> str:
    if isinstance(error, RetriableAPIError):
        return str(error)
    return f"{type(error).__name__}: {network_reason(error)}" if error else "a failure"
