"""The base stream: where requests go, how they authenticate, fail, retry and are decoded."""

from __future__ import annotations

import decimal
import logging
import math
import threading
from collections.abc import Hashable
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast
from urllib.parse import urlsplit

import msgspec
import requests
from singer_sdk import RESTStream
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.schema.source import SchemaDirectory, StreamSchema
from singer_sdk.streams.rest import PageContext
from typing_extensions import override

from tap_magento import schemas
from tap_magento.custom_attributes import AttributeList, AttributeObjects, with_objects
from tap_magento.diagnosis import (
    network_reason,
    not_json_message,
    php_notice_warning,
    php_output_message,
    raise_for_answer,
    request_line,
)
from tap_magento.errors import BadAnswer, PageCut, PageTooBig
from tap_magento.inputs import BookmarkShape
from tap_magento.php_output import split_php_output
from tap_magento.progress import Progress, log_request_duration
from tap_magento.retry import RETRIED_ERRORS, Cause, Retries
from tap_magento.sdk_internals import LeanRecordMessages
from tap_magento.timestamps import TimestampPlan, convert_timestamps, timestamp_plan

if TYPE_CHECKING:
    from requests.auth import AuthBase
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_magento.connection import MagentoConnection
    from tap_magento.custom_attributes import AttributeTypes
    from tap_magento.run_window import RunWindow
    from tap_magento.store_directory import StoreDirectory


# Decimals stay exact: Magento's prices and quantities are decimals in its database.
JSON_DECODER = msgspec.json.Decoder(float_hook=decimal.Decimal)
CHUNK_BYTES = 2**16  # read at a time from an answer whose size is capped


class Run(Protocol):
    """What a stream takes from the tap that runs it: what the run's streams share."""

    @property
    def connection(self) -> MagentoConnection: ...

    @property
    def store_directory(self) -> StoreDirectory: ...

    @property
    def attribute_types(self) -> AttributeTypes: ...

    @property
    def run_window(self) -> RunWindow: ...


class MagentoStream(LeanRecordMessages, RESTStream[Any]):
    """Shared by every stream: a stream subclass declares its name, path, keys and schema."""

    # The stream's schema file, from Adobe's reference (scripts/generate_schemas.py).
    file_schema = StreamSchema(SchemaDirectory(schemas))
    # Records arrive as JSON, so their values need no type conversion: the SDK's conformance
    # (a third of the tap's CPU on order records, even at ROOT_ONLY) is off, and post_process
    # only drops top-level properties the schema does not know, as ROOT_ONLY did. A test
    # checks every emitted record against its SCHEMA message.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    # A STATE message every this many records: a killed sync repeats at most this many.
    STATE_MSG_FREQUENCY = 1000
    # Fields the SDK copies from the partition into every record (the store does not send
    # them); the rest of the primary key is the store's own.
    context_keys: ClassVar[tuple[str, ...]] = ()
    # What a store must have installed for this stream's route to exist (for the warning when
    # it does not); None: the core modules every store has.
    module: ClassVar[str | None] = None
    # The custom_attributes lists its records hold (for custom_attributes_as_object).
    custom_attribute_lists: ClassVar[tuple[AttributeList, ...]] = ()

    def __init__(self, tap: Tap, **kwargs: Any) -> None:
        super().__init__(tap=tap, **kwargs)
        # Streams are made by TapMagento.discover_streams: the tap is the run.
        self.run = cast("Run", tap)
        self.logger.addFilter(without_sdk_error_line)
        self._warned: set[Hashable] = set()
        self._warned_lock = threading.Lock()

    @property
    @override
    def http_headers(self) -> dict[str, Any]:
        """The SDK's, and an access gate's (``request_headers``)."""
        return {**super().http_headers, **self.connection.request_headers}

    @property
    def bookmark_shape(self) -> BookmarkShape:
        """What this stream's bookmark holds in the STATE the tap writes."""
        keys = self.state_partitioning_keys
        partition_keys = self.context_keys if keys is None else keys
        return BookmarkShape(self.replication_key, frozenset(partition_keys))

    @cached_property
    @override
    def schema(self) -> dict[str, Any]:
        """The schema file's, with what the settings add to it."""
        return self.extend_schema(self.file_schema)

    def extend_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """With ``custom_attributes_as_object``, the objects typed from the store's metadata."""
        if not self.config.get("custom_attributes_as_object") or not self.custom_attribute_lists:
            return schema
        lists = self.custom_attribute_lists
        types = self.run.attribute_types
        return with_objects(schema, lists, {a.metadata_stream: types.of(a.metadata_stream)
                                            for a in lists})  # fmt: skip

    @cached_property
    def attribute_objects(self) -> AttributeObjects | None:
        """What adds custom_attributes_object to records, as the catalog types it."""
        if not self.config.get("custom_attributes_as_object") or not self.custom_attribute_lists:
            return None
        return AttributeObjects(
            self.name, self.effective_schema, self.custom_attribute_lists, self.logger
        )

    @property
    def record_key(self) -> tuple[str, ...]:
        """The store's own unique key for a record: the primary key less ``context_keys``."""
        return tuple(k for k in self.primary_keys or () if k not in self.context_keys)

    @property
    def connection(self) -> MagentoConnection:
        return self.run.connection

    @property
    def store_directory(self) -> StoreDirectory:
        return self.run.store_directory

    @property
    @override
    def url_base(self) -> str:
        return self.connection.rest_url

    @property
    @override
    def authenticator(self) -> AuthBase:
        return self.connection.auth

    @property
    @override
    def timeout(self) -> int:
        return max(1, math.ceil(self.connection.timeout))  # the SDK takes whole seconds

    # --- requests -----------------------------------------------------------------------------

    def fetch(
        self,
        context: Context | None,
        token: Any,
        progress: Progress,
        retries: Retries | None = None,
        byte_cap: int | None = None,
    ) -> bytes:
        """One page's JSON: its request built by the SDK's hooks, paced, retried by cause
        (``retries``: fewer tries for some causes), validated; no request once the run is
        told to stop. An answer beyond ``byte_cap`` bytes is left unread: ``PageTooBig``.

        The SDK's own page loop (``request_records``) cannot tell its hooks which pass a page
        belongs to; this is the part of it a pass (``tap_magento.passes``) needs, through its
        public pieces. Not the SDK's ``request_decorator`` either: its waits (``backoff``'s
        ``time.sleep``) could neither be cut short by a stop nor replaced by a test's clock.
        """
        http_request = self.get_http_request(page=PageContext(context, token))
        prepared = self.build_prepared_request(
            method=http_request.method,
            url=http_request.url,
            params=http_request.encode_params(),
            headers=http_request.headers,
        )
        connection = self.connection
        schedule = connection.retry_policy.schedule(retries)
        with self.get_http_request_counter() as counter:
            counter.with_context(context)
            while True:
                try:
                    content = self._send(prepared, progress, byte_cap)
                    break
                except RETRIED_ERRORS as error:
                    cause, wait = schedule.after(error)  # raises when no retry is left
                    progress.retried(cause.value)
                    if cause is Cause.RATE_LIMITED:  # the whole run waits, not this request
                        connection.pacer.hold(wait)
                    self.logger.warning(
                        "%s: retry %d in %.1f s after %s",
                        self.name, schedule.failures, wait, _one_line(error),
                    )  # fmt: skip
                    connection.clock.sleep(wait)
            counter.increment()
        progress.answered()
        return content

    def probe(self) -> None:
        """Ask for the least this stream can: raises what reading its first page would."""
        context = self.partitions[0] if self.partitions else None
        self.fetch(context, self.smallest_page(), Progress(self.name, self.logger))

    def smallest_page(self) -> Any:
        """The page token of the smallest first page (None: the endpoint is not paged)."""
        return None

    def _send(
        self, prepared: requests.PreparedRequest, progress: Progress, byte_cap: int | None
    ) -> bytes:
        """One attempt: the JSON it answered, or the error that says what went wrong."""
        connection = self.connection
        connection.stop.check()
        connection.pacer.wait_turn()
        progress.requested()
        try:
            with connection.stop.interruptible():
                response = self.requests_session.send(
                    self.authenticator(prepared),
                    timeout=self.timeout,
                    allow_redirects=False,
                    stream=byte_cap is not None,
                )
                if byte_cap is not None:
                    read_capped(response, byte_cap)
        except requests.exceptions.ReadTimeout:
            # The tap's own gateway timeout: a smaller page may come back in time.
            msg = (
                f"No answer within request_timeout ({self.timeout} s) for "
                f"{prepared.method} {urlsplit(prepared.url or '').path}"
            )
            raise PageCut(msg, None) from None
        log_request_duration(self.name, self.path, response)
        self.validate_response(response)
        return self.json_of(response)

    # --- answers ------------------------------------------------------------------------------

    @override
    def validate_response(self, response: requests.Response) -> None:
        raise_for_answer(response, self.connection.credentials, self.connection.user_agent)
        self.connection.accepted()

    def json_of(self, response: requests.Response) -> bytes:
        """The answer's JSON text, checked whole (a twentieth of decoding it, and nothing
        decoded is kept): PHP's messages before it are left out, with a warning."""
        content = response.content
        problem = _json_problem(content)
        if problem is None:
            return content
        printed, rest = split_php_output(content)
        if printed and rest[:1] in {b"{", b"["}:
            self.warn_once("php output", "%s", php_notice_warning(self.name, printed[0]))
            content, problem = rest, _json_problem(rest)
            if problem is None:
                return content
        elif printed:
            raise FatalAPIError(php_output_message(response, printed, rest))
        if content.lstrip()[:1] not in {b"{", b"[", b""}:
            raise FatalAPIError(not_json_message(response, self.connection.user_agent))
        where = f"{response.status_code} {response.reason} for {request_line(response)}"
        raise BadAnswer(f"{where}: {problem}", response)

    def decode(self, content: bytes) -> Any:
        """An answer's JSON text (``fetch``), decoded."""
        return JSON_DECODER.decode(content)

    # --- records ------------------------------------------------------------------------------

    @cached_property
    def timestamp_plan(self) -> TimestampPlan:
        return timestamp_plan(self.schema)

    @cached_property
    def schema_properties(self) -> frozenset[str]:
        """What the SCHEMA message declares (the catalog's, when there is one)."""
        return frozenset(self.effective_schema.get("properties", {}))

    @override
    def post_process(self, row: dict[str, Any], context: Context | None = None) -> dict[str, Any]:
        unknown = row.keys() - self.schema_properties  # a set operation in C: the hot path
        if unknown:
            for name in unknown:
                del row[name]
            self._warn_unknown(tuple(sorted(unknown)))
        if self.attribute_objects is not None:
            self.attribute_objects.add_to(row)
        return convert_timestamps(row, self.timestamp_plan)

    def _warn_unknown(self, names: tuple[str, ...]) -> None:
        """Once per set of names: a store module adds fields the reference does not have."""
        self.warn_once(
            names, "%s: properties %s are not in the schema and were left out", self.name, names
        )

    def warn_once(self, topic: Hashable, message: str, *args: Any) -> bool:
        """A WARNING, the first time this stream meets ``topic`` in the run; False after."""
        with self._warned_lock:  # a pass read in slices warns from several threads
            if topic in self._warned:
                return False
            self._warned.add(topic)
        self.logger.warning(message, *args)
        return True


def _json_problem(content: bytes) -> str | None:
    """What is wrong with a JSON text, or None."""
    try:
        msgspec.json.decode(content, type=msgspec.Raw)
    except msgspec.DecodeError as broken:
        return str(broken)
    return None


def without_sdk_error_line(record: logging.LogRecord) -> bool:
    """Drops the SDK's "An unhandled error occurred while syncing" line: the command prints
    the error itself, in one line (or, for a bug, with its traceback)."""
    return not str(record.msg).startswith("An unhandled error occurred while syncing")


def _one_line(error: BaseException) -> str:
    if isinstance(error, RetriableAPIError):
        return str(error)
    return f"{type(error).__name__}: {network_reason(error)}"


def read_capped(response: requests.Response, byte_cap: int) -> None:
    """Read a streamed answer's body, unless it goes beyond ``byte_cap`` bytes: then the
    connection is closed with the rest unread (``PageTooBig``), so a worker never holds
    more than that of one answer. Decompressed bytes count (what would be held)."""
    declared = response.headers.get("Content-Length", "")
    encoded = response.headers.get("Content-Encoding", "identity") != "identity"
    if declared.isdigit() and int(declared) > byte_cap and not encoded:
        response.close()
        raise PageTooBig(int(declared))
    parts: list[bytes] = []
    held = 0
    for part in response.iter_content(CHUNK_BYTES):
        held += len(part)
        if held > byte_cap:
            response.close()
            raise PageTooBig(held)
        parts.append(part)
    # What ``response.content`` would have read; later checks read the body from there.
    response._content = b"".join(parts)
