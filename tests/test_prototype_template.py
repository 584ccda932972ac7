"""The prototype template: the fewest files that still make a real, tested app."""

from __future__ import annotations

import contextlib
import http.client
import json
import py_compile
import tomllib
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXPECTED_FILES = {
    ".copier-answers.yml",
    ".env.example",
    ".github/workflows/ci.yml",
    ".github/workflows/template-update.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "README.md",
    "pyproject.toml",
    "{pkg}/__init__.py",
    "{pkg}/static/app.js",
    "{pkg}/static/style.css",
    "{pkg}/templates/index.html",
    "tests/conftest.py",
    "tests/test_app.py",
}


def _render(copie, **answers):
    result = copie.copy(extra_answers={"use_case": "prototype", **answers}, vcs_ref="HEAD")
    assert result.exit_code == 0, result.exception
    return result


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"project_name": "Tiny Thing", "package_name": "tiny"},
        {"project_name": 'He said "hi" \\ it\'s <b>', "description": "multi\nline # not a comment"},
    ],
    ids=["defaults", "custom-names", "hostile-text"],
)
def test_prototype_renders_the_minimal_file_set(copie, answers: dict[str, str]) -> None:
    result = _render(copie, **answers)
    project: Path = result.project_dir
    package = result.answers["package_name"]

    files = {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}
    assert files == {name.format(pkg=package) for name in EXPECTED_FILES}

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == result.answers["description"]
    assert "flask-migrate" not in str(pyproject["project"]["dependencies"]).lower()
    for path in project.rglob("*.py"):
        py_compile.compile(str(path), doraise=True)
    for path in [*project.rglob("*.yml"), *project.rglob("*.yaml")]:
        yaml.safe_load(path.read_text())


def test_project_name_is_kept_exactly_in_the_app(copie) -> None:
    name = 'Quotes " and \\ and \u00e9 \U0001f680'
    result = _render(copie, project_name=name, package_name="quotes")

    namespace: dict[str, object] = {}
    source = (result.project_dir / "quotes" / "__init__.py").read_text()
    line = next(line for line in source.splitlines() if line.startswith("PROJECT_NAME = "))
    exec(line, namespace)
    assert namespace["PROJECT_NAME"] == name


def test_answers_file_records_every_answer_and_no_secret(copie) -> None:
    result = _render(copie, project_name="Notes")
    answers = yaml.safe_load((result.project_dir / ".copier-answers.yml").read_text())
    assert answers["use_case"] == "prototype"
    assert answers["project_name"] == "Notes"
    assert not any("secret" in key.lower() for key in answers)


@pytest.mark.slow
def test_flask_run_works_straight_after_install_with_no_configuration(tmp_path: Path) -> None:
    """The prototype's promise: `flask --app <pkg> run --debug` with nothing set up."""
    import subprocess
    import time

    from flaskstarter.smoke.project_env import create_and_install
    from flaskstarter.smoke.serve import free_port, get
    from tests.helpers import run_cli

    code, _, err = run_cli("new", str(tmp_path / "demo"), "-k", "prototype", "-y")
    assert code == 0, err
    (tmp_path / "demo" / ".env").unlink()  # "no configuration": not even the generated .env
    env, installed = create_and_install(tmp_path / "demo", tmp_path / "venv")
    assert installed.ok, installed.tail()
    port = free_port()
    server = subprocess.Popen(
        [str(env.bin / "flask"), "--app", "demo", "run", "--debug", "--port", str(port)],
        cwd=env.project,
        env=env.environ(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                assert time.monotonic() < deadline, "flask run did not answer"
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                time.sleep(0.2)
        assert page.status == 200 and "No notes yet." in page.body
        assert get(f"http://127.0.0.1:{port}/api/notes").body.strip() == "[]"
    finally:
        server.terminate()
        server.wait(timeout=10)


# --- Served: client input never causes a 5xx (issue 13, item 4)


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes


def _post(base_url: str, body: bytes | Iterator[bytes], content_type: str, **kwargs: Any) -> Reply:
    """POST /api/notes; a body given as chunks goes out chunked (no Content-Length)."""
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        # The server may answer (413) and close before it has read the whole body, as it
        # should: its answer is then waiting in the socket.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.request(
                "POST", "/api/notes", body=body, headers={"Content-Type": content_type}, **kwargs
            )
        response = connection.getresponse()
        return Reply(response.status, response.getheader("Content-Type") or "", response.read())
    finally:
        connection.close()


@pytest.fixture(scope="module")
def served_prototype(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The default prototype under gunicorn, as its README starts it; its base URL and log."""
    from flaskstarter.smoke.project_env import create_and_install
    from flaskstarter.smoke.serve import served
    from tests.helpers import run_cli

    folder = tmp_path_factory.mktemp("served-prototype")
    code, _, err = run_cli("new", str(folder / "demo"), "-k", "prototype", "-y", "--no-git")
    assert code == 0, err
    env, installed = create_and_install(folder / "demo", folder / "venv")
    assert installed.ok, installed.tail()
    log = folder / "gunicorn.log"
    with served(env, "demo", {}, log) as base_url:
        yield base_url, log


def _assert_no_traceback(log: Path) -> None:
    text = log.read_text(errors="replace")
    assert "Traceback" not in text and "Exception on" not in text, text[-3000:]


HOSTILE_BODIES = [
    pytest.param(b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 422, id="nested-100k"),
    pytest.param(
        b'{"text": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001, 422, id="nested-objects"
    ),
    pytest.param(b'{"text": ' + b"1" * 5_000 + b"}", 422, id="5000-digit-number"),
    pytest.param(b'{"text": 1e999999}', 422, id="huge-exponent"),
    pytest.param(b'{"text": NaN}', 422, id="nan"),
    pytest.param('{"text": ١٢٣}'.encode(), 422, id="arabic-indic-digits"),
    pytest.param('{"text": "x"}'.encode("utf-16"), 201, id="utf-16"),
    pytest.param(b'{"text": "\xff\xfe"}', 422, id="invalid-utf-8"),
    pytest.param(b'{"text": "' + b"x" * 900_000 + b'"}', 422, id="900-KB-text"),
    pytest.param(b'{"text": "' + b"x" * (2 * 1024 * 1024) + b'"}', 413, id="2-MiB-body"),
    pytest.param(b"[" * 1_000, 422, id="unterminated"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("body", "status"), HOSTILE_BODIES)
def test_the_served_prototype_answers_hostile_json_with_a_4xx_and_no_traceback(
    served_prototype: tuple[str, Path], body: bytes, status: int
) -> None:
    base_url, log = served_prototype

    reply = _post(base_url, body, "application/json")

    assert reply.status == status, reply.body[:300]
    assert reply.content_type.startswith("application/json")
    _assert_no_traceback(log)


@pytest.mark.slow
def test_the_served_prototype_reads_a_chunked_body_no_further_than_the_limit(
    served_prototype: tuple[str, Path],
) -> None:
    base_url, log = served_prototype
    body = b'{"text": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    chunks = (body[start : start + 65536] for start in range(0, len(body), 65536))

    reply = _post(base_url, chunks, "application/json", encode_chunked=True)

    # werkzeug reads a body of unknown length no further than MAX_CONTENT_LENGTH: the JSON that
    # arrives is cut off there, so it is an invalid note.
    assert reply.status == 422, reply.body[:300]
    assert reply.content_type.startswith("application/json")
    _assert_no_traceback(log)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**60), max_value=10**60)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=600),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children),
    max_leaves=30,
)
NOTE_BODIES = st.one_of(
    st.builds(lambda text: json.dumps({"text": text}).encode(), JSON_VALUES),
    st.builds(lambda value: json.dumps(value).encode(), JSON_VALUES),
    st.binary(max_size=2_000),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=NOTE_BODIES,
    content_type=st.sampled_from(
        ["application/json", "application/json; charset=utf-8", "text/plain", "", "a/b; x=\x7f"]
    ),
)
def test_fuzzed_notes_never_get_a_5xx_from_the_served_prototype(
    served_prototype: tuple[str, Path], body: bytes, content_type: str
) -> None:
    base_url, log = served_prototype

    reply = _post(base_url, body, content_type)

    assert reply.status in {201, 400, 413, 415, 422}, (body[:200], reply.status, reply.body[:200])
    assert reply.content_type.startswith("application/json")
    _assert_no_traceback(log)
