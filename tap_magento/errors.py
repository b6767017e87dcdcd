"""The tap's own exceptions, on top of the SDK's."""

from __future__ import annotations

from singer_sdk.exceptions import ConfigValidationError, FatalAPIError


def config_error(message: str) -> ConfigValidationError:
    """A config error the SDK's CLI prints as one line (it prints ``errors``, not the message)."""
    return ConfigValidationError(message, errors=[message])


class PageSizeRefused(FatalAPIError):
    """The store has input limits on and refuses our page size (it does not clamp it)."""

    def __init__(self, maximum: int, message: str) -> None:
        super().__init__(message)
        self.maximum = maximum
