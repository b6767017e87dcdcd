"""Deleted records of an incremental stream: a key pass per run, and what it found delivered.

Magento's REST API never says that something was deleted (``deletions.py`` keeps the key sets
and tells what disappeared). After its records, a stream named in ``detect_deletions`` reads
its whole key set, keys only, and delivers the keys gone since the last complete key pass: as
records carrying ``_sdc_deleted_at`` (``deletions_as: records``), or by reading the stream again
whole under a new table version and activating it (``deletions_as: activate_version``).

The detection gets what it needs, not the stream: the two lists it reads (``ListSpec``), the
run's client and read settings, the partition's state, and what writes table versions.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Generator, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from tap_magento import passes
from tap_magento.deletions import KeyRanges, deleted_keys, save_keys
from tap_magento.timestamps import to_magento, to_rfc3339

if TYPE_CHECKING:
    from tap_magento.front_door.client import StoreClient
    from tap_magento.passes import ListSpec, ReadSettings
    from tap_magento.passes.summary import Record

# The SDK's metadata column for deleted records: targets mark (or remove) the row.
DELETED_AT = "_sdc_deleted_at"


def with_deleted_at(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with ``_sdc_deleted_at``."""
    deleted_at = {"type": ["string", "null"], "format": "date-time"}
    return {**schema, "properties": {**schema["properties"], DELETED_AT: deleted_at}}


class TableVersions(Protocol):
    """What writes a table version's messages (the stream, through the SDK)."""

    def table_version(self, version: int) -> AbstractContextManager[None]: ...

    def activate_version(self, version: int) -> None: ...


@dataclass(frozen=True)
class DeletionPolicy:
    """What the settings and the stream say about one stream's deletions."""

    key_field: str  # the record key (one integer)
    stamp_field: str  # the replication key, stamped on a deleted record
    as_records: bool  # deletions_as: records; else activate_version
    table_version: int  # the re-read's, for activate_version
    deleted_at: datetime.datetime  # the run's start
    # Why deletions are not looked for in this run ("chosen ids", "up to end_date"), or None.
    not_looked_for_in: str | None = None


class DeletionDetection:
    """What ``detect_deletions`` adds to one incremental stream: after its records, the
    records deleted since the last run."""

    def __init__(
        self,
        policy: DeletionPolicy,
        *,
        stream_name: str,
        client: StoreClient,
        settings: ReadSettings,
        versions: TableVersions,
        logger: logging.Logger,
    ) -> None:
        self._policy = policy
        self._stream_name = stream_name
        self._client = client
        self._settings = settings
        self._versions = versions
        self._logger = logger

    def deleted_records(
        self, *, keys: ListSpec, whole: ListSpec, state: dict[str, Any], partitions: int
    ) -> Iterator[Record]:
        """What reports the keys the last complete key pass had and this one has not.

        ``keys``: the list whatever its timestamps, with the user's filters; ``whole``: every
        record from start_date, for the re-read. As records carrying ``_sdc_deleted_at``, or
        by reading the whole stream again tagged with a new table version and then activating
        it: a target removes (or marks) every row of the table not sent again. Not in a run
        that reads chosen ids or ends at ``end_date``: it does not see the whole list.
        """
        policy, label = self._policy, keys.label
        if policy.not_looked_for_in is not None:
            self._logger.info(
                "%s: deletions are not looked for in a run that reads %s",
                label,
                policy.not_looked_for_in,
            )
            return
        present = self._read_keys(keys)
        if present is None:
            return
        deleted = 0
        if not policy.as_records:
            deleted = sum(1 for _ in deleted_keys(state, present))
            if deleted and not (yield from self._read_again_whole(whole, deleted, partitions)):
                return  # the saved key set stays: the next run finds them again
        else:
            stamp = to_rfc3339(to_magento(policy.deleted_at))
            for key in deleted_keys(state, present):
                deleted += 1
                yield {policy.key_field: key, policy.stamp_field: stamp, DELETED_AT: stamp}
        save_keys(state, present, deleted, label, self._logger)

    def _read_keys(self, keys: ListSpec) -> KeyRanges | None:
        """The list's whole key set, or None when the pass skipped a record it could not read
        (its key would look deleted)."""
        read = passes.read(keys, self._settings, self._client, passes.KeysOnly())
        drained = passes.Drained(read)
        key = self._policy.key_field
        present = KeyRanges.of(int(record[key]) for record in drained)
        if drained.summary.skipped:
            self._logger.warning(
                "%s: the key pass skipped records it could not read, whose keys would look "
                "deleted: no deletions reported this run",
                keys.label,
            )
            return None
        return present

    def _read_again_whole(
        self, whole: ListSpec, deleted: int, partitions: int
    ) -> Generator[Record, None, bool]:
        """The whole stream again (from start_date), tagged with a new table version, then
        ACTIVATE_VERSION; False, and no activation, when the pass skipped a record (its row
        would be removed) or the stream has several partitions (the version covers them all).
        """
        label = whole.label
        if partitions > 1:
            self._logger.warning(
                "%s: %d deleted, but %s is read in %d partitions and one table version covers "
                "them all: not reported; use deletions_as records for it",
                label,
                deleted,
                self._stream_name,
                partitions,
            )
            return False
        self._logger.info("%s: %d deleted: reading the stream again whole", label, deleted)
        version = self._policy.table_version
        with self._versions.table_version(version):
            read = passes.read(whole, self._settings, self._client, passes.WholeList())
            summary = yield from read
        if summary.skipped:
            self._logger.warning(
                "%s: the pass skipped records it could not read, whose rows the new version "
                "would remove: not activated",
                label,
            )
            return False
        self._versions.activate_version(version)
        return True
