"""Where the templates come from, and what a generated project records about it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from flaskstarter import __version__

# The public home of the templates: what `copier update` fetches months later.
CANONICAL_URL = "https://github.com/flaskstarter/flaskstarter.git"
# Tests and forks point generated projects at another git source with this variable.
TEMPLATE_URL_ENV = "FLASKSTARTER_TEMPLATE_URL"

_PACKAGED_ROOT = Path(__file__).parent / "_template"
_CHECKOUT_ROOT = Path(__file__).parent.parent
_RELEASE_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


@dataclass(frozen=True)
class TemplateSource:
    """A template root Copier can read, and how the project should remember it."""

    location: str
    vcs_ref: str | None
    # Set when we render from our own copy: the git source and tag recorded instead.
    recorded_url: str | None = None
    recorded_ref: str | None = None

    @property
    def is_bundled(self) -> bool:
        return self.recorded_url is not None


def bundled_template_root() -> Path:
    """The packaged copy when installed, else the checkout this module lives in."""
    if (_PACKAGED_ROOT / "copier.yml").is_file():
        return _PACKAGED_ROOT
    return _CHECKOUT_ROOT


def bundled_source() -> TemplateSource:
    """Render from our own copy; record the canonical git URL and release tag."""
    root = bundled_template_root()
    # A checkout is a git repository: HEAD (with local changes) is what a developer means,
    # whereas Copier's default would be the latest tag.
    vcs_ref = "HEAD" if (root / ".git").exists() else None
    recorded_ref = f"v{__version__}" if _RELEASE_VERSION.match(__version__) else None
    return TemplateSource(
        location=str(root),
        vcs_ref=vcs_ref,
        recorded_url=os.environ.get(TEMPLATE_URL_ENV) or CANONICAL_URL,
        recorded_ref=recorded_ref,
    )


def explicit_source(location: str, vcs_ref: str | None) -> TemplateSource:
    """A git source the user named (a fork, a checkout): Copier records it itself."""
    if "://" not in location and not location.startswith(("gh:", "gl:", "git@")):
        path = Path(location).expanduser()
        location = str(path.resolve())
    return TemplateSource(location=location, vcs_ref=vcs_ref)
