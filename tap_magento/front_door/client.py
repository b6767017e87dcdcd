"""The one way the tap asks the store: ``StoreClient.ask``, a method, a path and parameters (or
a JSON body) in, the answer's JSON text out; paced, retried by cause, checked.

Nothing here knows streams or passes: a request names who asks (``Asker``: a stream's name,
logger and endpoint, for log lines and the SDK's metrics) and, optionally, what it counts on
(``Tally``: a pass's progress line).
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import msgspec
import requests
from singer_sdk import metrics
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_magento.front_door.causes import Cause
from tap_magento.front_door.connection import MagentoConnection
from tap_magento.front_door.diagnosis import (
    network_reason,
    not_json_message,
    php_notice_warning,
    php_output_message,
    raise_for_answer,
    request_line,
)
from tap_magento.front_door.errors import BadAnswer, PageCut, PageTooBig
from tap_magento.front_door.php_output import split_php_output
from tap_magento.front_door.retry import RETRIED_ERRORS, Retries
from tap_magento.front_door.stopping import Clock, Stop

CHUNK_BYTES = 2**16  # read at a time from an answer whose size is capped


class Asker:
    """Who asks the store: what log lines and metrics name (a stream), and the warnings it
    has given once this run."""

    def __init__(self, name: str, endpoint: str, logger: logging.Logger) -> None:
        self.name = name
        self.endpoint = endpoint  # the path as declared, placeholders and all
        self.logger = logger
        self._warned: set[Hashable] = set()
        self._lock = threading.Lock()

    def warn_once(self, topic: Hashable, message: str, *args: Any) -> bool:
        """A WARNING, the first time this asker meets ``topic`` in the run; False after."""
        with self._lock:  # a pass read in slices warns from several threads
            if topic in self._warned:
                return False
            self._warned.add(topic)
        self.logger.warning(message, *args)
        return True


@dataclass(frozen=True)
class StoreRequest:
    """One request to the store: ``path`` under its REST root (``/V1/orders``), query
    ``params`` or a JSON ``body``."""

    asker: Asker
    path: str
    params: Mapping[str, Any] = field(default_factory=dict)
    method: str = "GET"
    body: Any = None
    # The partition, for the SDK's request-count metric.
    context: Mapping[str, Any] | None = None


class Tally(Protocol):
    """What counts a pass's requests (``progress.Progress``)."""

    def requested(self) -> None: ...

    def answered(self) -> None: ...

    def retried(self, cause: str) -> None: ...


class _NoTally:
    def requested(self) -> None:
        pass

    def answered(self) -> None:
        pass

    def retried(self, cause: str) -> None:
        pass


class StoreClient:
    """Asks one store (``MagentoConnection``: where, how to get in, pacing, retries)."""

    def __init__(self, connection: MagentoConnection) -> None:
        self.connection = connection
        self._session = requests.Session()

    @property
    def clock(self) -> Clock:
        return self.connection.clock

    @property
    def stop(self) -> Stop:
        return self.connection.stop

    def ask(
        self,
        request: StoreRequest,
        tally: Tally | None = None,
        retries: Retries | None = None,
        byte_cap: int | None = None,
    ) -> bytes:
        """The answer's JSON text: paced, retried by cause (``retries``: fewer tries for some
        causes), checked whole; no request once the run is told to stop. An answer beyond
        ``byte_cap`` bytes is left unread: ``PageTooBig``.

        Not the SDK's ``request_decorator``: its waits (``backoff``'s ``time.sleep``) could
        neither be cut short by a stop nor replaced by a test's clock.
        """
        tally = tally or _NoTally()
        connection = self.connection
        prepared = self._prepare(request)
        schedule = connection.retry_policy.schedule(retries)
        asker = request.asker
        while True:
            try:
                content = self._send(request, prepared, tally, byte_cap)
                break
            except RETRIED_ERRORS as error:
                cause, wait = schedule.after(error)  # raises when no retry is left
                tally.retried(cause.value)
                if cause is Cause.RATE_LIMITED:  # the whole run waits, not this request
                    connection.pacer.hold(wait)
                asker.logger.warning(
                    "%s: retry %d in %.1f s after %s",
                    asker.name,
                    schedule.failures,
                    wait,
                    _one_line(error),
                )
                connection.clock.sleep(wait)
        # The SDK's request-count METRIC, for an answered request only: a request a stopped
        # run gave up on must not log a line after the run's last (its error line).
        with metrics.http_request_counter(asker.name, endpoint=asker.endpoint) as counter:
            counter.with_context(dict(request.context) if request.context else None)
            counter.increment()
        tally.answered()
        return content

    def _prepare(self, request: StoreRequest) -> requests.PreparedRequest:
        connection = self.connection
        headers = {"User-Agent": connection.user_agent, **connection.request_headers}
        pairs = [
            (name, item)
            for name, value in request.params.items()
            for item in (value if isinstance(value, (list, tuple)) else [value])
            if item is not None
        ]
        return self._session.prepare_request(
            requests.Request(
                method=request.method,
                url=connection.rest_url + request.path,
                params=urlencode(pairs),
                headers=headers,
                json=request.body,
            )
        )

    def _send(
        self,
        request: StoreRequest,
        prepared: requests.PreparedRequest,
        tally: Tally,
        byte_cap: int | None,
    ) -> bytes:
        """One attempt: the JSON it answered, or the error that says what went wrong."""
        connection = self.connection
        connection.stop.check()
        connection.pacer.wait_turn()
        tally.requested()
        timeout = max(1, math.ceil(connection.timeout))  # whole seconds, as the SDK sent them
        try:
            with connection.stop.interruptible():
                response = self._session.send(
                    connection.auth(prepared),
                    timeout=timeout,
                    allow_redirects=False,
                    stream=byte_cap is not None,
                )
                if byte_cap is not None:
                    read_capped(response, byte_cap)
        except requests.exceptions.ReadTimeout:
            # The tap's own gateway timeout: a smaller page may come back in time.
            msg = (
                f"No answer within request_timeout ({timeout} s) for "
                f"{prepared.method} {urlsplit(prepared.url or '').path}"
            )
            raise PageCut(msg, None) from None
        log_request_duration(request.asker, response)
        raise_for_answer(response, connection.credentials, connection.user_agent)
        connection.accepted()
        return self._json_of(request.asker, response)

    def _json_of(self, asker: Asker, response: requests.Response) -> bytes:
        """The answer's JSON text, checked whole (a twentieth of decoding it, and nothing
        decoded is kept): PHP's messages before it are left out, with a warning."""
        content = response.content
        problem = _json_problem(content)
        if problem is None:
            return content
        printed, rest = split_php_output(content)
        if printed and rest[:1] in {b"{", b"["}:
            asker.warn_once("php output", "%s", php_notice_warning(asker.name, printed[0]))
            content, problem = rest, _json_problem(rest)
            if problem is None:
                return content
        elif printed:
            raise FatalAPIError(php_output_message(response, printed, rest))
        if content.lstrip()[:1] not in {b"{", b"[", b""}:
            raise FatalAPIError(not_json_message(response, self.connection.user_agent))
        where = f"{response.status_code} {response.reason} for {request_line(response)}"
        raise BadAnswer(f"{where}: {problem}", response)


def _json_problem(content: bytes) -> str | None:
    """What is wrong with a JSON text, or None."""
    try:
        msgspec.json.decode(content, type=msgspec.Raw)
    except msgspec.DecodeError as broken:
        return str(broken)
    return None


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


def log_request_duration(asker: Asker, response: requests.Response) -> None:
    """The SDK's ``http_request_duration`` METRIC line for one request (the SDK's own format)."""
    status = response.status_code
    point = metrics.Point(
        "timer",
        metric=metrics.Metric.HTTP_REQUEST_DURATION,
        value=response.elapsed.total_seconds(),
        tags={
            metrics.Tag.STREAM: asker.name,
            metrics.Tag.ENDPOINT: asker.endpoint,
            metrics.Tag.HTTP_STATUS_CODE: status,
            metrics.Tag.STATUS: metrics.Status.SUCCEEDED if status < 400 else metrics.Status.FAILED,
        },
    )
    metrics.log(metrics.get_metrics_logger(), point)
