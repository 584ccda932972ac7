"""The smoke harness: render a kind, install it fresh, run its tests and linters, serve it.

`pipeline` runs one project through every step, `runs` plans the runs a command asks for,
`project_env` makes and uses a project's venv, `serve` runs it under gunicorn, `services` finds
the PostgreSQL and Redis servers the answers need.
"""

from flaskstarter.smoke.pipeline import STEPS, ServedProject, SmokeReport, run_smoke

__all__ = ["STEPS", "ServedProject", "SmokeReport", "run_smoke"]
