"""Answers given on the command line or in a file, checked and typed against the questions."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from flaskstarter.bounded_yaml import MAX_BYTES, MAX_SCALAR_CHARS, YamlLimitError, load_bounded
from flaskstarter.errors import AnswerError, UsageError, quoted
from flaskstarter.questions import Question

_TRUE = {"y", "yes", "t", "true", "on", "1"}
_FALSE = {"n", "no", "f", "false", "off", "0"}


def parse_data_options(options: Iterable[str]) -> dict[str, str]:
    """Turn repeated `key=value` options into a mapping of raw strings."""
    data: dict[str, str] = {}
    for option in options:
        key, sep, value = option.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--data takes KEY=VALUE, got {quoted(option)}.")
        if len(key) > MAX_SCALAR_CHARS or len(value) > MAX_SCALAR_CHARS:
            raise AnswerError(
                f"--data {quoted(option)} is too long: answers are at most "
                f"{MAX_SCALAR_CHARS:,} characters."
            )
        data[key] = value
    return data


def read_data_file(path: Path) -> dict[str, Any]:
    """Read a YAML mapping of answers (bounded: see bounded_yaml)."""
    try:
        with path.open("rb") as answers_file:
            # Never more than the limit: the file may be /dev/zero or growing.
            content = answers_file.read(MAX_BYTES + 1)
        text = content.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise UsageError(f"Cannot read answers file {path}: {reason}.") from error
    try:
        data = load_bounded(text)
    except YamlLimitError as error:
        raise UsageError(f"Answers file {path} {error}.") from error
    except yaml.YAMLError as error:
        raise UsageError(f"Answers file {path} is not valid YAML: {_first_line(error)}") from error
    except ValueError as error:  # e.g. an integer beyond Python's digit limit
        raise UsageError(f"Answers file {path} holds a value Python cannot read.") from error
    if data is None:
        raise UsageError(f"Answers file {path} is empty: write key: value lines.")
    if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
        raise UsageError(f"Answers file {path} must be a mapping of question: answer.")
    return data


def typed_answers(raw: dict[str, Any], questions: dict[str, Question]) -> dict[str, Any]:
    """Check each answer names a question and fits its type and choices."""
    return {key: _typed(key, value, questions) for key, value in raw.items()}


def _typed(key: str, value: Any, questions: dict[str, Question]) -> Any:
    question = questions.get(key)
    if question is None:
        known = ", ".join(questions)
        raise AnswerError(f"Unknown question {quoted(key)}; the questions are: {known}.")
    typed = _cast(question, value)
    if question.choices and typed not in question.choice_values:
        allowed = ", ".join(str(value) for value in question.choice_values)
        raise AnswerError(f"{key}={quoted(value)} is not one of the choices: {allowed}.")
    return typed


def _cast(question: Question, value: Any) -> Any:
    expected = question.type
    if expected == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
    elif expected in {"int", "float"}:
        try:
            return int(value) if expected == "int" else float(value)
        except (TypeError, ValueError):
            pass
    elif expected in {"yaml", "json"}:
        return _structured(question, value) if isinstance(value, str) else value
    elif isinstance(value, str):
        return value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise AnswerError(f"{question.name}={quoted(value)} is not a valid {expected} answer.")


def _structured(question: Question, value: str) -> Any:
    try:
        return load_bounded(value)
    except YamlLimitError as error:
        raise AnswerError(f"The answer to {question.name} {error}.") from error
    except (yaml.YAMLError, ValueError) as error:
        raise AnswerError(f"{question.name}={quoted(value)} is not valid YAML.") from error


def _first_line(error: Exception) -> str:
    return " ".join(str(error).split())
