"""The one-time codes of an authenticator app: RFC 6238 TOTP, as Google Authenticator makes them
(HMAC-SHA1, 30-second steps, 6 digits)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct

STEP_SECONDS = 30
DIGITS = 6


def secret_key(secret: str) -> bytes:
    """The key behind a base32 secret, written as authenticator apps show it: any case, spaces
    between groups, padding optional. Raises ``ValueError`` for anything else."""
    text = "".join(secret.split()).upper().rstrip("=")
    if not text:
        raise ValueError("empty secret")
    try:
        return base64.b32decode(text + "=" * (-len(text) % 8))
    except binascii.Error as exc:
        raise ValueError(str(exc)) from None


def code_at(key: bytes, unix_time: float) -> str:
    """The code an authenticator shows at ``unix_time`` (RFC 4226's dynamic truncation)."""
    counter = struct.pack(">Q", int(unix_time // STEP_SECONDS))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)
