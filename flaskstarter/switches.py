"""Answers on an update: the ones a team may change, and the ones a new version refuses.

A team changes answers with `flaskstarter update -d KEY=VALUE`. A switch is supported when
tests/test_upgrades.py proves it: the project, with a team's edits, takes it, installs,
migrates and passes its own tests. Everything else is refused with the reason, before Copier
runs; so are recorded answers that the new version's questions no longer accept.
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flaskstarter import copier_errors
from flaskstarter.errors import AnswerError, FlaskstarterError, UpdateError, quoted
from flaskstarter.use_cases import UseCase

# (question, from, to) per kind.
SWITCHES: dict[UseCase, tuple[tuple[str, Any, Any], ...]] = {
    UseCase.WEBSITE: (("database", "none", "sqlite"), ("auth", False, True)),
    UseCase.REST_API: (
        ("rate_limit", False, True),
        ("cors", False, True),
        ("api_auth", "none", "jwt"),
    ),
    UseCase.PROTOTYPE: (),
    UseCase.MICROSERVICE: (
        ("cache", "none", "redis"),
        ("worker", "none", "celery"),
        ("database", "none", "postgresql"),
        ("kubernetes", False, True),
    ),
}
# Free text shown in pages, the README and the package metadata: any new value is fine.
FREE_TEXT = frozenset({"project_name", "description", "author_name", "author_email"})
# Why the answers a team most often wants to change cannot change on an update.
REASONS = {
    "use_case": "the kind of project is its whole layout; generate a new project and move "
    "your code into it",
    "package_name": "it names the package every import, file path and setting uses; rename "
    "it by hand (git mv and a search-and-replace)",
    "api_framework": "flask-smorest and Flask-RESTful projects are written differently; "
    "generate a new project and move your code into it",
    "database": "an update moves no data between databases; move the data yourself, then set "
    "DATABASE_URL",
    "resource_name": "it names the resource's model, table, module, schemas and URLs, which "
    "your code and data use",
}


def check_switches(
    use_case: str, old_answers: Mapping[str, Any], new_answers: Mapping[str, Any]
) -> None:
    """Refuse, with a one-line reason, any answer change that is not a supported switch."""
    kind = UseCase(use_case)
    supported = SWITCHES[kind]
    for key, new in new_answers.items():
        old = old_answers.get(key, _default_of(key, old_answers))
        if key in FREE_TEXT or new == old or (key, old, new) in supported:
            continue
        change = f"{key} from {quoted(old)} to {quoted(new)}"
        if key in REASONS:
            raise UpdateError(f"An update cannot change {change}: {REASONS[key]}.")
        offered = ", ".join(f"{name} {a} -> {b}" for name, a, b in supported) or "none"
        raise UpdateError(
            f"An update cannot change {change} in a {kind.value} project; the supported "
            f"switches are: {offered} (and the free-text answers)."
        )


def _default_of(key: str, old_answers: Mapping[str, Any]) -> Any:
    """What an answer the project never recorded stands for (its question was not asked)."""
    if key == "auth":  # asked only with a database; without one a website has no accounts
        return False
    return None


def check_answers_accepted(target: str, old_answers: dict[str, Any], data: dict[str, Any]) -> None:
    """Refuse, before anything changes, answers the target version's questions refuse.

    Copier's update with defaults silently replaces a recorded answer that the new version
    refuses by the question's default (a resource `orders` would become `items`, its module,
    tests and migration replaced). Asking the new version's questions with every answer as
    data makes its validators speak instead.
    """
    import copier

    answers = {key: value for key, value in old_answers.items() if not key.startswith("_")}
    with tempfile.TemporaryDirectory(prefix="flaskstarter-answers-") as scratch:
        try:
            with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")
                with copier_errors.translated(updating=True):
                    copier.run_copy(
                        old_answers["_src_path"],
                        str(Path(scratch) / "project"),
                        data={**answers, **data},
                        vcs_ref=target,
                        defaults=True,
                        pretend=True,
                        quiet=True,
                        unsafe=False,
                    )
        except AnswerError as error:
            raise _refused(error, target, old_answers, data) from error


_REFUSED = re.compile(r"Validation error for question '(?P<key>\w+)': (?P<reason>.*)")


def _refused(
    error: AnswerError, target: str, old_answers: dict[str, Any], data: dict[str, Any]
) -> FlaskstarterError:
    found = _REFUSED.match(str(error))
    if found is None or found["key"] in data or found["key"] not in old_answers:
        return error
    key, reason = found["key"], found["reason"].rstrip(".")
    hint = (
        f"give another with -d {key}=..."
        if key in FREE_TEXT
        else f"the project stays on {old_answers['_commit']} (see README.md, Upgrades)"
    )
    return UpdateError(
        f"Version {target} no longer accepts {key}={quoted(old_answers[key])} ({reason}), and "
        f"plain copier update would replace it by the default; nothing was changed: {hint}."
    )
