"""Free-text answers cannot break generated code: quotes, newlines, braces, unicode, emoji."""

from __future__ import annotations

import py_compile
import re
import tomllib
import warnings
from pathlib import Path

import jinja2
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flaskstarter.use_cases import UseCase

REPO_ROOT = Path(__file__).resolve().parent.parent

# The answers that turn on the most files for each kind (more places for text to land).
RICHEST_ANSWERS = {
    UseCase.WEBSITE: {"database": "postgresql", "auth": True},
    UseCase.REST_API: {
        "database": "postgresql",
        "api_auth": "jwt",
        "cors": True,
        "rate_limit": True,
    },
    UseCase.PROTOTYPE: {},
    UseCase.MICROSERVICE: {
        "database": "postgresql",
        "cache": "redis",
        "worker": "celery",
        "kubernetes": True,
    },
}
NASTY = [
    '"',
    "'",
    "\\",
    "\\n",
    "\n",
    "{{ 7*7 }}",
    "{% if %}",
    "{#",
    "#",
    "${HOME}",
    "$(rm -rf /)",
    "`x`",
    "<script>alert(1)</script>",
    "]]",
    "[x]",
    "key: value",
    "- item",
    "&anchor *alias",
    "!tag",
    "%",
    "@",
    "\t",
    "é",
    "日本",
    "🚀",
    "\u202e",
    "'''",
    '"""',
    "\u00a0",
]
# The validators refuse control characters and Unicode line separators (YAML would fold them
# in the answers file); tests/test_cli_errors.py proves that refusal.
REFUSED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
free_text = st.lists(
    st.one_of(
        st.sampled_from(NASTY), st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
    ),
    min_size=1,
    max_size=6,
).map("".join)
free_text = free_text.filter(lambda text: not REFUSED.search(text))
project_names = free_text.filter(lambda text: text.strip() and len(text) <= 100)
descriptions = free_text.filter(lambda text: len(text) <= 300)
# A name in pyproject's authors is one line: no tab or newline either.
authors = free_text.filter(lambda text: len(text) <= 100 and not re.search("[\t\n]", text))
# Hostile but valid: what packaging accepts (tests/test_cli_errors.py proves the refusals).
emails = st.sampled_from(
    ["o'neil@example.com", "x+{{y}}@example.com", "{%a%}#$&*`|~@example.com", "me@例え.jp"]
)


def _render(template: Path, destination: Path, answers: dict[str, object]) -> None:
    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_copy(str(template), str(destination), data=answers, defaults=True, quiet=True)


def _check_project(project: Path, answers: dict[str, object]) -> None:
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == answers["description"]
    assert pyproject["project"]["authors"][0] == {
        "name": answers["author_name"],
        "email": answers["author_email"],
    }
    for path in project.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix in {".yml", ".yaml"}:
            list(yaml.safe_load_all(path.read_text()))
        elif path.suffix == ".toml":
            tomllib.loads(path.read_text())
        elif path.suffix == ".py":
            py_compile.compile(str(path), doraise=True)
        elif path.suffix == ".html":
            jinja2.Environment().parse(path.read_text())
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    for key, value in answers.items():
        assert recorded[key] == value


@pytest.mark.parametrize("use_case", list(UseCase), ids=[use_case.value for use_case in UseCase])
@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    project_name=project_names, description=descriptions, author_name=authors, author_email=emails
)
def test_free_text_answers_keep_every_generated_file_valid(
    plain_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    use_case: UseCase,
    project_name: str,
    description: str,
    author_name: str,
    author_email: str,
) -> None:
    answers = {
        "use_case": use_case.value,
        "project_name": project_name,
        "package_name": "hostile",
        "description": description,
        "author_name": author_name,
        "author_email": author_email,
        **RICHEST_ANSWERS[use_case],
    }
    project = tmp_path_factory.mktemp("project")
    _render(plain_template, project, answers)
    _check_project(project, answers)
