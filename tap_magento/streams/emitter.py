"""What a parent list writes beside each record it reads: its selected children's rows.

The SDK writes the parent's own RECORD (its sync loop); before that, it hands the record to
``generate_child_contexts``, where the parent's ``Emitter`` writes every selected child's rows
from it. A parent read only for its children writes no record of its own, so the emitter
moves its bookmark past the record, as the SDK does for a record it writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tap_magento.sdk_internals import keep_state

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_magento.passes.summary import Record
    from tap_magento.streams.child import ChildStream
    from tap_magento.streams.lists import ListStream


class Emitter:
    """The rows a parent's records carry for its selected children, written as it reads."""

    def __init__(self, parent: ListStream) -> None:
        self._parent = parent
        self._writing: list[ChildStream] = []  # the children selected when the sync began

    @property
    def children(self) -> list[ChildStream]:
        """The parent's selected children (the selection is final once the sync begins)."""
        # Imported here: kinds knows every stream class, this parent's among them.
        from tap_magento.streams.kinds import children_of

        return [child for child in children_of(self._parent) if child.selected]

    @property
    def fields_needed(self) -> tuple[str, ...]:
        """The fields of the parent's records its selected children are read from."""
        needed: dict[str, None] = {}
        for child in self.children:
            fields = child.list_fields | set(child.from_parent.values())
            needed.update(dict.fromkeys(sorted(fields)))
        context_keys = self._parent.context_keys
        return tuple(name for name in needed if name not in context_keys)

    def announce(self) -> None:
        """Each selected child's SCHEMA message, once a run, when the parent's sync begins."""
        self._writing = self.children
        for child in self._writing:
            child.announce()

    def emit(self, record: Record, context: Context | None) -> None:
        """Each selected child's rows from one record the parent read."""
        children = self._writing
        if not children:
            return
        parent = self._parent
        if not parent.selected:  # read for its children only: its bookmark still moves
            keep_state(parent, record, context)
        for child in children:
            for row in child.rows(record, parent.replication_key):
                child.emit(row, context)
