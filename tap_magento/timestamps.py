"""Magento timestamps (``2024-05-01 10:22:33``, always UTC) to and from RFC 3339."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

MAGENTO_FORMAT = "%Y-%m-%d %H:%M:%S"
MAGENTO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")

# Where a schema keeps its date-time strings: a leaf (None) or the plan inside an object or
# array of objects. Only branches that hold a timestamp somewhere are present.
TimestampPlan = dict[str, "TimestampPlan | None"]


def to_rfc3339(value: str) -> str | None:
    """``2024-05-01 10:22:33`` -> ``2024-05-01T10:22:33+00:00``.

    Magento stores and filters in UTC whatever the store's timezone (#24985), so the offset is
    always +00:00. Values already in RFC 3339, and unparseable ones, are returned unchanged:
    the record keeps what the store said rather than losing it. MySQL's zero date
    (``0000-00-00 00:00:00``), which old rows can hold, means "no date": it becomes null.
    """
    if not isinstance(value, str) or not MAGENTO_TIMESTAMP.fullmatch(value):
        return value
    if value.startswith("0000") or value[5:7] == "00" or value[8:10] == "00":
        return None
    return f"{value[:10]}T{value[11:]}+00:00"  # a string rewrite: strptime is 10x slower


def to_magento(moment: datetime.datetime) -> str:
    """A datetime as Magento's filter value format, in UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc)
    return moment.strftime(MAGENTO_FORMAT)


def parse_setting(value: str) -> datetime.datetime:
    """A date-time setting (RFC 3339 or ISO 8601; UTC when it has no offset)."""
    moment = datetime.datetime.fromisoformat(re.sub(r"[Zz]$", "+00:00", value.strip()))
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def timestamp_plan(schema: Mapping[str, Any]) -> TimestampPlan:
    """Find every ``format: date-time`` property in a JSON schema, nested ones included."""
    plan: TimestampPlan = {}
    for name, prop in schema.get("properties", {}).items():
        if prop.get("format") == "date-time":
            plan[name] = None
            continue
        inner = prop.get("items", prop)
        if "properties" in inner:
            sub_plan = timestamp_plan(inner)
            if sub_plan:
                plan[name] = sub_plan
    return plan


def convert_timestamps(record: dict[str, Any], plan: TimestampPlan) -> dict[str, Any]:
    """Rewrite the record's Magento timestamps to RFC 3339 in place, following ``plan``."""
    for name, sub_plan in plan.items():
        value = record.get(name)
        if value is None:
            continue
        if sub_plan is None:
            record[name] = to_rfc3339(value)
        elif isinstance(value, dict):
            convert_timestamps(value, sub_plan)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    convert_timestamps(item, sub_plan)
    return record
