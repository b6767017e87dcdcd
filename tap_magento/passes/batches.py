"""Records asked for by key, a request body of keys at a time (special prices by SKU).

A batch of a few hundred keys keeps each request cheap and the requests few. Stores, modules
and proxies may refuse big bodies: Magento's input limits answer ``Maximum items of type
"string" is N`` (then batches are N keys), a proxy 413 and a gateway a cut (then they are
halved), and the run goes on at the size the store takes, for every later batch of the pass.
An answer fails whole when one of its keys is gone (a product deleted since its SKU was
read): such a batch is halved until the gone key is alone, and that key is skipped, logged and
counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tap_magento.front_door.causes import Cause
from tap_magento.front_door.errors import BatchRefused, PageCut, UnreadableRecords
from tap_magento.front_door.retry import Retries
from tap_magento.passes.decoding import decoded
from tap_magento.progress import Progress

if TYPE_CHECKING:
    import logging

    from tap_magento.front_door.client import StoreClient, StoreRequest

# Keys a batch starts at: hundreds keep a request cheap (a few KB each way per key).
BATCH_KEYS = 500
# A cut batch is asked for smaller at once, not again at its size.
CUT_ONCE = Retries({Cause.GATEWAY_CUT: 1})


@dataclass
class _Batches:
    """One read's requests: how to ask, and what it has learned and skipped so far."""

    request: Callable[[list[str]], StoreRequest]
    client: StoreClient
    progress: Progress
    logger: logging.Logger
    label: str
    batch_keys: int = BATCH_KEYS  # what the store took last
    requests: int = 0
    skipped_keys: int = 0

    def ask(self, batch: list[str]) -> list[dict[str, Any]]:
        """One batch's records; a batch that fails for a gone key is halved down to it."""
        self.requests += 1
        try:
            body = decoded(self.client.ask(self.request(batch), self.progress, CUT_ONCE))
        except UnreadableRecords as gone:
            if getattr(gone, "cause", None) is not Cause.ENTITY_MISSING:
                raise
            if len(batch) == 1:
                self.skipped_keys += 1
                self.logger.warning(
                    "%s: skipped key %s: the store answered %s", self.label, batch[0], gone
                )
                return []
            half = len(batch) // 2
            return [*self.ask(batch[:half]), *self.ask(batch[half:])]
        if not isinstance(body, list):
            return []
        return [record for record in body if isinstance(record, dict)]


def read_in_batches(
    keys: Sequence[str],
    request: Callable[[list[str]], StoreRequest],
    client: StoreClient,
    *,
    label: str,
    logger: logging.Logger,
    batch_keys: int = BATCH_KEYS,
) -> Iterator[dict[str, Any]]:
    """The records the store answers for ``keys``, ``batch_keys`` at a time at most."""
    progress = Progress(label, logger, timestamp_field=None)
    summary = _Batches(request, client, progress, logger, label, batch_keys)
    start = 0
    while start < len(keys):
        batch = list(keys[start : start + summary.batch_keys])
        try:
            records = summary.ask(batch)
        except BatchRefused as refused:
            smaller = refused.maximum or len(batch) // 2
            if not 0 < smaller < len(batch):
                raise
            logger.warning(
                "%s: the store refused %d keys a request (%s); continuing with %d",
                label, len(batch), refused, smaller,
            )  # fmt: skip
            summary.batch_keys = smaller
            continue
        except PageCut as cut:
            if len(batch) == 1:
                raise
            summary.batch_keys = max(1, len(batch) // 2)
            logger.warning(
                "%s: the store's gateway cut a request of %d keys (%s); continuing with %d",
                label, len(batch), cut, summary.batch_keys,
            )  # fmt: skip
            continue
        for record in records:
            progress.emitted(record)
            yield record
        start += len(batch)
    logger.log(
        30 if summary.skipped_keys else 20,
        "%s: %d records for %d keys in %d requests (%d keys a request at the end); %d keys "
        "skipped (gone from the store); %s",
        label, progress.records, len(keys), summary.requests, summary.batch_keys,
        summary.skipped_keys, progress.retry_summary(),
    )  # fmt: skip
