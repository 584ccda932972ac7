"""Errors a user can act on: raised by the core, printed by the CLI alone."""

from __future__ import annotations

import signal
from typing import Any

# Longest piece of a user's value that a message quotes.
QUOTE_LIMIT = 40


class FlaskstarterError(Exception):
    """Base class: the message says what went wrong and what to do."""


class UsageError(FlaskstarterError):
    """The command line or an answers file is not something flaskstarter can use."""


class DestinationError(FlaskstarterError):
    """The destination folder cannot receive a new project."""


class AnswerError(FlaskstarterError):
    """An answer does not fit its question."""


class RenderError(FlaskstarterError):
    """Copier could not render the template."""


class UpdateError(FlaskstarterError):
    """A project cannot be updated from its template."""


class Aborted(FlaskstarterError):
    """The user stopped the command (Ctrl-C, SIGTERM, SIGHUP); nothing was left behind."""

    def __init__(self, message: str = "Aborted.", *, exit_code: int = 128 + signal.SIGINT) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    @classmethod
    def by(cls, interrupt: BaseException, message: str = "Aborted.") -> Aborted:
        """The abort a KeyboardInterrupt (or a signal raised as one) stands for: 128 + signal."""
        number = int(signal.SIGINT)
        cause: BaseException | None = interrupt
        while cause is not None:  # Copier wraps an interrupt during a prompt in its own
            if hasattr(cause, "signal_number"):
                number = int(cause.signal_number)
                break
            cause = cause.__cause__ or cause.__context__
        return cls(message, exit_code=128 + number)


def quoted(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """`value` as a message quotes it: repr(), cut to `limit` characters when it is longer."""
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return f"{value[:limit]!r}… ({len(value):,} characters)"
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"
