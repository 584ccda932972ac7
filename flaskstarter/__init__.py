"""flaskstarter: scaffold real Flask projects from Copier templates."""

__version__ = "0.1.0"
