"""What a served route costs beyond the load figures: the app's own CPU per request, and
(for a route below its target) where that time goes, under gunicorn and in the app alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.commands import BenchError, run_timed
from bench.profiling import profile_under_load
from flaskstarter.smoke.project_env import ProjectEnv
from flaskstarter.use_cases import RouteCheck

WSGI_COST = Path(__file__).with_name("wsgi_cost.py")


@dataclass(frozen=True)
class Endpoint:
    """One route of one served app: the generated project's, or the bare baseline's."""

    subject: str
    url: str
    path: str
    route: RouteCheck
    env: ProjectEnv
    package: str
    bare: bool = False


def app_cost(endpoint: Endpoint, run_env: dict[str, str], profile: bool = False) -> dict[str, Any]:
    """CPU microseconds per request through the app's WSGI callable alone (see wsgi_cost.py)."""
    command = [str(endpoint.env.bin / "python"), str(WSGI_COST), endpoint.package, endpoint.path]
    if profile:
        command.append("--profile")
    _, output = run_timed(
        command, cwd=endpoint.env.project, env=endpoint.env.environ(run_env), timeout=300
    )
    try:
        return dict(json.loads(output.strip().splitlines()[-1]))
    except (ValueError, IndexError) as error:
        raise BenchError(f"wsgi_cost.py printed no JSON:\n{output[-500:]}") from error


def profile_endpoint(
    endpoint: Endpoint,
    run_env: dict[str, str],
    folder: Path,
    duration: float,
    load: Callable[[], object],
) -> dict[str, Any]:
    """py-spy on the gunicorn worker under load, and cProfile of the app alone."""
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", f"{endpoint.package} {endpoint.path}".lower()).strip("-")
    stacks = folder / f"profile-{slug}.txt"
    found: dict[str, Any] = {}
    try:
        port = urlsplit(endpoint.url).port or 0
        spots = profile_under_load(port, duration, stacks, load, endpoint.package)
        found["served"] = {
            "stacks": str(stacks),
            **{part: [asdict(spot) for spot in listed] for part, listed in spots.items()},
        }
    except BenchError as error:
        found["served"] = {"error": str(error)}
    try:
        found["app"] = app_cost(endpoint, run_env, profile=True)["profile"]
    except BenchError as error:
        found["app"] = {"error": str(error)}
    return found
