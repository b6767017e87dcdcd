"""Which selected streams this store and these credentials can read, asked before a sync.

Each stream is asked for one record of its first partition. A store without the module behind
a route (Magento Open Source has no returns or companies; MSI can be disabled; Adobe Commerce
as a Cloud Service answers fewer routes) answers 404 "Request does not match any route"; a
token scoped to some resources answers 401 naming the one it lacks. Both are normal set-ups:
the stream is skipped with one warning, before anything of it is written (a full-table
stream's ACTIVATE_VERSION would otherwise tell the target to drop its rows). Any other failure
(no store at ``store_url``, wrong credentials, a firewall) propagates: it is the run's error.

``tap-magento --test`` reports the same check without syncing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tap_magento.front_door.diagnosis import one_line
from tap_magento.front_door.errors import AccessRefused, RouteMissing, UnreadableRecords
from tap_magento.streams.lists import ListStream


@dataclass(frozen=True)
class StreamAccess:
    stream: str
    missing: str | None = None  # why it cannot be read, for a person; None: readable
    error: AccessRefused | RouteMissing | None = None

    @property
    def readable(self) -> bool:
        return self.error is None


def check_access(streams: Iterable[ListStream]) -> list[StreamAccess]:
    """Ask every stream for one record; a missing route or resource is noted, not raised."""
    found = []
    for stream in streams:
        try:
            stream.probe()
        except AccessRefused as refused:
            why = (
                f"lacks ACL resource {refused.resource}" if refused.resource else one_line(refused)
            )
            found.append(StreamAccess(stream.name, why, refused))
        except RouteMissing as missing:
            module = stream.module or "the module that serves it"
            why = f"the store has no route GET {stream.path}: {module} is not installed"
            found.append(StreamAccess(stream.name, why, missing))
        except UnreadableRecords:
            # The route exists and may be read; the sync narrows the record at fault down.
            found.append(StreamAccess(stream.name))
        else:
            found.append(StreamAccess(stream.name))
    return found


@dataclass(frozen=True)
class Verdict:
    passed: bool  # the store answered, and at least one stream may be read
    warnings: list[str]  # one per stream that cannot be read
    summary: str


def verdict(found: list[StreamAccess]) -> Verdict:
    readable = [access.stream for access in found if access.readable]
    unreadable = [access for access in found if not access.readable]
    warnings = [f"{access.stream}: not readable: {access.missing}" for access in unreadable]
    if not readable:  # then the credentials are wrong, or the store is not where it is said
        return Verdict(False, [], f"Connection test failed: {nothing_readable(unreadable)}")
    summary = (
        f"Connection test passed: the store answered and the credentials may read "
        f"{len(readable)} of {len(found)} streams ({', '.join(readable)})"
    )
    if unreadable:
        summary += (
            f"; not {', '.join(a.stream for a in unreadable)}: grant those ACL resources, "
            "install those modules, or deselect the streams"
        )
    return Verdict(True, warnings, summary)


def nothing_readable(unreadable: list[StreamAccess]) -> str:
    """Why not one of the streams can be read, in one line."""
    if not unreadable:
        return "no streams are selected"
    errors = [access.error for access in unreadable if access.error is not None]
    if all(isinstance(error, AccessRefused) for error in errors):
        return f"the store refused every stream ({one_line(errors[0])})"
    if all(isinstance(error, RouteMissing) for error in errors):
        return f"no stream's route exists: {one_line(errors[0])}"
    streams = "; ".join(f"{a.stream}: {a.missing}" for a in unreadable)
    return f"none of the selected streams can be read ({streams})"
