"""A throw-away template repository, so update tests move templates forward without internet."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


def git(cwd: Path, *args: str) -> str:
    """Run git, failing the test with git's own message."""
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed in {cwd}:\n{result.stderr}")
    return result.stdout


@dataclass
class TemplateRepo:
    path: Path

    @classmethod
    def from_checkout(cls, checkout: Path, path: Path) -> TemplateRepo:
        path.mkdir(parents=True)
        shutil.copy2(checkout / "copier.yml", path / "copier.yml")
        shutil.copytree(
            checkout / "templates",
            path / "templates",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        git(path, "init", "--quiet", "--initial-branch=main")
        return cls(path)

    @property
    def url(self) -> str:
        return str(self.path)

    def template_file(self, use_case: str, relative: str) -> Path:
        return self.path / "templates" / use_case / relative

    def edit(self, use_case: str, relative: str, old: str, new: str) -> None:
        """Replace `old` (which must be there) by `new` in a template file."""
        file = self.template_file(use_case, relative)
        text = file.read_text()
        assert old in text, f"{old!r} not in {file}"
        file.write_text(text.replace(old, new, 1))

    def commit_and_tag(self, version: str) -> None:
        git(self.path, "add", "--all")
        git(self.path, "commit", "--quiet", "--allow-empty", "-m", f"Template v{version}")
        git(self.path, "tag", f"v{version}")
