"""The STATE and catalog a run is given: read and checked before the SDK relies on them.

The SDK takes both on trust: a bookmark that is not a timestamp, or a catalog of the wrong
shape, ends in a traceback deep inside a sync. Here each gets one line that says what is wrong
and where, before anything is requested.
"""

from __future__ import annotations

import datetime
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tap_magento.deletions import STATE_FIELD as KEYS_FIELD
from tap_magento.deletions import KeyRanges
from tap_magento.input_errors import BadInput

FIRST_RUN_HINT = (
    " On a first run leave --state out: every stream is read from start_date, and the run's"
    " last STATE message is what to pass next time."
)


def read_json_file(name: str, what: str) -> dict[str, Any]:
    """A ``--state`` or ``--catalog`` file's JSON object (``-``: standard input)."""
    try:
        if name == "-":
            text = sys.stdin.read()
        else:
            with open(name, encoding="utf-8") as file:
                text = file.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        hint = FIRST_RUN_HINT if what == "STATE" else " Write one with `tap-magento --discover`."
        msg = f"The {what} file {name} cannot be read ({reason}).{hint}"
        raise BadInput(msg) from None
    try:
        value = json.loads(text)
    except ValueError as error:
        msg = f"The {what} file {name} is not JSON ({error}): pass the file a previous run wrote."
        raise BadInput(msg) from None
    if not isinstance(value, dict):
        # The SDK would take an empty list for no STATE at all, and choke on others.
        msg = f"The {what} in {name} must be a JSON object, not a {type(value).__name__}."
        raise BadInput(msg)
    return value


@dataclass(frozen=True)
class BookmarkShape:
    """What this tap writes into one stream's bookmark: a STATE with anything else was
    written by another tap."""

    replication_key: str | None  # None: read whole every run, no replication_key_value
    partition_keys: frozenset[str] = frozenset()  # one bookmark per value of these


FOREIGN_STATE = (
    "This STATE was not written by tap-magento ({found}): resuming from it would skip records. "
    "Clear it (`meltano state clear <state ID>`, or give the pipeline a new state ID) or leave "
    "--state out, and the first run reads every stream from start_date."
)


def check_state(state: Any, shapes: Mapping[str, BookmarkShape]) -> None:
    """Raise ``BadInput`` for a STATE the tap cannot resume from.

    ``shapes``: each stream's bookmark as this tap writes it. Another Magento tap's STATE
    (stream names or bookmark shapes this tap does not write) is refused whole: its
    bookmarks for streams of the same name mean other things.
    """
    if not isinstance(state, dict):
        msg = (
            f'STATE must be a JSON object such as {{"bookmarks": {{...}}}}, not a '
            f"{type(state).__name__}."
        )
        raise BadInput(msg)
    bookmarks = state.get("bookmarks", {})
    if not isinstance(bookmarks, dict):
        msg = f'STATE\'s "bookmarks" must be an object keyed by stream name, not {bookmarks!r}.'
        raise BadInput(msg)
    foreign: list[str] = []
    checked: list[tuple[str, dict[str, Any], str | None]] = []
    for stream, bookmark in bookmarks.items():
        shape = shapes.get(stream)
        if shape is None:
            foreign.append(f"a bookmark for {stream}, which is not a stream of this tap")
            continue
        entries = _bookmark_entries(stream, bookmark)
        foreign += _foreign_parts(stream, entries, shape)
        checked += [(stream, entry, shape.replication_key) for entry in entries]
    if foreign:
        more = f", and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        raise BadInput(FOREIGN_STATE.format(found="; ".join(foreign[:3]) + more))
    for stream, entry, replication_key in checked:
        _check_entry(stream, entry, replication_key)


def _foreign_parts(stream: str, entries: list[dict[str, Any]], shape: BookmarkShape) -> list[str]:
    """What in a stream's bookmark (``entries``: its own, then its partitions') this tap
    does not write."""
    own, partitions = entries[0], entries[1:]
    found = []
    keys = shape.partition_keys
    if keys and "replication_key_value" in own:
        found.append(f"{stream} with one bookmark, not one per {', '.join(sorted(keys))}")
    contexts = {tuple(sorted(p.get("context", {}))) for p in partitions}
    if contexts - {tuple(sorted(keys))}:
        other = ", ".join(sorted({k for context in contexts for k in context} - keys))
        found.append(f"{stream} with bookmarks per {other or 'nothing'}")
    if shape.replication_key is None and any("replication_key_value" in e for e in entries):
        found.append(f"a replication_key_value for {stream}, which this tap reads whole")
    return found


def _bookmark_entries(stream: str, bookmark: Any) -> list[dict[str, Any]]:
    """The stream's bookmark and those of its partitions (one per store view, say)."""
    if not isinstance(bookmark, dict):
        msg = f"STATE's bookmark for {stream} must be an object, not {bookmark!r}."
        raise BadInput(msg)
    partitions = bookmark.get("partitions", [])
    if not isinstance(partitions, list) or not all(
        isinstance(p, dict) and isinstance(p.get("context", {}), dict) for p in partitions
    ):
        msg = (
            f'STATE\'s bookmark for {stream} has "partitions" {partitions!r}: it must be a list '
            'of objects, each with its "context" object.'
        )
        raise BadInput(msg)
    return [bookmark, *partitions]


def _check_entry(stream: str, entry: dict[str, Any], replication_key: str | None) -> None:
    if replication_key is None:
        return  # a full-table stream keeps no bookmark worth checking
    key = entry.get("replication_key")
    if key is not None and key != replication_key:
        msg = (
            f"STATE's bookmark for {stream} is on {key!r}, but {stream} is replicated on "
            f"{replication_key!r}: remove that bookmark to read {stream} from start_date."
        )
        raise BadInput(msg)
    value = entry.get("replication_key_value")
    if value is not None and not _is_timestamp(value):
        msg = (
            f"STATE's bookmark for {stream} has replication_key_value {value!r}, which is not "
            "a date-time such as 2024-05-01T10:22:33+00:00: correct it, or remove it to read "
            f"{stream} from start_date."
        )
        raise BadInput(msg)
    if KEYS_FIELD in entry:
        try:
            KeyRanges.from_state(entry[KEYS_FIELD])
        except ValueError as error:
            msg = (
                f"STATE's bookmark for {stream} has a {KEYS_FIELD} the tap did not write "
                f"({error}): remove it, and the next run records the keys again without "
                "reporting deletions."
            )
            raise BadInput(msg) from None


def _is_timestamp(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.datetime.fromisoformat(re.sub(r"[Zz]$", "+00:00", value.strip()))
    except ValueError:
        return False
    return True


def check_catalog(catalog: Any) -> None:
    """Raise ``BadInput`` for a catalog that is not a Singer catalog."""
    streams = catalog.get("streams") if isinstance(catalog, dict) else None
    if not isinstance(streams, list):
        msg = (
            'The catalog must be a JSON object with a "streams" list, as '
            "`tap-magento --discover` writes it."
        )
        raise BadInput(msg)
    for index, entry in enumerate(streams):
        where = f"the catalog's streams[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("tap_stream_id"), str):
            msg = f'{where} must be an object with a "tap_stream_id" string.'
            raise BadInput(msg)
        where = f"the catalog's entry for {entry['tap_stream_id']}"
        if not isinstance(entry.get("schema", {}), dict):
            msg = f'{where} has a "schema" that is not an object.'
            raise BadInput(msg)
        metadata = entry.get("metadata", [])
        if not isinstance(metadata, list) or not all(
            isinstance(m, dict)
            and isinstance(m.get("breadcrumb"), list)
            and isinstance(m.get("metadata"), dict)
            for m in metadata
        ):
            msg = (
                f'{where} has "metadata" that is not a list of objects with a "breadcrumb" '
                'list and a "metadata" object.'
            )
            raise BadInput(msg)


def unknown_selected_streams(catalog: Mapping[str, Any], known: frozenset[str]) -> list[str]:
    """Streams the catalog selects that the tap does not have (a typo, or another tap's)."""
    return [
        entry["tap_stream_id"]
        for entry in catalog.get("streams", [])
        if entry["tap_stream_id"] not in known and _selected(entry)
    ]


def _selected(entry: Mapping[str, Any]) -> bool:
    root: Mapping[str, Any] = next(
        (m["metadata"] for m in entry.get("metadata", []) if m["breadcrumb"] == []), {}
    )
    if "selected" in root:
        return bool(root["selected"])
    return bool(entry.get("selected") or root.get("selected-by-default"))
