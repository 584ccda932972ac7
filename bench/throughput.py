"""Group 4: served throughput of each kind's routes, reported beside a bare Flask hello-world.

Both apps run at once under gunicorn from the kind's own venv (same Flask, same gunicorn) with
the same worker settings, and the load alternates between them run after run.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from contextlib import ExitStack
from functools import partial
from pathlib import Path

from bench.commands import BenchError, run_timed
from bench.loadgen import LoadResult, apply_load, pick_generator
from bench.projects import install_with_uv, render_default
from bench.results import GroupResult, Row, Sample, in_turn, median, run_label
from bench.route_costs import Endpoint, app_cost, profile_endpoint
from bench.settings import Progress, Settings
from flaskstarter.provenance import read_answers
from flaskstarter.smoke.project_env import ProjectEnv
from flaskstarter.smoke.serve import ServeError, check_route, served
from flaskstarter.use_cases import CATALOGUE, RouteCheck, UseCase

GROUP = "throughput"
JSON = "application/json"
HEALTHZ = RouteCheck("/healthz", JSON, "")
BARE_PACKAGE = "bench_hello"
BARE_HTML = RouteCheck("/", "text/html", "Hello, World!")
BARE_JSON = RouteCheck("/json", JSON, "ok")
BARE_DB = RouteCheck("/items", JSON, "items")
WARMUP_SECONDS = 1.0
# More failed requests than this share of the total makes the figure an error, not a number.
MAX_ERROR_SHARE = 0.01


def routes_to_measure(use_case: str) -> list[RouteCheck]:
    """The kind's main route, its other JSON routes (not the OpenAPI document), and /healthz."""
    main, *others = CATALOGUE[UseCase(use_case)].routes
    chosen = [main, *(r for r in others if r.content_type == JSON and "openapi" not in r.path)]
    if all(route.path != HEALTHZ.path for route in chosen):
        chosen.append(HEALTHZ)  # measured where the kind has one
    return chosen


def run_throughput(settings: Settings, progress: Progress) -> GroupResult:
    result = GroupResult(GROUP, "Served throughput under gunicorn (requests/s)")
    generator = pick_generator(settings.load_generator)
    result.extra["load"] = {
        "generator": generator,
        "duration_s": settings.duration,
        "connections": settings.connections,
        "gunicorn": settings.gunicorn_args,
    }
    for use_case in settings.use_cases:
        try:
            endpoints = _measure_use_case(use_case, settings, generator, result, progress)
        except (BenchError, ServeError) as error:
            result.rows.append(Row(GROUP, use_case, "serve", "req/s", None, error=str(error)))
        except Exception as error:  # a template or module mid-change: the other kinds go on
            message = f"{type(error).__name__}: {error}"
            result.rows.append(Row(GROUP, use_case, "serve", "req/s", None, error=message))
            continue
        result.rows += [_row(result, use_case, endpoint) for endpoint in endpoints]
    return result


def _measure_use_case(
    use_case: str, settings: Settings, generator: str, result: GroupResult, progress: Progress
) -> list[Endpoint]:
    scratch = Path(tempfile.mkdtemp(prefix=f"bench-throughput-{use_case}-"))
    try:
        progress(f"throughput: {use_case}: render and install")
        env, answers, run_env = _install(use_case, scratch, settings)
        bare = _bare_project(scratch / "bare", env)
        package = str(answers["package_name"])
        with ExitStack() as stack:
            url = stack.enter_context(served(env, package, run_env, scratch / "project.log"))
            bare_url = stack.enter_context(
                served(bare, BARE_PACKAGE, run_env, scratch / "bare.log")
            )
            endpoints = _endpoints(use_case, (url, env), (bare_url, bare), answers, result)
            for run in range(-settings.warmup, settings.runs):
                progress(f"throughput: {use_case}, {run_label(run, settings.runs)}")
                duration = WARMUP_SECONDS if run < 0 else settings.duration
                for endpoint in in_turn(endpoints, run):
                    load = apply_load(endpoint.url, generator, duration, settings.connections)
                    result.samples.append(_sample(use_case, endpoint, run, load))
            _costs_and_profiles(use_case, endpoints, settings, generator, result, run_env, progress)
        return endpoints
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _install(
    use_case: str, scratch: Path, settings: Settings
) -> tuple[ProjectEnv, dict[str, object], dict[str, str]]:
    """Render and install the kind; its production settings, with the shared worker settings."""
    project = render_default(use_case, scratch / "project")
    _, env = install_with_uv(project, scratch / "venv")
    answers = {k: v for k, v in read_answers(project).items() if not k.startswith("_")}
    run_env = {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "GUNICORN_CMD_ARGS": settings.gunicorn_args,
    }
    _migrate(env, str(answers["package_name"]), run_env)
    return env, answers, run_env


def _costs_and_profiles(
    use_case: str,
    endpoints: list[Endpoint],
    settings: Settings,
    generator: str,
    result: GroupResult,
    run_env: dict[str, str],
    progress: Progress,
) -> None:
    """The app's own CPU per request of every route, and with --profile where that CPU goes."""
    progress(f"throughput: {use_case}: CPU per request in the app alone")
    costs = result.extra.setdefault("app_us", {}).setdefault(use_case, {})
    for endpoint in endpoints:
        costs[endpoint.subject] = app_cost(endpoint, run_env)["us_per_request"]
    if settings.profile_dir is None:
        return
    profiles = result.extra.setdefault("profiles", {})
    for endpoint in endpoints:
        if endpoint.bare:
            continue
        progress(f"throughput: {use_case}: profiling {endpoint.subject}")
        profiles[f"{use_case} {endpoint.subject}"] = profile_endpoint(
            endpoint,
            run_env,
            settings.profile_dir,
            settings.duration,
            partial(apply_load, endpoint.url, generator, settings.duration, settings.connections),
        )


def _migrate(env: ProjectEnv, package: str, run_env: dict[str, str]) -> None:
    if (env.project / "migrations").is_dir():
        command = [str(env.bin / "flask"), "--app", package, "db", "upgrade"]
        run_timed(command, cwd=env.project, env=env.environ(run_env))


def _bare_project(folder: Path, env: ProjectEnv) -> ProjectEnv:
    package = folder / BARE_PACKAGE
    package.mkdir(parents=True)
    shutil.copyfile(Path(__file__).with_name("hello_app.py"), package / "__init__.py")
    shutil.copy(Path(__file__).with_name("hello_db_page.py"), package)
    return ProjectEnv(folder, env.venv)


def _endpoints(
    use_case: str,
    served_project: tuple[str, ProjectEnv],
    served_bare: tuple[str, ProjectEnv],
    answers: dict[str, object],
    result: GroupResult,
) -> list[Endpoint]:
    """Check every route answers as promised before loading it; skip an absent /healthz."""
    (url, env), (bare_url, bare) = served_project, served_bare
    package = str(answers["package_name"])
    endpoints = []
    routes = routes_to_measure(use_case)
    for route in routes:
        problem = check_route(url, route, answers)
        if problem and route is HEALTHZ:
            result.extra.setdefault("absent", {})[use_case] = problem
            continue
        if problem:
            raise BenchError(problem)
        path = route.path.format(**answers)
        endpoints.append(Endpoint(f"GET {path}", url + path, path, route, env, package))
    bare_routes = [BARE_HTML, BARE_JSON] + [BARE_DB] * any(r.reads_database for r in routes)
    for route in bare_routes:
        if problem := check_route(bare_url, route, {}):
            raise BenchError(f"bare app: {problem}")
        subject = f"bare GET {route.path}"
        endpoints.append(
            Endpoint(subject, bare_url + route.path, route.path, route, bare, BARE_PACKAGE, True)
        )
    return endpoints


def _baseline_route(route: RouteCheck) -> RouteCheck:
    if route.reads_database:
        return BARE_DB
    return BARE_JSON if route.content_type == JSON else BARE_HTML


def _sample(use_case: str, endpoint: Endpoint, run: int, load: LoadResult) -> Sample:
    return Sample(
        GROUP,
        use_case,
        endpoint.subject,
        run,
        load.requests_per_second,
        "req/s",
        run < 0,
        {
            "p50_ms": load.p50_ms,
            "p99_ms": load.p99_ms,
            "requests": load.requests,
            "errors": load.errors,
        },
    )


def _row(result: GroupResult, use_case: str, endpoint: Endpoint) -> Row:
    timed = [
        s
        for s in result.samples
        if s.use_case == use_case and s.subject == endpoint.subject and not s.warmup
    ]
    requests = sum(sample.extra["requests"] for sample in timed)
    errors = sum(sample.extra["errors"] for sample in timed)
    baseline = f"bare GET {_baseline_route(endpoint.route).path}"
    app_us = result.extra.get("app_us", {}).get(use_case, {})
    error = None
    if errors > MAX_ERROR_SHARE * max(requests, 1):
        error = f"{errors} of {requests} requests failed"
    return Row(
        GROUP,
        use_case,
        endpoint.subject,
        "req/s",
        median(sample.value for sample in timed),
        baseline=None if endpoint.bare else baseline,
        baseline_median=None if endpoint.bare else median(result.values(use_case, baseline)),
        runs=len(timed),
        details={
            "p50_ms": median(sample.extra["p50_ms"] for sample in timed),
            "p99_ms": median(sample.extra["p99_ms"] for sample in timed),
            "requests": requests,
            "errors": errors,
            "app_us": app_us.get(endpoint.subject),
            "baseline_app_us": None if endpoint.bare else app_us.get(baseline),
        },
        error=error,
    )
