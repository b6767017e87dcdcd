"""What every stream of the tap shares: the SDK's jobs (schema, catalog, state, messages) and
what the run gives it. A stream sends no request itself: lists ask the store through the
run's ``StoreClient`` (``streams.lists``), child streams not at all (``streams.child``)."""

from __future__ import annotations

import logging
from collections.abc import Hashable, Mapping
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

from singer_sdk import Stream
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.schema.source import SchemaDirectory, StreamSchema
from typing_extensions import override

from tap_magento import schemas
from tap_magento.custom_attributes import AttributeList, AttributeObjects, with_objects
from tap_magento.front_door.client import Asker
from tap_magento.sdk_internals import LeanRecordMessages
from tap_magento.timestamps import TimestampPlan, convert_timestamps, timestamp_plan

if TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_magento.custom_attributes import AttributeTypes
    from tap_magento.front_door.client import StoreClient
    from tap_magento.passes import ReadSettings
    from tap_magento.run_window import RunWindow
    from tap_magento.streams.product_skus import ProductSkus
    from tap_magento.streams.store_directory import StoreDirectory


class Run(Protocol):
    """What a stream takes from the sync run it is part of (the tap): what its streams share."""

    @property
    def client(self) -> StoreClient: ...

    @property
    def read_settings(self) -> ReadSettings: ...

    @property
    def store_directory(self) -> StoreDirectory: ...

    @property
    def attribute_types(self) -> AttributeTypes: ...

    @property
    def run_window(self) -> RunWindow: ...

    @property
    def product_skus(self) -> ProductSkus: ...


class MagentoStream(LeanRecordMessages, Stream):
    """Shared by every stream: a stream subclass declares its name, path, keys and schema."""

    # The stream's schema file, from Adobe's reference (scripts/generate_schemas.py).
    file_schema = StreamSchema(SchemaDirectory(schemas))
    # Records arrive as JSON, so their values need no type conversion: the SDK's conformance
    # (a third of the tap's CPU on order records, even at ROOT_ONLY) is off, and post_process
    # only drops top-level properties the schema does not know, as ROOT_ONLY did. A test
    # checks every emitted record against its SCHEMA message.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    # A STATE message every this many records: a killed sync repeats at most this many.
    STATE_MSG_FREQUENCY = 1000
    # The route, under the REST root; ``{store_code}`` and the like come from the partition.
    path: ClassVar[str] = ""
    # What a store must have installed for this stream's route to exist (for the warning when
    # it does not); None: the core modules every store has.
    module: ClassVar[str | None] = None
    # Fields the store sends that the schema leaves out on purpose (dropped without a warning).
    left_out: ClassVar[frozenset[str]] = frozenset()
    # A stream whose records of this run this one reuses: it is synced after that one.
    reads_after: ClassVar[str | None] = None
    # The custom_attributes lists its records hold (for custom_attributes_as_object).
    custom_attribute_lists: ClassVar[tuple[AttributeList, ...]] = ()

    def __init__(self, tap: Tap, **kwargs: Any) -> None:
        super().__init__(tap=tap, **kwargs)
        # Streams are made by TapMagento.discover_streams: the tap is the run.
        self.run = cast("Run", tap)
        self.logger.addFilter(without_sdk_error_line)
        self.asker = Asker(self.name, self.path, self.logger)

    @property
    @override
    def config(self) -> Mapping[str, Any]:
        """The tap's settings, with this stream's ``stream_start_dates`` entry as its
        ``start_date``: the SDK seeds a stream without a bookmark from ``start_date`` (and
        logs and keeps that value), so it must be the stream's own."""
        own = (super().config.get("stream_start_dates") or {}).get(self.name)
        if own is None:
            return super().config
        return MappingProxyType({**super().config, "start_date": own})

    @property
    def context_keys(self) -> tuple[str, ...]:
        """Fields the SDK copies from the partition into every record (the store does not
        send them); the rest of the primary key is the store's own."""
        return ()

    @property
    def bookmark_partition_keys(self) -> tuple[str, ...]:
        """What this stream's bookmarks are kept per value of, in the STATE the tap writes."""
        keys = self.state_partitioning_keys
        return tuple(self.context_keys if keys is None else keys)

    @cached_property
    @override
    def schema(self) -> dict[str, Any]:
        """The schema file's, with what the settings add to it."""
        return self.extend_schema(self.file_schema)

    def extend_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """With ``custom_attributes_as_object``, the objects typed from the store's metadata."""
        if not self.config.get("custom_attributes_as_object") or not self.custom_attribute_lists:
            return schema
        lists = self.custom_attribute_lists
        types = self.run.attribute_types
        typed = {a.metadata_stream: types.of(a.metadata_stream) for a in lists}
        return with_objects(schema, lists, typed)

    @cached_property
    def attribute_objects(self) -> AttributeObjects | None:
        """What adds custom_attributes_object to records, as the catalog types it."""
        if not self.config.get("custom_attributes_as_object") or not self.custom_attribute_lists:
            return None
        return AttributeObjects(
            self.name, self.effective_schema, self.custom_attribute_lists, self.logger
        )

    @property
    def record_key(self) -> tuple[str, ...]:
        """The store's own unique key for a record: the primary key less ``context_keys``."""
        return tuple(k for k in self.primary_keys or () if k not in self.context_keys)

    @cached_property
    def timestamp_plan(self) -> TimestampPlan:
        return timestamp_plan(self.schema)

    @cached_property
    def schema_properties(self) -> frozenset[str]:
        """What the SCHEMA message declares (the catalog's, when there is one)."""
        return frozenset(self.effective_schema.get("properties", {}))

    @override
    def post_process(self, row: dict[str, Any], context: Context | None = None) -> dict[str, Any]:
        unknown = row.keys() - self.schema_properties  # a set operation in C: the hot path
        if unknown:
            unknown -= self.left_out
            for name in self.left_out & row.keys():
                del row[name]
        if unknown:
            for name in unknown:
                del row[name]
            self._warn_unknown(tuple(sorted(unknown)))
        if self.attribute_objects is not None:
            self.attribute_objects.add_to(row)
        return convert_timestamps(row, self.timestamp_plan)

    def _warn_unknown(self, names: tuple[str, ...]) -> None:
        """Once per set of names: a store module adds fields the reference does not have."""
        self.warn_once(
            names, "%s: properties %s are not in the schema and were left out", self.name, names
        )

    def warn_once(self, topic: Hashable, message: str, *args: Any) -> bool:
        """A WARNING, the first time this stream meets ``topic`` in the run; False after."""
        return self.asker.warn_once(topic, message, *args)


def without_sdk_error_line(record: logging.LogRecord) -> bool:
    """Drops the SDK's "An unhandled error occurred while syncing" line: the command prints
    the error itself, in one line (or, for a bug, with its traceback)."""
    return not str(record.msg).startswith("An unhandled error occurred while syncing")
