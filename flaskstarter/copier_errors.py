"""Copier's exceptions, turned into flaskstarter errors at one boundary."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from flaskstarter.errors import (
    QUOTE_LIMIT,
    Aborted,
    AnswerError,
    RenderError,
    UpdateError,
    UsageError,
    quoted,
)


@contextlib.contextmanager
def translated(
    *, updating: bool = False, answers: Mapping[str, Any] | None = None
) -> Iterator[None]:
    """Re-raise Copier's errors as FlaskstarterError with a one-line message.

    A template's validator may quote the answer it refuses (`'…' is not an e-mail address`):
    a long one from `answers` is shortened in the message.
    """
    from copier import errors as copier
    from plumbum import ProcessExecutionError

    failure = UpdateError if updating else RenderError
    try:
        yield
    except KeyboardInterrupt as interrupt:
        raise Aborted.by(interrupt) from interrupt
    except copier.InteractiveSessionError as error:
        raise UsageError(
            "No terminal to ask questions on: add --defaults (-y), and give answers with "
            "--data key=value or --data-file FILE."
        ) from error
    except copier.UnsafeTemplateError as error:
        raise failure(f"The template asks for unsafe features: {one_line(error)}") from error
    except copier.UserMessageError as error:
        raise failure(one_line(error)) from error
    except (copier.ConfigFileError, copier.PathError) as error:
        raise failure(f"The template is not usable: {one_line(error)}") from error
    except copier.InvalidTypeError as error:
        raise AnswerError(one_line(error)) from error
    except copier.CopierError as error:
        raise failure(one_line(error)) from error
    except ValueError as error:
        raise AnswerError(_shortened(one_line(error), answers or {})) from error
    except ProcessExecutionError as error:
        # git failed: usually a template source that cannot be reached or a ref it lacks.
        raise failure(f"git could not fetch the template: {git_reason(error)}") from error
    except OSError as error:
        raise failure(f"Cannot write the project: {one_line(error)}") from error


def one_line(error: BaseException) -> str:
    """The error's message on one line."""
    return " ".join(str(error).split()) or type(error).__name__


def git_reason(error: BaseException) -> str:
    """The last meaningful line git printed, e.g. "repository '...' does not exist"."""
    stderr = str(getattr(error, "stderr", "") or "")
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else one_line(error)


def _shortened(message: str, answers: Mapping[str, Any]) -> str:
    """The message with every long answer it quotes cut to a short quote."""
    for value in answers.values():
        if isinstance(value, str) and len(value) > QUOTE_LIMIT:
            whole = " ".join(value.split())
            message = message.replace(f"'{whole}'", quoted(value)).replace(whole, quoted(value))
    return message
