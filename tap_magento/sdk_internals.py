"""The singer-sdk's private parts the tap still uses, all here, each with why.

``tests/test_sdk_internals.py`` pins the SDK behaviour each relies on, so an SDK release that
changes it fails a test, not a sync.

- ``Stream._generate_record_messages`` (overridden): the SDK's walks every nested dict of every
  record to drop deselected properties, a tenth of the tap's CPU on order records, even when
  the catalog deselects nothing. No public hook covers building RECORD messages.
- ``Stream._stream_version`` (set for a while): the table version RECORD messages carry. The
  SDK sets it only for full-table streams; deletion detection's re-read of an incremental
  stream needs its own version (``deletions_as: activate_version``).
- ``Stream._write_activate_version_message``: how the SDK sends ACTIVATE_VERSION for every
  stream map; the re-read sends one when it is complete.
- ``Stream._write_schema_message``, ``Stream._write_record_message``,
  ``Stream._increment_stream_state``: child streams' messages are written from their parent's
  sync loop, and a parent read only for its children keeps its bookmark moving (below).
"""

from __future__ import annotations

import datetime
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import cached_property
from typing import TYPE_CHECKING, Any

from singer_sdk import Stream
from singer_sdk.singerlib import RecordMessage
from singer_sdk.singerlib.catalog import StreamMetadata
from typing_extensions import override

# A mixin beside the SDK's ``Stream`` (``class MagentoStream(LeanRecordMessages, Stream)``),
# not a level of the stream class stack; typed as a Stream for what it calls.
if TYPE_CHECKING:
    _MixedIntoStream = Stream
else:
    _MixedIntoStream = object


class LeanRecordMessages(_MixedIntoStream):
    """RECORD messages without the deselection walk when nothing is deselected.

    Type conformance is off for the tap's streams (records are JSON already), so the SDK's
    version would only drop deselected properties and map; this does the mapping alone.
    """

    @cached_property
    def deselects_any(self) -> bool:
        """Does the catalog deselect any property of this stream?"""
        return not all(self.mask.values())

    @override
    def _generate_record_messages(
        self, record: dict[str, Any]
    ) -> Generator[RecordMessage, None, None]:
        if self.deselects_any:
            yield from super()._generate_record_messages(record)
            return
        for stream_map in self.stream_maps:
            mapped = stream_map.transform(record)
            if mapped is not None:
                yield RecordMessage(
                    stream=stream_map.stream_alias,
                    record=mapped,
                    version=self._stream_version,
                    time_extracted=datetime.datetime.now(datetime.timezone.utc),
                )

    @contextmanager
    def table_version(self, version: int) -> Iterator[None]:
        """RECORD messages written meanwhile carry ``version``."""
        self._stream_version = version
        try:
            yield
        finally:
            self._stream_version = None

    def activate_version(self, version: int) -> None:
        """ACTIVATE_VERSION ``version`` for every stream map, as the SDK writes it."""
        self._write_activate_version_message(version)


# --- child streams (``tap_magento.streams.child``) ----------------------------------------------
# A child's rows are written from its parent's sync loop, not from a sync of its own: the SDK
# writes a stream's SCHEMA and RECORD messages only from ``Stream.sync``, which it runs once per
# parent record for child streams, at a cost per record the tap cannot afford.


def write_schema(stream: Stream) -> None:
    """``stream``'s SCHEMA message, through its stream maps (aliases, flattening)."""
    stream._write_schema_message()


def write_record(stream: Stream, record: dict[str, Any]) -> None:
    """One RECORD message of ``stream``, through its stream maps and selection."""
    stream._write_record_message(record)


def keep_state(stream: Stream, record: dict[str, Any], context: Any) -> None:
    """Move ``stream``'s bookmark past ``record``, as the SDK does for a record it emits.

    A parent read only for its selected children emits nothing, and the SDK then leaves its
    bookmark where it was: the next run would read everything again.
    """
    stream._increment_stream_state(record, context=context)


@dataclass(slots=True)
class ParentMetadata(StreamMetadata):
    """Stream metadata with ``parent-tap-stream-id``: the stream a child stream's rows come
    from (the name other Singer taps use for it)."""

    parent_tap_stream_id: str | None = None

    @classmethod
    def of(cls, metadata: StreamMetadata, parent: str) -> ParentMetadata:
        values = {f.name: getattr(metadata, f.name) for f in fields(metadata)}
        return cls(**values, parent_tap_stream_id=parent)
