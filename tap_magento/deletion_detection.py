"""Deleted records of an incremental stream: a key pass per run, and what it found delivered.

Magento's REST API never says that something was deleted (``deletions.py`` keeps the key sets
and tells what disappeared). After its records, a stream named in ``detect_deletions`` reads
its whole key set, keys only, and delivers the keys gone since the last complete key pass: as
records carrying ``_sdc_deleted_at`` (``deletions_as: records``), or by reading the stream again
whole under a new table version and activating it (``deletions_as: activate_version``).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

from tap_magento import passes
from tap_magento.deletions import KeyRanges, deleted_keys, save_keys
from tap_magento.passes.source import pass_label
from tap_magento.timestamps import to_magento, to_rfc3339

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_magento.families import IncrementalStream

# The SDK's metadata column for deleted records: targets mark (or remove) the row.
DELETED_AT = "_sdc_deleted_at"
# Keys per page of a key pass: a page of keys is small, though the store still loads whole
# records to answer it. A store that refuses it names its maximum, which is used instead.
KEY_PAGE_SIZE = 2000


class DeletionDetection:
    """What ``detect_deletions`` adds to one incremental stream: ``_sdc_deleted_at`` in its
    schema, and after its records, the records deleted since the last run."""

    def __init__(self, stream: IncrementalStream) -> None:
        self._stream = stream

    def extend_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        properties = {**schema["properties"], DELETED_AT: {"type": ["string", "null"],
                                                           "format": "date-time"}}  # fmt: skip
        return {**schema, "properties": properties}

    def deleted_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        """What reports the keys the last complete key pass had and this one has not.

        As records carrying ``_sdc_deleted_at`` (``deletions_as: records``), or, with
        ``deletions_as: activate_version``, by reading the whole stream again tagged with a
        new table version and then activating it: a target removes (or marks) every row of
        the table not sent again. Not in a run that reads chosen ids or ends at ``end_date``:
        it does not see the whole list.
        """
        stream = self._stream
        label = pass_label(stream.name, context)
        if stream.chosen_ids is not None or stream.config.get("end_date"):
            stream.logger.info(
                "%s: deletions are not looked for in a run that reads %s", label,
                "chosen ids" if stream.chosen_ids is not None else "up to end_date",
            )  # fmt: skip
            return
        present = self.read_keys(context)
        if present is None:
            return
        state = stream.get_context_state(context)
        deleted = 0
        if stream.config.get("deletions_as") == "activate_version":
            deleted = sum(1 for _ in deleted_keys(state, present))
            if deleted and not (yield from self.read_again_whole(context, deleted)):
                return  # the saved key set stays: the next run finds them again
        else:
            stamp = to_rfc3339(to_magento(stream.run.run_window.started_at))
            for key in deleted_keys(state, present):
                deleted += 1
                yield {stream.record_key[0]: key, stream.replication_key: stamp, DELETED_AT: stamp}
        save_keys(state, present, deleted, label, stream.logger)

    def read_keys(self, context: Context | None) -> KeyRanges | None:
        """The list's whole key set, or None when the pass skipped a record it could not read
        (its key would look deleted)."""
        stream = self._stream
        # The whole list, whatever its timestamps, with the user's filters.
        source = stream.stream_list(context, stream.user_filters, None)
        page_size = max(KEY_PAGE_SIZE, stream.read_settings.page_size)
        key = stream.record_key[0]
        keys = passes.Drained(stream.read(source, passes.KeysOnly(page_size)))
        present = KeyRanges.of(int(record[key]) for record in keys)
        if keys.summary.skipped:
            stream.logger.warning(
                "%s: the key pass skipped records it could not read, whose keys would look "
                "deleted: no deletions reported this run", source.label,
            )  # fmt: skip
            return None
        return present

    def read_again_whole(
        self, context: Context | None, deleted: int
    ) -> Generator[dict[str, Any], None, bool]:
        """The whole stream again (from start_date), tagged with a new table version, then
        ACTIVATE_VERSION; False, and no activation, when the pass skipped a record (its row
        would be removed) or the stream has several partitions (the version covers them all).
        """
        stream = self._stream
        label = pass_label(stream.name, context)
        partitions = len(stream.partitions or ())
        if partitions > 1:
            stream.logger.warning(
                "%s: %d deleted, but %s is read in %d partitions and one table version covers "
                "them all: not reported; use deletions_as records for it",
                label, deleted, stream.name, partitions,
            )  # fmt: skip
            return False
        stream.logger.info("%s: %d deleted: reading the stream again whole", label, deleted)
        window = stream.run.run_window
        bounds = (*stream.range_from(window.start_date), *stream.user_filters)
        whole = stream.stream_list(context, bounds, stream.slice_axis)
        # Milliseconds: above any earlier version of this table, the SDK's (seconds) included.
        version = int(window.started_at.timestamp() * 1000)
        with stream.table_version(version):
            summary = yield from stream.read(whole, passes.WholeList())
        if summary.skipped:
            stream.logger.warning(
                "%s: the pass skipped records it could not read, whose rows the new version "
                "would remove: not activated", label,
            )  # fmt: skip
            return False
        stream.activate_version(version)
        return True
