"""The tap's own exceptions, on top of the SDK's."""

from __future__ import annotations

from singer_sdk.exceptions import ConfigValidationError, FatalAPIError, RetriableAPIError


def config_error(message: str) -> ConfigValidationError:
    """A config error the SDK's CLI prints as one line (it prints ``errors``, not the message)."""
    return ConfigValidationError(message, errors=[message])


class PageSizeRefused(FatalAPIError):
    """The store has input limits on and refuses our page size (it does not clamp it)."""

    def __init__(self, maximum: int, message: str) -> None:
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


class UnreadableRecords(RetriableAPIError):
    """The store could not render what was asked for: a 500, or a 404 for a missing entity.

    Magento fails a whole page when one of its records cannot be rendered (docs/magento-rest.md,
    "One bad record fails its page"),
    every time it is asked. A 500 is retried a few times; if it persists, list streams narrow
    the page down to the one record at fault.
    """


class BadInput(ValueError):
    """A STATE or catalog the tap cannot use; the message says what to fix, in one line."""


class PageCut(UnreadableRecords):
    """A gateway in front of the store (a CDN, a proxy) gave up waiting for the page, or the
    tap's own ``request_timeout`` did: a smaller page may come back in time.

    ``response`` is None when the tap's own timeout cut it.
    """


class PageTooBig(Exception):
    """An answer that went on beyond what a page of several records may take (its first
    ``seen`` bytes were read, the rest left unread): asked for again, smaller."""

    def __init__(self, seen: int) -> None:
        super().__init__(f"an answer beyond {seen} bytes")
        self.seen = seen


class BadAnswer(RetriableAPIError):
    """A 200 whose body is not valid JSON (cut short, or broken): asked for again."""
