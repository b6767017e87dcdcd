"""What can go wrong asking the store, as exceptions on top of the SDK's."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_magento.front_door.causes import Cause

if TYPE_CHECKING:
    import requests


class PageSizeRefused(FatalAPIError):
    """The store has input limits on and refuses our page size (it does not clamp it)."""

    def __init__(self, maximum: int, message: str) -> None:
        super().__init__(message)
        self.maximum = maximum


class BatchRefused(FatalAPIError):
    """The store, a module or a proxy refused a request body naming this many keys: it said
    how many it takes (``maximum``), or only that it was too big (None: a 413)."""

    def __init__(self, maximum: int | None, message: str) -> None:
        super().__init__(message)
        self.maximum = maximum


class AccessRefused(FatalAPIError):
    """The store refused the credentials for a route; ``resource``: the ACL resource it names."""

    def __init__(self, message: str, resource: str | None) -> None:
        super().__init__(message)
        self.resource = resource


class RouteMissing(FatalAPIError):
    """The store has no such route (404 "Request does not match any route"): the module behind
    it is not installed, or ``store_url`` is not the store's base URL."""


class StoreFailed(RetriableAPIError):
    """A failed answer a retry may help (429, 503, a nonce refused, a 5xx), and its cause."""

    def __init__(self, message: str, response: requests.Response | None, cause: Cause) -> None:
        super().__init__(message, response)
        self.cause = cause


class UnreadableRecords(RetriableAPIError):
    """The store could not render what was asked for: a 500, or a 404 for a missing entity.

    Magento fails a whole page when one of its records cannot be rendered (docs/magento-rest.md,
    "One bad record fails its page"),
    every time it is asked. A 500 is retried a few times; if it persists, list streams narrow
    the page down to the one record at fault.
    """

    def __init__(
        self,
        message: str,
        response: requests.Response | None,
        cause: Cause = Cause.SERVER_ERROR,
    ) -> None:
        super().__init__(message, response)
        self.cause = cause


class PageCut(UnreadableRecords):
    """A gateway in front of the store (a CDN, a proxy) gave up waiting for the page, or the
    tap's own ``request_timeout`` did: a smaller page may come back in time.

    ``response`` is None when the tap's own timeout cut it.
    """

    def __init__(self, message: str, response: requests.Response | None) -> None:
        super().__init__(message, response, Cause.GATEWAY_CUT)


class PageTooBig(Exception):
    """An answer that went on beyond what a page of several records may take (its first
    ``seen`` bytes were read, the rest left unread): asked for again, smaller."""

    def __init__(self, seen: int) -> None:
        super().__init__(f"an answer beyond {seen} bytes")
        self.seen = seen


class BadAnswer(RetriableAPIError):
    """A 200 whose body is not valid JSON (cut short, or broken): asked for again."""

    cause: ClassVar[Cause] = Cause.BAD_ANSWER
