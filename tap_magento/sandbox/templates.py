"""Record templates built from the stream schemas, so sandbox records carry every documented field.

A template fills every property of a schema with a plausible value of its documented type (nested
objects to a fixed depth). The store then overrides the fields that make each record distinct.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

MAX_DEPTH = 3
# Fields the tap adds to records itself; a store never sends them.
TAP_ADDED_PROPERTIES = frozenset({"store_code"})
TEMPLATE_TIMESTAMP = "2024-01-01 00:00:00"


@cache
def stream_schema(stream: str) -> dict[str, Any]:
    text = resources.files("tap_magento").joinpath(f"schemas/{stream}.json").read_text()
    return json.loads(text)  # type: ignore[no-any-return]


@cache
def template_json(stream: str) -> str:
    """A full record of ``stream`` as JSON text (parse it to get a fresh, mutable copy)."""
    record = _fill(stream_schema(stream), "record", depth=0)
    for name in TAP_ADDED_PROPERTIES:
        record.pop(name, None)
    return json.dumps(record)


def _fill(schema: dict[str, Any], name: str, depth: int) -> Any:
    types = schema.get("type", [])
    kinds = [types] if isinstance(types, str) else [k for k in types if k != "null"]
    kind = kinds[0] if kinds else None
    if kind == "object":
        if depth >= MAX_DEPTH:
            return {}
        return {
            key: _fill(prop, key, depth + 1) for key, prop in schema.get("properties", {}).items()
        }
    if kind == "array":
        if depth >= MAX_DEPTH:
            return []
        return [_fill(schema.get("items", {}), name, depth + 1)]
    if kind == "string":
        return TEMPLATE_TIMESTAMP if schema.get("format") == "date-time" else f"{name} value"
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return f"{name} value"  # untyped (custom attribute values)
