"""YAML from a user, read within bounds: no anchors or aliases, limited size, depth and scalars.

A few hundred bytes of aliases ("billion laughs") expand to gigabytes, deep nesting exhausts the
parser's recursion, and a huge number or string ends up quoted in an error message. Answers are
short, flat mappings, so the bounds cost a real answers file nothing.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 64 * 1024
MAX_DEPTH = 10
MAX_SCALAR_CHARS = 1000


class YamlLimitError(ValueError):
    """The text is beyond one of the bounds; the message says which, in a few words."""


def load_bounded(text: str) -> Any:
    """Parse `text` as YAML after checking it stays within the bounds (yaml.YAMLError if bad)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlLimitError(f"is larger than {MAX_BYTES // 1024} KiB")
    _check_events(text)
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _check_events(text: str) -> None:
    depth = 0
    # Parsing to events builds nothing: no alias is expanded, no scalar converted.
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlLimitError("uses YAML anchors or aliases (& and *), which are not allowed")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlLimitError(f"nests deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_SCALAR_CHARS:
            raise YamlLimitError(
                f"has a value of {len(event.value):,} characters; answers are at most "
                f"{MAX_SCALAR_CHARS:,}"
            )
