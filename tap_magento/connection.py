"""What every stream shares about one store: where it is, how to get in, what it accepts."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from requests.auth import AuthBase

from tap_magento.auth import authenticator_for
from tap_magento.errors import config_error

if TYPE_CHECKING:
    from tap_magento.sandbox.server import SandboxServer

SANDBOX = "sandbox"


def rest_url(store_url: str) -> str:
    """``https://shop.example.com[/][rest][/]`` -> ``https://shop.example.com/rest``."""
    parts = urlsplit(store_url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        msg = (
            f"store_url must be the store's base URL with scheme and host, e.g. "
            f"https://shop.example.com (got {store_url!r})."
        )
        raise config_error(msg)
    path = parts.path.rstrip("/")
    path = path.removesuffix("/rest")
    return f"{parts.scheme}://{parts.netloc}{path}/rest"


@dataclass
class PageSizeLimit:
    """The largest page the store accepts, learnt from its refusals and shared by all streams."""

    configured: int
    store_maximum: int | None = None

    @property
    def value(self) -> int:
        if self.store_maximum is None:
            return self.configured
        return min(self.configured, self.store_maximum)

    def lower_to(self, maximum: int) -> None:
        self.store_maximum = maximum


class MagentoConnection:
    """One store's REST root, authenticator and learnt limits."""

    def __init__(self, config: Mapping[str, Any], logger: logging.Logger) -> None:
        self.sandbox: SandboxServer | None = None
        if config.get("store_url") == SANDBOX:
            config = self._start_sandbox(config, logger)
        self.rest_url = rest_url(str(config.get("store_url", "")))
        # The SDK fills in every setting's default before we get here.
        self.timeout = float(config["request_timeout"])
        self.user_agent = str(config["user_agent"])
        self.auth: AuthBase = authenticator_for(
            config, self.rest_url, self.timeout, self.user_agent
        )
        self.page_size = PageSizeLimit(int(config["page_size"]))
        logger.info(
            "Connecting to %s with %s",
            self.rest_url,
            getattr(self.auth, "method", type(self.auth).__name__),
        )

    def _start_sandbox(self, config: Mapping[str, Any], logger: logging.Logger) -> dict[str, Any]:
        """``store_url: sandbox`` runs the bundled demo store in this process for this run."""
        from tap_magento.sandbox.server import SandboxServer

        self.sandbox = SandboxServer().start()
        logger.info(
            "store_url is 'sandbox': started the bundled sandbox store at %s", self.sandbox.url
        )
        credentials = self.sandbox.auth.credentials
        return {**config, "store_url": self.sandbox.url, "access_token": credentials.access_token}
