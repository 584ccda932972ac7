"""One smoke run: render a kind, install it fresh, run its tests and linters, serve it."""

from __future__ import annotations

import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flaskstarter.errors import FlaskstarterError
from flaskstarter.render import RenderRequest, render_project
from flaskstarter.smoke import services
from flaskstarter.smoke.project_env import ProjectEnv, create_and_install
from flaskstarter.smoke.serve import ServeError, check_route, served
from flaskstarter.template_source import TemplateSource, bundled_source
from flaskstarter.use_cases import CATALOGUE, UseCase

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ServedProject:
    """What a `while_serving` check gets: the running app and how it was set up."""

    base_url: str
    env: ProjectEnv
    answers: dict[str, Any]
    run_env: dict[str, str]
    log: Path


ServingCheck = Callable[[ServedProject], None]
STEPS = ("render", "install", "tests", "lint", "format", "types", "migrate", "serve")


@dataclass
class StepResult:
    name: str
    ok: bool
    seconds: float
    detail: str = ""


@dataclass
class SmokeReport:
    use_case: str
    answers: dict[str, Any]
    steps: list[StepResult] = field(default_factory=list)
    project: Path | None = None

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)

    def step(self, name: str) -> StepResult | None:
        return next((step for step in self.steps if step.name == name), None)

    def summary(self) -> str:
        """One line per step; failing steps followed by the end of their output."""
        lines = [f"{self.use_case} {self.answers}: {'PASS' if self.ok else 'FAIL'}"]
        for step in self.steps:
            lines.append(f"  {step.name}: {'ok' if step.ok else 'FAILED'} ({step.seconds:.1f} s)")
            if not step.ok and step.detail:
                lines.extend(f"    {line}" for line in step.detail.splitlines())
        return "\n".join(lines)


class _StepFailed(Exception):
    pass


class _ServiceFailed(_StepFailed):
    pass


def run_smoke(
    use_case: str | UseCase,
    answers: Mapping[str, Any] | None = None,
    *,
    source: TemplateSource | None = None,
    keep: bool = False,
    workdir: Path | None = None,
    progress: Progress | None = None,
    while_serving: ServingCheck | None = None,
    after_render: Callable[[Path], None] | None = None,
) -> SmokeReport:
    """Check one kind with one set of answers end to end; never raises for a failing step.

    `while_serving` runs extra checks against the served app (an AssertionError fails the
    "serve" step with its message): load tests, browsers, header audits reuse the pipeline.
    `after_render` changes the rendered project before it is installed (a FlaskstarterError
    fails the "render" step), e.g. `flaskstarter add`.
    """
    use_case = UseCase(use_case)
    report = SmokeReport(use_case.value, dict(answers or {}))
    notify = progress or (lambda message: None)
    root = Path(tempfile.mkdtemp(prefix=f"flaskstarter-smoke-{use_case.value}-", dir=workdir))
    try:
        with _step(report, "render", notify):
            project = _render(use_case, report.answers, root, source)
            report.project = project
            if after_render is not None:
                _changed(project, after_render)
        _check_project(report, project, root, notify, while_serving)
    except _StepFailed:
        pass
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    return report


def _check_project(
    report: SmokeReport,
    project: Path,
    root: Path,
    notify: Progress,
    while_serving: ServingCheck | None,
) -> None:
    answers = _project_answers(project)
    with _step(report, "install", notify):
        env, result = create_and_install(project, root / "venv")
        _require(result.ok, result.tail())
    try:
        with _scratch_services(env, answers) as service_env:
            _check_installed(report, env, answers, service_env, root, notify, while_serving)
    except _ServiceFailed as failure:
        report.steps.append(StepResult("services", False, 0.0, str(failure)))
        raise


def _check_installed(
    report: SmokeReport,
    env: ProjectEnv,
    answers: dict[str, Any],
    service_env: dict[str, str],
    root: Path,
    notify: Progress,
    while_serving: ServingCheck | None,
) -> None:
    # A failing test suite or linter does not stop the other checks: the table shows all.
    for name, command in (
        ("tests", ("pytest", "-q", "-p", "no:cacheprovider", "--cov")),
        ("lint", ("ruff", "check", ".")),
        ("format", ("ruff", "format", "--check", ".")),
        ("types", ("mypy",)),
    ):
        with _step(report, name, notify, fatal=False):
            outcome = env.run(*command, env=service_env)
            _require(outcome.ok, outcome.tail())
    run_env = {
        **service_env,
        **CATALOGUE[UseCase(answers["use_case"])].production_env,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
    }
    if (env.project / "migrations").is_dir():
        with _step(report, "migrate", notify):
            outcome = env.run(
                "flask", "--app", answers["package_name"], "db", "upgrade", env=run_env
            )
            _require(outcome.ok, outcome.tail())
    with _step(report, "serve", notify):
        _serve_and_check(env, answers, run_env, root / "gunicorn.log", while_serving)


def _render(
    use_case: UseCase, answers: dict[str, Any], root: Path, source: TemplateSource | None
) -> Path:
    try:
        rendered = render_project(
            RenderRequest(
                destination=root / "project",
                source=source or bundled_source(),
                answers={**answers, "use_case": use_case.value},
                use_defaults=True,
            )
        )
    except FlaskstarterError as error:
        raise _StepFailed(str(error)) from error
    return rendered.path


def _changed(project: Path, change: Callable[[Path], None]) -> None:
    try:
        change(project)
    except FlaskstarterError as error:
        raise _StepFailed(str(error)) from error


def _serve_and_check(
    env: ProjectEnv,
    answers: dict[str, Any],
    run_env: dict[str, str],
    log: Path,
    while_serving: ServingCheck | None,
) -> None:
    info = CATALOGUE[UseCase(answers["use_case"])]
    try:
        with served(env, answers["package_name"], run_env, log) as base_url:
            failures = [
                problem
                for route in info.routes
                if (problem := check_route(base_url, route, answers, info.headers))
            ]
            _require(not failures, "\n".join(failures))
            if while_serving is not None:
                try:
                    while_serving(ServedProject(base_url, env, answers, run_env, log))
                except AssertionError as failure:
                    raise _StepFailed(f"while serving: {failure}") from failure
    except ServeError as error:
        raise _StepFailed(str(error)) from error


@contextmanager
def _scratch_services(env: ProjectEnv, answers: dict[str, Any]) -> Iterator[dict[str, str]]:
    """Service URLs for the project: a fresh PostgreSQL database, a Redis database of its own."""
    extra: dict[str, str] = {}
    if answers.get("cache") == "redis" or answers.get("worker") == "celery":
        extra["REDIS_URL"] = services.with_redis_db(services.redis().url, 1 + secrets.randbelow(15))
    if answers.get("database") != "postgresql":
        yield extra
        return
    admin_url = services.postgres().url
    name = services.scratch_database_name()
    _postgres_admin(env, admin_url, f'CREATE DATABASE "{name}"')
    try:
        url = services.with_database(admin_url, name, driver="psycopg")
        # The project's own tests run against the real server too when they read this.
        yield {**extra, "DATABASE_URL": url, "TEST_DATABASE_URL": url}
    finally:
        _postgres_admin(env, admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_admin(env: ProjectEnv, admin_url: str, statement: str) -> None:
    # The project's venv has psycopg when it uses PostgreSQL; flaskstarter itself needs no driver.
    script = (
        "import psycopg, sys\n"
        "with psycopg.connect(sys.argv[1], autocommit=True) as c: c.execute(sys.argv[2])"
    )
    result = env.run("python", "-c", script, admin_url, statement, timeout=60)
    if not result.ok:
        raise _ServiceFailed(f"PostgreSQL at {admin_url}: {result.tail(3)}")


def _project_answers(project: Path) -> dict[str, Any]:
    from flaskstarter.provenance import read_answers

    return {key: value for key, value in read_answers(project).items() if not key.startswith("_")}


@contextmanager
def _step(report: SmokeReport, name: str, notify: Progress, fatal: bool = True) -> Iterator[None]:
    notify(f"{report.use_case}: {name}")
    started = time.monotonic()
    try:
        yield
    except _StepFailed as failure:
        report.steps.append(StepResult(name, False, time.monotonic() - started, str(failure)))
        if fatal:
            raise
        return
    report.steps.append(StepResult(name, True, time.monotonic() - started))


def _require(condition: bool, detail: str) -> None:
    if not condition:
        raise _StepFailed(detail)
