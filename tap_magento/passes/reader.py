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

import msgspec
from singer_sdk.exceptions import FatalAPIError

from tap_magento.errors import PageCut, PageTooBig, UnreadableRecords
from tap_magento.passes.paging import WindowPaginator, cursor_of, key_of
from tap_magento.passes.sizing import ANSWER_BYTES, PageCeiling
from tap_magento.retry import Cause, Retries

if TYPE_CHECKING:
    from tap_magento.passes.cursor import Cursor
    from tap_magento.passes.paging import Page
    from tap_magento.passes.source import ListSource
    from tap_magento.passes.summary import PassSummary, Record, Skipped
    from tap_magento.progress import Progress
    from tap_magento.search_criteria import FilterGroup
    from tap_magento.stopping import Clock, Stop

# While narrowing a page down, a failing page is only halved again: retrying would not help.
NARROWING = Retries({Cause.SERVER_ERROR: 1, Cause.GATEWAY_CUT: 1})
# A page the gateway cut is asked for smaller, not again at its size.
SHRINKING = Retries({Cause.GATEWAY_CUT: 1})


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
    # The smallest page a page the store's gateway cut is asked for again at (``sizing``).
    min_page_size: int = 10


@dataclass(frozen=True)
class PassRun:
    """What the readers of one pass share: the run's clock and stop, the pass's page ceiling."""

    clock: Clock
    stop: Stop
    ceiling: PageCeiling


class PassReader:
    """Reads a list, or the part of it within ``bounds``, page by page, once."""

    def __init__(
        self,
        source: ListSource,
        settings: ReadSettings,
        progress: Progress,
        run: PassRun,
        *,
        bounds: tuple[FilterGroup, ...] = (),
        keys_only: bool = False,
        holding: Callable[[int], AbstractContextManager[None]] = lambda _: nullcontext(),
    ) -> None:
        self._source = source
        # Entered with a page's JSON bytes while it is decoded and its records handed on: a
        # parallel pass limits what its readers hold at once.
        self._holding = holding
        # The JSON bytes a record of the page being handed on took (its page's share).
        self.record_json = 0.0
        self._settings = settings
        self._progress = progress
        self._run = run
        # The key pass is sorted by the key alone, whatever the list's cursor.
        cursor_fields = source.record_key if keys_only else source.cursor_fields
        wanted = settings.page_size
        self._paginator = WindowPaginator(
            lambda: run.ceiling.limit(wanted),
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
        paginator, ceiling, clock = self._paginator, self._run.ceiling, self._run.clock
        while not paginator.finished:
            cursor = paginator.current
            shrinks = not paginator.narrowing and ceiling.can_shrink(cursor.size)
            retries = SHRINKING if shrinks else NARROWING if paginator.narrowing else None
            started = clock.now()
            byte_cap = (
                ANSWER_BYTES if cursor.size > 1 else None
            )  # a record alone: whatever it takes
            try:
                content = self._source.fetch(cursor, self._progress, retries, byte_cap)
            except PageCut as cut:
                if shrinks:
                    self._cut(cursor, clock.now() - started)
                else:  # as small as pages get: narrowed down like an unreadable page
                    paginator.unreadable(str(cut))
                continue
            except UnreadableRecords as failure:
                paginator.unreadable(str(failure))
                continue
            except PageTooBig as too_big:
                self._weighed(cursor.size, too_big.seen, cursor.size, read=False)
                paginator.resize(ceiling.limit(self._settings.page_size))
                continue
            ceiling.answered(cursor.size, clock.now() - started, self._settings.page_size)
            content_bytes = len(content)
            with self._holding(content_bytes):
                page = self._source.parse(content)
                # Gone once decoded: a page of full orders is a few MB of JSON.
                del content
                self._weighed(len(page.records), content_bytes, cursor.size, read=True)
                if content_bytes > ceiling.page_bytes:
                    self._warn_big_records(page)
                self.record_json = content_bytes / max(1, len(page.records))
                fresh = paginator.fresh_records(page)
                del page
                for record in fresh:
                    self._progress.emitted(record)
                yield from fresh
                del fresh
            paginator.advance()

    def _weighed(self, records: int, content_bytes: int, size: int, *, read: bool) -> None:
        """What an answer's bytes tell the pass's page size; said once per stream."""
        smaller = self._run.ceiling.weighed(records, content_bytes)
        if smaller is None:
            return
        source = self._source
        what = "held" if read else "went on beyond"
        message = "%s: a page of %d %s %.1f MiB of JSON; reading pages of %d"
        args = (source.label, size, what, content_bytes / 2**20, smaller)
        if not source.warn_once("big answers", message, *args):
            source.logger.info(message, *args)

    def _warn_big_records(self, page: Page) -> None:
        """Every record that alone is over a page's bytes: read all the same."""
        source, limit = self._source, self._run.ceiling.page_bytes
        for record in page.records:
            record_json = len(msgspec.json.encode(record))
            if record_json > limit:
                key = ", ".join(f"{name} {record.get(name)}" for name in source.record_key)
                source.logger.warning(
                    "%s: %s alone takes %.1f MiB of JSON, more than a page's %.0f MiB: read "
                    "all the same (pages that hold it shrink to it alone at the smallest)",
                    source.label, key, record_json / 2**20, limit / 2**20,
                )  # fmt: skip

    def _cut(self, cursor: Cursor, seconds: float) -> None:
        cut = self._run.ceiling.cut(cursor.size, seconds)
        self._paginator.resize(cut.size)
        source = self._source
        message = "%s: the store's gateway cut a page of %d after %.0f s; reading pages of %d"
        args = (source.label, cursor.size, seconds, cut.size)
        if not source.warn_once("gateway cut", message, *args):
            source.logger.info(message, *args)

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
