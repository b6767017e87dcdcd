"""When to try a failed request again, and how long to wait first, by what went wrong.

Every retry decision of the tap is in ``RULES`` below (the README shows the same table to
users). 429 and 503 are retried until ``max_wait_seconds`` of waiting; a 500 is tried 3 times,
after which list streams narrow the page down to the unreadable record (``paging``); TLS
failures and anything ``cause_of`` does not recognise are not retried. An expired admin token
is not a retry: ``auth.AdminToken`` logs in again once, itself.

The schedule is a ``backoff`` wait generator: ``backoff`` sends it each failure and sleeps for
what it yields. When it gives up it raises an error that says why and what to do, except for
unreadable records, which go back to the stream unchanged.
"""

from __future__ import annotations

import datetime
import email.utils
import random
from collections import Counter
from collections.abc import Generator, Mapping
from dataclasses import dataclass, replace
from enum import Enum

import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_magento.diagnosis import explain_gave_up
from tap_magento.errors import UnreadableRecords


class Cause(Enum):
    RATE_LIMITED = "rate limited (429)"
    MAINTENANCE = "unavailable (503)"
    NETWORK = "gateway or network failure"
    SERVER_ERROR = "server error (500)"
    NONCE_REUSED = "OAuth nonce refused (401)"
    TLS = "TLS failure"


@dataclass(frozen=True)
class Rule:
    first_wait: float  # seconds before the first retry; doubled for each one after
    max_wait: float = 60.0  # no single wait is longer (a Retry-After too, unless binding)
    tries: int | None = None  # attempts in all; None: until max_wait_seconds of waiting
    binding_retry_after: bool = False  # wait exactly as long as the store asks, however long


RULES: Mapping[Cause, Rule] = {
    Cause.RATE_LIMITED: Rule(first_wait=2, binding_retry_after=True),
    # Maintenance pages send Retry-After: 3600 or so whatever the real downtime: poll instead.
    Cause.MAINTENANCE: Rule(first_wait=5),
    Cause.NETWORK: Rule(first_wait=1, tries=8),
    Cause.SERVER_ERROR: Rule(first_wait=1, tries=3),
    Cause.NONCE_REUSED: Rule(first_wait=0, tries=3),
    Cause.TLS: Rule(first_wait=0, tries=1),
}

NETWORK_ERRORS = (
    ConnectionResetError,
    requests.exceptions.ConnectionError,  # resets, refusals, servers that hang up
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,  # a response cut off half way
    requests.exceptions.ContentDecodingError,
)
# What ``backoff`` catches and hands to the schedule; anything else fails at once.
RETRIED_ERRORS = (RetriableAPIError, *NETWORK_ERRORS)


def cause_of(error: BaseException) -> Cause | None:
    """Why a request failed, or None when no retry can help."""
    if isinstance(error, requests.exceptions.SSLError):
        return Cause.TLS
    if isinstance(error, RetriableAPIError):
        response = error.response
        status = response.status_code if response is not None else 0
        if status == 429:
            return Cause.RATE_LIMITED
        if status == 503:
            return Cause.MAINTENANCE
        if status == 401:
            return Cause.NONCE_REUSED  # the only 401 validate_response lets through
        if status == 500:
            return Cause.SERVER_ERROR
        return Cause.NETWORK if status > 500 else None
    if isinstance(error, NETWORK_ERRORS):
        return Cause.NETWORK
    return None


class RetryPolicy:
    """The retry table above, with the user's ``max_wait_seconds``."""

    def __init__(
        self,
        max_wait_seconds: float,
        rules: Mapping[Cause, Rule] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.max_wait_seconds = max_wait_seconds
        self.rules = rules or RULES
        self._rng = rng or random.Random()

    def waits(
        self, server_error_tries: int | None = None
    ) -> Generator[float, BaseException | None, None]:
        """One request's schedule: send it each failure, it yields the seconds to wait.

        ``server_error_tries`` overrides how often a 500 is tried (narrowing a page down
        tries each smaller page once: a failure there only costs one more halving).
        """
        tries: Counter[Cause] = Counter()
        waited: dict[Cause, float] = dict.fromkeys(Cause, 0.0)
        error = yield 0.0  # backoff primes the generator before the first failure
        while error is not None:
            cause = cause_of(error)
            if cause is None:
                return
            rule = self.rules[cause]
            if cause is Cause.SERVER_ERROR and server_error_tries is not None:
                rule = replace(rule, tries=server_error_tries)
            tries[cause] += 1
            wait = self.wait_before_retry(rule, tries[cause], error)
            if self._spent(rule, tries[cause], waited[cause] + wait):
                if isinstance(error, UnreadableRecords):
                    return  # backoff re-raises it for the stream to narrow the page down
                explanation = explain_gave_up(
                    cause.value, error, tries[cause], waited[cause], self.max_wait_seconds
                )
                raise FatalAPIError(explanation) from None
            waited[cause] += wait
            error = yield wait

    def wait_before_retry(self, rule: Rule, failures: int, error: BaseException) -> float:
        retry_after = retry_after_seconds(error)
        if retry_after is not None and (rule.binding_retry_after or retry_after <= rule.max_wait):
            return retry_after
        exponential = min(rule.max_wait, rule.first_wait * 2.0 ** (failures - 1))
        # Jitter, so that many clients a store turned away do not all come back at once.
        return exponential * self._rng.uniform(0.5, 1.0)

    def _spent(self, rule: Rule, failures: int, total_wait: float) -> bool:
        if rule.tries is not None:
            return failures >= rule.tries
        return total_wait > self.max_wait_seconds


def retry_after_seconds(error: BaseException) -> float | None:
    """A response's ``Retry-After`` in seconds (delta-seconds or an HTTP date), if it has one."""
    response = getattr(error, "response", None)
    value = response.headers.get("Retry-After") if response is not None else None
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    now = datetime.datetime.now(datetime.timezone.utc)
    return max((when - now).total_seconds(), 0.0)
