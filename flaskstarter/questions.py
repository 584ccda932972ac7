"""The questions, read from the Copier question files: the one place they are defined."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# The questions of `flaskstarter add` (its generators'), which it alone answers, each addition in
# its own answers file: never a project's question.
GENERATOR_QUESTIONS = "templates/generators.yml"


@dataclass(frozen=True)
class Choice:
    label: str
    value: Any


@dataclass(frozen=True)
class Question:
    """One Copier question, as written in copier.yml or an included file."""

    name: str
    type: str = "str"
    help: str = ""
    default: Any = None
    when: Any = True
    choices: tuple[Choice, ...] = field(default_factory=tuple)

    @property
    def choice_values(self) -> list[Any]:
        return [choice.value for choice in self.choices]


def load_questions(template_root: Path) -> dict[str, Question]:
    """Read copier.yml (following `!include`) into questions, in the order Copier asks them.

    Settings (`_name`) and computed values (`when: false`, worked out from other answers) are
    not questions: nobody is asked them, nobody may answer them. Nor are the generators' (see
    GENERATOR_QUESTIONS).
    """
    merged: dict[str, Any] = {}
    for document in _load_documents(template_root / "copier.yml", template_root):
        if isinstance(document, dict):
            merged.update(document)
    return {
        name: _question(name, spec)
        for name, spec in merged.items()
        if not name.startswith("_") and not (isinstance(spec, dict) and spec.get("when") is False)
    }


def _load_documents(path: Path, template_root: Path) -> list[Any]:
    # The C loader when PyYAML has it: four times faster on copier.yml.
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[valid-type,misc]
        pass

    def include(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        pattern = str(loader.construct_scalar(node))  # type: ignore[arg-type]
        if pattern == GENERATOR_QUESTIONS:
            return {}
        documents: list[Any] = []
        for included in sorted(template_root.glob(pattern)):
            documents.extend(_load_documents(included, template_root))
        merged: dict[str, Any] = {}
        for document in documents:
            if isinstance(document, dict):
                merged.update(document)
        return merged

    Loader.add_constructor("!include", include)
    return list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=Loader))


def _question(name: str, spec: Any) -> Question:
    if not isinstance(spec, dict):
        # Copier's short form `name: default`.
        return Question(name=name, type=_type_of(spec), default=spec)
    return Question(
        name=name,
        type=spec.get("type") or _type_of(spec.get("default")),
        help=spec.get("help", ""),
        default=spec.get("default"),
        when=spec.get("when", True),
        choices=_choices(spec.get("choices")),
    )


def _choices(raw: Any) -> tuple[Choice, ...]:
    if isinstance(raw, dict):
        return tuple(
            Choice(str(label), value["value"] if isinstance(value, dict) else value)
            for label, value in raw.items()
        )
    if isinstance(raw, list):
        return tuple(
            Choice(str(item[0]), item[1]) if isinstance(item, list) else Choice(str(item), item)
            for item in raw
        )
    return ()


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str"
