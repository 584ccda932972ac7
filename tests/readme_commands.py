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
   queue. The databases and roles a run creates (named after the project's package) are dropped
   at the end.

7. **Install with uv when it is there, pip otherwise.** The session's `PATH` has the system's
   tools and Python, and `uv` in one run per README; a representative README is also run with
   no uv on `PATH`. A generated project's README also finds `flaskstarter` there, as its user
   does who installed it as a tool (`uv tool install`, pipx): the one the tests run, which
   generated the project. Everything else of the session's environment is the caller's, without the
   variables a project reads (`FLASK_*`, `APP_ENV`, `SECRET_KEY`, `DATABASE_URL`, ...); uv's
   cache and a mypy cache are shared between runs, as on a developer's machine.

A failure is reported with the README line of the command, the command, its exit status and its
whole output, and the whole log of every server it started.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flaskstarter.smoke.serve import free_port
from tests.readme_blocks import Command, ReadmeError, bash_blocks, commands, server_kind
from tests.readme_session import (
    USUAL_PORTS,
    CommandRun,
    databases_dropped,
    environment,
    give_env_its_own_redis_database,
    results,
    run_session,
    session_script,
)
from tests.readme_validation import Validation, validate

README_TIMEOUT = 15 * 60


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
    # The whole session: wall-clock seconds, and CPU seconds of its processes (what a busy
    # machine does not inflate, so the better guide to the time on an idle one).
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    # What the session printed outside the commands (bash's own errors).
    session_log: str = ""

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
                parts.append(
                    f"{self.readme}: the session ended with status {self.exit_status}:\n"
                    + self.session_log
                )
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
        lines.append(f"{self.seconds:6.1f} s  in all ({self.cpu_seconds:.1f} s of CPU)")
        return "\n".join(lines)


def run_readme(
    readme: Path,
    cwd: Path,
    *,
    uv: bool = True,
    then: Sequence[str] = (),
    skip: Sequence[str] = (),
    env: dict[str, str] | None = None,
    project: Path | None = None,
    database_prefix: str | None = None,
    timeout: float = README_TIMEOUT,
    tools: Mapping[str, Path] | None = None,
) -> ReadmeRun:
    """Run the README's `bash` blocks in `cwd` by the rules above.

    `then`: checks run afterwards in the same session, servers still up. `skip`: commands that
    start so are left out (a caller that proves them elsewhere). `project`: where `# needs:`
    blocks find their files and `.env` is (default: `cwd`). Databases named
    `database_prefix...` that the run creates are dropped at the end. `tools`: programs put on
    the session's `PATH` under these names (rule 7).
    """
    project = project or cwd
    all_blocks = bash_blocks(readme.read_text())
    validations = [
        check for block in all_blocks if block.needs for check in validate(block, project)
    ]
    written = [command for block in all_blocks if not block.needs for command in commands(block)]
    to_run = [command for command in written if not command.run_as.startswith(tuple(skip))]
    skipped = [command for command in written if command not in to_run]
    to_run += [Command(0, text, text, server_kind(text)) for text in then]
    with (
        tempfile.TemporaryDirectory(prefix="readme-run-") as workdir,
        databases_dropped(database_prefix),
    ):
        work = Path(workdir)
        ports = {kind: free_port() for kind in USUAL_PORTS}
        session = work / "session.sh"
        session.write_text(session_script(to_run, work, ports))
        give_env_its_own_redis_database(project / ".env")
        session_env = _with_tools(environment(work, uv, env), work / "tools", tools or {})
        started, cpu = time.perf_counter(), _children_cpu()
        status = run_session(session, cwd, session_env, timeout)
        seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
        runs, server_logs = results(to_run, work)
        session_log = (work / "session.log").read_text(errors="replace")
    return ReadmeRun(
        str(readme),
        runs,
        validations,
        server_logs,
        status,
        ports,
        skipped,
        seconds,
        cpu,
        session_log,
    )


def _with_tools(env: dict[str, str], folder: Path, tools: Mapping[str, Path]) -> dict[str, str]:
    if not tools:
        return env
    folder.mkdir()
    for name, program in tools.items():
        (folder / name).symlink_to(program)
    return {**env, "PATH": f"{folder}{os.pathsep}{env['PATH']}"}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
