"""The interactive path in a real pseudo-terminal: Copier's questions, asked by flaskstarter."""

from __future__ import annotations

import sys
from pathlib import Path

import pexpect
import yaml

CTRL_U = "\x15"  # clear the pre-filled default
ENTER = "\r"


def _spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "flaskstarter", "new", *args],
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 160),
        env={"TERM": "xterm", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"},
    )


def test_questions_are_asked_and_an_invalid_answer_is_asked_again(tmp_path: Path) -> None:
    child = _spawn(tmp_path, "demo", "--kind", "prototype")

    child.expect("Project name")
    child.send(CTRL_U + "Demo App" + ENTER)
    child.expect("Python package name")
    child.send(CTRL_U + "flask" + ENTER)
    child.expect("would shadow a Python module")
    child.send(CTRL_U + "demo_app" + ENTER)
    child.expect("One-line description")
    child.send(ENTER)
    child.expect("Author name")
    child.send(CTRL_U + "Ada" + ENTER)
    child.expect("Author e-mail")
    child.send(CTRL_U + "ada@example.com" + ENTER)
    child.expect("Created")
    child.expect(pexpect.EOF)
    child.close()

    assert child.exitstatus == 0
    answers = yaml.safe_load((tmp_path / "demo" / ".copier-answers.yml").read_text())
    assert answers["package_name"] == "demo_app"
    assert answers["project_name"] == "Demo App"
    assert answers["author_name"] == "Ada"
    assert "Traceback" not in (child.before or "")


def test_kinds_are_shown_and_ctrl_c_aborts_leaving_nothing(tmp_path: Path) -> None:
    child = _spawn(tmp_path, "demo")

    child.expect("Kinds of Flask project")
    child.expect("What kind of Flask project")
    child.sendintr()
    child.expect("Aborted")
    child.expect(pexpect.EOF)
    child.close()

    assert child.exitstatus == 130
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".flaskstarter-")]
    assert "Traceback" not in (child.before or "")


def test_destination_is_asked_when_omitted(tmp_path: Path) -> None:
    child = _spawn(tmp_path, "--kind", "prototype")

    child.expect("Folder to create")
    child.send("asked-folder" + ENTER)
    child.expect("Project name")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()

    assert not (tmp_path / "asked-folder").exists()


def test_sigint_during_rendering_leaves_no_partial_project(tmp_path: Path) -> None:
    import signal
    import subprocess
    import time

    process = subprocess.Popen(
        [sys.executable, "-m", "flaskstarter", "new", "demo", "-k", "website", "-y"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(".flaskstarter-*")):
        assert time.monotonic() < deadline and process.poll() is None, "rendering never started"
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)

    assert process.returncode == 130, out + err
    assert err.strip() == "Aborted."
    assert "Traceback" not in out + err
    assert list(tmp_path.iterdir()) == []
