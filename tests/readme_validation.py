"""Rule 2 of tests/readme_commands.py: a `# needs: docker` or `# needs: kubernetes` block is
validated offline instead of run (hadolint, the compose-spec schema, kubernetes-validate)."""

from __future__ import annotations

import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.readme_blocks import Block, commands

TOOLS = Path(sys.executable).parent
COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
_COMPOSE_OPTIONS_WITH_VALUES = frozenset(
    {
        "-f",
        "--file",
        "-p",
        "--project-name",
        "--profile",
        "--env-file",
        "-e",
        "--env",
        "-u",
        "--user",
        "-w",
        "--workdir",
        "--entrypoint",
        "--name",
        "-l",
        "--label",
        "-v",
        "--volume",
        "--publish",
        "--project-directory",
        "--scale",
        "-t",
        "--timeout",
        "--index",
    }
)
# Subcommands whose first argument is the one service they act on; others take a list.
_ONE_SERVICE = frozenset({"exec", "run", "cp"})


@dataclass(frozen=True)
class Validation:
    line: int
    what: str
    ok: bool
    output: str


def validate(block: Block, project: Path) -> list[Validation]:
    """Check offline what a `# needs:` block would use (rule 2)."""
    checks: list[Validation] = []
    words = [_words(command.text) for command in commands(block)]
    if "docker" in block.needs:
        checks += _validate_docker(block.line, words, project)
    if "kubernetes" in block.needs:
        checks += _validate_kubernetes(block.line, words, project)
    return checks


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text.replace("\\\n", " "), comments=True)
    except ValueError:
        return text.split()


def _validate_docker(line: int, commands: list[list[str]], project: Path) -> list[Validation]:
    checks = []
    dockerfile = project / "Dockerfile"
    if dockerfile.is_file():
        checks.append(
            _tool(line, "hadolint", "--failure-threshold", "warning", "Dockerfile", cwd=project)
        )
    elif any(words[:2] == ["docker", "build"] for words in commands):
        checks.append(Validation(line, "Dockerfile", False, "`docker build` but no Dockerfile"))
    compose = next((project / name for name in COMPOSE_FILES if (project / name).is_file()), None)
    named = {service for words in commands for service in _compose_services(words)}
    uses_compose = any(words[:2] == ["docker", "compose"] for words in commands)
    if compose is None:
        if uses_compose:
            checks.append(
                Validation(line, "compose file", False, "`docker compose` but no compose.yaml")
            )
        return checks
    checks.append(
        _tool(
            line,
            "check-jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            compose.name,
            cwd=project,
        )
    )
    loaded = yaml.safe_load(compose.read_text())
    services = loaded.get("services") if isinstance(loaded, dict) else None
    defined = set(services) if isinstance(services, dict) else set()
    missing = sorted(named - defined)
    checks.append(
        Validation(
            line,
            f"services named in `docker compose` commands are in {compose.name}",
            not missing,
            f"not in {compose.name}: {', '.join(missing)} (it has {', '.join(sorted(defined))})"
            if missing
            else "",
        )
    )
    return checks


def _compose_services(words: list[str]) -> list[str]:
    """The services a `docker compose SUBCOMMAND ...` command names."""
    if words[:2] != ["docker", "compose"]:
        return []
    arguments = _positional(words[2:])
    if not arguments:
        return []
    subcommand, rest = arguments[0], arguments[1:]
    if subcommand in _ONE_SERVICE:
        return rest[:1]
    if subcommand in {"config", "down", "ls", "version", "images", "top"}:
        return []
    return rest


def _positional(words: list[str]) -> list[str]:
    """Arguments that are not options, and not the values of options that take one."""
    found: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = word in _COMPOSE_OPTIONS_WITH_VALUES
        elif found and found[0] in _ONE_SERVICE and len(found) == 2:
            break  # the command run inside the service: its words are not services
        else:
            found.append(word)
    return found


def _validate_kubernetes(line: int, commands: list[list[str]], project: Path) -> list[Validation]:
    paths = [
        path
        for words in commands
        if words[:2] == ["kubectl", "apply"]
        for path in _kubectl_files(words[2:])
    ]
    if not paths:
        paths = ["k8s"] if (project / "k8s").is_dir() else []
    manifests: list[str] = []
    for path in paths:
        target = project / path
        if target.is_dir():
            manifests += sorted(
                str(file.relative_to(project))
                for file in target.iterdir()
                if file.suffix in {".yaml", ".yml"}
            )
        else:
            manifests.append(path)
    if not manifests:
        return [Validation(line, "Kubernetes manifests", False, "no manifest to validate")]
    return [_tool(line, "kubernetes-validate", "--strict", *manifests, cwd=project)]


def _kubectl_files(words: list[str]) -> list[str]:
    files = []
    for index, word in enumerate(words):
        if word in {"-f", "--filename"} and index + 1 < len(words):
            files.append(words[index + 1])
        elif word.startswith(("-f=", "--filename=")):
            files.append(word.partition("=")[2])
    return files


def _tool(line: int, name: str, *args: str, cwd: Path) -> Validation:
    command = [str(TOOLS / name), *args]
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Validation(line, " ".join([name, *args]), False, str(error))
    output = done.stdout + done.stderr
    return Validation(line, " ".join([name, *args]), done.returncode == 0, output)
