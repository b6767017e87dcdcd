"""What every stream shares about one store: where it is, how to get in, what it accepts."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from requests.auth import AuthBase

from tap_magento.front_door.auth import BearerToken, authenticator_for
from tap_magento.front_door.diagnosis import Credentials
from tap_magento.front_door.redaction import protect
from tap_magento.front_door.retry import RetryPolicy
from tap_magento.front_door.stopping import Clock, RunClock, Stop
from tap_magento.input_errors import config_error

SANDBOX = "sandbox"  # store_url that starts the bundled sandbox store (the CLI does)
SECRET_SETTINGS = (
    "access_token",
    "access_token_secret",
    "consumer_key",
    "consumer_secret",
    "password",
    "ims_client_secret",
    "totp_secret",
)


def rest_url(store_url: str, *, tenant: bool = False) -> str:
    """``https://shop.example.com[/][rest][/]`` -> ``https://shop.example.com/rest``.

    ``tenant``: Adobe Commerce as a Cloud Service, whose REST base is the tenant URL itself
    (``https://<region>.api.commerce.adobe.com/<tenant-id>``, routes ``/V1/...`` under it).
    """
    parts = urlsplit(store_url.strip())
    if "@" in parts.netloc:
        protect(parts.password)
        msg = (
            "store_url must not hold a user name or password: put credentials in their own "
            "settings (access_token, username and password, or the OAuth 1.0a keys)."
        )
        raise config_error(msg)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        msg = (
            f"store_url must be the store's base URL with scheme and host, e.g. "
            f"https://shop.example.com (got {store_url!r})."
        )
        raise config_error(msg)
    path = parts.path.rstrip("/")
    if tenant:
        return f"{parts.scheme}://{parts.netloc}{path}"
    path = path.removesuffix("/rest")
    return f"{parts.scheme}://{parts.netloc}{path}/rest"


class RequestPacer:
    """When the next request may start, for every thread of the run.

    Keeps ``min_request_interval`` seconds between the starts of consecutive requests, and
    holds every request back while the store has asked to wait (a 429's Retry-After), so
    parallel readers do not keep asking a store that said to stop.
    """

    def __init__(self, min_interval: float, clock: Clock) -> None:
        self.min_interval = min_interval
        self._clock = clock
        self._not_before = -math.inf
        self._lock = threading.Lock()

    def wait_turn(self) -> None:
        with self._lock:
            now = self._clock.now()
            start = max(now, self._not_before)
            if self.min_interval > 0:
                self._not_before = start + self.min_interval
        if start > now:
            self._clock.sleep(start - now)

    def hold(self, seconds: float) -> None:
        """No request starts for ``seconds`` from now."""
        with self._lock:
            self._not_before = max(self._not_before, self._clock.now() + seconds)


class MagentoConnection:
    """One store's REST root, credentials, learnt limits and manners (retries, pacing)."""

    def __init__(
        self,
        config: Mapping[str, Any],
        logger: logging.Logger,
        stop: Stop | None = None,
        clock: Clock | None = None,
    ) -> None:
        """``stop``: what tells the run to stop (a fresh one: nothing does); ``clock``: the
        run's time (real time, with waits the stop cuts short)."""
        self.stop = stop or Stop()
        self.clock: Clock = clock or RunClock(self.stop)
        protect(*(str(config.get(name) or "") for name in SECRET_SETTINGS))
        tenant = bool(config.get("ims_client_id"))
        self.rest_url = rest_url(str(config.get("store_url", "")), tenant=tenant)
        # The SDK fills in every setting's default before we get here.
        self.timeout = float(config["request_timeout"])
        self.user_agent = str(config["user_agent"])
        # An access gate's headers (request_headers): on every request to the store.
        self.request_headers: dict[str, str] = dict(config.get("request_headers") or {})
        protect(*self.request_headers.values())
        self.auth: AuthBase = authenticator_for(
            config,
            self.rest_url,
            self.timeout,
            {"User-Agent": self.user_agent, **self.request_headers},
            self.clock,
        )
        self.credentials = Credentials(
            method=getattr(self.auth, "method", type(self.auth).__name__),
            bearer_integration_token=isinstance(self.auth, BearerToken),
        )
        self.retry_policy = RetryPolicy(float(config["max_wait_seconds"]))
        self.pacer = RequestPacer(float(config["min_request_interval"]), self.clock)
        logger.info("Connecting to %s with %s", self.rest_url, self.credentials.method)

    def accepted(self) -> None:
        """The store answered a request: from now on a 401 cannot mean wrong credentials."""
        if not self.credentials.proven:
            self.credentials = replace(self.credentials, proven=True)
