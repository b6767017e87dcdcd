"""Errors in what the user gave the tap (config, STATE, catalog): one line that says what to fix."""

from __future__ import annotations

from singer_sdk.exceptions import ConfigValidationError


def config_error(message: str) -> ConfigValidationError:
    """A config error the SDK's CLI prints as one line (it prints ``errors``, not the message)."""
    return ConfigValidationError(message, errors=[message])


class BadInput(ValueError):
    """A STATE or catalog the tap cannot use; the message says what to fix, in one line."""
