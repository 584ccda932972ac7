"""Names and messages made safe to print: characters that steer a terminal are shown escaped.

A file or folder name may hold escape sequences (a hostile template, a user's file); printed
raw they recolour, retitle or rewrite the terminal. Lone surrogates (bytes that are not UTF-8 in
a path) would make printing itself fail.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, line and paragraph separators, bidirectional overrides (which reorder
# what is shown), lone surrogates.
_STEERING = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def printable(text: str) -> str:
    """`text` with every control character written as a Python escape (\\x1b, \\u202e)."""
    return _STEERING.sub(_escaped, text)


def has_steering_characters(text: str) -> bool:
    """Whether printing `text` raw could steer the terminal."""
    return _STEERING.search(text) is not None


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
