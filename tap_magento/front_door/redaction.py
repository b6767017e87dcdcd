"""Keep credentials out of every log line, whichever library writes it and at whatever level.

The tap never formats a secret into a message itself; this is the second line of defence for
the libraries under it (a DEBUG line with headers, an exception quoting a URL with a
password in it). The filter sits on the log handlers, so it sees records from every logger.
"""

from __future__ import annotations

import logging

from typing_extensions import override

REDACTED = "<redacted>"
# Shorter values would blank out ordinary words; real tokens and passwords are longer.
MIN_SECRET_LENGTH = 4


class SecretFilter(logging.Filter):
    """Replaces every known secret in a record's message and traceback."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, *secrets: str | None) -> None:
        self._secrets.update(s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH)

    def redact(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


SECRETS = SecretFilter()


def protect(*secrets: str | None) -> None:
    """Redact these values from all log output from now on."""
    SECRETS.add(*secrets)
    for logger in (logging.getLogger(), *_loggers_with_handlers()):
        for handler in logger.handlers:
            if SECRETS not in handler.filters:
                handler.addFilter(SECRETS)


def _loggers_with_handlers() -> list[logging.Logger]:
    manager = logging.Logger.manager
    return [
        logger
        for logger in manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and logger.handlers
    ]
