"""The singer-sdk behaviour behind the private parts ``tap_magento/sdk_internals.py`` uses.

Each test runs a stock SDK stream (none of the tap's code) and pins what the tap relies on, so
that an SDK release that changes it fails here, not in a user's sync.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from contextlib import redirect_stdout
from typing import Any

import pytest
from singer_sdk import Stream, Tap
from singer_sdk.singerlib import RecordMessage

from tap_magento.sdk_internals import LeanRecordMessages, keep_state, write_record, write_schema
from tap_magento.streams.base import without_sdk_error_line

SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "lines": {"type": "array", "items": {"type": "object",
                                             "properties": {"sku": {"type": "string"}}}},
    },
}  # fmt: skip
RECORDS = [{"id": 1, "lines": [{"sku": "a"}]}, {"id": 2, "lines": []}]


class _Things(Stream):
    name = "things"
    schema = SCHEMA
    primary_keys = ("id",)

    def get_records(self, context: Any) -> Iterable[dict[str, Any]]:
        yield from (dict(record) for record in RECORDS)


class _Tap(Tap):
    name = "tap-pin"
    config_jsonschema: dict[str, Any] = {"type": "object", "properties": {}}

    def discover_streams(self) -> list[Stream]:
        return [_Things(self)]


def _messages(tap: Tap, action: Any) -> list[dict[str, Any]]:
    raw = io.StringIO()
    with redirect_stdout(raw):
        action()
    return [json.loads(line) for line in raw.getvalue().splitlines()]


def test_the_sdk_writes_record_messages_from_generate_record_messages() -> None:
    # LeanRecordMessages overrides _generate_record_messages: the SDK must still build its
    # RECORD messages there (a per-record call, its one argument the record).
    class Marked(_Things):
        def _generate_record_messages(self, record: dict[str, Any]) -> Any:
            yield RecordMessage(stream="marked", record={"id": record["id"]})

    class MarkedTap(_Tap):
        def discover_streams(self) -> list[Stream]:
            return [Marked(self)]

    tap = MarkedTap(config={})
    records = [m for m in _messages(tap, tap.sync_all) if m["type"] == "RECORD"]
    assert [(m["stream"], m["record"]) for m in records] == [("marked", {"id": 1}),
                                                             ("marked", {"id": 2})]  # fmt: skip


def test_record_messages_carry_the_stream_version_field() -> None:
    # table_version sets _stream_version: the SDK's own messages carry it as their version.
    tap = _Tap(config={})
    stream = tap.streams["things"]
    stream._stream_version = 1234
    message = next(stream._generate_record_messages(dict(RECORDS[0])))
    assert message.version == 1234


def test_write_activate_version_message_writes_one_per_stream_map() -> None:
    tap = _Tap(config={})
    stream = tap.streams["things"]
    written = _messages(tap, lambda: stream._write_activate_version_message(99))
    assert written == [{"type": "ACTIVATE_VERSION", "stream": "things", "version": 99}]


def test_lean_record_messages_match_the_sdks_when_nothing_is_deselected() -> None:
    class Lean(LeanRecordMessages, _Things):
        pass

    tap = _Tap(config={})
    stock, lean = tap.streams["things"], Lean(tap)
    for record in RECORDS:
        theirs = [m.to_dict() for m in stock._generate_record_messages(dict(record))]
        ours = [m.to_dict() for m in lean._generate_record_messages(dict(record))]
        for message in (*theirs, *ours):
            message.pop("time_extracted")
        assert ours == theirs
    with lean.table_version(7):
        assert next(lean._generate_record_messages(dict(RECORDS[0]))).version == 7
    assert next(lean._generate_record_messages(dict(RECORDS[0]))).version is None


def test_the_sdk_logs_a_failed_stream_in_a_line_the_tap_drops(caplog: Any) -> None:
    # client.without_sdk_error_line drops this line, so that a failed run prints only the
    # tap's own one-line error: the SDK must still word it so.
    class Failing(_Things):
        def get_records(self, context: Any) -> Iterable[dict[str, Any]]:
            msg = "the store went away"
            raise RuntimeError(msg)

    class FailingTap(_Tap):
        def discover_streams(self) -> list[Stream]:
            return [Failing(self)]

    tap = FailingTap()
    with caplog.at_level("ERROR"), pytest.raises(RuntimeError):
        _messages(tap, tap.sync_all)
    lines = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r.getMessage() for r in lines] == ["An unhandled error occurred while syncing 'things'"]
    assert not without_sdk_error_line(lines[0])


class _Stamped(_Things):
    """An incremental stream: a bookmark that moves with the records."""

    name = "stamped"
    replication_key = "updated_at"
    schema = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "updated_at": {"type": "string"}},
    }


class _StampedTap(_Tap):
    def discover_streams(self) -> list[Stream]:
        return [_Stamped(self)]


def test_write_schema_message_writes_the_stream_s_schema_once() -> None:
    # write_schema: a child stream's SCHEMA, written from its parent's sync, must be the SDK's
    # own SCHEMA message (through the stream maps: name, schema, keys).
    tap = _Tap(config={})
    written = _messages(tap, lambda: write_schema(tap.streams["things"]))
    assert [(m["type"], m["stream"], m["key_properties"]) for m in written] == [
        ("SCHEMA", "things", ["id"])
    ]
    assert written[0]["schema"]["properties"]["id"] in ({"type": "integer"}, {"type": ["integer"]})


def test_write_record_message_writes_a_record_through_selection() -> None:
    # write_record: a child's row goes through the SDK's selection (a deselected property is
    # left out) and is written as one RECORD of the stream.
    catalog = {
        "streams": [
            {
                "tap_stream_id": "things",
                "stream": "things",
                "schema": SCHEMA,
                "metadata": [
                    {"breadcrumb": [], "metadata": {"selected": True}},
                    {"breadcrumb": ["properties", "lines"], "metadata": {"selected": False}},
                ],
            }
        ]
    }
    tap = _Tap(config={}, catalog=catalog)
    stream = tap.streams["things"]
    written = _messages(tap, lambda: write_record(stream, dict(RECORDS[0])))
    assert [(m["type"], m["stream"], m["record"]) for m in written] == [
        ("RECORD", "things", {"id": 1})
    ]


def test_increment_stream_state_moves_the_bookmark_past_a_record() -> None:
    # keep_state: a parent read only for its children writes no record, and its bookmark must
    # still move past each record it read, as the SDK moves it for records it writes.
    tap = _StampedTap(config={})
    stream = tap.streams["stamped"]
    keep_state(stream, {"id": 1, "updated_at": "2026-01-02T00:00:00+00:00"}, None)
    keep_state(stream, {"id": 2, "updated_at": "2026-01-03T00:00:00+00:00"}, None)
    stream.finalize_state_progress_markers()
    state = tap.state["bookmarks"]["stamped"]
    assert state["replication_key"] == "updated_at"
    assert state["replication_key_value"] == "2026-01-03T00:00:00+00:00"
