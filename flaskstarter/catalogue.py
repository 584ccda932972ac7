"""What each use case is for and which questions it asks, evaluated as Copier would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flaskstarter.questions import Question
from flaskstarter.use_cases import UseCase


@dataclass(frozen=True)
class AskedQuestion:
    question: Question
    default: Any


def questions_for(use_case: UseCase, questions: dict[str, Question]) -> list[AskedQuestion]:
    """The questions Copier asks for this use case with default answers, and their defaults."""
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"])
    context: dict[str, Any] = {"use_case": use_case.value}
    asked = []
    for name, question in questions.items():
        if name == "use_case":
            continue
        if not _truthy(_render(env, question.when, context)):
            continue
        default = _render(env, question.default, context)
        default = cast_default(question, default)
        context[name] = default
        asked.append(AskedQuestion(question, default))
    return asked


def cast_default(question: Question, value: Any) -> Any:
    if question.type == "bool" and isinstance(value, str):
        return _truthy(value)
    return value


def _render(env: Any, value: Any, context: dict[str, Any]) -> Any:
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        return env.from_string(value).render(**context)
    return value


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"y", "yes", "t", "true", "on", "1"}
    return bool(value)
