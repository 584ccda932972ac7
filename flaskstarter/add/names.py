"""Names of additions and of their fields: what Python and the generated code leave free.

An addition `books` names a module or package, a blueprint, a table, a URL and a test module;
its singular (`book`, a variable in the generated code) and its class (`Book`) come from the
template's own macros (templates/_shared/rest_api_names.jinja), so Python and the templates
never disagree.
"""

from __future__ import annotations

import builtins
import keyword
import re
from functools import cache
from pathlib import Path

from flaskstarter.add.errors import AddError
from flaskstarter.errors import quoted

# Longer names would make PostgreSQL's 63-character constraint names (fk_<table>_<column>_<other
# table>) or generated lines too long.
MAX_NAME = 18
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*\Z")
_PYTHON = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))

# The names the generated modules use for their own things (imports, functions, variables,
# fixtures): an addition whose singular is one of them would shadow it. (Fields are never bare
# names in the generated code: attributes, dictionary keys and strings.)
GENERATED_CODE_NAMES = frozenset({
    "abort", "answer", "api", "app", "args", "ascending", "attribute", "auth", "body", "bp",
    "change", "changed_meanwhile", "check_references", "client", "collection", "column",
    "conflict", "created", "current_etag", "data", "db", "descending", "error", "errors", "etag",
    "etag_header", "etag_of", "event", "example", "field", "fields", "first", "flash", "form",
    "found", "headers", "id_", "ids", "if_match", "if_none_match", "item", "left_out",
    "list_query", "location_header", "location_url", "login_required", "member", "message",
    "method", "model", "n", "not_found", "not_modified", "one", "ordering", "other", "own_id",
    "paginate", "pagination", "parse", "payload", "problem", "query", "redirect", "references",
    "remove", "render_template", "representation", "request", "require_current",
    "require_json_body", "response", "save", "schema", "second", "security", "self", "sent",
    "session", "setattr", "stale", "status", "tags", "taken", "update", "url", "url_for",
    "validate", "value", "values", "write_access"
})  # fmt: skip
# What models, marshmallow schemas and WTForms forms already have, or the generated ones add,
# and the names the model's and schemas' class bodies use after their fields.
_RESERVED_FIELDS = frozenset({
    "many", "only", "exclude", "partial", "unknown", "load_only", "dump_only", "fields",
    "validate", "mapped_column", "utcnow", "date", "datetime", "decimal", "encodable",
    "fits_numeric", "id", "created_at", "updated_at", "version", "owner", "owner_id", "page",
    "page_size", "sort", "metadata", "registry", "query_class", "csrf_token", "hidden_tag", "meta",
    "opts", "populate_obj", "process", "validate_on_submit", "is_submitted", "form_errors",
    "declared_fields", "load_fields", "dump_fields", "dump", "dumps", "load", "loads", "context",
    "error_messages", "submit", "query"
})  # fmt: skip


def check_name(name: str, what: str) -> None:
    """Refuse a name that is not a short lowercase identifier, or is Python's."""
    if not _IDENTIFIER.match(name):
        raise AddError(
            f"{quoted(name)} is not a valid {what} name: use lowercase letters, digits and _, "
            "starting with a letter."
        )
    if len(name) > MAX_NAME:
        raise AddError(
            f"{quoted(name)} is too long: a {what} name is at most {MAX_NAME} characters."
        )
    if name in _PYTHON:
        raise AddError(
            f"{quoted(name)} is a Python keyword or builtin: choose another {what} name."
        )


def check_derived_names(name: str, template_root: Path) -> None:
    """Refuse a name whose singular or class would clash with Python or the generated code."""
    one, cls = singular(name, template_root), model_class(name, template_root)
    if one in _PYTHON or one in GENERATED_CODE_NAMES or cls in _PYTHON:
        raise AddError(
            f"{quoted(name)} would name its variables {one!r} and its class {cls!r}, which the "
            "generated code or Python already use: choose another name."
        )


def check_field_name(name: str, spec: str) -> None:
    """Refuse a field named like something of Python, the model, schema or form, or the code."""
    if name in _PYTHON or name in _RESERVED_FIELDS:
        raise AddError(
            f"{quoted(spec)}: {name!r} is taken by Python or the generated code; choose another "
            "field name."
        )


def singular(name: str, template_root: Path) -> str:
    """books -> book, as the templates derive it."""
    return _render_macro("singular", name, template_root)


def model_class(name: str, template_root: Path) -> str:
    """order_lines -> OrderLine, as the templates derive it."""
    return _render_macro("model_class", name, template_root)


@cache
def _render_macro(macro: str, name: str, template_root: Path) -> str:
    from jinja2 import FileSystemLoader
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(template_root)),
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
    )
    source = f'{{% from "templates/_shared/rest_api_names.jinja" import {macro} %}}'
    return env.from_string(source + f"{{{{ {macro}(name) }}}}").render(name=name).strip()
