"""``tap-magento --test``: can the tap reach the store, log in, and read each stream?

Each stream is asked for one record (of its first partition). Nothing is written to stdout:
this is a check, not a sync. A stream whose route the credentials may not use is reported with
the ACL resource the store names, and the check goes on: a token scoped to some streams is a
normal set-up (the others are deselected). Any other failure (no store at ``store_url``, wrong
credentials, a firewall) ends the check at once with the same one-line error a sync would give.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from dataclasses import dataclass

from tap_magento.client import MagentoStream
from tap_magento.diagnosis import one_line
from tap_magento.errors import AccessRefused


@dataclass(frozen=True)
class StreamAccess:
    stream: str
    refused_resource: str | None = None  # the ACL resource the store says is missing
    refusal: str | None = None  # the store's refusal, explained

    @property
    def readable(self) -> bool:
        return self.refusal is None


def check_access(streams: Iterable[MagentoStream]) -> list[StreamAccess]:
    """Read one record of every stream; a refusal is noted, other errors propagate."""
    found = []
    for stream in streams:
        context = stream.partitions[0] if stream.partitions else None
        records = stream.get_records(context)
        try:
            next(iter(records), None)  # an empty stream is readable too
        except AccessRefused as refused:
            found.append(StreamAccess(stream.name, refused.resource, one_line(refused)))
            continue
        finally:
            if isinstance(records, Generator):
                records.close()
        found.append(StreamAccess(stream.name))
    return found


@dataclass(frozen=True)
class Verdict:
    passed: bool  # the store answered, and at least one stream may be read
    warnings: list[str]  # one per stream the credentials may not read
    summary: str


def verdict(found: list[StreamAccess]) -> Verdict:
    readable = [access.stream for access in found if access.readable]
    refused = [access for access in found if not access.readable]
    warnings = [
        f"{access.stream}: not readable: lacks ACL resource {access.refused_resource}"
        if access.refused_resource
        else f"{access.stream}: not readable: {access.refusal}"
        for access in refused
    ]
    if not readable:  # then the credentials are wrong, or refused as a whole
        why = f"the store refused every stream ({refused[0].refusal})" if refused else "no streams"
        return Verdict(False, [], f"Connection test failed: {why}")
    summary = (
        f"Connection test passed: the store answered and the credentials may read "
        f"{len(readable)} of {len(found)} streams ({', '.join(readable)})"
    )
    if refused:
        summary += (
            f"; not {', '.join(a.stream for a in refused)}: grant those ACL resources or "
            "deselect the streams"
        )
    return Verdict(True, warnings, summary)
