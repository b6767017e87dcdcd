"""When to try a failed request again, and how long to wait first, by what went wrong.

Every retry decision of the tap is in ``RULES`` below (docs/misbehaving-stores.md shows the
same table to users). Every schedule ends: each rule caps each wait, the tries, and the total
wait of one request, whatever the store's ``Retry-After`` says (0, a day, a date). 429 and 503
are waited out up to ``max_wait_seconds``; a page the store's gateway cut short is not retried
at its size but asked again smaller (``passes.sizing``), and only a page that cannot be smaller
is retried; a 500 is tried 3 times, after which list streams narrow the page down to the
unreadable record (``passes.narrowing``); TLS failures and anything ``cause_of`` does not
recognise are not retried. Why a request failed is decided once, by
``causes.cause_of``. An expired admin token is not a retry: ``auth.AdminToken`` logs in
again once, itself.

A ``RetrySchedule`` is one request's: the client hands it each failure and waits for what it
answers, on the run's clock. When the rule is spent it raises an error that says why and what
to do, except for unreadable records and cut pages, which go back to the pass that asked.
"""

from __future__ import annotations

import datetime
import email.utils
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_magento.front_door.causes import NETWORK_ERRORS, Cause, cause_of
from tap_magento.front_door.diagnosis import explain_gave_up
from tap_magento.front_door.errors import PageCut, UnreadableRecords


@dataclass(frozen=True)
class Rule:
    # The row of docs/misbehaving-stores.md's retry table that shows this rule to users.
    shown_as: str
    first_wait: float  # seconds before the first retry; doubled for each one after
    max_wait: float = 60.0  # no single wait is longer (a Retry-After too, unless binding)
    tries: int | None = None  # attempts in all; None: until the total wait is spent
    max_total: float | None = 300.0  # seconds of waiting per request; None: max_wait_seconds
    binding_retry_after: bool = False  # wait at least as long as the store asks


RULES: Mapping[Cause, Rule] = {
    Cause.RATE_LIMITED: Rule(
        "429 Too Many Requests", first_wait=2, max_total=None, binding_retry_after=True
    ),
    # Maintenance pages send Retry-After: 3600 or so whatever the real downtime: poll instead.
    Cause.MAINTENANCE: Rule("503 (maintenance mode, overload)", first_wait=5, max_total=None),
    # Only a page that cannot be asked for smaller gets here (and the requests of plain lists).
    Cause.GATEWAY_CUT: Rule("502, 504, a 503", first_wait=1, tries=8),
    Cause.NETWORK: Rule("dropped or reset connections", first_wait=1, tries=8),
    Cause.SERVER_ERROR: Rule("500", first_wait=1, tries=3),
    Cause.BAD_ANSWER: Rule("200 with JSON cut short", first_wait=1, tries=5),
    Cause.NONCE_REUSED: Rule('401 "The nonce is already being used"', first_wait=0, tries=3),
    Cause.TLS: Rule("TLS failure", first_wait=0, tries=1),
}

# What the client hands to the schedule; anything else fails at once.
RETRIED_ERRORS = (RetriableAPIError, *NETWORK_ERRORS)


@dataclass(frozen=True)
class Retries:
    """What the caller of one request asks of the table: fewer tries for some causes, because
    it has a better answer than trying again (narrowing a page down; asking for it smaller)."""

    tries: Mapping[Cause, int] = field(default_factory=dict)


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

    def schedule(self, retries: Retries | None = None) -> RetrySchedule:
        """A new request's schedule."""
        return RetrySchedule(self, retries or Retries())

    def backoff(self, rule: Rule, failures: int) -> float:
        exponential = min(rule.max_wait, rule.first_wait * 2.0 ** (failures - 1))
        # Jitter, so that many clients a store turned away do not all come back at once.
        return exponential * self._rng.uniform(0.5, 1.0)

    def wait_before_retry(self, rule: Rule, failures: int, error: BaseException) -> float:
        """The backoff, or the store's Retry-After where it is longer (and, unless binding,
        no longer than ``max_wait``): a Retry-After of 0 does not make a tight loop."""
        backoff = self.backoff(rule, failures)
        retry_after = retry_after_seconds(error)
        if retry_after is None:
            return backoff
        if rule.binding_retry_after:
            return max(retry_after, backoff)
        return retry_after if backoff <= retry_after <= rule.max_wait else backoff

    def total_allowed(self, rule: Rule) -> float:
        return self.max_wait_seconds if rule.max_total is None else rule.max_total


class RetrySchedule:
    """One request's retries: how many of each cause so far, and how long it has waited."""

    def __init__(self, policy: RetryPolicy, retries: Retries) -> None:
        self._policy = policy
        self._retries = retries
        self._tries: Counter[Cause] = Counter()
        self._waited: dict[Cause, float] = dict.fromkeys(Cause, 0.0)

    @property
    def failures(self) -> int:
        """Failed attempts of the request so far, of every cause."""
        return sum(self._tries.values())

    def after(self, error: BaseException) -> tuple[Cause, float]:
        """The cause of ``error`` and the seconds to wait before trying again; raises when no
        retry is left: ``error`` itself when the request's caller takes it back, else a
        ``FatalAPIError`` that says what to do."""
        cause = cause_of(error)
        policy = self._policy
        rule = policy.rules.get(cause) if cause is not None else None
        if cause is None or rule is None:
            raise error
        tries = self._retries.tries.get(cause, rule.tries)
        self._tries[cause] += 1
        failures, waited = self._tries[cause], self._waited[cause]
        wait = policy.wait_before_retry(rule, failures, error)
        spent = tries is not None and failures >= tries
        if spent or waited + wait > policy.total_allowed(rule):
            explanation = explain_gave_up(
                cause.value, error, failures, waited, policy.max_wait_seconds
            )
            if isinstance(error, PageCut):
                raise PageCut(explanation, error.response) from None
            if isinstance(error, UnreadableRecords):
                raise error  # the pass narrows the page down to the record at fault
            raise FatalAPIError(explanation) from None
        self._waited[cause] += wait
        return cause, wait


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
