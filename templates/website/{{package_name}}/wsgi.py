"""The WSGI entry point: the `app` that gunicorn serves (see gunicorn.conf.py)."""

from . import create_app

app = create_app()
