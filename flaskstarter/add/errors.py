"""The error `flaskstarter add` raises: one line saying what is wrong, and nothing written."""

from __future__ import annotations

from flaskstarter.errors import FlaskstarterError


class AddError(FlaskstarterError):
    """The project, a name or a field cannot take the addition asked for."""
