"""Pages made by `flaskstarter add page` and `add scaffold`: one module or package each, with its
blueprint `bp`, its `TITLE`, and (a scaffold's) `LINK`, the view the navigation links.

create_app registers every module in this folder and links each from the navigation, so
nothing is wired in by hand.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from flask import Flask


def added_pages() -> list[ModuleType]:
    """The modules in this folder, by name."""
    return [
        importlib.import_module(f"{__name__}.{module.name}")
        for module in pkgutil.iter_modules(__path__)
    ]


def init_app(app: Flask) -> None:
    """Register each page's blueprint, and put its link in the navigation (base.html)."""
    links = []
    for page in added_pages():
        app.register_blueprint(page.bp)
        links.append((f"{page.bp.name}.{getattr(page, 'LINK', 'show')}", page.TITLE))
    app.jinja_env.globals["added_pages"] = links
