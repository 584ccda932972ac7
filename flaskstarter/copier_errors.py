"""Copier's exceptions, turned into flaskstarter errors at one boundary."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flaskstarter.errors import Aborted, AnswerError, RenderError, UpdateError, UsageError


@contextlib.contextmanager
def translated(*, updating: bool = False) -> Iterator[None]:
    """Re-raise Copier's errors as FlaskstarterError with a one-line message."""
    from copier import errors as copier
    from plumbum import ProcessExecutionError

    failure = UpdateError if updating else RenderError
    try:
        yield
    except KeyboardInterrupt as interrupt:
        raise Aborted() from interrupt
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
        raise AnswerError(one_line(error)) from error
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
