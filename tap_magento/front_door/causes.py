"""What went wrong with a request, decided once: ``cause_of`` an answer or a failure.

The one classifier of the tap: ``diagnosis.raise_for_answer`` turns a cause into the error (and
the one line) a failed run ends with, and ``retry.RetrySchedule`` looks a cause up in the retry
table (``retry.RULES``). A new kind of failure is one member here, one branch below, and, if
it is retried, one row of ``RULES`` (docs/misbehaving-stores.md's table is checked against it).
"""

from __future__ import annotations

import json
import re
from enum import Enum

import requests

from tap_magento.front_door.php_output import split_php_output

PAGE_SIZE_REFUSAL = re.compile(r"Maximum SearchCriteria pageSize is (\d+)")
# Magento's web API input limits on an array in a request body (2.4.3+).
BATCH_REFUSAL = re.compile(r'Maximum items of type "[^"]*" is (\d+)')
NONCE_REUSED = "nonce is already being used"
NO_ROUTE = "Request does not match any route"
NO_STORE = "store that was requested wasn't found"
# What a CDN's or proxy's 503 says when it gave up waiting for the store (Fastly: "first byte
# timeout", "backend read error"), unlike Magento's own maintenance page.
GATEWAY_TIMEOUT = re.compile(r"first byte timeout|backend read|time-?out|timed out", re.IGNORECASE)

NETWORK_ERRORS = (
    ConnectionResetError,
    requests.exceptions.ConnectionError,  # resets, refusals, servers that hang up
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,  # a response cut off half way
    requests.exceptions.ContentDecodingError,
)


class Cause(Enum):
    """Why a request failed. The values name the retried ones in progress lines."""

    RATE_LIMITED = "rate limited (429)"
    MAINTENANCE = "unavailable (503)"
    GATEWAY_CUT = "cut by the gateway (502/503/504, timeout)"
    NETWORK = "network failure"
    SERVER_ERROR = "server error (500)"
    BAD_ANSWER = "invalid JSON (200)"
    NONCE_REUSED = "OAuth nonce refused (401)"
    TLS = "TLS failure"
    REDIRECTED = "redirected (3xx)"
    NOT_JSON = "an HTML page, not JSON"
    PAGE_SIZE_REFUSED = "page size refused (400)"
    BATCH_REFUSED = "a batch too big (400 Maximum items, 413)"
    CREDENTIALS_REFUSED = "credentials refused (401)"
    NO_ROUTE = "no such route (404)"
    NO_STORE_VIEW = "no such store view (404)"
    ENTITY_MISSING = "a record refers to an entity that is gone (404)"
    CLIENT_ERROR = "refused (4xx)"


def cause_of(failure: requests.Response | BaseException) -> Cause | None:
    """Why a request failed: from the store's answer, or from the error it raised (a
    transport failure, or the tap's own error carrying its cause). None: a success, or a
    failure no retry can help that the tap did not cause."""
    if isinstance(failure, requests.Response):
        return _of_answer(failure)
    carried = getattr(failure, "cause", None)
    if isinstance(carried, Cause):
        return carried
    if isinstance(failure, requests.exceptions.SSLError):
        return Cause.TLS
    if isinstance(failure, NETWORK_ERRORS):
        return Cause.NETWORK
    response = getattr(failure, "response", None)
    if isinstance(response, requests.Response):
        return _of_answer(response)
    return None


def _of_answer(response: requests.Response) -> Cause | None:
    status = response.status_code
    if response.is_redirect:
        return Cause.REDIRECTED
    if is_html(response) and status not in {429, 502, 503, 504}:
        return Cause.NOT_JSON
    if status < 400:
        return None
    if status in {502, 504} or (status == 503 and is_gateway_timeout(response)):
        return Cause.GATEWAY_CUT
    if status == 429 or status >= 500:
        return _of_server_failure(status)
    return _of_refusal(response, status)


def _of_server_failure(status: int) -> Cause:
    if status == 429:
        return Cause.RATE_LIMITED
    if status == 503:
        return Cause.MAINTENANCE
    return Cause.SERVER_ERROR if status == 500 else Cause.NETWORK


def _of_refusal(response: requests.Response, status: int) -> Cause:
    """A 4xx: what the store's own message says."""
    message = store_message(response)
    if status == 400 and PAGE_SIZE_REFUSAL.search(message):
        return Cause.PAGE_SIZE_REFUSED
    if status == 413 or (status == 400 and BATCH_REFUSAL.search(message)):
        return Cause.BATCH_REFUSED
    if status == 401:
        return Cause.NONCE_REUSED if NONCE_REUSED in message else Cause.CREDENTIALS_REFUSED
    if status == 404 and NO_ROUTE in message:
        return Cause.NO_ROUTE
    if status == 404 and NO_STORE in message:
        return Cause.NO_STORE_VIEW
    if status == 404:
        return Cause.ENTITY_MISSING
    return Cause.CLIENT_ERROR


def is_html(response: requests.Response) -> bool:
    return "html" in response.headers.get("Content-Type", "")


def is_gateway_timeout(response: requests.Response) -> bool:
    """A 503 from a CDN or proxy that gave up waiting, not the store's maintenance page."""
    return is_html(response) and GATEWAY_TIMEOUT.search(response.text[:5000]) is not None


def store_message(response: requests.Response) -> str:
    """Magento's error message with its ``%name`` / ``%1`` placeholders filled in."""
    _, content = split_php_output(response.content or b"")
    try:
        body = json.loads(content)
    except ValueError:
        return content[:200].decode("utf-8", errors="replace").strip()
    if not isinstance(body, dict) or "message" not in body:
        return str(body)[:200]
    message = str(body["message"])
    parameters = body.get("parameters")
    if isinstance(parameters, dict):
        for name, value in parameters.items():
            message = message.replace(f"%{name}", str(value))
    elif isinstance(parameters, list):
        for index, value in enumerate(parameters, start=1):
            message = message.replace(f"%{index}", str(value))
    return message
