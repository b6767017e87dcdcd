"""Magento timestamps become RFC 3339 wherever the schema says date-time."""

from __future__ import annotations

import pytest

from tap_magento.timestamps import convert_timestamps, timestamp_plan

SCHEMA = {
    "properties": {
        "updated_at": {"type": ["string", "null"], "format": "date-time"},
        "dob": {"type": ["string", "null"]},
        "items": {
            "type": ["array", "null"],
            "items": {"properties": {"created_at": {"format": "date-time"}, "sku": {}}},
        },
        "payment": {"properties": {"extension_attributes": {"properties": {
            "token": {"properties": {"expires_at": {"format": "date-time"}}}}}}},
    }
}  # fmt: skip


@pytest.mark.parametrize(
    ("stored", "emitted"),
    [
        ("2024-05-01 10:22:33", "2024-05-01T10:22:33+00:00"),
        ("2024-05-01T10:22:33+00:00", "2024-05-01T10:22:33+00:00"),
        ("0000-00-00 00:00:00", None),
        ("not a date", "not a date"),
        (None, None),
    ],
)
def test_top_level_timestamps(stored, emitted) -> None:
    record = convert_timestamps({"updated_at": stored, "dob": "1990-01-01"}, timestamp_plan(SCHEMA))
    assert record == {"updated_at": emitted, "dob": "1990-01-01"}


def test_nested_timestamps_in_arrays_and_objects() -> None:
    record = {
        "items": [{"created_at": "2024-01-02 03:04:05", "sku": "2024-01-02 03:04:05"}, None],
        "payment": {"extension_attributes": {"token": {"expires_at": "2030-12-31 23:59:59"}}},
    }
    convert_timestamps(record, timestamp_plan(SCHEMA))
    assert record["items"][0] == {
        "created_at": "2024-01-02T03:04:05+00:00",
        "sku": "2024-01-02 03:04:05",
    }
    assert (
        record["payment"]["extension_attributes"]["token"]["expires_at"]
        == "2030-12-31T23:59:59+00:00"
    )
