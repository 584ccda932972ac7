"""Copier's prompts with long lines wrapped, not cut at the terminal's edge.

Copier asks through questionary, whose prompt_toolkit windows show one line each: on a narrow
terminal a question's help, a choice, or a validator's message ("… would shadow a Python module
or dependency of") is cut at the right edge. Before each question is shown, every window of its
layout is set to wrap, and the one-line validation toolbar may grow to the lines it needs.
SIGTERM and SIGHUP end a question as Ctrl-C does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from flaskstarter import interrupts


@contextlib.contextmanager
def whole_lines() -> Iterator[None]:
    """Within the block, every question Copier asks shows its text whole at any width."""
    from questionary.question import Question

    ask = Question.unsafe_ask

    def unsafe_ask(self: Question, *args: Any, **kwargs: Any) -> Any:
        _wrap_every_window(self.application.layout)
        with interrupts.signals_handled_by(lambda number: _stop(self.application, number)):
            return ask(self, *args, **kwargs)

    Question.unsafe_ask = unsafe_ask  # type: ignore[method-assign]
    try:
        yield
    finally:
        Question.unsafe_ask = ask  # type: ignore[method-assign]


def _stop(application: Any, number: int) -> None:
    """End the prompt as Ctrl-C does: raised inside prompt_toolkit's event loop, a signal's
    exception would tear the loop down mid-step (and print asyncio's own traceback)."""
    future = application.future
    if application.is_running and future is not None and not future.done():
        application.exit(exception=interrupts.Interrupted(number))
        return
    raise interrupts.Interrupted(number)


def _wrap_every_window(layout: Any) -> None:
    from prompt_toolkit.filters import to_filter

    for window in layout.find_all_windows():
        window.wrap_lines = to_filter(True)
        if window.height == 1:
            # The validation toolbar: as tall as its (wrapped) message.
            window.height = None
