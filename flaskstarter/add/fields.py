"""FIELD:TYPE[:LENGTH][:unique][:optional] as typed after `flaskstarter add resource|scaffold`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flaskstarter.add.errors import AddError
from flaskstarter.add.names import check_field_name
from flaskstarter.errors import quoted

TYPES = ("str", "text", "int", "float", "decimal", "bool", "date", "datetime", "ref")
MODIFIERS = ("unique", "optional")
# A str column's length when none is given (VARCHAR(255)), and the longest one allowed.
DEFAULT_LENGTH = 255
MAX_LENGTH = 10_000
# Longer names would make generated lines, or PostgreSQL's 63-character constraint names
# (fk_<table>_<column>_<other table>), too long.
MAX_FIELD_NAME = 24
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*\Z")


@dataclass(frozen=True)
class Field:
    """A field as the generators' templates read it (the `fields` answer).

    As parsed, a reference is named after what it refers to (`authors:ref`); resolved, it is
    the column (`author_id`) and `ref` names the addition.
    """

    name: str
    type: str
    length: int | None = None
    unique: bool = False
    optional: bool = False
    # For a reference: the addition it refers to (its table and module are named after it).
    ref: str | None = None

    def as_answer(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "unique": self.unique,
            "optional": self.optional,
        }
        if self.length is not None:
            answer["length"] = self.length
        if self.ref is not None:
            answer["ref"] = self.ref
        return answer


def parse_field(spec: str) -> Field:
    """Read `title:str:120:unique`; a one-line AddError says what is wrong."""
    name, _, rest = spec.partition(":")
    if not rest:
        raise AddError(f"{quoted(spec)} needs a type: write FIELD:TYPE, e.g. title:str.")
    kind, *modifiers = rest.split(":")
    if kind not in TYPES:
        raise AddError(f"Unknown type {quoted(kind)} in {quoted(spec)}: use {', '.join(TYPES)}.")
    length = DEFAULT_LENGTH if kind == "str" else None
    if modifiers and kind == "str" and modifiers[0].isascii() and modifiers[0].isdigit():
        digits = modifiers.pop(0)
        # Compared as text first: int() refuses thousands of digits with its own error.
        length = int(digits) if len(digits) <= len(str(MAX_LENGTH)) else MAX_LENGTH + 1
        if not 1 <= length <= MAX_LENGTH:
            raise AddError(f"{quoted(spec)}: a str length is from 1 to {MAX_LENGTH:,}.")
    for modifier in modifiers:
        if modifier not in MODIFIERS:
            allowed = "a length (str only), unique, optional"
            raise AddError(f"Unknown modifier {quoted(modifier)} in {quoted(spec)}: use {allowed}.")
    if len(set(modifiers)) != len(modifiers):
        raise AddError(f"{quoted(spec)} repeats a modifier.")
    if kind != "ref":
        _check_syntax(name, spec)
        check_field_name(name, spec)
    elif not _IDENTIFIER.match(name):
        raise AddError(f"{quoted(spec)}: OTHER:ref names something added before, e.g. authors:ref.")
    return Field(name, kind, length, "unique" in modifiers, "optional" in modifiers)


def _check_syntax(name: str, spec: str) -> None:
    if not _IDENTIFIER.match(name):
        raise AddError(
            f"{quoted(spec)}: a field name is lowercase letters, digits and _, starting with a "
            "letter."
        )
    if len(name) > MAX_FIELD_NAME:
        raise AddError(f"{quoted(spec)}: a field name is at most {MAX_FIELD_NAME} characters.")
