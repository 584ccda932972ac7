"""Run a README's shell commands as a user pastes them (issue #14). The rules a README follows:

1. **`bash` blocks are run, in order, in one session.** Every fenced block tagged `bash` is run,
   in the README's order, by one `bash` process with `set -euo pipefail`, started in the project
   folder as `flaskstarter new` leaves it (a git repository with one commit, and its `.env`).
   State carries over from block to block: `cd`, variables, `export`, an activated venv. Blocks
   fenced otherwise (`console`, `text`, `json`, `toml`, ...) are never run: use them for output and
   for things not meant to be pasted. Each top-level command must exit 0 (the whole of an
   `a && b` list too, not only its last part). Standard input is empty (no command may wait for
   an answer) and the whole README has 15 minutes.

2. **`# needs: docker` / `# needs: kubernetes`.** A block whose first line is that comment (or
   `# needs: docker, kubernetes`) is for machines that have them: here it is validated instead
   of run. `docker`: hadolint on each `Dockerfile`, the compose-spec schema on `compose.yaml`,
   and every service that a `docker compose` command in the block names must be one of
   compose.yaml's. `kubernetes`: kubernetes-validate on what each `kubectl apply -f PATH` in the
   block names. Write what a user without them does as the next, ordinary block ("Without
   Docker: ..."): that one is run here.

3. **Servers run in the background.** A command line that starts a server, `flask ... run`,
   `gunicorn ...` or `celery ... worker` (after optional `NAME=value` assignments), is started in
   the background; the next command runs once it answers HTTP (a Celery worker: once its log says
   `ready.`, so keep `--loglevel INFO`), and it is stopped when a server of the same kind starts
   again and at the end. Write it as one plain command (no `&`, `&&` or `|`), on its usual
   address: the development server at http://127.0.0.1:5000, gunicorn at http://127.0.0.1:8000.
   The runner gives each a free port: `FLASK_RUN_PORT` and `GUNICORN_CMD_ARGS="--bind ..."` are
   set for it, and `localhost:5000`, `127.0.0.1:5000` (likewise `:8000`) in every command are
   rewritten to the port it chose.

4. **Outcomes are checked by the commands.** `curl -fsS` (not `curl -s`), so that an HTTP error
   fails the command; a command that shows a promised outcome (a page, a token, a finished task)
   must fail when the outcome is missing, e.g. `| grep -q '"status": "SUCCESS"'` or a polling
   loop with a time limit.

5. **Long commands name their small variant.** A command line ending with the comment
   `# ... tested as: COMMAND` is run as COMMAND here (e.g. the whole benchmark as its smallest
   variant); the README reader sees both.

6. **Services are this machine's.** PostgreSQL and Redis answer where compose.yaml publishes them
   (localhost:5432, user `postgres`, any password; localhost:6379), so `.env`'s development URLs
   work as written. PostgreSQL's client variables (`PGHOST`, `PGPORT`, `PGUSER`) name the same
   server, as a user's own setup would, so `createdb NAME` works. Only `REDIS_URL` in `.env` is
   given a Redis database index of the run's own, so that concurrent runs never share Celery's
   queue. Databases the run creates are dropped at the end.

7. **Install with uv when it is there, pip otherwise.** The session's `PATH` has the system's
   tools and Python, and `uv` in one run per README; a representative README is also run with
   no uv on `PATH`. Everything else of the session's environment is the caller's, without the
   variables a project reads (`FLASK_*`, `APP_ENV`, `SECRET_KEY`, `DATABASE_URL`, ...).

A failure is reported with the README line of the command, the command, its exit status and its
whole output, and the whole log of every server it started.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from flaskstarter.smoke import services
from flaskstarter.smoke.project_env import find_uv
from flaskstarter.smoke.serve import free_port

NEEDS = frozenset({"docker", "kubernetes"})
SERVER_KINDS = ("flask", "gunicorn", "celery")
USUAL_PORTS = {"flask": 5000, "gunicorn": 8000}
README_TIMEOUT = 15 * 60
SERVER_START_TIMEOUT = 60
# The system's tools and Python; never the test runner's venv or a global `flask`/`pytest`.
SYSTEM_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
# What a project reads from the environment: the session starts without them (rule 7).
PROJECT_VARIABLES = re.compile(
    r"^(FLASK_\w*|APP_ENV|SECRET_KEY|\w*_SECRET_KEY|DATABASE_URL|TEST_DATABASE_URL|REDIS_URL"
    r"|CELERY_\w*|API_\w*|JWT_\w*|GUNICORN_\w*|WEB_CONCURRENCY|HOST|PORT|PG\w*|VIRTUAL_ENV"
    r"|PYTHONPATH|PYTHONHOME|PYTEST_\w*|COV_CORE_\w*|PROMETHEUS_MULTIPROC_DIR|MYPY_\w*)$"
)
TOOLS = Path(sys.executable).parent
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\s`]*)")
_NEEDS_LINE = re.compile(r"^#\s*needs:\s*(?P<needs>.+?)\s*$")
_TESTED_AS = re.compile(r"(?:^|\s)#[^\n]*?\btested as:\s*(?P<command>\S.*?)\s*$")
_USUAL_ADDRESS = re.compile(r"\b(?P<host>localhost|127\.0\.0\.1|0\.0\.0\.0):(?P<port>5000|8000)\b")
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*=")


class ReadmeError(AssertionError):
    """A README breaks one of the rules above, or one of its commands failed."""


@dataclass(frozen=True)
class Block:
    """A fenced block: the README line its first content line is on, its language, its lines."""

    line: int
    language: str
    lines: tuple[str, ...]

    @property
    def needs(self) -> frozenset[str]:
        match = _NEEDS_LINE.match(self.lines[0].strip()) if self.lines else None
        if not match:
            return frozenset()
        needs = frozenset(need.strip() for need in match["needs"].split(","))
        if unknown := needs - NEEDS:
            raise ReadmeError(
                f"README line {self.line}: unknown need {', '.join(sorted(unknown))}"
                f" (known: {', '.join(sorted(NEEDS))})"
            )
        return needs


@dataclass(frozen=True)
class Command:
    """One top-level shell command of a block, as written and as it is run here."""

    line: int
    text: str
    run_as: str
    server: str | None = None

    def describe(self) -> str:
        shown = self.text if self.run_as == self.text else f"{self.text}\n(run as: {self.run_as})"
        return f"README line {self.line}:\n{shown}"


def blocks(markdown: str) -> list[Block]:
    """Every fenced code block of a Markdown text, in order."""
    found: list[Block] = []
    lines = markdown.splitlines()
    number = 0
    while number < len(lines):
        opening = _FENCE.match(lines[number])
        number += 1
        if not opening:
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        content: list[str] = []
        while number < len(lines):
            closing = _FENCE.match(lines[number])
            if closing and closing["fence"].startswith(fence) and not closing["info"]:
                break
            text = lines[number]
            content.append(text[indent:] if not text[:indent].strip() else text)
            number += 1
        found.append(Block(number - len(content) + 1, opening["info"].lower(), tuple(content)))
        number += 1
    return found


def bash_blocks(markdown: str) -> list[Block]:
    return [block for block in blocks(markdown) if block.language == "bash"]


def commands(block: Block) -> list[Command]:
    """The block's top-level commands: lines joined until bash reads them as complete."""
    found: list[Command] = []
    pending: list[str] = []
    start = block.line
    for offset, line in enumerate(block.lines):
        if not pending:
            start = block.line + offset
        pending.append(line)
        text = "\n".join(pending)
        if line.endswith("\\") or not _complete(text):
            continue
        pending = []
        if _is_comment(text):
            continue
        found.append(_command(start, text))
    if pending and not _is_comment("\n".join(pending)):
        raise ReadmeError(f"README line {start}: the command never ends:\n" + "\n".join(pending))
    return found


def _complete(text: str) -> bool:
    checked = subprocess.run(
        ["bash", "-n"], input=text + "\n", capture_output=True, text=True, check=False
    )
    return checked.returncode == 0 and "here-document" not in checked.stderr


def _is_comment(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _command(line: int, text: str) -> Command:
    tested_as = _TESTED_AS.search(text.splitlines()[-1])
    run_as = tested_as["command"] if tested_as else text
    return Command(line, text, run_as, server_kind(run_as, line))


def server_kind(text: str, line: int = 0) -> str | None:
    """flask, gunicorn or celery when the command starts that server (rule 3), else None."""
    lexer = shlex.shlex(text.replace("\\\n", " "), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError:
        return None
    while words and _ASSIGNMENT.match(words[0]):
        words.pop(0)
    if len(words) > 2 and Path(words[0]).name.startswith("python") and words[1] == "-m":
        words = words[2:]
    if not words:
        return None
    program = Path(words[0]).name
    kind = {
        "flask": "flask" if "run" in words else None,
        "gunicorn": "gunicorn",
        "celery": "celery" if "worker" in words else None,
    }.get(program)
    if kind and any(word in {"&", "&&", "||", "|", ";", "|&"} for word in words):
        raise ReadmeError(
            f"README line {line}: start a server with one plain command (no &, &&, | or ;):\n"
            + text
        )
    return kind


# --- Rule 2: blocks for machines with Docker or Kubernetes are validated instead of run

COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
_COMPOSE_OPTIONS_WITH_VALUES = frozenset(
    {
        "-f",
        "--file",
        "-p",
        "--project-name",
        "--profile",
        "--env-file",
        "-e",
        "--env",
        "-u",
        "--user",
        "-w",
        "--workdir",
        "--entrypoint",
        "--name",
        "-l",
        "--label",
        "-v",
        "--volume",
        "--publish",
        "--project-directory",
        "--scale",
        "-t",
        "--timeout",
        "--index",
    }
)
# Subcommands whose first argument is the one service they act on; others take a list.
_ONE_SERVICE = frozenset({"exec", "run", "cp"})


@dataclass(frozen=True)
class Validation:
    line: int
    what: str
    ok: bool
    output: str


def validate(block: Block, project: Path) -> list[Validation]:
    """Check offline what a `# needs:` block would use (rule 2)."""
    checks: list[Validation] = []
    words = [_words(command.text) for command in commands(block)]
    if "docker" in block.needs:
        checks += _validate_docker(block.line, words, project)
    if "kubernetes" in block.needs:
        checks += _validate_kubernetes(block.line, words, project)
    return checks


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text.replace("\\\n", " "), comments=True)
    except ValueError:
        return text.split()


def _validate_docker(line: int, commands: list[list[str]], project: Path) -> list[Validation]:
    checks = []
    dockerfile = project / "Dockerfile"
    if dockerfile.is_file():
        checks.append(
            _tool(line, "hadolint", "--failure-threshold", "warning", "Dockerfile", cwd=project)
        )
    elif any(words[:2] == ["docker", "build"] for words in commands):
        checks.append(Validation(line, "Dockerfile", False, "`docker build` but no Dockerfile"))
    compose = next((project / name for name in COMPOSE_FILES if (project / name).is_file()), None)
    named = {service for words in commands for service in _compose_services(words)}
    uses_compose = any(words[:2] == ["docker", "compose"] for words in commands)
    if compose is None:
        if uses_compose:
            checks.append(
                Validation(line, "compose file", False, "`docker compose` but no compose.yaml")
            )
        return checks
    checks.append(
        _tool(
            line,
            "check-jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            compose.name,
            cwd=project,
        )
    )
    import yaml

    defined = set((yaml.safe_load(compose.read_text()) or {}).get("services") or {})
    missing = sorted(named - defined)
    checks.append(
        Validation(
            line,
            f"services named in `docker compose` commands are in {compose.name}",
            not missing,
            f"not in {compose.name}: {', '.join(missing)} (it has {', '.join(sorted(defined))})"
            if missing
            else "",
        )
    )
    return checks


def _compose_services(words: list[str]) -> list[str]:
    """The services a `docker compose SUBCOMMAND ...` command names."""
    if words[:2] != ["docker", "compose"]:
        return []
    arguments = _positional(words[2:])
    if not arguments:
        return []
    subcommand, rest = arguments[0], arguments[1:]
    if subcommand in _ONE_SERVICE:
        return rest[:1]
    if subcommand in {"config", "down", "ls", "version", "images", "top"}:
        return []
    return rest


def _positional(words: list[str]) -> list[str]:
    """Arguments that are not options, and not the values of options that take one."""
    found: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = word in _COMPOSE_OPTIONS_WITH_VALUES
        elif found and found[0] in _ONE_SERVICE and len(found) == 2:
            break  # the command run inside the service: its words are not services
        else:
            found.append(word)
    return found


def _validate_kubernetes(line: int, commands: list[list[str]], project: Path) -> list[Validation]:
    paths = [
        path
        for words in commands
        if words[:2] == ["kubectl", "apply"]
        for path in _kubectl_files(words[2:])
    ]
    if not paths:
        paths = ["k8s"] if (project / "k8s").is_dir() else []
    manifests: list[str] = []
    for path in paths:
        target = project / path
        if target.is_dir():
            manifests += sorted(
                str(file.relative_to(project))
                for file in target.iterdir()
                if file.suffix in {".yaml", ".yml"}
            )
        else:
            manifests.append(path)
    if not manifests:
        return [Validation(line, "Kubernetes manifests", False, "no manifest to validate")]
    return [_tool(line, "kubernetes-validate", "--strict", *manifests, cwd=project)]


def _kubectl_files(words: list[str]) -> list[str]:
    files = []
    for index, word in enumerate(words):
        if word in {"-f", "--filename"} and index + 1 < len(words):
            files.append(words[index + 1])
        elif word.startswith(("-f=", "--filename=")):
            files.append(word.partition("=")[2])
    return files


def _tool(line: int, name: str, *args: str, cwd: Path) -> Validation:
    command = [str(TOOLS / name), *args]
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Validation(line, " ".join([name, *args]), False, str(error))
    output = done.stdout + done.stderr
    return Validation(line, " ".join([name, *args]), done.returncode == 0, output)


# --- Rules 1, 3, 6, 7: the session

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


@dataclass
class ReadmeRun:
    """What happened when a README's commands ran: each command, each validation, each server."""

    readme: str
    runs: list[CommandRun]
    validations: list[Validation]
    server_logs: dict[int, str]
    exit_status: int | None
    ports: dict[str, int] = field(default_factory=dict)
    skipped: list[Command] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exit_status == 0 and all(check.ok for check in self.validations)

    def output_of(self, fragment: str) -> str:
        """The output of the last command that ran and whose text contains `fragment`."""
        for run in reversed(self.runs):
            if fragment in run.command.run_as and run.status is not None:
                return run.output
        raise ReadmeError(f"{self.readme}: no command with {fragment!r} ran")

    def report(self) -> str:
        """Everything about what failed, whole: the command, its status and output, the logs."""
        parts = []
        for check in self.validations:
            if not check.ok:
                parts.append(
                    f"{self.readme}: the `# needs:` block at line {check.line} fails its check"
                    f" ({check.what}):\n{check.output}"
                )
        failed = next((run for run in self.runs if run.status != 0), None)
        if self.exit_status != 0:
            if failed is None:
                parts.append(f"{self.readme}: the session ended with status {self.exit_status}")
            else:
                status = failed.status if failed.status is not None else self.exit_status
                ending = "timed out" if status is None else f"failed with exit status {status}"
                parts.append(
                    f"{self.readme}: a command {ending}."
                    f"\n{failed.command.describe()}\n--- its output ---\n{failed.output}"
                )
            for index, log in self.server_logs.items():
                server = self.runs[index].command if index < len(self.runs) else None
                where = server.describe() if server else f"command {index}"
                parts.append(f"--- log of the server started at {where}\n{log}")
        return "\n\n".join(parts) or f"{self.readme}: every command passed"

    def check(self) -> None:
        if not self.ok:
            raise ReadmeError(self.report())

    def timings(self) -> str:
        """Seconds per command, to see where a README's time goes (`pytest -s` shows it)."""
        lines = [
            f"{run.seconds:6.1f} s  line {run.command.line}: {run.command.run_as.splitlines()[0]}"
            for run in self.runs
        ]
        lines += [f"skipped   line {command.line}: {command.run_as}" for command in self.skipped]
        return "\n".join(lines)


def run_readme(
    readme: Path,
    cwd: Path,
    *,
    uv: bool = True,
    then: Sequence[str] = (),
    skip: Sequence[str] = (),
    env: dict[str, str] | None = None,
    database_prefix: str | None = None,
    timeout: float = README_TIMEOUT,
) -> ReadmeRun:
    """Run the README's `bash` blocks in `cwd` by the rules above.

    `then`: checks run afterwards in the same session, servers still up. `skip`: commands that
    start so are left out (a caller that proves them elsewhere). Databases named
    `database_prefix...` that the run creates are dropped at the end.
    """
    all_blocks = bash_blocks(readme.read_text())
    validations = [check for block in all_blocks if block.needs for check in validate(block, cwd)]
    written = [command for block in all_blocks if not block.needs for command in commands(block)]
    to_run = [command for command in written if not command.run_as.startswith(tuple(skip))]
    skipped = [command for command in written if command not in to_run]
    to_run += [Command(0, text, text, server_kind(text)) for text in then]
    with (
        tempfile.TemporaryDirectory(prefix="readme-run-") as workdir,
        _databases_dropped(database_prefix),
    ):
        work = Path(workdir)
        ports = {kind: free_port() for kind in USUAL_PORTS}
        script = work / "session.sh"
        script.write_text(_script(to_run, work, ports))
        _give_env_its_own_redis_database(cwd / ".env")
        status = _run_session(script, cwd, _environment(work, uv, env), timeout)
        runs, server_logs = _results(to_run, work)
    return ReadmeRun(str(readme), runs, validations, server_logs, status, ports, skipped)


def _script(to_run: list[Command], work: Path, ports: dict[str, int]) -> str:
    parts = [_PRELUDE % {"workdir": shlex.quote(str(work)), "timeout": SERVER_START_TIMEOUT}]
    for index, command in enumerate(to_run):
        text = _USUAL_ADDRESS.sub(
            lambda match: (
                f"{match['host']}:{ports['flask' if match['port'] == '5000' else 'gunicorn']}"
            ),
            command.run_as,
        )
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


def _server_settings(kind: str, ports: dict[str, int]) -> str:
    if kind == "flask":
        return f"export FLASK_RUN_PORT={ports['flask']}"
    if kind == "gunicorn":
        return f"export GUNICORN_CMD_ARGS='--bind 127.0.0.1:{ports['gunicorn']}'"
    return ":"


def _environment(work: Path, uv: bool, extra: dict[str, str] | None) -> dict[str, str]:
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


def _give_env_its_own_redis_database(env_file: Path) -> None:
    """Point `.env`'s REDIS_URL at a Redis database index of this run's own (rule 6)."""
    if not env_file.is_file():
        return
    index = secrets.choice(range(1, 16))

    def own_index(match: re.Match[str]) -> str:
        parts = urlsplit(match["url"])
        return match["name"] + urlunsplit(parts._replace(path=f"/{index}"))

    text = env_file.read_text()
    env_file.write_text(re.sub(r"(?m)^(?P<name>REDIS_URL=)(?P<url>redis://\S+)$", own_index, text))


def _run_session(script: Path, cwd: Path, env: dict[str, str], timeout: float) -> int | None:
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


def _results(to_run: list[Command], work: Path) -> tuple[list[CommandRun], dict[int, str]]:
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
def _databases_dropped(prefix: str | None) -> Iterator[None]:
    """Drop the databases named `prefix...` that appear while the block runs (rule 6)."""
    before = _databases() if prefix else set()
    try:
        yield
    finally:
        if prefix:
            for name in sorted(_databases() - before):
                if name.startswith(prefix):
                    _drop_database(name)


def _databases() -> set[str]:
    try:
        import psycopg

        with psycopg.connect(services.postgres().url, connect_timeout=3) as connection:
            rows = connection.execute("SELECT datname FROM pg_database").fetchall()
    except Exception:  # no server: nothing to clean up
        return set()
    return {row[0] for row in rows}


def _drop_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(services.postgres().url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
