"""Which kind a stream is: the one place that tells lists and child streams apart."""

from __future__ import annotations

from collections.abc import Iterable

from singer_sdk import Stream

from tap_magento.streams.base import MagentoStream
from tap_magento.streams.child import ChildStream
from tap_magento.streams.lists import ListStream, Paging


def lists(streams: Iterable[Stream]) -> list[ListStream]:
    """The streams that ask the store (not child streams)."""
    return [stream for stream in streams if isinstance(stream, ListStream)]


def tap_streams(streams: Iterable[Stream]) -> list[MagentoStream]:
    return [stream for stream in streams if isinstance(stream, MagentoStream)]


def child(stream: Stream) -> ChildStream | None:
    """``stream`` as a child stream, or None when it asks the store itself."""
    return stream if isinstance(stream, ChildStream) else None


def children_of(stream: Stream) -> list[ChildStream]:
    return [child for child in stream.child_streams if isinstance(child, ChildStream)]


def searchable(stream: Stream) -> ListStream | None:
    """A searchCriteria list (what ``ids`` and ``stream_filters`` can name), or None."""
    if isinstance(stream, ListStream) and stream.paging is Paging.SEARCH_CRITERIA:
        return stream
    return None


def incremental(stream: Stream) -> bool:
    """A searchCriteria list read by its timestamp (what ``detect_deletions`` can name)."""
    return searchable(stream) is not None and stream.replication_key is not None
