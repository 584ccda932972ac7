"""`flaskstarter add`: generators inside a generated project, each addition kept updatable."""

from flaskstarter.add.errors import AddError
from flaskstarter.add.generate import GENERATORS, AddRequest, AddResult, add_to_project

__all__ = ["GENERATORS", "AddError", "AddRequest", "AddResult", "add_to_project"]
