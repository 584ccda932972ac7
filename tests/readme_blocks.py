"""A README's fenced blocks and the shell commands in them, read by the rules in
tests/readme_commands.py (rule 1: `bash` blocks; 2: `# needs:`; 3: servers; 5: `tested as:`)."""

from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

NEEDS = frozenset({"docker", "kubernetes"})
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\s`]*)")
_NEEDS_LINE = re.compile(r"^#\s*needs:\s*(?P<needs>.+?)\s*$")
_TESTED_AS = re.compile(r"(?:^|\s)#[^\n]*?\btested as:\s*(?P<command>\S.*?)\s*$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*=")
_OPERATORS = frozenset({"&", "&&", "||", "|", ";", "|&"})


class ReadmeError(AssertionError):
    """A README breaks a rule of tests/readme_commands.py, or one of its commands failed."""


@dataclass(frozen=True)
class Block:
    """A fenced block: the README line its first content line is on, its language, its lines."""

    line: int
    language: str
    lines: tuple[str, ...]

    @property
    def needs(self) -> frozenset[str]:
        match = _NEEDS_LINE.match(self.lines[0].strip()) if self.lines else None
        if not match:
            return frozenset()
        needs = frozenset(need.strip() for need in match["needs"].split(","))
        if unknown := needs - NEEDS:
            raise ReadmeError(
                f"README line {self.line}: unknown need {', '.join(sorted(unknown))}"
                f" (known: {', '.join(sorted(NEEDS))})"
            )
        return needs


@dataclass(frozen=True)
class Command:
    """One top-level shell command of a block, as written and as it is run here."""

    line: int
    text: str
    run_as: str
    server: str | None = None

    def describe(self) -> str:
        shown = self.text if self.run_as == self.text else f"{self.text}\n(run as: {self.run_as})"
        return f"README line {self.line}:\n{shown}"


def blocks(markdown: str) -> list[Block]:
    """Every fenced code block of a Markdown text, in order."""
    found: list[Block] = []
    lines = markdown.splitlines()
    number = 0
    while number < len(lines):
        opening = _FENCE.match(lines[number])
        number += 1
        if not opening:
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        content: list[str] = []
        while number < len(lines):
            closing = _FENCE.match(lines[number])
            if closing and closing["fence"].startswith(fence) and not closing["info"]:
                break
            text = lines[number]
            content.append(text[indent:] if not text[:indent].strip() else text)
            number += 1
        found.append(Block(number - len(content) + 1, opening["info"].lower(), tuple(content)))
        number += 1
    return found


def bash_blocks(markdown: str) -> list[Block]:
    return [block for block in blocks(markdown) if block.language == "bash"]


def commands(block: Block) -> list[Command]:
    """The block's top-level commands: lines joined until bash reads them as complete."""
    found: list[Command] = []
    pending: list[str] = []
    start = block.line
    for offset, line in enumerate(block.lines):
        if not pending:
            start = block.line + offset
        pending.append(line)
        text = "\n".join(pending)
        if line.endswith("\\") or not _complete(text):
            continue
        pending = []
        if _is_comment(text):
            continue
        found.append(_command(start, text))
    if pending and not _is_comment("\n".join(pending)):
        raise ReadmeError(f"README line {start}: the command never ends:\n" + "\n".join(pending))
    return found


def _complete(text: str) -> bool:
    checked = subprocess.run(
        ["bash", "-n"], input=text + "\n", capture_output=True, text=True, check=False
    )
    return checked.returncode == 0 and "here-document" not in checked.stderr


def _is_comment(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _command(line: int, text: str) -> Command:
    tested_as = _TESTED_AS.search(text.splitlines()[-1])
    run_as = tested_as["command"] if tested_as else text
    return Command(line, text, run_as, server_kind(run_as, line))


def server_kind(text: str, line: int = 0) -> str | None:
    """flask, gunicorn or celery when the command starts that server (rule 3), else None."""
    lexer = shlex.shlex(text.replace("\\\n", " "), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError:
        return None
    while words and _ASSIGNMENT.match(words[0]):
        words.pop(0)
    if len(words) > 2 and Path(words[0]).name.startswith("python") and words[1] == "-m":
        words = words[2:]
    if not words:
        return None
    program = Path(words[0]).name
    kind = {
        "flask": "flask" if "run" in words else None,
        "gunicorn": "gunicorn",
        "celery": "celery" if "worker" in words else None,
    }.get(program)
    if kind and _OPERATORS.intersection(words):
        raise ReadmeError(
            f"README line {line}: start a server with one plain command (no &, &&, | or ;):\n"
            + text
        )
    return kind
