"""The STATE and catalog a run is given: read and checked before the SDK relies on them.

The SDK takes both on trust: a bookmark that is not a timestamp, or a catalog of the wrong
shape, ends in a traceback deep inside a sync. Here each gets one line that says what is wrong
and where, before anything is requested.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from typing import IO, Any

from tap_magento.deletions import STATE_FIELD as KEYS_FIELD
from tap_magento.deletions import KeyRanges
from tap_magento.errors import BadInput


def read_json_file(file: IO[str], what: str) -> dict[str, Any]:
    """A ``--state`` or ``--catalog`` file's JSON object."""
    name = getattr(file, "name", what)
    text = file.read()
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


def check_state(state: Any, replication_keys: Mapping[str, str | None]) -> list[str]:
    """Raise ``BadInput`` for a STATE the tap cannot resume from; return warnings.

    ``replication_keys``: each stream's replication key (None for full-table streams).
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
    warnings = []
    for stream, bookmark in bookmarks.items():
        if stream not in replication_keys:
            warnings.append(f"STATE has a bookmark for {stream!r}, which is not a stream of "
                            "this tap: it is kept as it is and not used.")  # fmt: skip
            continue
        for entry in _bookmark_entries(stream, bookmark):
            _check_entry(stream, entry, replication_keys[stream])
    return warnings


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
