"""Errors a user can act on: raised by the core, printed by the CLI alone."""

from __future__ import annotations


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
    """The user stopped the command (Ctrl-C); nothing was left behind."""

    def __init__(self, message: str = "Aborted.") -> None:
        super().__init__(message)
