"""SIGTERM and SIGHUP handled as Ctrl-C is: a KeyboardInterrupt the core cleans up after."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator

# SIGHUP does not exist on Windows.
_RAISED = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
_HELD = (signal.SIGINT, *_RAISED)


class Interrupted(KeyboardInterrupt):
    """A signal that stops the command; `signal_number` gives its exit code (128 + it)."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = signal_number


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise Interrupted where the code is."""
    with signals_handled_by(_raise):
        yield


@contextlib.contextmanager
def signals_handled_by(handler: Callable[[int], None]) -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP call `handler(signal number)`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {
        number: signal.signal(number, lambda number, frame: handler(number)) for number in _RAISED
    }
    try:
        yield
    finally:
        for number, earlier in previous.items():
            signal.signal(number, earlier)


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Delay Ctrl-C, SIGTERM and SIGHUP until the block is done (a move must not stop halfway)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _raise(number: int) -> None:
    raise Interrupted(number)
