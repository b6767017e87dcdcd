"""The store's JSON as records: numbers exact, a page's records decoded one at a time.

Numbers stay exact: Magento's prices and quantities are decimals in its database (up to
DECIMAL(20,4)). A number of at most 15 significant digits comes back from a float exactly
(DBL_DIG): its shortest representation, which the writer prints, has the same value. So an
answer is decoded with floats, a third faster to decode and three times faster to encode,
unless it holds a run of 16 digits or points (anywhere, strings too: then it is decoded with
Decimals, as a number that long might not survive a float).

A page is not decoded whole. Its records are split apart as JSON (``msgspec.Raw``, views of
the answer's bytes), and only the few fields a pass reads of every record (its key, the
cursor's fields, the field it is sorted and sliced on) are decoded at once: the record's
``index``. Each record is decoded whole just before it is emitted, so it is still in the
processor's cache when it is checked, converted and written. Decoding a page of 300 full
orders (28 MB decoded) and then writing them one by one took a third more CPU per record than
decoding and writing each in turn; and a parallel pass's readers now hand the pass JSON, a
fifth of what the decoded records took, instead of doing decoding work the pass then pays
again in cache misses.
"""

from __future__ import annotations

import decimal
import gc
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict

import msgspec
from singer_sdk.exceptions import FatalAPIError

from tap_magento.passes.summary import Record

EXACT_DECODER = msgspec.json.Decoder(float_hook=decimal.Decimal)
FLOAT_DECODER = msgspec.json.Decoder()
_DIGITS_AS_ZERO = bytes(48 if chr(byte) in "0123456789." else 32 for byte in range(256))
LONG_NUMBER = b"0" * 16
# Looked for a piece at a time: a translated copy of a whole page (megabytes) would be mapped
# and unmapped by the system for every page.
SCANNED_AT_ONCE = 2**16


def decoded(content: bytes | msgspec.Raw, decoder: msgspec.json.Decoder[Any] | None = None) -> Any:
    """An answer's JSON text (``StoreClient.ask``), decoded, every number exact.

    The garbage collector is off meanwhile (msgspec's advice): a decoded JSON text holds no
    reference cycle, and the collector's passes over a page's hundred thousand new objects
    took a third of decoding it.
    """
    if decoder is None:
        decoder = exact_enough(bytes(content))
    collecting = gc.isenabled()
    gc.disable()
    try:
        return decoder.decode(content)
    finally:
        if collecting:
            gc.enable()


def exact_enough(content: bytes) -> msgspec.json.Decoder[Any]:
    """The decoder that keeps every number of ``content`` exact, floats when they do."""
    return EXACT_DECODER if has_long_number(content) else FLOAT_DECODER


def has_long_number(content: bytes) -> bool:
    """Does ``content`` hold a run of 16 digits or points (a number a float may not keep)?"""
    overlap = len(LONG_NUMBER) - 1
    for start in range(0, len(content), SCANNED_AT_ONCE):
        piece = content[start : start + SCANNED_AT_ONCE + overlap]
        if LONG_NUMBER in piece.translate(_DIGITS_AS_ZERO):
            return True
    return False


@dataclass(frozen=True, slots=True)
class RecordJson:
    """One record as the store wrote it, decoded when it is emitted."""

    text: msgspec.Raw
    decoder: msgspec.json.Decoder[Any]

    def decoded(self) -> Record:
        record: Record = decoded(self.text, self.decoder)
        return record


@dataclass(frozen=True)
class Page:
    """What one response held: what the pass reads of each record (``records``: key, cursor
    and sort fields), each record's JSON, and the total the store claimed."""

    records: list[Record]
    total_count: int | None
    texts: list[msgspec.Raw] = field(default_factory=list)
    decoder: msgspec.json.Decoder[Any] = FLOAT_DECODER

    def json(self, position: int) -> RecordJson:
        return RecordJson(self.texts[position], self.decoder)

    def record(self, position: int) -> Record:
        """The record at ``position``, whole."""
        record: Record = decoded(self.texts[position], self.decoder)
        return record


class _Split(msgspec.Struct):
    """A search result's records, each as its JSON text."""

    items: list[msgspec.Raw] | None = None
    total_count: Any = None


class PageDecoder:
    """Pages of one list: each record split off as JSON, its ``fields`` decoded at once."""

    def __init__(self, fields: Iterable[str], endpoint: str) -> None:
        self._endpoint = endpoint
        # A dict of the fields a record has (a TypedDict decodes to a plain dict, and skips
        # every other field without building it).
        index = _typed_dict("RecordIndex", dict.fromkeys(fields, Any))
        indexed = _typed_dict("IndexedPage", {"items": list[index] | None})  # type: ignore[valid-type]
        self._split = msgspec.json.Decoder(_Split)
        self._indexed = {
            decoder: msgspec.json.Decoder(indexed, float_hook=hook)
            for decoder, hook in ((FLOAT_DECODER, None), (EXACT_DECODER, decimal.Decimal))
        }

    def page(self, content: bytes) -> Page:
        decoder = exact_enough(content)
        try:
            split = self._split.decode(content)
            indexed = self._indexed[decoder].decode(content)
        except msgspec.ValidationError as error:
            answered = type(decoded(content)).__name__
            if answered == "dict":  # a search result whose items are not records
                answered = f"{error}"
            msg = f"{self._endpoint} answered {answered}, not a search result: is this Magento?"
            raise FatalAPIError(msg) from None
        return Page(indexed.get("items") or [], split.total_count, split.items or [], decoder)


def _typed_dict(name: str, fields: dict[str, Any]) -> Any:
    """A TypedDict of ``fields``, none of them required, made at run time."""
    make: Any = TypedDict
    return make(name, fields, total=False)
