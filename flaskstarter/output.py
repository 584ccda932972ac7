"""Everything the CLI shows: rich tables, trees and progress. No logic beyond presentation.

rich is imported when something is drawn: `new` writing to a pipe or a CI log prints plain
lines and never loads it (importing rich and laying out the tree took ~45 ms).
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from flaskstarter.printable import printable
from flaskstarter.use_cases import CATALOGUE

if TYPE_CHECKING:
    from rich.console import Console

    # Only for annotations: `new` must not pay for importing the smoke and update machinery.
    from flaskstarter.next_steps import NextSteps
    from flaskstarter.render import RenderedProject
    from flaskstarter.smoke import SmokeReport
    from flaskstarter.update import UpdateResult

T = TypeVar("T")


@functools.cache
def console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def escape(text: str) -> str:
    """Text shown through rich: its markup escaped, control characters made visible."""
    from rich.markup import escape as escape_markup

    return escape_markup(printable(text))


def show_use_cases() -> None:
    from rich.table import Table

    table = Table(title="Kinds of Flask project", show_lines=True)
    table.add_column("kind", style="bold cyan")
    table.add_column("for")
    table.add_column("wires in")
    for use_case, info in CATALOGUE.items():
        table.add_row(use_case.value, info.purpose, ", ".join(info.wires_in))
    console().print(table)


def ask_destination() -> Path:
    from rich.prompt import Prompt

    return Path(Prompt.ask("Folder to create", default="my-flask-project", console=console()))


def show_catalogue(*, as_json: bool) -> None:
    from flaskstarter.catalogue import questions_for
    from flaskstarter.questions import load_questions
    from flaskstarter.template_source import bundled_template_root

    questions = load_questions(bundled_template_root())
    entries: list[dict[str, Any]] = [
        {
            "kind": use_case.value,
            "purpose": info.purpose,
            "wires_in": list(info.wires_in),
            "questions": [
                {
                    "name": asked.question.name,
                    "type": asked.question.type,
                    "help": asked.question.help,
                    "choices": asked.question.choice_values,
                    "default": asked.default,
                }
                for asked in questions_for(use_case, questions)
            ],
        }
        for use_case, info in CATALOGUE.items()
    ]
    if as_json:
        print(json.dumps(entries, indent=2))
        return
    from rich.table import Table

    for entry in entries:
        table = Table(
            title=f"[bold cyan]{entry['kind']}[/]: {escape(entry['purpose'])}", title_justify="left"
        )
        table.caption = "wires in: " + ", ".join(entry["wires_in"])
        for column in ("question", "type", "choices", "default", "help"):
            table.add_column(column)
        for question in entry["questions"]:
            table.add_row(
                question["name"],
                question["type"],
                escape(" | ".join(str(choice) for choice in question["choices"])),
                escape(_shown(question["default"])),
                escape(question["help"]),
            )
        console().print(table)


def show_created(rendered: RenderedProject, *, pretend: bool) -> None:
    """The files as a tree on a terminal; elsewhere (a pipe, a CI log) as plain lines."""
    if not sys.stdout.isatty():
        _print_created_plainly(rendered, pretend=pretend)
        return
    from rich.tree import Tree

    tree = Tree(f"[bold]{escape(str(rendered.path))}[/]")
    folders: dict[Path, Tree] = {Path("."): tree}
    for file in rendered.files:
        parent = Path(".")
        for part in file.parent.parts:
            child = parent / part
            if child not in folders:
                folders[child] = folders[parent].add(f"[blue]{escape(part)}/[/]")
            parent = child
        folders[parent].add(escape(file.name))
    if pretend:
        console().print("[yellow]Pretending:[/] nothing was written. It would create:")
        console().print(tree)
        return
    console().print(tree)
    # soft_wrap: long lines (a command to paste, a path) are printed whole, never broken.
    console().print(
        f"[green]Created[/] {escape(str(rendered.path))} ({len(rendered.files)} files).",
        soft_wrap=True,
    )
    steps = _next_steps(rendered)
    lines = ["", "[bold]Next steps:[/]", *(f"  {escape(step)}" for step in steps.commands), ""]
    console().print("\n".join([*lines, *(escape(note) for note in steps.notes)]), soft_wrap=True)


def _print_created_plainly(rendered: RenderedProject, *, pretend: bool) -> None:
    if pretend:
        print("Pretending: nothing was written. It would create:")
    print(printable(str(rendered.path)))
    print("\n".join(f"  {printable(file.as_posix())}" for file in rendered.files))
    if pretend:
        return
    print(f"Created {printable(str(rendered.path))} ({len(rendered.files)} files).")
    steps = _next_steps(rendered)
    commands = [f"  {printable(step)}" for step in steps.commands]
    print("\n".join(["", "Next steps:", *commands, "", *map(printable, steps.notes)]))


def _next_steps(rendered: RenderedProject) -> NextSteps:
    from flaskstarter.next_steps import next_steps

    return next_steps(
        rendered.path,
        rendered.answers,
        git_initialized=rendered.git_initialized,
        kept=rendered.kept,
    )


def show_update(result: UpdateResult, *, pretend: bool) -> None:
    project = escape(str(result.project))
    if result.up_to_date:
        console().print(
            f"{project} is already at the newest template version ({escape(str(result.old_ref))})"
            ": nothing to change.",
            soft_wrap=True,
        )
        return
    verb = "Would update" if pretend else "Updated"
    old, new = escape(str(result.old_ref)), escape(str(result.new_ref))
    console().print(f"{verb} {project}: {old} -> {new}", soft_wrap=True)
    for name, (before, after) in result.switched.items():
        console().print(
            f"  answer {escape(name)}: {escape(repr(before))} -> {escape(repr(after))}",
            soft_wrap=True,
        )
    labels = {
        "added": "added",
        "changed": "changed",
        "deleted": "deleted",
        "conflict": "[red]would conflict[/]" if pretend else "[red]conflict[/]",
        "kept": "[red]removed by the new version; your edits kept[/]",
    }
    for change in result.changes:
        console().print(f"  {escape(change.path)} ({labels[change.status]})", soft_wrap=True)
    kept = sum(change.status == "kept" for change in result.changes)
    if kept:
        console().print(
            f"[red]{kept} file(s) the new version removes hold your edits[/]: they are left as "
            "you committed them; move what you need to where the template now has it, then "
            "delete them.",
            soft_wrap=True,
        )
    conflicts = len(result.conflicted_files) - kept
    if conflicts and not pretend:
        console().print(
            f"[red]{conflicts} file(s) have conflict markers[/] (<<<<<<<): "
            "resolve them, then commit.",
            soft_wrap=True,
        )
    elif conflicts:
        console().print(
            f"[red]{conflicts} file(s) would get conflict markers[/] "
            "(<<<<<<<) to resolve. Nothing was changed.",
            soft_wrap=True,
        )
    elif pretend:
        console().print("Nothing was changed.")


def with_progress(work: Callable[[Callable[[str], None]], T]) -> T:
    with console().status("starting", spinner="dots") as status:
        return work(lambda message: status.update(escape(message)))


def show_smoke(reports: list[SmokeReport]) -> None:
    from rich.table import Table

    from flaskstarter.smoke import STEPS

    table = Table(title="flaskstarter smoke")
    table.add_column("kind", style="bold")
    table.add_column("answers")
    table.add_column("install s", justify="right")
    for step in STEPS[2:]:
        table.add_column(step)
    table.add_column("result")
    for report in reports:
        install = report.step("install")
        table.add_row(
            report.use_case,
            escape(
                ", ".join(f"{key}={value}" for key, value in report.answers.items()) or "defaults"
            ),
            f"{install.seconds:.1f}" if install else "-",
            *(_cell(report, step) for step in STEPS[2:]),
            "[green]PASS[/]" if report.ok else "[red]FAIL[/]",
        )
    console().print(table)
    for report in reports:
        if not report.ok:
            console().print(escape(report.summary()))


def _cell(report: SmokeReport, name: str) -> str:
    step = report.step(name)
    if step is None:
        return "-"
    return "[green]ok[/]" if step.ok else "[red]FAILED[/]"


def _shown(value: Any) -> str:
    return "" if value is None else str(value)
