"""Shared fixtures: an isolated environment, real services, a browser, throw-away template repos."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from flaskstarter.smoke import services
from tests.template_repo import TemplateRepo

REPO_ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("FLASKSTARTER_CHROMIUM", "/usr/bin/chromium")
NGINX = os.environ.get("FLASKSTARTER_NGINX", "/usr/sbin/nginx")


def pytest_configure(config: pytest.Config) -> None:
    # Fail rather than skip in CI: a missing service must never pass silently there.
    config.addinivalue_line("markers", "needs_service: uses a real PostgreSQL, Redis or browser")


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep the developer's HOME, git identity and app settings out of every test."""
    home = tmp_path_factory.mktemp("home")
    for name in ("XDG_CONFIG_HOME",):
        monkeypatch.delenv(name, raising=False)
    uv_cache = os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv")
    monkeypatch.setenv("UV_CACHE_DIR", uv_cache)  # keep the warm cache when HOME moves
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "author@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Author")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "author@example.com")
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "APP_ENV", "FLASKSTARTER_TEMPLATE_URL"):
        monkeypatch.delenv(name, raising=False)


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required, not skipped)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """Admin URL of the real PostgreSQL server (FLASKSTARTER_POSTGRES_URL)."""
    server = services.postgres()
    if not server.answers():
        _unavailable(f"no PostgreSQL server answers at {server.url}")
    return server.url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the real Redis server (FLASKSTARTER_REDIS_URL)."""
    server = services.redis()
    if not server.answers():
        _unavailable(f"no Redis server answers at {server.url}")
    return server.url


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of Debian's Chromium for Playwright (FLASKSTARTER_CHROMIUM)."""
    return _installed(CHROMIUM, "chromium")


@pytest.fixture(scope="session")
def nginx() -> str:
    """Path of Debian's nginx, the proxy in front of the served kinds (FLASKSTARTER_NGINX)."""
    return _installed(NGINX, "nginx")


def _installed(program: str, package: str) -> str:
    if not (os.access(program, os.X_OK) or shutil.which(program)):
        _unavailable(f"no {package} at {program} (apt-get install {package})")
    return program


@pytest.fixture
def template_repo(tmp_path: Path) -> Iterator[TemplateRepo]:
    """A throw-away git repo of this checkout's copier.yml and templates/, tagged v0.1.0."""
    repo = TemplateRepo.from_checkout(REPO_ROOT, tmp_path / "template-repo")
    repo.commit_and_tag("0.1.0")
    yield repo


@pytest.fixture(scope="module")
def plain_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The templates as a plain folder: Copier renders it without cloning the checkout each time."""
    root = tmp_path_factory.mktemp("template")
    shutil.copy2(REPO_ROOT / "copier.yml", root / "copier.yml")
    shutil.copytree(
        REPO_ROOT / "templates", root / "templates", ignore=shutil.ignore_patterns("__pycache__")
    )
    return root
