"""One reader of one list: page after page, from its first request to its last record.

A reader owns everything that lives exactly as long as its reading: the paginator (cursor,
windows, narrowing) and the summary. Nothing of it is kept on the stream, so a second pass, a
slice, or a pass started again at a smaller page size, starts clean.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from singer_sdk.exceptions import FatalAPIError

from tap_magento.front_door.causes import Cause
from tap_magento.front_door.errors import PageCut, PageTooBig, UnreadableRecords
from tap_magento.front_door.retry import Retries
from tap_magento.passes.paging import WindowPaginator, cursor_of, key_of
from tap_magento.passes.sizing import ANSWER_BYTES, PageCeiling, PageSize, StoreMaximum

if TYPE_CHECKING:
    from tap_magento.front_door.client import StoreClient
    from tap_magento.passes.cursor import Cursor
    from tap_magento.passes.decoding import Page, RecordJson
    from tap_magento.passes.spec import ListSpec
    from tap_magento.passes.summary import PassSummary, Record, Skipped
    from tap_magento.progress import Progress
    from tap_magento.search_criteria import FilterGroup

# While narrowing a page down, a failing page is only halved again: retrying would not help.
NARROWING = Retries({Cause.SERVER_ERROR: 1, Cause.GATEWAY_CUT: 1})
# A page the gateway cut is asked for smaller, not again at its size.
SHRINKING = Retries({Cause.GATEWAY_CUT: 1})


@dataclass(frozen=True)
class ReadSettings:
    """How the passes of a run read: what the settings say, once."""

    page_size: PageSize
    # 1: keyset paging (every request page 1 after the last record read); more: that many
    # numbered pages before the window moves.
    pages_per_window: int
    skip_unreadable: bool
    workers: int = 1
    # The smallest page a page the store's gateway cut is asked for again at (``sizing``).
    min_page_size: int = 10
    # What the store has said of its largest page, for every pass of the run.
    store_maximum: StoreMaximum = field(default_factory=StoreMaximum, compare=False)


@dataclass(frozen=True)
class PassSetup:
    """What every reader of one pass shares: the list, the client that asks the store, how
    to read, the progress line, and the pass's page ceiling."""

    spec: ListSpec
    client: StoreClient
    settings: ReadSettings
    progress: Progress
    ceiling: PageCeiling

    def ask(
        self, cursor: Cursor, retries: Retries | None = None, byte_cap: int | None = None
    ) -> bytes:
        """The JSON of the page at ``cursor``."""
        return self.client.ask(self.spec.request(cursor), self.progress, retries, byte_cap)

    def page(self, content: bytes) -> Page:
        return self.spec.page(content)


class PassReader:
    """Reads a list, or the part of it within ``bounds``, page by page, once."""

    def __init__(
        self,
        setup: PassSetup,
        *,
        bounds: tuple[FilterGroup, ...] = (),
        keys_only: bool = False,
        holding: Callable[[int], AbstractContextManager[None]] = lambda _: nullcontext(),
    ) -> None:
        self._setup = setup
        # Entered with a page's JSON bytes while it is split and its records handed on: a
        # parallel pass limits what its readers hold at once.
        self._holding = holding
        spec, settings = setup.spec, setup.settings
        # The key pass is sorted by the key alone, whatever the list's cursor.
        cursor_fields = spec.record_key if keys_only else spec.cursor_fields
        self._paginator = WindowPaginator(
            lambda: setup.ceiling.limit(settings.page_size),
            key_of(spec.record_key),
            cursor_of(cursor_fields) if cursor_fields else None,
            settings.pages_per_window,
            on_skip=self._skipped,
            bounds=(*spec.bounds, *bounds),
            keys_only=keys_only,
        )

    @property
    def summary(self) -> PassSummary:
        return self._paginator.summary

    def records(self) -> Iterator[Record]:
        """Every record of the list once, in the order the store sorted them."""
        for page, fresh in self.pages():
            for position in fresh:
                yield page.record(position)

    def page_jsons(self) -> Iterator[list[RecordJson]]:
        """Every page's records as :meth:`records`, as their JSON: decoded by whoever emits
        them."""
        for page, fresh in self.pages():
            yield [page.json(position) for position in fresh]

    def pages(self) -> Iterator[tuple[Page, list[int]]]:
        """Every page read, with the positions of its new records (those the previous page
        did not have)."""
        setup, paginator = self._setup, self._paginator
        ceiling, clock, page_size = setup.ceiling, setup.client.clock, setup.settings.page_size
        while not paginator.finished:
            cursor = paginator.current
            shrinks = not paginator.narrowing and ceiling.can_shrink(cursor.size)
            retries = SHRINKING if shrinks else NARROWING if paginator.narrowing else None
            started = clock.now()
            # A record alone is read whatever it takes.
            byte_cap = ANSWER_BYTES if cursor.size > 1 else None
            try:
                content = setup.ask(cursor, retries, byte_cap)
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
                paginator.resize(ceiling.limit(page_size))
                continue
            ceiling.answered(cursor.size, clock.now() - started, page_size)
            content_bytes = len(content)
            with self._holding(content_bytes):
                page = setup.page(content)
                del content  # the page's records' JSON holds what is still needed of it
                self._weighed(len(page.records), content_bytes, cursor.size, read=True)
                if content_bytes > ceiling.page_bytes:
                    self._warn_big_records(page)
                fresh = paginator.fresh_positions(page)
                for position in fresh:
                    setup.progress.emitted(page.records[position])
                yield page, fresh
                del page
            paginator.advance()

    def _weighed(self, records: int, content_bytes: int, size: int, *, read: bool) -> None:
        """What an answer's bytes tell the pass's page size; said once per stream."""
        smaller = self._setup.ceiling.weighed(records, content_bytes)
        if smaller is None:
            return
        spec = self._setup.spec
        what = "held" if read else "went on beyond"
        message = "%s: a page of %d %s %.1f MiB of JSON; reading pages of %d"
        args = (spec.label, size, what, content_bytes / 2**20, smaller)
        if not spec.asker.warn_once("big answers", message, *args):
            spec.logger.info(message, *args)

    def _warn_big_records(self, page: Page) -> None:
        """Every record that alone is over a page's bytes: read all the same."""
        spec, limit = self._setup.spec, self._setup.ceiling.page_bytes
        for record, text in zip(page.records, page.texts, strict=True):
            if len(text) > limit:
                key = ", ".join(f"{name} {record.get(name)}" for name in spec.record_key)
                spec.logger.warning(
                    "%s: %s alone takes %.1f MiB of JSON, more than a page's %.0f MiB: read "
                    "all the same (pages that hold it shrink to it alone at the smallest)",
                    spec.label,
                    key,
                    len(text) / 2**20,
                    limit / 2**20,
                )

    def _cut(self, cursor: Cursor, seconds: float) -> None:
        size = self._setup.ceiling.cut(cursor.size, seconds)
        self._paginator.resize(size)
        spec = self._setup.spec
        message = "%s: the store's gateway cut a page of %d after %.0f s; reading pages of %d"
        args = (spec.label, cursor.size, seconds, size)
        if not spec.asker.warn_once("gateway cut", message, *args):
            spec.logger.info(message, *args)

    def _skipped(self, skipped: Skipped) -> None:
        spec = self._setup.spec
        what = spec.describe(skipped)
        if not self._setup.settings.skip_unreadable:
            msg = (
                f"{spec.label}: the store cannot render {what} ({skipped.reason}). Fix it in "
                "Magento, or set skip_unreadable_records to true to skip it and go on."
            )
            raise FatalAPIError(msg)
        spec.logger.warning(
            "%s: skipped %s: the store cannot render it (%s)", spec.label, what, skipped.reason
        )


def log_summary(setup: PassSetup, summary: PassSummary) -> None:
    """A pass's last line: what it read, why it stopped, what it retried and skipped."""
    spec, progress = setup.spec, setup.progress
    repeats = f" (keys {list(summary.repeated_keys)}...)" if summary.repeated else ""
    skipped = summary.skipped_records
    named = f": {'; '.join(spec.describe(s) for s in summary.skipped)}" if skipped else ""
    spec.logger.log(
        logging.WARNING if skipped else logging.INFO,
        "%s: %d records emitted in %d pages, %d windows (stopped on %s), %.1f s at %.1f "
        "requests/s; %d repeated records dropped%s; %s; %d unreadable records skipped%s",
        progress.label,
        summary.records,
        summary.pages,
        summary.windows,
        summary.stopped_because,
        progress.elapsed_seconds(),
        progress.requests_per_second(),
        summary.repeated,
        repeats,
        progress.retry_summary(),
        skipped,
        named,
    )
