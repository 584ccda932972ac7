"""The bash session tests/readme_commands.py runs a README's commands in (rules 1, 3, 6, 7):
one script, each command wrapped so that its status, output and time are recorded, servers in
process groups of their own."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from flaskstarter.smoke import services
from flaskstarter.smoke.project_env import find_uv
from tests.readme_blocks import Command, ReadmeError

USUAL_PORTS = {"flask": 5000, "gunicorn": 8000}
SERVER_START_TIMEOUT = 60
# The system's tools and Python; never the test runner's venv or a global `flask`/`pytest`.
SYSTEM_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
# What a project reads from the environment: the session starts without them (rule 7).
PROJECT_VARIABLES = re.compile(
    r"^(FLASK_\w*|APP_ENV|SECRET_KEY|\w*_SECRET_KEY|DATABASE_URL|TEST_DATABASE_URL|REDIS_URL"
    r"|CELERY_\w*|API_\w*|JWT_\w*|GUNICORN_\w*|WEB_CONCURRENCY|HOST|PORT|PG\w*|VIRTUAL_ENV"
    r"|PYTHONPATH|PYTHONHOME|PYTEST_\w*|COV_CORE_\w*|PROMETHEUS_MULTIPROC_DIR|MYPY_\w*)$"
)
_USUAL_ADDRESS = re.compile(r"\b(?P<host>localhost|127\.0\.0\.1|0\.0\.0\.0):(?P<port>5000|8000)\b")

_PRELUDE = r"""set -euo pipefail
set -m  # job control: each server in a process group of its own, stopped with its children
__rc=%(workdir)s
__rc_servers=()
__rc_record() { printf '%%s\n' "$*" >>"$__rc/control"; }
__rc_stop() {
  local entry pid keep=() waited
  for entry in "${__rc_servers[@]+"${__rc_servers[@]}"}"; do
    pid=${entry%%%% *}
    if [[ -n $1 && ${entry#* } != "$1" ]]; then keep+=("$entry"); continue; fi
    kill -TERM -- "-$pid" 2>/dev/null || true
    waited=0
    while kill -0 -- "-$pid" 2>/dev/null && ((waited < 150)); do
      sleep 0.1
      waited=$((waited + 1))
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  __rc_servers=("${keep[@]+"${keep[@]}"}")
}
__rc_started() { __rc_servers+=("$3 $2"); __rc_record "server $1 $2 $3"; }
__rc_wait() {
  local deadline=$((SECONDS + %(timeout)d))
  while :; do
    if [[ $2 == celery ]]; then
      grep -q ' ready\.' "$5" && return 0
    else
      curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$4/" && return 0
    fi
    kill -0 "$3" 2>/dev/null || { echo "The $2 server stopped before it was ready."; return 1; }
    ((SECONDS < deadline)) || { echo "The $2 server was not ready in %(timeout)d s."; return 1; }
    sleep 0.2
  done
}
__rc_end() { __rc_record "end $1 $2 $EPOCHREALTIME"; (($2 == 0)) || exit "$2"; }
trap '__rc_status=$?; set +e; __rc_stop ""; __rc_record "exit $__rc_status"' EXIT
"""


@dataclass(frozen=True)
class CommandRun:
    command: Command
    # None: it never finished (the session stopped inside it or before it).
    status: int | None
    output: str
    seconds: float = 0.0


def session_script(to_run: list[Command], work: Path, ports: dict[str, int]) -> str:
    """The script: the helpers, then each command recorded; a server backgrounded and awaited."""
    parts = [_PRELUDE % {"workdir": shlex.quote(str(work)), "timeout": SERVER_START_TIMEOUT}]
    for index, command in enumerate(to_run):
        text = on_chosen_ports(command.run_as, ports)
        parts.append(f'__rc_record "begin {index} $EPOCHREALTIME"\n{{\n')
        if command.server:
            log = f'"$__rc/server-{index}.log"'
            parts.append(
                f"__rc_stop {command.server}\n"
                f"( {_server_settings(command.server, ports)}\n{text}\n) >{log} 2>&1 </dev/null &\n"
                f"__rc_started {index} {command.server} $!\n"
                f"__rc_wait {index} {command.server} $! {ports.get(command.server, 0)} {log}\n"
            )
        else:
            parts.append(f"{text}\n")
        parts.append(f'}} >"$__rc/{index}.out" 2>&1\n__rc_end {index} $?\n')
    return "".join(parts)


def on_chosen_ports(text: str, ports: dict[str, int]) -> str:
    """`localhost:5000` and `127.0.0.1:8000` (rule 3) on the ports the run chose."""
    usual = {str(port): kind for kind, port in USUAL_PORTS.items()}
    return _USUAL_ADDRESS.sub(lambda match: f"{match['host']}:{ports[usual[match['port']]]}", text)


def _server_settings(kind: str, ports: dict[str, int]) -> str:
    if kind == "flask":
        return f"export FLASK_RUN_PORT={ports['flask']}"
    if kind == "gunicorn":
        return f"export GUNICORN_CMD_ARGS='--bind 127.0.0.1:{ports['gunicorn']}'"
    return ":"


def environment(work: Path, uv: bool, extra: dict[str, str] | None) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not PROJECT_VARIABLES.match(name)}
    path = [folder for folder in SYSTEM_PATH if Path(folder).is_dir()]
    if not any((Path(folder) / "python3").exists() for folder in path):
        path.append(str(Path(sys._base_executable).parent))  # type: ignore[attr-defined]
    if uv:
        tools = work / "bin"
        tools.mkdir()
        found = find_uv()
        if not found:
            raise ReadmeError("uv is a test dependency, yet it is not installed")
        for name in ("uv", "uvx"):
            if (Path(found).parent / name).exists():
                (tools / name).symlink_to(Path(found).parent / name)
        path.insert(0, str(tools))
    env["PATH"] = os.pathsep.join(path)
    server = urlsplit(services.postgres().url)
    env.update(
        PGHOST=server.hostname or "127.0.0.1",
        PGPORT=str(server.port or 5432),
        PGUSER=server.username or "postgres",
    )
    if server.password:
        env["PGPASSWORD"] = server.password
    env.update(extra or {})
    return env


def give_env_its_own_redis_database(env_file: Path) -> None:
    """Point `.env`'s REDIS_URL at a Redis database index of this run's own (rule 6)."""
    if not env_file.is_file():
        return
    index = secrets.choice(range(1, 16))

    def own_index(match: re.Match[str]) -> str:
        parts = urlsplit(match["url"])
        return match["name"] + urlunsplit(parts._replace(path=f"/{index}"))

    text = env_file.read_text()
    env_file.write_text(re.sub(r"(?m)^(?P<name>REDIS_URL=)(?P<url>redis://\S+)$", own_index, text))


def run_session(script: Path, cwd: Path, env: dict[str, str], timeout: float) -> int | None:
    with (script.parent / "session.log").open("w") as log:
        session = subprocess.Popen(
            ["bash", str(script)],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            return session.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        finally:
            _stop_leftovers(session, script.parent / "control")


def _stop_leftovers(session: subprocess.Popen[bytes], control: Path) -> None:
    """Whatever the session did not stop itself: servers (after a timeout), then the session."""
    groups = [int(line.split()[3]) for line in _lines(control) if line.startswith("server ")]
    for group in [*groups, session.pid]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        session.wait(timeout=10)


def results(to_run: list[Command], work: Path) -> tuple[list[CommandRun], dict[int, str]]:
    begun: dict[int, float] = {}
    ended: dict[int, tuple[int, float]] = {}
    servers: list[int] = []
    for line in _lines(work / "control"):
        word, *rest = line.split()
        if word == "begin":
            begun[int(rest[0])] = float(rest[1])
        elif word == "end":
            ended[int(rest[0])] = int(rest[1]), float(rest[2])
        elif word == "server":
            servers.append(int(rest[0]))
    runs = []
    for index, started in begun.items():
        status, finished = ended.get(index, (None, started))
        output = _read(work / f"{index}.out")
        runs.append(CommandRun(to_run[index], status, output, finished - started))
    return runs, {index: _read(work / f"server-{index}.log") for index in servers}


def _lines(path: Path) -> list[str]:
    return _read(path).splitlines()


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


@contextlib.contextmanager
def databases_dropped(prefix: str | None) -> Iterator[None]:
    """Drop the databases and roles named `prefix...` that appear while the block runs."""
    before = _names() if prefix else {}
    try:
        yield
    finally:
        if prefix:
            after = _names()
            for kind in ("DATABASE", "ROLE"):  # a role goes once its databases are gone
                for name in sorted(after.get(kind, set()) - before.get(kind, set())):
                    if name.startswith(prefix):
                        _drop(kind, name)


def _names() -> dict[str, set[str]]:
    try:
        import psycopg

        with psycopg.connect(services.postgres().url, connect_timeout=3) as connection:
            databases = connection.execute("SELECT datname FROM pg_database").fetchall()
            roles = connection.execute("SELECT rolname FROM pg_roles").fetchall()
    except Exception:  # no server: nothing to clean up
        return {}
    return {"DATABASE": {row[0] for row in databases}, "ROLE": {row[0] for row in roles}}


def _drop(kind: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    force = " WITH (FORCE)" if kind == "DATABASE" else ""
    statement = sql.SQL(f"DROP {kind} IF EXISTS {{}}{force}").format(sql.Identifier(name))
    with psycopg.connect(services.postgres().url, autocommit=True) as connection:
        connection.execute(statement)
