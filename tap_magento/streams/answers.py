"""How a one-answer list's answer becomes records: as it is, or one record per value of a
bare list (a shared catalog's SKUs, or its companies' ids as a JSON string)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class Answer(Protocol):
    def records(
        self, answered: Iterable[Any], context: Mapping[str, Any] | None
    ) -> Iterator[dict[str, Any]]: ...


@dataclass(frozen=True)
class AsRecords:
    """Each element of the answer is a record."""

    def records(
        self, answered: Iterable[Any], context: Mapping[str, Any] | None
    ) -> Iterator[dict[str, Any]]:
        for record in answered:
            if isinstance(record, dict):
                yield record


@dataclass(frozen=True)
class EachValue:
    """Each value of the answer is a record of one ``column`` (with the partition's fields).
    ``json_text``: the answer is a JSON string holding the list (Magento declares the return
    type ``string`` and serializes the array itself); ``integer``: the values are ids."""

    column: str
    json_text: bool = False
    integer: bool = False

    def records(
        self, answered: Iterable[Any], context: Mapping[str, Any] | None
    ) -> Iterator[dict[str, Any]]:
        for answer in answered:
            values = json.loads(answer) if self.json_text and isinstance(answer, str) else answer
            for value in values if isinstance(values, list) else [values]:
                yield {**(context or {}), self.column: int(value) if self.integer else value}
