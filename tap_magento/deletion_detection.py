"""Incremental streams that find their deleted records: a key pass per run.

Magento's REST API never says that something was deleted (``deletions.py`` keeps the key sets
and tells what disappeared). After its records, a stream named in ``detect_deletions`` reads
its whole key set, keys only, and delivers the keys gone since the last complete key pass: as
records carrying ``_sdc_deleted_at`` (``deletions_as: records``), or by reading the stream again
whole under a new table version and activating it (``deletions_as: activate_version``).
"""

from __future__ import annotations

import datetime
from collections.abc import Generator, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from singer_sdk.mapper import RemoveRecordTransform
from singer_sdk.singerlib import ActivateVersionMessage
from typing_extensions import override

from tap_magento.deletions import KeyRanges, deleted_keys, save_keys
from tap_magento.errors import PageSizeRefused
from tap_magento.families import IncrementalStream
from tap_magento.paging import WindowPaginator, cursor_of, key_of
from tap_magento.progress import Progress
from tap_magento.reader import PassReader, pass_label
from tap_magento.timestamps import parse_setting, to_magento, to_rfc3339

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

# The SDK's metadata column for deleted records: targets mark (or remove) the row.
DELETED_AT = "_sdc_deleted_at"
# Keys per page of a key pass: a page of keys is small, though the store still loads whole
# records to answer it. A store that refuses it names its maximum, which is used instead.
KEY_PAGE_SIZE = 2000


class DeletionDetectingStream(IncrementalStream):
    """An incremental stream that, when ``detect_deletions`` names it, also reports the
    records deleted since the last run."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # True only inside read_again_whole: the pass then starts at start_date.
        self._rereading = False

    @cached_property
    def detects_deletions(self) -> bool:
        return self.name in (self.config.get("detect_deletions") or ())

    @override
    def extend_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """With ``detect_deletions``, also ``_sdc_deleted_at``."""
        schema = super().extend_schema(schema)
        if not self.detects_deletions:
            return schema
        properties = {**schema["properties"], DELETED_AT: {"type": ["string", "null"],
                                                           "format": "date-time"}}  # fmt: skip
        return {**schema, "properties": properties}

    @override
    def post_process(self, row: dict[str, Any], context: Context | None = None) -> dict[str, Any]:
        record = super().post_process(row, context)
        if self.detects_deletions:  # a live record: its row is not deleted (any more)
            record.setdefault(DELETED_AT, None)
        return record

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        yield from super().get_records(context)
        if not self.detects_deletions:
            return
        if self.chosen_ids is not None or self.config.get("end_date"):
            self.logger.info(
                "%s: deletions are not looked for in a run that reads %s",
                pass_label(self.name, context),
                "chosen ids" if self.chosen_ids is not None else "up to end_date",
            )
            return
        yield from self.deleted_records(context)

    def deleted_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        """What reports the keys the last complete key pass had and this one has not.

        As records carrying ``_sdc_deleted_at`` (``deletions_as: records``), or, with
        ``deletions_as: activate_version``, by reading the whole stream again tagged with a
        new table version and then activating it: a target removes (or marks) every row of
        the table not sent again.
        """
        label = pass_label(self.name, context)
        present = self.read_keys(context, label)
        if present is None:
            return
        state = self.get_context_state(context)
        deleted = 0
        if self.config.get("deletions_as") == "activate_version":
            deleted = sum(1 for _ in deleted_keys(state, present))
            if deleted and not (yield from self.read_again_whole(context, label, deleted)):
                return  # the saved key set stays: the next run finds them again
        else:
            stamp = to_rfc3339(to_magento(self._tap.started_at))  # type: ignore[attr-defined]
            for key in deleted_keys(state, present):
                deleted += 1
                yield {self.record_key[0]: key, self.replication_key: stamp, DELETED_AT: stamp}
        save_keys(state, present, deleted, label, self.logger)

    def read_again_whole(
        self, context: Context | None, label: str, deleted: int
    ) -> Generator[dict[str, Any], None, bool]:
        """The whole stream again (from start_date), tagged with a new table version, then
        ACTIVATE_VERSION; False, and no activation, when the pass skipped a record (its row
        would be removed) or the stream has several partitions (the version covers them all).
        """
        if len(self.partitions or ()) > 1:
            self.logger.warning(
                "%s: %d deleted, but %s is read in %d partitions and one table version covers "
                "them all: not reported; use deletions_as records for it",
                label, deleted, self.name, len(self.partitions or []),
            )  # fmt: skip
            return False
        self.logger.info("%s: %d deleted: reading the stream again whole", label, deleted)
        # Milliseconds: above any earlier version of this table, the SDK's (seconds) included.
        version = int(self._tap.started_at.timestamp() * 1000)  # type: ignore[attr-defined]
        self._stream_version = version  # the SDK's: RECORD messages carry it
        self._rereading = True
        try:
            reader = self.new_pass(context)
            yield from reader.records()
            reader.log_summary()
        finally:
            self._rereading = False
            self._stream_version = None
        if reader.skipped_any:
            self.logger.warning(
                "%s: the pass skipped records it could not read, whose rows the new version "
                "would remove: not activated", label,
            )  # fmt: skip
            return False
        for stream_map in self.stream_maps:  # as the SDK writes it for full-table streams
            if not isinstance(stream_map, RemoveRecordTransform):
                message = ActivateVersionMessage(stream=stream_map.stream_alias, version=version)
                self._tap.write_message(message)
        return True

    def read_keys(self, context: Context | None, label: str) -> KeyRanges | None:
        """The list's whole key set, or None when the pass skipped a record it could not read
        (its key would look deleted)."""
        progress = Progress(f"{label} keys", self.logger, timestamp_field=None)
        limit = self.connection.page_size
        while True:
            page_size = limit.at_most(max(KEY_PAGE_SIZE, limit.configured))
            paginator = WindowPaginator(
                page_size, key_of(self.record_key), cursor_of(self.record_key), 1,
                on_skip=self._record_skipped, keys_only=True,
            )  # fmt: skip
            reader = PassReader(
                progress, paginator,
                fetch=lambda cursor, progress, tries: self.fetch(context, cursor, progress, tries),
                parse=super().parse_page, describe=self.describe, logger=self.logger,
            )  # fmt: skip
            key = self.record_key[0]
            try:
                present = KeyRanges.of(int(record[key]) for record in reader.records())
            except PageSizeRefused as refusal:
                self.logger.info(
                    "%s: the store refuses pages larger than %d records; reading keys in "
                    "pages of %d", label, refusal.maximum, refusal.maximum,
                )  # fmt: skip
                limit.lower_to(refusal.maximum)
                continue
            break
        reader.log_summary()
        if paginator.narrowing.skipped:
            self.logger.warning(
                "%s: the key pass skipped records it could not read, whose keys would look "
                "deleted: no deletions reported this run",
                label,
            )
            return None
        return present

    @override
    def earliest(self, context: Context | None) -> datetime.datetime | None:
        """While the stream is read again whole: from start_date (or the first record)."""
        if self._rereading:
            start_date = self.config.get("start_date")
            return parse_setting(start_date) if start_date else None
        return super().earliest(context)
