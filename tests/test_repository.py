"""This repository's own hygiene: packaging, workflows, code quality, README commands."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from flaskstarter import __version__

REPO_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*command: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def test_github_workflows_are_valid() -> None:
    result = _run(
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        *map(str, (REPO_ROOT / ".github" / "workflows").glob("*.yml")),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_own_code_passes_ruff_and_mypy() -> None:
    ruff = _run(str(BIN / "ruff"), "check", "flaskstarter", "tests", "bench")
    assert ruff.returncode == 0, ruff.stdout
    mypy = _run(str(BIN / "mypy"))
    assert mypy.returncode == 0, mypy.stdout


def test_every_package_the_cli_imports_is_a_declared_dependency() -> None:
    """Nothing it imports may arrive only as a dependency of a dependency (uv, optional, comes
    with the `smoke` extra)."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    declared = {
        re.split(r"[<>=\[ ;]", requirement)[0].lower().replace("_", "-")
        for requirement in [*project["dependencies"], *project["optional-dependencies"]["smoke"]]
    }
    imported = set()
    for path in (REPO_ROOT / "flaskstarter").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.partition(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"flaskstarter", "__future__"}
    distributions = packages_distributions()
    undeclared = {
        module: distributions.get(module)
        for module in third_party
        if not {name.lower().replace("_", "-") for name in distributions.get(module, [])} & declared
    }
    assert undeclared == {}


def test_the_package_version_has_a_changelog_entry() -> None:
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text()
    heading = rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$"
    assert re.search(heading, changelog, re.MULTILINE), (
        f"CHANGELOG.md has no entry for {__version__}"
    )
    assert f"[{__version__}]: https://github.com/flaskstarter/flaskstarter/" in changelog


def test_readme_opens_with_the_two_commands() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    blocks = readme.split("```bash\n")[1:3]
    assert "flaskstarter new demo" in blocks[0]
    assert ".ci/run" in blocks[1]
    ci_run = (REPO_ROOT / ".ci" / "run").read_text()
    assert ".venv/bin/python -m pytest -n auto" in blocks[1]
    assert ci_run.rstrip().endswith(".venv/bin/python -m pytest -n auto")


@pytest.mark.slow
def test_wheel_ships_the_templates_and_the_installed_cli_renders_from_them(tmp_path: Path) -> None:
    from flaskstarter.smoke.project_env import find_uv

    uv = find_uv()
    assert uv, "uv is a test dependency"
    built = _run(uv, "build", "--out-dir", str(tmp_path / "dist"), str(REPO_ROOT))
    assert built.returncode == 0, built.stderr
    # What the release workflow checks before publishing.
    dists = [*(tmp_path / "dist").glob("*.whl"), *(tmp_path / "dist").glob("*.tar.gz")]
    twine = _run(str(BIN / "twine"), "check", "--strict", *map(str, dists))
    assert twine.returncode == 0, twine.stdout + twine.stderr
    wheel = next((tmp_path / "dist").glob("flaskstarter_cli-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "flaskstarter/_template/copier.yml" in names
    for kind in ("website", "rest_api", "prototype", "microservice"):
        assert any(name.startswith(f"flaskstarter/_template/templates/{kind}/") for name in names)
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]

    venv = tmp_path / "venv"
    assert _run(uv, "venv", "--quiet", "--python", sys.executable, str(venv)).returncode == 0
    install = _run(
        uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), str(wheel)
    )
    assert install.returncode == 0, install.stderr
    new = _run(
        str(venv / "bin" / "flaskstarter"), "new", "demo", "-k", "prototype", "-y", cwd=tmp_path
    )
    assert new.returncode == 0, new.stderr
    answers = (tmp_path / "demo" / ".copier-answers.yml").read_text()
    assert f"_commit: v{__version__}" in answers
    assert "_src_path: https://github.com/flaskstarter/flaskstarter.git" in answers
    assert not list((tmp_path / "demo").rglob("__pycache__"))
