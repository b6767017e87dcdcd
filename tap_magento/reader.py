"""One pass over one paged list: from its first request to its summary line.

A pass is one stream's list for one partition (one store view of products, say). The reader
owns everything that lives exactly as long as the pass: the paginator (cursor, windows,
narrowing), the counts for the progress line and the summary. Nothing of it is kept on the
stream, so a second pass, or a pass started again at a smaller page size, starts clean.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from tap_magento.errors import UnreadableRecords
from tap_magento.paging import Page, WindowPaginator

if TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

    from tap_magento.narrowing import Cursor, Skipped
    from tap_magento.progress import Progress

Record = dict[str, Any]


class Pass(Protocol):
    """What reads a pass: one reader, slices in parallel, or the records chosen by key."""

    def records(self) -> Iterator[Record]: ...

    @property
    def emitted_any(self) -> bool: ...

    @property
    def skipped_any(self) -> bool:
        """Did the pass step past a record the store could not render?"""
        ...

    def log_summary(self) -> None: ...


class PassReader:
    """Reads one pass of a paged list, page by page, and says how it went.

    ``fetch`` sends one page's request and returns the validated response; ``parse`` turns a
    response into a :class:`Page`; ``describe`` names a skipped record for the log.
    """

    def __init__(
        self,
        progress: Progress,
        paginator: WindowPaginator,
        *,
        fetch: Callable[[Cursor, Progress, int | None], requests.Response],
        parse: Callable[[requests.Response], Page],
        describe: Callable[[Skipped], str],
        logger: logging.Logger,
    ) -> None:
        self.paginator = paginator
        self.progress = progress
        self._fetch = fetch
        self._parse = parse
        self._describe = describe
        self._logger = logger

    def records(self) -> Iterator[Record]:
        """Every record of the list once, in the order the store sorted them."""
        paginator = self.paginator
        while not paginator.finished:
            cursor = paginator.current_value
            # While narrowing, a failing page is only halved again: retrying it would not help.
            tries = 1 if paginator.narrowing.active(cursor) else None
            try:
                response = self._fetch(cursor, self.progress, tries)
            except UnreadableRecords as failure:
                paginator.unreadable(str(failure))
                continue
            fresh = paginator.fresh_records(self._parse(response))
            for record in fresh:
                self.progress.emitted(record)
                yield record
            if not fresh and not paginator.continue_if_empty(response):
                break
            paginator.advance(response)

    @property
    def emitted_any(self) -> bool:
        return self.paginator.summary.records > 0

    @property
    def skipped_any(self) -> bool:
        return bool(self.paginator.narrowing.skipped)

    def log_summary(self) -> None:
        """The pass's last line: what it read, why it stopped, what it retried and skipped."""
        summary = self.paginator.summary
        skipped = self.paginator.narrowing.skipped
        repeats = f" (keys {summary.repeated_keys}...)" if summary.repeated else ""
        skipped_count = sum(s.count for s in skipped)
        progress = self.progress
        self._logger.log(
            logging.WARNING if skipped_count else logging.INFO,
            "%s: %d records emitted in %d pages, %d windows (stopped on %s), %.1f s at %.1f "
            "requests/s; %d repeated records dropped%s; %s; %d unreadable records skipped%s",
            progress.label, summary.records, summary.pages, summary.windows,
            summary.stopped_because, progress.elapsed_seconds(), progress.requests_per_second(),
            summary.repeated, repeats, progress.retry_summary(), skipped_count,
            f": {'; '.join(self._describe(s) for s in skipped)}" if skipped_count else "",
        )  # fmt: skip


def pass_label(stream_name: str, context: Context | None) -> str:
    """``orders``, or ``products {'store_code': 'de'}`` for one partition."""
    return f"{stream_name} {dict(context)}" if context else stream_name
