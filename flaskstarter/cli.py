"""The command line: parses options, asks, prints. The work happens in the core modules."""

from __future__ import annotations

import gc
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from flaskstarter import __version__, interrupts
from flaskstarter.errors import QUOTE_LIMIT, Aborted, FlaskstarterError, UsageError
from flaskstarter.printable import printable
from flaskstarter.use_cases import UseCase

# A usage error quotes what was typed (`--kind` with a megabyte of text): quotes are cut to
# QUOTE_LIMIT characters, the whole message to this.
_MESSAGE_LIMIT = 250


class _OneLineErrors(TyperGroup):
    """Report usage errors on one line, and Ctrl-C as "Aborted.", never with a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        standalone_mode = kwargs.pop("standalone_mode", True)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[misc]
        except (typer.Abort, KeyboardInterrupt) as interrupt:
            typer.echo("Aborted.", err=True)
            sys.exit(Aborted.by(interrupt).exit_code)
        except typer.TyperException as error:
            message = error.format_message() if hasattr(error, "format_message") else str(error)
            # Typer validates choices through pydantic, which prefixes this.
            message = _shortened(" ".join(message.replace("Value error, ", "").split()))
            typer.echo(f"Error: {printable(message)} (see --help)", err=True)
            sys.exit(getattr(error, "exit_code", 2))
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


def _shortened(message: str) -> str:
    long_quote = "'([^']{" + str(QUOTE_LIMIT) + "})[^']+'"
    message = re.sub(long_quote, lambda quote: f"'{quote[1]}…'", message)
    return message if len(message) <= _MESSAGE_LIMIT else message[:_MESSAGE_LIMIT] + "…"


app = typer.Typer(
    cls=_OneLineErrors,
    help="Scaffold real Flask projects: websites, REST APIs, prototypes and microservices.",
    epilog="Example session: flaskstarter new library -k rest_api -y; cd library; "
    "flaskstarter add resource authors name:str:80:unique; git add -A; git commit -m authors; "
    "flaskstarter add resource books title:str:120 authors:ref (flaskstarter add --help for "
    "the generators); months later: flaskstarter update.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"flaskstarter {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Scaffold real Flask projects: websites, REST APIs, prototypes and microservices."""


@app.command()
def new(
    destination: Annotated[
        Path | None, typer.Argument(help="Folder to create (asked for when omitted).")
    ] = None,
    use_case: Annotated[
        UseCase | None,
        typer.Option(
            "--kind", "-k", help="Kind of project (see `flaskstarter list`).", show_default=False
        ),
    ] = None,
    defaults: Annotated[
        bool,
        typer.Option("--defaults", "-y", help="Take the default for every unanswered question."),
    ] = False,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="KEY=VALUE",
            help="Answer a question (repeatable; values up to 1,000 characters).",
        ),
    ] = None,
    data_file: Annotated[
        Path | None,
        typer.Option(
            "--data-file",
            metavar="FILE",
            help="YAML file of question: answer pairs (up to 64 KiB; no anchors or aliases).",
        ),
    ] = None,
    pretend: Annotated[
        bool, typer.Option(help="Show what would be written; write nothing.")
    ] = False,
    git: Annotated[
        bool,
        typer.Option(
            "--git/--no-git", help="git init and commit the project (copier update needs it)."
        ),
    ] = True,
    template_src: Annotated[
        str | None,
        typer.Option(help="Render from another git source (URL or path): a fork, a checkout."),
    ] = None,
    vcs_ref: Annotated[
        str | None, typer.Option(help="Tag, branch or commit of --template-src.")
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            help="Write into an existing, non-empty folder: the template's files replace "
            "same-named ones, other files stay. Its .git and .env are never touched: no git "
            "init or commit then, and no new .env."
        ),
    ] = False,
) -> None:
    """Create a new Flask project."""
    from flaskstarter import output
    from flaskstarter.new_project import NewProjectOptions, create_project

    options = NewProjectOptions(
        destination=destination,
        use_case=use_case,
        defaults=defaults,
        data=data or [],
        data_file=data_file,
        pretend=pretend,
        git=git,
        template_src=template_src,
        vcs_ref=vcs_ref,
        overwrite=overwrite,
    )
    with _errors_reported(), interrupts.signals_interrupt():
        interactive = sys.stdin.isatty()
        if not defaults and not interactive:
            raise UsageError(
                "No terminal to ask questions on: add --defaults (-y), with --kind, "
                "--data key=value or --data-file FILE for your answers."
            )
        if interactive and not defaults:
            options.destination = options.destination or output.ask_destination()
            if use_case is None:
                output.show_use_cases()
        options.interactive = interactive and not defaults
        rendered = create_project(options)
    output.show_created(rendered, pretend=pretend)


@app.command("list")
def list_kinds(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List the kinds of project, what each wires in, and their questions."""
    from flaskstarter import output

    with _errors_reported():
        output.show_catalogue(as_json=as_json)


@app.command()
def update(
    project: Annotated[Path, typer.Argument(help="The generated project.")] = Path("."),
    pretend: Annotated[
        bool,
        typer.Option(help="List the files it would add, change, delete or conflict in."),
    ] = False,
    vcs_ref: Annotated[
        str | None,
        typer.Option(help="Template version (any tag) to update to (default: the newest tag)."),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="KEY=VALUE",
            help="Change an answer: switch a feature on (repeatable; see README, Upgrades).",
        ),
    ] = None,
    data_file: Annotated[
        Path | None,
        typer.Option("--data-file", metavar="FILE", help="YAML file of answers to change."),
    ] = None,
) -> None:
    """Take the newest template version into a project, keeping your edits."""
    from flaskstarter import output
    from flaskstarter.update import update_project

    with _errors_reported(), interrupts.signals_interrupt():
        answers = _changed_answers(data or [], data_file)
        result = update_project(project, vcs_ref=vcs_ref, pretend=pretend, data=answers)
    output.show_update(result, pretend=pretend)
    if result.conflicted_files and not pretend:
        raise typer.Exit(1)


def _changed_answers(data: list[str], data_file: Path | None) -> dict[str, Any]:
    """--data-file, then --data, typed and checked against flaskstarter's questions."""
    from flaskstarter.answers import parse_data_options, read_data_file, typed_answers
    from flaskstarter.questions import load_questions
    from flaskstarter.template_source import bundled_template_root

    raw: dict[str, Any] = read_data_file(data_file) if data_file is not None else {}
    raw.update(parse_data_options(data))
    return typed_answers(raw, load_questions(bundled_template_root())) if raw else {}


@app.command(
    epilog="Example, in a rest_api project (commit first: add refuses uncommitted changes): "
    "flaskstarter add resource authors name:str:80:unique born:date:optional; "
    "flaskstarter add resource books title:str:120 price:decimal authors:ref; "
    "then flask --app PACKAGE db upgrade and pytest. Types: str[:LENGTH], text, int, float, "
    "decimal, bool, date, datetime, OTHER:ref; modifiers :unique, :optional. In a website: "
    "flaskstarter add page our_team; with a database, HTML pages and forms: "
    "flaskstarter add scaffold posts title:str:120 body:text.",
)
def add(
    generator: Annotated[
        str,
        typer.Argument(
            metavar="GENERATOR",
            help="What to add: resource (rest_api, microservice with a database), page (website), "
            "scaffold (website with a database).",
        ),
    ],
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="Its name, plural: its URL, module and table.")
    ],
    fields: Annotated[
        list[str] | None,
        typer.Argument(metavar="FIELD:TYPE...", help="Its fields, e.g. title:str:120:unique."),
    ] = None,
    project: Annotated[
        Path, typer.Option("--project", metavar="DIR", help="The generated project.")
    ] = Path("."),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the files it would write; write nothing.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Add even when the git tree has uncommitted changes.")
    ] = False,
) -> None:
    """Add a resource (model, schemas, routes, migration, tests), a scaffold (its HTML pages and
    forms) or a page to a project."""
    from flaskstarter.add import AddRequest, add_to_project

    request = AddRequest(generator, name, fields or [], project, dry_run=dry_run, force=force)
    with _errors_reported(), interrupts.signals_interrupt():
        result = add_to_project(request)
    typer.echo(("Would write" if dry_run else "Wrote") + f" the {generator} {name}:")
    for file in result.files:
        typer.echo(f"  {file}")
    if not dry_run:
        # Generated projects set no FLASK_APP: --app, so that the line works as pasted.
        upgrade = f"flask --app {result.package} db upgrade, then pytest"
        first = upgrade if result.migration else "pytest"
        typer.echo(
            f"Next: {first}. Its routes are registered by discovery; "
            f"`copier update --answers-file {result.answers_file}` updates it later."
        )


@app.command()
def smoke(
    use_case: Annotated[
        list[UseCase] | None,
        typer.Option("--kind", "-k", help="Kind to check (repeatable; default: all)."),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option("--data", "-d", metavar="KEY=VALUE", help="Answer a question (repeatable)."),
    ] = None,
    template_src: Annotated[str | None, typer.Option(help="Check another git source.")] = None,
    vcs_ref: Annotated[
        str | None, typer.Option(help="Tag, branch or commit of --template-src.")
    ] = None,
    keep: Annotated[bool, typer.Option(help="Keep the rendered projects and their venvs.")] = False,
    every_combination: Annotated[
        bool, typer.Option("--all", help="Check every answer combination we claim to support.")
    ] = False,
) -> None:
    """Render, install, test, lint and serve each kind; print a pass/fail table."""
    from flaskstarter import output
    from flaskstarter.smoke.runs import plan_runs, run_all

    with _errors_reported():
        runs = plan_runs(
            use_case or list(UseCase),
            data or [],
            template_src,
            vcs_ref,
            every_combination=every_combination,
        )
        reports = output.with_progress(lambda progress: run_all(runs, keep=keep, progress=progress))
    output.show_smoke(reports)
    if not all(report.ok for report in reports):
        raise typer.Exit(1)


@contextmanager
def _errors_reported() -> Iterator[None]:
    """Print a FlaskstarterError on one red line on stderr and exit non-zero."""
    try:
        yield
    except KeyboardInterrupt as interrupt:
        _fail(Aborted.by(interrupt))
    except FlaskstarterError as error:
        _fail(error)


def _fail(error: FlaskstarterError) -> NoReturn:
    from rich.console import Console
    from rich.markup import escape

    # soft_wrap: the line is printed whole and the terminal wraps it, at any width.
    stderr = Console(stderr=True, highlight=False, soft_wrap=True)
    message = escape(printable(str(error)))
    if isinstance(error, Aborted):
        stderr.print(message)
        raise typer.Exit(error.exit_code)
    stderr.print(f"[red]Error:[/red] {message}")
    raise typer.Exit(1)


def main() -> None:
    """Console entry point."""
    try:
        app()
    finally:
        # On the way out the interpreter garbage-collects everything Copier loaded, again and
        # again as it tears the modules down: ~0.1 s, a tenth of a `new`. Nothing of ours
        # needs a collection to finish its work (files are closed as they are written).
        gc.freeze()
