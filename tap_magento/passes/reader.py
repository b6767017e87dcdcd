"""One reader of one list: page after page, from its first request to its last record.

A reader owns everything that lives exactly as long as its reading: the paginator (cursor,
windows, narrowing) and the summary. Nothing of it is kept on the stream, so a second pass, a
slice, or a pass started again at a smaller page size, starts clean.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING

from singer_sdk.exceptions import FatalAPIError

from tap_magento.errors import UnreadableRecords
from tap_magento.passes.paging import WindowPaginator, cursor_of, key_of

if TYPE_CHECKING:
    from tap_magento.passes.source import ListSource
    from tap_magento.passes.summary import PassSummary, Record, Skipped
    from tap_magento.progress import Progress
    from tap_magento.search_criteria import FilterGroup


@dataclass(frozen=True)
class ReadSettings:
    """How the passes of a run read: what the settings say, once."""

    page_size: int
    # 1: keyset paging (every request page 1 after the last record read); more: that many
    # numbered pages before the window moves.
    pages_per_window: int
    skip_unreadable: bool
    workers: int = 1
    # The largest page the store accepts, when it has said (``connection.PageSizeLimit``).
    largest_page: int | None = None


class PassReader:
    """Reads a list, or the part of it within ``bounds``, page by page, once."""

    def __init__(
        self,
        source: ListSource,
        settings: ReadSettings,
        progress: Progress,
        *,
        bounds: tuple[FilterGroup, ...] = (),
        keys_only: bool = False,
        holding: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> None:
        self._source = source
        # Entered while a page is decoded and its records handed on: a parallel pass limits
        # how many pages its readers hold at once.
        self._holding = holding
        self._settings = settings
        self._progress = progress
        # The key pass is sorted by the key alone, whatever the list's cursor.
        cursor_fields = source.record_key if keys_only else source.cursor_fields
        self._paginator = WindowPaginator(
            settings.page_size,
            key_of(source.record_key),
            cursor_of(cursor_fields) if cursor_fields else None,
            settings.pages_per_window,
            on_skip=self._skipped,
            bounds=(*source.bounds, *bounds),
            keys_only=keys_only,
        )

    @property
    def summary(self) -> PassSummary:
        return self._paginator.summary

    def records(self) -> Iterator[Record]:
        """Every record of the list once, in the order the store sorted them."""
        paginator = self._paginator
        while not paginator.finished:
            # While narrowing, a failing page is only halved again: retrying it would not help.
            tries = 1 if paginator.narrowing else None
            try:
                response = self._source.fetch(paginator.current, self._progress, tries)
            except UnreadableRecords as failure:
                paginator.unreadable(str(failure))
                continue
            with self._holding():
                fresh = paginator.fresh_records(self._source.parse(response))
                # Gone once decoded: a page of full orders is a few MB of JSON.
                del response
                for record in fresh:
                    self._progress.emitted(record)
                yield from fresh
                del fresh
            paginator.advance()

    def _skipped(self, skipped: Skipped) -> None:
        source = self._source
        what = source.describe(skipped)
        if not self._settings.skip_unreadable:
            msg = (
                f"{source.label}: the store cannot render {what} ({skipped.reason}). Fix it in "
                "Magento, or set skip_unreadable_records to true to skip it and go on."
            )
            raise FatalAPIError(msg)
        source.logger.warning(
            "%s: skipped %s: the store cannot render it (%s)", source.label, what, skipped.reason
        )


def log_summary(source: ListSource, progress: Progress, summary: PassSummary) -> None:
    """A pass's last line: what it read, why it stopped, what it retried and skipped."""
    repeats = f" (keys {list(summary.repeated_keys)}...)" if summary.repeated else ""
    skipped = summary.skipped_records
    source.logger.log(
        logging.WARNING if skipped else logging.INFO,
        "%s: %d records emitted in %d pages, %d windows (stopped on %s), %.1f s at %.1f "
        "requests/s; %d repeated records dropped%s; %s; %d unreadable records skipped%s",
        progress.label, summary.records, summary.pages, summary.windows,
        summary.stopped_because, progress.elapsed_seconds(), progress.requests_per_second(),
        summary.repeated, repeats, progress.retry_summary(), skipped,
        f": {'; '.join(source.describe(s) for s in summary.skipped)}" if skipped else "",
    )  # fmt: skip
