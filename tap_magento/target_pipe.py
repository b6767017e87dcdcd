"""The pipe to the target: when the target stops reading, the run stops, and says so.

A target that crashes or exits closes its end of the pipe. The tap's next write then fails
with a broken pipe, and ``TargetWriter`` turns that into the run's stop (``stopping.Stop``).
But the next write may be minutes away, while the run waits for a slow store, so ``watching``
also looks at the pipe itself: when it breaks, the run is stopped at once, the main thread's
wait for an answer included (by a SIGPIPE to it, which ``Stop.on_signals`` takes). Either way
no request is sent after it, parallel readers stop, and the command ends with one line and
exit status 1. The STATE the target confirmed before it died is where the next run resumes.
"""

from __future__ import annotations

import errno
import os
import select
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib import Message
from typing_extensions import override

from tap_magento.front_door.stopping import POLL_SECONDS, Stop, TargetGone

GONE_ERRNOS = {errno.EPIPE, errno.ECONNRESET, errno.EINVAL}
BROKEN = select.POLLERR | select.POLLHUP  # a pipe's write end without a reader


class TargetWriter(MsgSpecWriter):
    """The SDK's msgspec writer, for a target that may go away."""

    def __init__(self, stop: Stop | None = None) -> None:
        """``stop``: the run's (the tap's); a writer made without one stops nothing else."""
        super().__init__()
        self._stop = stop or Stop()

    @override
    def write_message(self, message: Message) -> None:
        try:
            super().write_message(message)
        except OSError as error:
            if error.errno not in GONE_ERRNOS:
                raise
            gone = TargetGone()
            self._stop.halt(gone)
            _discard_stdout()
            raise gone from None


def _discard_stdout() -> None:
    """Point stdout at /dev/null: what is still buffered for the dead pipe, and the flush at
    exit, then go nowhere instead of failing again ("Exception ignored ... BrokenPipeError")."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.close(null)


@contextmanager
def watching(stop: Stop) -> Iterator[None]:
    """While in this block, a broken stdout stops the run at once (the main thread's
    ``Stop.on_signals`` must be in effect). Stdout that is no pipe (a file, a terminal)
    never breaks."""
    ended = threading.Event()
    main = threading.main_thread().ident
    poller = select.poll()
    poller.register(sys.stdout.fileno(), 0)  # errors only: they are always reported

    def watch() -> None:
        while not ended.is_set():
            if any(events & BROKEN for _, events in poller.poll(POLL_SECONDS * 1000)):
                stop.halt(TargetGone())
                if main is not None and not ended.is_set():
                    signal.pthread_kill(main, signal.SIGPIPE)
                return

    watcher = threading.Thread(target=watch, name="target-pipe", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        ended.set()
