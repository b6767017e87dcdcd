"""Child streams: the lists inside a parent's records (an order's addresses, a product's tier
prices) as tables of their own, one row per element.

A child stream sends no request. Its rows are taken from each record its parent reads, in the
parent's pass (sequential or in slices, narrowing, ``ids``, ``stream_filters``, the deletion
re-read), and emitted right after that record. So a child has no bookmark of its own: the
parent's STATE covers its children, and a resumed run reads them again with their parents.

The SDK's own way (a ``sync`` of the child per parent record, with its context) costs a
SCHEMA check, timers and state bookkeeping per record; here a parent's ``streams.emitter``
hands each record to each selected child, which writes its rows
(``sdk_internals.write_record``).

Every row carries its parent's key (``parent_id`` where Magento's element has it, else
``customer_id``, ``quote_id``, or ``product_id`` with ``store_code`` and ``sku``) and the parent's
replication value as ``parent_updated_at``: the rows of a parent's latest version share it.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk.singerlib.catalog import StreamMetadata
from typing_extensions import override

from tap_magento.passes.summary import Record
from tap_magento.sdk_internals import ParentMetadata, write_record, write_schema
from tap_magento.streams.base import MagentoStream

if TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk import singerlib as singer
    from singer_sdk.helpers.types import Context
# Where rows are in a parent record: keys, and "*" for every element of a list.
ListPath = tuple[str, ...]
EACH = "*"
PARENT_UPDATED_AT = "parent_updated_at"


class ChildStream(MagentoStream):
    """One list inside a parent stream's records, as a stream.

    Declared by: ``parent_stream_type``; ``lists``, where the rows are; ``from_parent``, the
    columns set from the parent's fields (child column -> parent field). Elements that are not
    objects become ``{scalar_column: value}``; ``lifted`` columns are copied from inside the
    element (column -> (path, default)); ``renamed`` element fields get another name.
    """

    lists: ClassVar[tuple[ListPath, ...]] = ()
    from_parent: ClassVar[Mapping[str, str]] = {}
    scalar_column: ClassVar[str | None] = None
    lifted: ClassVar[Mapping[str, tuple[ListPath, Any]]] = {}
    renamed: ClassVar[Mapping[str, str]] = {}

    def __init__(self, tap: Tap, **kwargs: Any) -> None:
        super().__init__(tap=tap, **kwargs)
        self._announced = False  # its SCHEMA message is written once a run

    @property
    def parent_name(self) -> str:
        return str(inspect.getattr_static(self.parent_stream_type, "name"))

    @property
    def list_fields(self) -> frozenset[str]:
        """The parent's top-level fields its rows come from (what ``fields`` must ask for)."""
        return frozenset(path[0] for path in self.lists)

    @property
    @override
    def metadata(self) -> singer.MetadataMapping:
        """The SDK's, with ``parent-tap-stream-id``: which stream the rows come from."""
        mapping = super().metadata
        root = mapping.get(())
        if isinstance(root, StreamMetadata) and not isinstance(root, ParentMetadata):
            mapping[()] = ParentMetadata.of(root, self.parent_name)
        return mapping

    @override
    def finalize_state_progress_markers(self, state: dict[str, Any] | None = None) -> None:
        """Nothing: a child keeps no state, its parent's covers it."""

    @override
    def get_records(self, context: Context | None) -> Iterator[Record]:
        """Nothing of its own: its rows are emitted with its parent's records."""
        return iter(())

    def rows(self, parent: Record, parent_key: str | None) -> Iterator[Record]:
        """This child's rows from one parent record (``parent_key``: its replication key)."""
        seen: set[tuple[Any, ...]] = set()
        parent_columns = {
            column: self._as_declared(column, parent.get(field))
            for column, field in self.from_parent.items()
        }
        stamp = parent.get(parent_key) if parent_key else None
        for path in self.lists:
            for element in _values_at(parent, path):
                row = self._row(element)
                if row is None:
                    continue
                row.update(parent_columns)
                row[PARENT_UPDATED_AT] = stamp
                key = tuple(row.get(name) for name in self.primary_keys or ())
                if key not in seen:  # the same address in two shipping assignments
                    seen.add(key)
                    yield row

    def _as_declared(self, column: str, value: Any) -> Any:
        """The parent's value in the type the child's element declares it (a cart item's
        ``quote_id`` is a string; the cart's ``id`` an integer)."""
        declared = self.schema["properties"].get(column, {}).get("type", ())
        if value is not None and "string" in declared and "integer" not in declared:
            return str(value)
        return value

    def _row(self, element: Any) -> Record | None:
        if self.scalar_column is not None:
            return None if element is None else {self.scalar_column: element}
        if not isinstance(element, dict) or not element:
            return None
        row = dict(element)
        for old, new in self.renamed.items():
            if old in row:
                row[new] = row.pop(old)
        for column, (path, default) in self.lifted.items():
            found = next(iter(_values_at(element, path)), None)
            row[column] = default if found is None else found
        return row

    def emit(self, row: Record, context: Context | None) -> None:
        write_record(self, self.post_process(row, context))

    def announce(self) -> None:
        """Its SCHEMA message, once a run, when its parent's sync begins."""
        if not self._announced:
            self._announced = True
            write_schema(self)


def _values_at(value: Any, path: ListPath) -> Iterator[Any]:
    if not path:
        yield value
        return
    head, rest = path[0], path[1:]
    if head == EACH:
        for item in value if isinstance(value, list) else ():
            yield from _values_at(item, rest)
    elif isinstance(value, dict) and value.get(head) is not None:
        yield from _values_at(value[head], rest)
