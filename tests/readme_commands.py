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
