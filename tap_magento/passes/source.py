"""What a pass needs from a stream: one typed object, ``ListSource``, per list and partition.

The pass layer never sees a stream: it asks its source for pages, and for the few facts about
the list's records that paging, narrowing and slicing need.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from tap_magento.passes.summary import Record, Skipped
from tap_magento.search_criteria import Filter, FilterGroup, all_of
from tap_magento.timestamps import parse_setting, to_magento

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_magento.passes.cursor import Cursor
    from tap_magento.passes.paging import Page
    from tap_magento.progress import Progress
    from tap_magento.retry import Retries


class ListSource(Protocol):
    """One searchCriteria list (a stream's, in one partition), as a pass reads it."""

    @property
    def label(self) -> str:
        """``orders``, or ``products {'store_code': 'de'}``: what log lines name."""
        ...

    @property
    def logger(self) -> logging.Logger: ...

    @property
    def record_key(self) -> tuple[str, ...]:
        """The store's own unique key of a record."""
        ...

    @property
    def cursor_fields(self) -> tuple[str, ...]:
        """What the list is sorted on, ending with the record key; () when it has no cursor."""
        ...

    @property
    def timestamp_field(self) -> str | None:
        """The timestamp the progress line follows, if the list has one."""
        ...

    @property
    def bounds(self) -> tuple[FilterGroup, ...]:
        """What every request of a pass carries: its range and the user's filters."""
        ...

    @property
    def axis(self) -> SliceAxis | None:
        """What a pass is cut into slices on; None: one reader reads it."""
        ...

    def fetch(
        self,
        cursor: Cursor,
        progress: Progress,
        retries: Retries | None,
        byte_cap: int | None = None,
    ) -> bytes:
        """The JSON of the page at ``cursor``: paced, retried by cause (``retries``: fewer
        tries for some causes), validated; ``PageTooBig`` beyond ``byte_cap`` bytes."""
        ...

    def parse(self, content: bytes) -> Page: ...

    def warn_once(self, topic: Hashable, message: str, *args: Any) -> bool:
        """A WARNING the first time the stream meets ``topic`` in the run; False after."""
        ...

    def describe(self, skipped: Skipped) -> str:
        """A skipped record, named for the log: ``entity_id 7 (updated_at ...)``."""
        ...


@dataclass(frozen=True)
class SliceAxis:
    """The field a list is sorted on first, as integers a pass can be cut on.

    Positions are a timestamp's seconds since the epoch (``timestamp``), or an integer key.
    """

    search_field: str  # the searchCriteria name
    record_field: str  # the record's name
    timestamp: bool

    def position(self, record: Record) -> int:
        value = record[self.record_field]
        if self.timestamp:
            return int(parse_setting(str(value)).timestamp())
        return int(value)

    def bounds(self, lower: int, upper: int) -> tuple[FilterGroup, ...]:
        """Records at or after ``lower`` and before ``upper``."""
        return all_of(
            Filter(self.search_field, self._value(lower), "gteq"),
            Filter(self.search_field, self._value(upper), "lt"),
        )

    def _value(self, position: int) -> str:
        if self.timestamp:
            return to_magento(datetime.datetime.fromtimestamp(position, datetime.timezone.utc))
        return str(position)


def pass_label(stream_name: str, context: Context | None) -> str:
    """``orders``, or ``products {'store_code': 'de'}`` for one partition."""
    return f"{stream_name} {dict(context)}" if context else stream_name
