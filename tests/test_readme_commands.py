"""Every command we print works as pasted (issue #14, item 1): each generated project's README
for its kind's slow-layer answer sets (every claimed combination with FLASKSTARTER_FULL_MATRIX=1),
`flaskstarter new`'s next steps, and this repository's README, run by the rules in
tests/readme_commands.py. Slow layer."""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.version import Version

from flaskstarter import __version__
from flaskstarter.smoke.project_env import find_uv
from flaskstarter.use_cases import CATALOGUE, UseCase
from tests.helpers import SLOW_LAYER_SETS, combination_id, in_slow_layers, run_cli
from tests.readme_blocks import ReadmeError, bash_blocks, commands
from tests.readme_commands import ReadmeRun, run_readme
from tests.template_repo import TemplateRepo, git

REPO_ROOT = Path(__file__).resolve().parent.parent
_MAJOR, _MINOR, _PATCH = Version(__version__).release[:3]
NEWER_VERSION = f"{_MAJOR}.{_MINOR}.{_PATCH + 1}"
UPDATE_MARK = "UPDATED.md"

# The README runs use this machine's PostgreSQL and Redis (skipped without them, failed in CI).
needs_services = pytest.mark.usefixtures("postgres_url", "redis_url")

# --- The runner itself: what it reads, and that it fails when a command does


def _readme(folder: Path, *blocks: str) -> Path:
    readme = folder / "README.md"
    readme.write_text(
        "# A project\n\nSome text.\n\n" + "".join(f"```bash\n{b}\n```\n\nMore.\n\n" for b in blocks)
    )
    return readme


def test_only_bash_blocks_are_read_each_with_its_line_and_needs() -> None:
    markdown = (
        "# Title\n\n```console\n$ not run\n```\n\n```bash\necho one\n```\n\n"
        "1. A step:\n\n   ```bash\n   # needs: docker, kubernetes\n"
        "   docker compose up -d db\n   ```\n"
        "\n```json\n{}\n```\n"
    )

    found = bash_blocks(markdown)

    assert [(block.line, block.lines, block.needs) for block in found] == [
        (8, ("echo one",), frozenset()),
        (
            14,
            ("# needs: docker, kubernetes", "docker compose up -d db"),
            frozenset({"docker", "kubernetes"}),
        ),
    ]


def test_commands_are_whole_shell_commands_and_servers_are_recognised() -> None:
    block = bash_blocks(
        "```bash\n"
        "# a comment alone is no command\n"
        "if command -v uv >/dev/null; then\n  uv venv\nelse\n  python3 -m venv .venv\nfi\n"
        "curl -fsS -X POST localhost:5000/x \\\n  -d '{}'\n"
        "python - <<'EOF'\nprint('hi')\nEOF\n"
        "APP_ENV=production SECRET_KEY=\"$(python -c 'print(1)')\" gunicorn app.wsgi:app\n"
        "flask --app app db upgrade\n"
        ".venv/bin/flask --app app run --debug\n"
        "python -m celery -A app.worker worker --loglevel INFO\n"
        "slow thing    # takes an hour; tested as: quick thing --small\n"
        "```\n"
    )[0]

    found = commands(block)

    assert [(command.line, command.server) for command in found] == [
        (3, None),
        (8, None),
        (10, None),
        (13, "gunicorn"),
        (14, None),
        (15, "flask"),
        (16, "celery"),
        (17, None),
    ]
    assert found[0].text.endswith("fi") and found[2].text.endswith("EOF")
    assert found[-1].run_as == "quick thing --small"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("```bash\nflask --app app run &\n```", "one plain command"),
        ("```bash\ngunicorn app:app | tee log\n```", "one plain command"),
        ("```bash\n# needs: podman\npodman run x\n```", "unknown need podman"),
        ("```bash\necho 'never closed\n```", "never ends"),
    ],
    ids=["backgrounded-server", "piped-server", "unknown-need", "unfinished"],
)
def test_a_readme_that_breaks_a_rule_is_refused(text: str, message: str) -> None:
    with pytest.raises(ReadmeError, match=message):
        for block in bash_blocks(text):
            if not block.needs:
                commands(block)


def test_a_failing_command_stops_the_run_and_is_reported_whole(tmp_path: Path) -> None:
    readme = _readme(
        tmp_path, "echo before", "printf 'first line\\nlast line\\n'\nfalse\necho never"
    )

    run = run_readme(readme, tmp_path)

    assert not run.ok and run.exit_status == 1
    report = run.report()
    assert "README line 13:\nfalse" in report and "exit status 1" in report
    assert [done.command.text for done in run.runs] == [
        "echo before",
        "printf 'first line\\nlast line\\n'",
        "false",
    ]
    assert run.runs[1].output == "first line\nlast line\n"


def test_a_failure_early_in_an_and_list_fails_the_run(tmp_path: Path) -> None:
    run = run_readme(_readme(tmp_path, "false && echo unreachable", "echo after"), tmp_path)

    assert not run.ok
    assert [done.status for done in run.runs] == [1]


def test_state_carries_over_from_block_to_block_and_checks_run_last(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    readme = _readme(
        tmp_path,
        "cd sub\nexport GREETING=hello\nLOCAL=kept",
        'test "$(basename "$PWD")" = sub',
        "skipped-command --now",
    )

    run = run_readme(
        readme, tmp_path, skip=["skipped-command"], then=['test "$GREETING $LOCAL" = "hello kept"']
    )

    run.check()
    assert [command.text for command in run.skipped] == ["skipped-command --now"]
    assert run.runs[-1].command.line == 0


FAKE_SERVER = """#!/usr/bin/env python3
# Serves like `flask run` on FLASK_RUN_PORT (gunicorn: --bind from GUNICORN_CMD_ARGS).
import http.server, os, sys
if os.environ.get("FAIL_TO_START"):
    sys.exit("boom: the server could not start")
bind = os.environ.get("GUNICORN_CMD_ARGS", "").rsplit(":", 1)[-1]
port = os.environ.get("FLASK_RUN_PORT") or bind.strip("'")
class Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/" else 404)
        self.end_headers()
        self.wfile.write(b"hello from " + os.path.basename(sys.argv[0]).encode())
http.server.HTTPServer(("127.0.0.1", int(port)), Pages).serve_forever()
"""


@pytest.fixture
def fake_servers(tmp_path: Path) -> Path:
    for name in ("flask", "gunicorn"):
        server = tmp_path / "bin" / name
        server.parent.mkdir(exist_ok=True)
        server.write_text(FAKE_SERVER)
        server.chmod(0o755)
    return tmp_path


def test_servers_run_in_the_background_on_free_ports_until_the_end(fake_servers: Path) -> None:
    readme = _readme(
        fake_servers,
        "bin/flask --app app run --debug",
        "bin/gunicorn app:app",
        "curl -fsS http://127.0.0.1:5000/ && echo\ncurl -fsS localhost:8000/",
    )

    run = run_readme(readme, fake_servers)

    run.check()
    assert run.output_of("127.0.0.1:5000/") == "hello from flask\n"
    assert run.output_of("localhost:8000/") == "hello from gunicorn"
    assert 5000 not in run.ports.values() and 8000 not in run.ports.values()
    leftovers = subprocess.run(
        ["pgrep", "-f", str(fake_servers / "bin")], capture_output=True, check=False
    )
    assert leftovers.stdout == b"", "servers must be stopped at the end"


def test_an_http_error_fails_curl_fsS(fake_servers: Path) -> None:
    readme = _readme(
        fake_servers, "bin/flask --app app run", "curl -fsS http://127.0.0.1:5000/missing"
    )

    run = run_readme(readme, fake_servers)

    assert not run.ok
    assert "exit status 22" in run.report() and "hello from flask" not in run.report()


def test_a_server_that_does_not_start_fails_the_run_with_its_log(fake_servers: Path) -> None:
    readme = _readme(fake_servers, "FAIL_TO_START=1 bin/gunicorn app:app", "echo unreachable")

    run = run_readme(readme, fake_servers)

    assert not run.ok
    assert "stopped before it was ready" in run.report()
    assert "boom: the server could not start" in run.report()


def test_a_command_that_never_ends_is_reported_as_timed_out(tmp_path: Path) -> None:
    run = run_readme(_readme(tmp_path, "echo started", "sleep 60"), tmp_path, timeout=3)

    assert not run.ok and run.exit_status is None
    assert "timed out" in run.report() and "sleep 60" in run.report()


@pytest.mark.usefixtures("postgres_url")
def test_databases_and_roles_a_run_creates_are_dropped_at_the_end(tmp_path: Path) -> None:
    import psycopg

    from flaskstarter.smoke import services

    name = f"readme_{secrets.token_hex(4)}"
    readme = _readme(
        tmp_path, f"createuser {name} && createdb -O {name} {name}\npsql -Atc 'SELECT 1' {name}"
    )

    run = run_readme(readme, tmp_path, database_prefix=name)

    run.check()
    assert run.output_of("psql") == "1\n"
    with psycopg.connect(services.postgres().url) as connection:
        left = connection.execute(
            "SELECT datname FROM pg_database WHERE datname = %(name)s"
            " UNION SELECT rolname FROM pg_roles WHERE rolname = %(name)s",
            {"name": name},
        ).fetchall()
    assert left == []


COMPOSE = "services:\n  web:\n    image: example/web:1.0\n  db:\n    image: postgres:17\n"
DOCKERFILE = 'FROM python:3.12-slim\nUSER 1000\nCMD ["python", "-m", "http.server"]\n'
MANIFEST = (
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n"
    "  ports:\n    - port: 80\n  selector:\n    app: web\n"
)


@pytest.mark.parametrize(
    ("block", "files", "problem"),
    [
        ("docker compose up -d db", {}, None),
        ("docker compose up -d db redis", {}, "not in compose.yaml: redis"),
        ("docker compose exec db createdb demo", {"compose.yaml": "services: 3\n"}, "compose-spec"),
        ("docker build -t demo .", {"Dockerfile": "FROM python\nRUN cd /tmp\n"}, "hadolint"),
        ("kubectl apply -f k8s/", {}, None),
        (
            "kubectl apply -f k8s/",
            {"k8s/service.yaml": "apiVersion: v1\nkind: Service\nspec: 3\n"},
            "kubernetes-validate",
        ),
    ],
    ids=[
        "compose-ok",
        "unknown-service",
        "bad-compose",
        "bad-dockerfile",
        "manifests-ok",
        "bad-manifest",
    ],
)
def test_blocks_that_need_docker_or_kubernetes_are_validated_not_run(
    tmp_path: Path, block: str, files: dict[str, str], problem: str | None
) -> None:
    for name, text in {
        "compose.yaml": COMPOSE,
        "Dockerfile": DOCKERFILE,
        "k8s/service.yaml": MANIFEST,
        **files,
    }.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    need = "kubernetes" if block.startswith("kubectl") else "docker"
    readme = _readme(tmp_path, f"# needs: {need}\n{block}\ntouch ran-it")

    run = run_readme(readme, tmp_path)

    assert not (tmp_path / "ran-it").exists()
    assert run.runs == []
    if problem is None:
        run.check()
    else:
        assert not run.ok and problem in run.report()


# Kinds whose README does not pass yet, while their helpers make it pass (issue #14).
PENDING: dict[str, str] = {}
# The blocks every README shares word for word (templates/_shared/README.md.jinja), run in full
# for one answer set per kind: the fullest of its slow-layer sets. For the others, the smoke
# tests (tests/test_<kind>_template.py) already run `pytest --cov` and `mypy` on every claimed
# combination, and `copier update` is the same command everywhere; leaving these three out of
# their README runs keeps the README layer within its CI budget.
SHARED_SLOW_COMMANDS = ("pytest --cov", "mypy", "copier update")
REPRESENTATIVE = {use_case.value: sets[0] for use_case, sets in SLOW_LAYER_SETS.items()}


def _case(kind: str, answers: dict[str, Any]) -> Any:
    marks = []
    if kind in PENDING:
        marks.append(pytest.mark.xfail(reason=PENDING[kind], strict=True))
    return pytest.param(kind, answers, id=f"{kind}-{combination_id(answers)}", marks=marks)


# The slow-layer answer sets of every kind (tests/helpers.py; all claimed combinations with
# FLASKSTARTER_FULL_MATRIX=1).
README_CASES = [
    _case(use_case.value, answers)
    for use_case, info in CATALOGUE.items()
    for answers in info.combinations
    if in_slow_layers(use_case.value, answers)
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> TemplateRepo:
    """This checkout as a template repository at this version, and one newer version, so that
    `copier update` in a README has something to take (as tests/test_update.py does)."""
    repo = TemplateRepo.from_checkout(REPO_ROOT, tmp_path_factory.mktemp("template") / "repo")
    repo.commit_and_tag(__version__)
    for use_case in UseCase:
        mark = repo.template_file(use_case.value, UPDATE_MARK)
        mark.write_text(f"Added by template version {NEWER_VERSION}.\n")
    repo.commit_and_tag(NEWER_VERSION)
    return repo


@pytest.fixture(scope="module")
def shared_caches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What a developer's machine keeps between projects: mypy's cache (checked by hash)."""
    return {"MYPY_CACHE_DIR": str(tmp_path_factory.mktemp("mypy-cache"))}


@pytest.fixture
def uv_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`flaskstarter new` finds uv, as on a machine that has it, and prints uv's next steps."""
    found = find_uv()
    assert found, "uv is a test dependency"
    folder = tmp_path / "uv-bin"
    folder.mkdir()
    (folder / "uv").symlink_to(found)
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")


def new_project(
    folder: Path, kind: str, answers: dict[str, Any], template: TemplateRepo, mp: Any
) -> tuple[Path, str, dict[str, Any]]:
    """`flaskstarter new` with a package name of its own (its databases are the run's own)."""
    mp.setenv("FLASKSTARTER_TEMPLATE_URL", template.url)
    project = folder / f"readme_{secrets.token_hex(4)}"
    data = [arg for key, value in answers.items() for arg in ("-d", f"{key}={value}")]
    code, out, err = run_cli("new", str(project), "-k", kind, "-y", *data)
    assert code == 0, out + err
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return project, out, recorded


def promised_pages(kind: str, answers: dict[str, Any]) -> list[str]:
    """Checks run after the README, its servers still up: the kind's main route answers on the
    development server, and gunicorn serves."""
    main_route = CATALOGUE[UseCase(kind)].routes[0].path.format(**answers)
    return [
        f"curl -fsS -o /dev/null http://127.0.0.1:5000{main_route}",
        "curl -fsS -o /dev/null http://127.0.0.1:8000/healthz",
    ]


# The README finds the flaskstarter that generated the project on PATH, as a user who installed
# it as a tool does (tests/readme_commands.py, rule 7): the one these tests run.
FLASKSTARTER = {"flaskstarter": Path(sys.executable).with_name("flaskstarter")}


def readme_additions(answers: dict[str, Any]) -> list[str]:
    """What the README's `flaskstarter add` session adds: its additions' answers files."""
    if answers["use_case"] == "website":
        scaffolds = ["authors", "books"] if answers["database"] != "none" else []
        return [".copier-answers.page-our_team.yml"] + [
            f".copier-answers.scaffold-{name}.yml" for name in scaffolds
        ]
    if answers["use_case"] in ("rest_api", "microservice") and answers["database"] != "none":
        return [f".copier-answers.resource-{name}.yml" for name in ("authors", "books")]
    return []


def assert_additions_committed_and_tested(
    run: ReadmeRun, project: Path, answers: dict[str, Any]
) -> None:
    """Each addition of the README's session is committed, and the project's tests ran its own."""
    test_outputs = [
        done.output for done in run.runs if done.status == 0 and "pytest" in done.command.run_as
    ]
    for answers_file in readme_additions(answers):
        assert git(project, "ls-files", answers_file).strip() == answers_file, answers_file
        recorded = yaml.safe_load((project / answers_file).read_text())
        tests = f"tests/test_{recorded['name']}.py"
        assert any(tests in output for output in test_outputs), f"{tests} did not run"
        # The project's own `copier update` (the README's last block) leaves additions alone.
        assert recorded["_commit"] == f"v{__version__}", answers_file


def assert_promises_kept(
    run: ReadmeRun, project: Path, answers: dict[str, Any], *, updated: bool = True
) -> None:
    """What the README promises beyond exit statuses: a token, a finished task, an update,
    additions by `flaskstarter add` committed and tested."""
    print(run.timings())
    run.check()
    passed = [done for done in run.runs if done.status == 0]
    if answers.get("api_auth") == "jwt":
        assert any("/api/auth/token" in done.command.run_as for done in passed), "no token"
    if answers.get("api_auth") == "api_key":
        assert any("X-API-Key" in done.command.run_as for done in passed), "no API key used"
    if answers.get("worker") == "celery":
        tasks = [done for done in passed if "/api/v1/tasks/" in done.command.run_as]
        assert any("SUCCESS" in done.output for done in tasks), "no task seen to complete"
    assert_additions_committed_and_tested(run, project, answers)
    if updated:
        recorded = (project / ".copier-answers.yml").read_text()
        assert f"_commit: v{NEWER_VERSION}" in recorded, "the README's update did not update"
        assert (project / UPDATE_MARK).is_file()


@pytest.mark.slow
@needs_services
@pytest.mark.parametrize(("kind", "answers"), README_CASES)
def test_the_generated_readme_works_as_pasted(
    tmp_path: Path,
    kind: str,
    answers: dict[str, Any],
    template: TemplateRepo,
    shared_caches: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, _, recorded = new_project(tmp_path, kind, answers, template, monkeypatch)
    in_full = answers == REPRESENTATIVE[kind]

    run = run_readme(
        project / "README.md",
        project,
        env=shared_caches,
        then=promised_pages(kind, recorded),
        skip=() if in_full else SHARED_SLOW_COMMANDS,
        database_prefix=recorded["package_name"],
        tools=FLASKSTARTER,
    )

    assert_promises_kept(run, project, recorded, updated=in_full)


@pytest.mark.slow
@needs_services
def test_the_generated_readme_installs_with_pip_where_there_is_no_uv(
    tmp_path: Path,
    template: TemplateRepo,
    shared_caches: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same README on a machine without uv (the prototype stands for every kind: the
    install block is the shared one)."""
    project, _, recorded = new_project(tmp_path, "prototype", {}, template, monkeypatch)

    run = run_readme(
        project / "README.md",
        project,
        uv=False,
        env=shared_caches,
        then=promised_pages("prototype", recorded),
        tools=FLASKSTARTER,
    )

    assert_promises_kept(run, project, recorded)
    assert "pip install" in run.runs[0].output or "Successfully installed" in run.runs[0].output


def test_the_slow_layers_take_claimed_combinations_only() -> None:
    """A slow-layer set that is not claimed would test something nobody is promised (and a
    typo in one would silently drop a README run)."""
    for use_case, info in CATALOGUE.items():
        assert SLOW_LAYER_SETS[use_case], use_case
        for answers in SLOW_LAYER_SETS[use_case]:
            assert answers in info.combinations, (use_case, answers)


# --- `flaskstarter new`'s next steps


NEXT_STEP_CASES = [
    pytest.param("prototype", {}, id="prototype"),
    pytest.param("website", {"database": "postgresql"}, id="website-postgresql"),
    pytest.param("rest_api", {"api_auth": "jwt"}, id="rest_api-jwt"),
    pytest.param(
        "microservice",
        {"database": "postgresql", "cache": "redis", "worker": "celery"},
        id="microservice-postgresql-redis-celery",
    ),
]


def next_steps_as_readme(printed: str) -> str:
    """The printed next steps as a README by the runner's rules: the commands in order, what
    `docker compose` starts validated, its "without Docker" part run; the token request too."""
    lines = printed[printed.index("Next steps:") :].splitlines()[1:]
    commands = [line.strip() for line in lines[: lines.index("")]]
    blocks = []
    for command in commands:
        with_docker, _, without = command.partition("    # without Docker: ")
        if without:
            blocks += [f"# needs: docker\n{with_docker}", without]
        else:
            blocks.append(command)
    blocks += re.findall(r"this gets a token .*?: `(curl [^`]+)`", printed)
    return "".join(f"```bash\n{block}\n```\n\n" for block in blocks)


@pytest.mark.slow
@needs_services
@pytest.mark.parametrize(("kind", "answers"), NEXT_STEP_CASES)
def test_the_next_steps_work_as_pasted(
    tmp_path: Path,
    kind: str,
    answers: dict[str, Any],
    template: TemplateRepo,
    shared_caches: dict[str, str],
    uv_on_path: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, printed, recorded = new_project(tmp_path, kind, answers, template, monkeypatch)
    readme = tmp_path / "NEXT-STEPS.md"
    readme.write_text(next_steps_as_readme(printed))
    main_route = CATALOGUE[UseCase(kind)].routes[0].path.format(**recorded)

    run = run_readme(
        readme,
        tmp_path,
        env=shared_caches,
        then=[f"curl -fsS -o /dev/null http://127.0.0.1:5000{main_route}"],
        project=project,
        database_prefix=recorded["package_name"],
    )

    print(run.timings())
    run.check()
    assert "uv pip install" in readme.read_text()
    if answers.get("api_auth") == "jwt":
        assert "access_token" in run.output_of("/api/auth/token")


# --- This repository's README


def throwaway_checkout(folder: Path) -> Path:
    """The checkout's files as they are now (what a commit of everything would hold), committed
    in a fresh repository: a clone, without this checkout's history."""
    checkout = folder / "flaskstarter"
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, tracked):
        source = REPO_ROOT / name
        if source.is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, checkout / name)
    git(checkout, "init", "--quiet", "--initial-branch=main")
    git(checkout, "add", "--all")
    git(checkout, "commit", "--quiet", "-m", "A fresh clone")
    return checkout


@pytest.mark.slow
@needs_services
def test_the_repository_readme_works_as_pasted_and_leaves_the_checkout_clean(
    tmp_path: Path, template: TemplateRepo
) -> None:
    checkout = throwaway_checkout(tmp_path)

    run = run_readme(
        checkout / "README.md",
        checkout,
        env={"FLASKSTARTER_TEMPLATE_URL": template.url},
    )

    print(run.timings())
    run.check()
    assert (tmp_path / "demo" / ".copier-answers.yml").is_file(), "the first command's project"
    library = tmp_path / "library"
    assert_additions_committed_and_tested(
        run, library, yaml.safe_load((library / ".copier-answers.yml").read_text())
    )
    untracked = git(checkout, "status", "--porcelain", "--untracked-files=all")
    assert untracked == "", f"the README left files in the checkout:\n{untracked}"
    assert not (checkout / "demo").exists()
