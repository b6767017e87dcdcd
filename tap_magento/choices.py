"""What a user chooses to read beyond the catalog: extra filters, and records by key.

``stream_filters`` adds ``{field, condition_type, value}`` conditions to every request of a
stream, each its own filter group (groups are AND-ed). ``ids`` reads only the records with
these keys, in batches of ``in`` filters, and leaves the stream's bookmark where it was.
Both are checked once at start-up, so a bad one is one line before any request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from tap_magento.input_errors import config_error
from tap_magento.search_criteria import Filter, FilterGroup, all_of, filter_value


class Choosable(Protocol):
    """What a stream tells about itself for its filters and ids to be checked."""

    name: str

    @property
    def cursor_fields(self) -> tuple[str, ...]: ...

    @property
    def record_key(self) -> tuple[str, ...]: ...

    def search_name(self, field: str) -> str: ...


def chosen_filters(config: Mapping[str, Any], stream: str) -> tuple[FilterGroup, ...]:
    """The stream's ``stream_filters``, one filter group each."""
    return all_of(
        *(
            Filter(f["field"], filter_value(f["value"]), f.get("condition_type", "eq"))
            for f in (config.get("stream_filters") or {}).get(stream, ())
        )
    )


def chosen_ids(config: Mapping[str, Any], stream: str) -> tuple[str, ...] | None:
    """The keys ``ids`` names for the stream (in order, once each), or None."""
    keys = (config.get("ids") or {}).get(stream)
    return tuple(dict.fromkeys(filter_value(k) for k in keys)) if keys is not None else None


def check_choices(config: Mapping[str, Any], streams: Mapping[str, Choosable | None]) -> None:
    """Refuse, in one line, filters or ids the streams cannot take.

    ``streams`` maps each stream name to the stream, or None when it is not a searchCriteria
    list (those take neither).
    """
    searchable = {name: stream for name, stream in streams.items() if stream is not None}
    for setting in ("stream_filters", "ids"):
        for name in config.get(setting) or {}:
            if name not in streams:
                known = ", ".join(sorted(streams))
                raise config_error(f"{setting}: {name!r} is not a stream; streams are {known}.")
            if name not in searchable:
                msg = (
                    f"{setting}: {name} is not a searchCriteria list, so it takes neither "
                    f"filters nor ids; those that do: {', '.join(sorted(searchable))}."
                )
                raise config_error(msg)
    for name, filters in (config.get("stream_filters") or {}).items():
        stream = searchable[name]
        ordered_by = {*stream.cursor_fields, *map(stream.search_name, stream.cursor_fields)}
        for condition in filters:
            if condition["field"] in ordered_by:
                msg = (
                    f"stream_filters: {name} cannot be filtered on {condition['field']}: its "
                    f"pages are read in order of {', '.join(stream.cursor_fields)}, and the "
                    "cursor's own filters on it would contradict yours. Use start_date and "
                    "end_date for a time range, or ids for chosen records."
                )
                raise config_error(msg)
    for name in config.get("ids") or {}:
        key = searchable[name].record_key
        if len(key) != 1:
            msg = (
                f"ids: {name} records are named by {' and '.join(key)} together; ids reads "
                "streams whose records have a key of one field."
            )
            raise config_error(msg)


def check_deletion_streams(config: Mapping[str, Any], detectable: Iterable[str]) -> None:
    """``detect_deletions`` names incremental streams only (full-table ones need none)."""
    able = sorted(detectable)
    for name in config.get("detect_deletions") or ():
        if name not in able:
            msg = (
                f"detect_deletions: {name!r} is not a stream whose deletions can be detected; "
                f"those are {', '.join(able)} (full-table streams send ACTIVATE_VERSION)."
            )
            raise config_error(msg)


def check_start_dates(
    config: Mapping[str, Any], incremental: Iterable[str], children: Mapping[str, str]
) -> None:
    """``stream_start_dates`` names incremental streams only: a full-table stream has no
    start, and a child stream (``children``: child -> parent) starts where its parent does."""
    able = sorted(incremental)
    for name in config.get("stream_start_dates") or {}:
        if name in able:
            continue
        if name in children:
            msg = (
                f"stream_start_dates: {name} is read with {children[name]}, from where "
                f"{children[name]} starts: set stream_start_dates.{children[name]} instead."
            )
        else:
            msg = (
                f"stream_start_dates: {name!r} is not an incremental stream (a full-table "
                f"stream is read whole and has no start); those are {', '.join(able)}."
            )
        raise config_error(msg)
