"""The baseline of the throughput group: a bare Flask hello-world, no extension, no middleware.

The benchmark copies this file (and hello_db_page.py beside it) into a package of its own and
serves it with the same gunicorn and the same worker settings as the generated project, from
that project's venv.
"""

from importlib.util import find_spec

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello() -> str:
        return "<!doctype html><title>Hello</title><p>Hello, World!</p>"

    @app.get("/json")
    def hello_json() -> dict[str, str]:
        return {"status": "ok"}

    if find_spec("flask_sqlalchemy"):  # the venv of a kind with database routes
        from .hello_db_page import init_db_page

        init_db_page(app)
    return app
