"""Stopping a run that a scheduler or a person cancels (SIGTERM, SIGINT), and the run's clock.

After the signal no new request is sent and every wait is cut short; the run ends within a
second or so, with the exit status a shell gives a process killed by that signal (143, 130),
so that no scheduler counts a cut run as complete.

A signal handler runs in the main thread between two bytecodes, wherever that thread is. So it
only raises ``Cancelled`` at once where that is safe and needed: while the main thread waits for
an answer (``Stop.interruptible``), which may take minutes. Everywhere else it sets a flag, which
the run checks before each request, in each wait (a wait sleeps in short steps), and while a
parallel pass waits for its workers. A worker thread that is waiting for an answer finishes it,
then sends nothing more; the run does not wait for it.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Protocol

# How often a waiting thread looks at the flag: what a signal may wait for at most.
POLL_SECONDS = 0.2
EXIT_STATUS = {signal.SIGTERM: 143, signal.SIGINT: 130}  # 128 + the signal's number


class Cancelled(BaseException):
    """The run was told to stop. A ``BaseException``, like ``KeyboardInterrupt``: no
    ``except Exception`` of the SDK's or ours takes it for an error of the store's."""

    def __init__(self, signal_name: str, exit_status: int) -> None:
        super().__init__(f"stopped by {signal_name}")
        self.signal_name = signal_name
        self.exit_status = exit_status


class TargetGone(Cancelled):
    """The target stopped reading the tap's output (``target_pipe``)."""

    def __init__(self) -> None:
        super().__init__("a broken pipe", 1)


class Stop:
    """Whether the run has been told to stop; waits that end early when it is."""

    def __init__(self) -> None:
        self._cancelled: Cancelled | None = None  # set once, by the signal handler
        self._interruptible = 0  # the main thread's depth in interruptible regions

    @property
    def requested(self) -> bool:
        return self._cancelled is not None

    def check(self) -> None:
        """Raise ``Cancelled`` if the run has been told to stop."""
        if self._cancelled is not None:
            raise self._cancelled

    def wait(self, seconds: float) -> None:
        """Sleep ``seconds``, unless the run is told to stop first (then ``Cancelled``)."""
        end = time.monotonic() + seconds
        while True:
            self.check()
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, POLL_SECONDS))

    @contextmanager
    def interruptible(self) -> Iterator[None]:
        """In the main thread: a signal raises ``Cancelled`` right where the thread is (an
        answer it waits for is abandoned). Elsewhere it changes nothing."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        self.check()
        self._interruptible += 1
        try:
            yield
        finally:
            self._interruptible -= 1

    def halt(self, cancelled: Cancelled) -> None:
        """Stop the run for another reason than a signal (the target went away); the first
        reason is the one the run ends with."""
        if self._cancelled is None:
            self._cancelled = cancelled

    def request(self, signum: int) -> None:
        """What the signal handler does: remember the signal; raise where that is safe."""
        if self._cancelled is None:
            number = signal.Signals(signum)
            self._cancelled = (
                TargetGone()
                if number == signal.SIGPIPE
                else Cancelled(number.name, EXIT_STATUS.get(number, 128 + number))
            )
        if self._interruptible > 0:
            raise self._cancelled

    @contextmanager
    def on_signals(self) -> Iterator[None]:
        """SIGTERM and SIGINT stop the run while in this block (the main thread only), and so
        does SIGPIPE, which ``target_pipe`` sends when the target goes away."""

        def handle(signum: int, frame: FrameType | None) -> None:
            self.request(signum)

        numbers = (*EXIT_STATUS, signal.SIGPIPE)
        previous = {number: signal.signal(number, handle) for number in numbers}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)


class Clock(Protocol):
    """The run's time: what waits and timings read, and what tests replace."""

    def now(self) -> float:
        """Seconds on a clock that only goes forward."""
        ...

    def unix_time(self) -> float:
        """Seconds since 1970 (UTC), as another machine's clock reads them: one-time codes."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``; raise ``Cancelled`` as soon as the run is told to stop."""
        ...


class RunClock:
    """Real time, with waits a stop cuts short."""

    def __init__(self, stop: Stop) -> None:
        self._stop = stop

    def now(self) -> float:
        return time.monotonic()

    def unix_time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)
