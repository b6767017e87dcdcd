"""``custom_attributes`` as an object of typed properties: ``custom_attributes_object``.

Magento sends the attributes of products, categories, customers and customer addresses that are
not fixed fields as a list of ``{attribute_code, value}``, the values mostly strings ("12",
"1", "2024-05-01 00:00:00", "3,5"). With ``custom_attributes_as_object`` the tap also sends
``custom_attributes_object`` beside the list: one property per attribute code, typed from the
store's attribute metadata (``frontend_input`` and ``backend_type``), read when the schema is
built (``--discover``), so the catalog shows the store's own attributes and a target can make
typed columns. Values are converted to the types the catalog declares; an attribute the
catalog does not know still arrives (the object is open), untyped, with a WARNING once.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tap_magento.timestamps import MAGENTO_TIMESTAMP, to_rfc3339

OBJECT_FIELD = "custom_attributes_object"
LIST_FIELD = "custom_attributes"
INTEGER = re.compile(r"-?\d+")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Schema = dict[str, Any]


@dataclass(frozen=True)
class AttributeList:
    """Where a stream's records hold a ``custom_attributes`` list, and what types it."""

    metadata_stream: str  # the stream listing these attributes with their input types
    within: str | None = None  # None: the record's own; else in each item of this property


def attribute_schema(frontend_input: Any, backend_type: Any) -> Schema:
    """The JSON schema of an attribute's value, from how the store inputs and stores it."""
    if frontend_input == "boolean":
        return {"type": ["boolean", "null"]}
    if frontend_input == "multiselect":  # option ids, comma-separated by the store
        return {"type": ["array", "null"], "items": {"type": "string"}}
    if backend_type == "int":
        return {"type": ["integer", "null"]}
    if backend_type == "decimal" or frontend_input in {"price", "weight"}:
        return {"type": ["number", "null"]}
    if backend_type == "datetime" or frontend_input in {"date", "datetime"}:
        return {"type": ["string", "null"], "format": "date-time"}
    return {"type": ["string", "null"]}


def typed_properties(metadata: Iterable[Mapping[str, Any]]) -> dict[str, Schema]:
    """Each attribute code's schema, from a metadata stream's records."""
    return {
        str(item["attribute_code"]): attribute_schema(
            item.get("frontend_input"), item.get("backend_type")
        )
        for item in metadata
        if item.get("attribute_code")
    }


class AttributeTypes:
    """Each metadata stream's attribute schemas, read from the store the first time asked."""

    def __init__(self, read: Callable[[str], list[dict[str, Any]]]) -> None:
        self._read = read
        self._by_stream: dict[str, dict[str, Schema]] = {}

    def of(self, metadata_stream: str) -> dict[str, Schema]:
        if metadata_stream not in self._by_stream:
            self._by_stream[metadata_stream] = typed_properties(self._read(metadata_stream))
        return self._by_stream[metadata_stream]


def with_objects(
    schema: Schema, lists: Sequence[AttributeList], types: Mapping[str, Mapping[str, Schema]]
) -> Schema:
    """A copy of ``schema`` with a ``custom_attributes_object`` beside each list.

    ``types``: for each metadata stream, its attributes' schemas.
    """
    schema = copy.deepcopy(schema)
    for attributes in lists:
        holder = _holder(schema, attributes)
        if holder is None:
            continue
        holder["properties"][OBJECT_FIELD] = {
            "type": ["object", "null"],
            "properties": dict(sorted(types.get(attributes.metadata_stream, {}).items())),
            # Attributes created after discovery still arrive, untyped.
            "additionalProperties": True,
        }
    return schema


def _holder(schema: Schema, attributes: AttributeList) -> Schema | None:
    """The object schema whose properties hold the list (the record's, or an item's)."""
    if attributes.within is None:
        return schema
    inner = schema.get("properties", {}).get(attributes.within, {})
    inner = inner.get("items", inner)
    return inner if "properties" in inner else None


class AttributeObjects:
    """Adds ``custom_attributes_object`` to records, typed as ``schema`` (the catalog's) says.

    A value that does not fit its declared type is sent as null in the object (the list keeps
    it), and an attribute the schema does not know is sent as it came: one WARNING each.
    """

    def __init__(
        self, stream: str, schema: Schema, lists: Sequence[AttributeList], logger: logging.Logger
    ) -> None:
        self._stream = stream
        self._logger = logger
        self._warned: set[tuple[str, str]] = set()
        self._plans: list[tuple[str | None, dict[str, str]]] = []
        missing: list[str] = []
        for attributes in lists:
            holder = _holder(schema, attributes)
            declared = (holder or {}).get("properties", {}).get(OBJECT_FIELD)
            if declared is not None:
                kinds = {code: _kind(prop) for code, prop in declared.get("properties", {}).items()}
                self._plans.append((attributes.within, kinds))
            elif holder is not None:  # the list is there: the catalog predates the setting
                missing.append(attributes.within or "the records")
        if missing:
            logger.warning(
                "%s: custom_attributes_as_object is on, but the catalog has no %s (in %s): it "
                "was discovered without the setting, so none is sent. Run --discover again to "
                "get the typed columns.",
                stream,
                OBJECT_FIELD,
                " and ".join(missing),
            )

    def add_to(self, record: dict[str, Any]) -> None:
        for within, kinds in self._plans:
            if within is None:
                self._add(record, kinds)
                continue
            inner = record.get(within)
            for item in inner if isinstance(inner, list) else [inner]:
                if isinstance(item, dict):
                    self._add(item, kinds)

    def _add(self, holder: dict[str, Any], kinds: Mapping[str, str]) -> None:
        values = holder.get(LIST_FIELD)
        if not isinstance(values, list):
            holder[OBJECT_FIELD] = None
            return
        typed: dict[str, Any] = {}
        for pair in values:
            if not isinstance(pair, dict) or not pair.get("attribute_code"):
                continue
            code, value = str(pair["attribute_code"]), pair.get("value")
            kind = kinds.get(code)
            if kind is None:
                self._warn_once(
                    code,
                    "new",
                    "an attribute the catalog does not know: sent "
                    "untyped; run --discover again to type it",
                )
                typed[code] = value
                continue
            try:
                typed[code] = convert(value, kind)
            except ValueError:
                self._warn_once(
                    code,
                    "bad",
                    f"value {value!r} is not {kind}: sent as null in "
                    f"{OBJECT_FIELD} (custom_attributes keeps it)",
                )
                typed[code] = None
        holder[OBJECT_FIELD] = typed

    def _warn_once(self, code: str, why: str, message: str) -> None:
        if (code, why) not in self._warned:
            self._warned.add((code, why))
            self._logger.warning("%s: custom attribute %r: %s", self._stream, code, message)


def _kind(prop: Mapping[str, Any]) -> str:
    types = prop.get("type", [])
    kinds = [types] if isinstance(types, str) else [t for t in types if t != "null"]
    kind = kinds[0] if kinds else "string"
    return "date-time" if kind == "string" and prop.get("format") == "date-time" else str(kind)


def convert(value: Any, kind: str) -> Any:
    """A custom attribute's value (as Magento sends it) as ``kind``; ValueError if it is not."""
    if value is None or (value == "" and kind != "string"):
        return None
    return CONVERTERS.get(kind, _as_sent)(value)


def _as_sent(value: Any) -> Any:
    return value


def _boolean(value: Any) -> bool:
    if value in {True, "1", "true"}:
        return True
    if value in {False, "0", "false"}:
        return False
    raise ValueError(value)


def _integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and INTEGER.fullmatch(value.strip()):
        return int(value)
    raise ValueError(value)


def _number(value: Any) -> decimal.Decimal:
    try:
        number = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise ValueError(value) from None
    if isinstance(value, bool) or not number.is_finite():
        raise ValueError(value)
    return number


def _date_time(value: Any) -> str | None:
    text = str(value).strip()
    if DATE.fullmatch(text):  # a date attribute's value: midnight, as the store means it
        text += " 00:00:00"
    if MAGENTO_TIMESTAMP.fullmatch(text):
        return to_rfc3339(text)  # None for MySQL's zero date
    datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))  # already RFC 3339?
    return text


def _array(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def _string(value: Any) -> str:
    if isinstance(value, list):  # a list where text was declared (e.g. category_ids)
        return ",".join(str(item) for item in value)
    if isinstance(value, dict):
        raise ValueError(value)
    return str(value)


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "boolean": _boolean,
    "integer": _integer,
    "number": _number,
    "date-time": _date_time,
    "array": _array,
    "string": _string,
}
