"""Bad input: a one-line error, a non-zero exit, no traceback, nothing existing touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli, snapshot

# (case id, arguments after `new <dest>`, words the message must contain)
NEW_CASES = [
    ("unknown-kind", ["-k", "desktop", "-y"], "desktop"),
    ("unknown-option", ["--colour", "-y"], "--colour"),
    ("package-shadows-flask", ["-y", "-d", "package_name=flask"], "shadow"),
    ("package-shadows-test", ["-y", "-d", "package_name=test"], "shadow"),
    ("package-shadows-typing", ["-y", "-d", "package_name=typing"], "shadow"),
    ("package-shadows-site", ["-y", "-d", "package_name=site"], "shadow"),
    ("package-keyword", ["-y", "-d", "package_name=class"], "keyword"),
    ("package-digit-first", ["-y", "-d", "package_name=1app"], "not a valid package name"),
    ("package-dash", ["-y", "-d", "package_name=my-app"], "not a valid package name"),
    ("package-space", ["-y", "-d", "package_name=my app"], "not a valid package name"),
    ("package-slash", ["-y", "-d", "package_name=my/app"], "not a valid package name"),
    ("package-dots", ["-y", "-d", "package_name=.."], "not a valid package name"),
    ("package-lookalike", ["-y", "-d", "package_name=fl\u0430sk"], "not a valid package name"),
    ("package-empty", ["-y", "-d", "package_name="], "must not be empty"),
    ("package-too-long", ["-y", "-d", "package_name=" + "a" * 51], "at most 50"),
    ("project-name-empty", ["-y", "-d", "project_name=  "], "must not be empty"),
    ("project-name-nul", ["-y", "-d", "project_name=a\x00b"], "control characters"),
    ("project-name-line-separator", ["-y", "-d", "project_name=a\x85"], "control characters"),
    ("description-escape-char", ["-y", "-d", "description=\x1b[31mred"], "control characters"),
    ("bad-email", ["-y", "-d", "author_email=nobody"], "not an e-mail"),
    ("data-without-equals", ["-y", "-d", "project_name"], "key=value"),
    ("data-unknown-question", ["-y", "-d", "colour=blue"], "Unknown question 'colour'"),
    ("data-wrong-type", ["-y", "-k", "website", "-d", "auth=maybe"], "not a valid bool"),
    (
        "data-invalid-choice",
        ["-y", "-k", "website", "-d", "database=mysql"],
        "not one of the choices",
    ),
    ("disabled-choice", ["-y", "-k", "rest_api", "-d", "database=none"], "REST API stores"),
    ("celery-without-redis", ["-y", "-k", "microservice", "-d", "worker=celery"], "Redis"),
    ("no-terminal", ["-k", "prototype"], "--defaults"),
    ("vcs-ref-alone", ["-y", "--vcs-ref", "v1"], "--template-src"),
    ("unreachable-source", ["-y", "--template-src", "/nonexistent/templates"], "template"),
]


def _assert_clean_failure(code: int, out: str, err: str, expected: str) -> None:
    message = (err or out).strip()
    assert code != 0
    assert "Traceback" not in out + err
    assert len(message.splitlines()) == 1, message
    assert expected.lower() in message.lower(), message


@pytest.mark.parametrize(
    ("args", "expected"), [c[1:] for c in NEW_CASES], ids=[c[0] for c in NEW_CASES]
)
def test_new_refuses_bad_input(tmp_path: Path, args: list[str], expected: str) -> None:
    (tmp_path / "keep.txt").write_text("existing work")
    before = snapshot(tmp_path)

    code, out, err = run_cli("new", str(tmp_path / "demo"), *args)

    _assert_clean_failure(code, out, err, expected)
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "demo").exists()


def _non_empty(tmp_path: Path) -> Path:
    (tmp_path / "dest").mkdir()
    (tmp_path / "dest" / "app.py").write_text("print('mine')\n")
    return tmp_path / "dest"


def _a_file(tmp_path: Path) -> Path:
    (tmp_path / "dest").write_text("a file")
    return tmp_path / "dest"


def _inside_project(tmp_path: Path) -> Path:
    (tmp_path / "outer").mkdir()
    (tmp_path / "outer" / ".copier-answers.yml").write_text("_src_path: x\n")
    return tmp_path / "outer" / "inner"


def _under_proc(tmp_path: Path) -> Path:
    return Path("/proc/flaskstarter-cannot-write-here")


DESTINATION_CASES = [
    ("non-empty-folder", _non_empty, "not empty"),
    ("a-file", _a_file, "is a file"),
    ("inside-generated-project", _inside_project, "inside the generated project"),
    ("unwritable", _under_proc, "cannot write"),
    ("filesystem-root", lambda tmp_path: Path("/"), "root"),
]


@pytest.mark.parametrize(
    ("make_destination", "expected"),
    [c[1:] for c in DESTINATION_CASES],
    ids=[c[0] for c in DESTINATION_CASES],
)
def test_new_refuses_unusable_destinations(tmp_path: Path, make_destination, expected: str) -> None:
    destination = make_destination(tmp_path)
    before = snapshot(tmp_path)

    code, out, err = run_cli("new", str(destination), "-k", "prototype", "-y")

    _assert_clean_failure(code, out, err, expected)
    assert snapshot(tmp_path) == before


DATA_FILE_CASES = [
    ("missing", None, "Cannot read"),
    ("empty", "", "is empty"),
    ("not-yaml", "key: [unclosed", "not valid YAML"),
    ("not-a-mapping", "- a\n- b\n", "must be a mapping"),
    ("unknown-key", "colour: blue\n", "Unknown question"),
]


@pytest.mark.parametrize(
    ("content", "expected"), [c[1:] for c in DATA_FILE_CASES], ids=[c[0] for c in DATA_FILE_CASES]
)
def test_new_refuses_bad_answers_files(tmp_path: Path, content: str | None, expected: str) -> None:
    answers = tmp_path / "answers.yml"
    if content is not None:
        answers.write_text(content)
    before = snapshot(tmp_path)

    code, out, err = run_cli("new", str(tmp_path / "demo"), "-y", "--data-file", str(answers))

    _assert_clean_failure(code, out, err, expected)
    assert snapshot(tmp_path) == before


def test_missing_parent_folders_are_removed_again_on_failure(tmp_path: Path) -> None:
    before = snapshot(tmp_path)

    code, _, err = run_cli(
        "new", str(tmp_path / "a" / "b" / "demo"), "-y", "-d", "package_name=flask"
    )

    assert code == 1 and "shadow" in err
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "a").exists()


def test_missing_parent_folders_are_created(tmp_path: Path) -> None:
    code, _, err = run_cli("new", str(tmp_path / "a" / "b" / "demo"), "-k", "prototype", "-y")
    assert code == 0, err
    assert (tmp_path / "a" / "b" / "demo" / "pyproject.toml").exists()
