"""The interactive path in a real pseudo-terminal: Copier's questions, asked by flaskstarter."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest
import yaml

from tests.helpers import screen_text

CTRL_U = "\x15"  # clear the pre-filled default
ENTER = "\r"


def _spawn(tmp_path: Path, *args: str, columns: int = 160, command: str = "new") -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "flaskstarter", command, *args],
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=60,
        dimensions=(40, columns),
        env={
            "TERM": "xterm",
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "LANG": "C.UTF-8",
            "COLUMNS": str(columns),
        },
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


@pytest.mark.parametrize(
    ("signal_number", "exit_code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)],
    ids=["SIGINT", "SIGTERM", "SIGHUP"],
)
def test_a_signal_during_rendering_leaves_no_partial_project(
    tmp_path: Path, signal_number: int, exit_code: int
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "flaskstarter", "new", "demo", "-k", "prototype", "-y"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(".flaskstarter-*")):
        assert time.monotonic() < deadline and process.poll() is None, "rendering never started"
        time.sleep(0.005)
    process.send_signal(signal_number)
    out, err = process.communicate(timeout=60)

    assert process.returncode == exit_code, out + err
    assert err.strip() == "Aborted."
    assert "Traceback" not in out + err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("signal_number", "exit_code"),
    [(signal.SIGTERM, 143), (signal.SIGHUP, 129)],
    ids=["SIGTERM", "SIGHUP"],
)
def test_a_signal_at_a_prompt_ends_it_as_ctrl_c_does(
    tmp_path: Path, signal_number: int, exit_code: int
) -> None:
    child = _spawn(tmp_path, "demo", "--kind", "prototype")

    child.expect("Project name")
    child.send(ENTER)
    child.expect("Python package name")
    child.kill(signal_number)
    child.expect(pexpect.EOF)
    child.close()

    assert child.exitstatus == exit_code
    assert "Aborted." in child.before
    assert "Traceback" not in child.before
    assert list(tmp_path.iterdir()) == []


def test_validation_messages_are_shown_whole_on_a_narrow_terminal(tmp_path: Path) -> None:
    child = _spawn(tmp_path, "demo", "--kind", "prototype", columns=40)

    child.expect("Project name")
    child.send(ENTER)
    child.expect("package")
    child.send(CTRL_U + "flask" + ENTER)
    child.expect(r"package name\.")
    shown = screen_text(child.before + child.after)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()

    message = (
        "'flask' would shadow a Python module or dependency of the same name: "
        "choose another package name"
    )
    assert "".join(message.split()) in "".join(shown.split())
    assert "…" not in shown


def test_errors_are_shown_whole_on_a_narrow_terminal(tmp_path: Path) -> None:
    child = _spawn(
        tmp_path, "demo", "-k", "prototype", "-y", "-d", "package_name=flask", columns=40
    )

    child.expect(pexpect.EOF)
    child.close()

    assert child.exitstatus == 1
    shown = "".join(screen_text(child.before).split())
    assert "wouldshadowaPythonmoduleordependencyofthesamename:chooseanotherpackagename" in shown


@pytest.mark.parametrize("command", ["new", "smoke"])
def test_data_option_help_shows_key_equals_value(tmp_path: Path, command: str) -> None:
    child = _spawn(tmp_path, "--help", columns=60, command=command)
    child.expect(pexpect.EOF)
    help_text = child.before

    assert "--data KEY=VALUE" in " ".join(help_text.split())
    assert "list[str]" not in help_text and "TEXT" not in help_text.split("--data")[1][:40]
