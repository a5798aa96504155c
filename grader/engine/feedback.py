"""Outcomes of a check and how they are shown: coloured HTML in Jupyter, text elsewhere.

Messages are plain text in which `backticks` mark code; the HTML renderer escapes
everything (student values can hold any characters) before adding markup.
"""
from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass

CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not_attempted"
INFO = "info"        # thought questions: nothing to grade
HINT = "hint"
SOLUTION = "solution"

# status -> (icon, word, colour, background); colour is never the only signal.
_STYLE = {
    CORRECT: ("✓", "Correct", "#1a7f37", "#dafbe1"),
    INCORRECT: ("✗", "Incorrect", "#cf222e", "#ffebe9"),
    NOT_ATTEMPTED: ("○", "Not attempted", "#9a6700", "#fff8c5"),
    INFO: ("ℹ", "Note", "#0969da", "#ddf4ff"),
    HINT: ("➤", "Hint", "#0969da", "#ddf4ff"),
    SOLUTION: ("✎", "Solution", "#6639ba", "#fbefff"),
}
_ANSI = {CORRECT: "32", INCORRECT: "31", NOT_ATTEMPTED: "33", INFO: "34", HINT: "34", SOLUTION: "35"}


@dataclass(frozen=True)
class Outcome:
    status: str
    message: str = ""
    title: str = ""       # e.g. "Question 3a"
    code: str = ""        # a code block shown under the message (solutions)

    @property
    def passed(self) -> bool:
        return self.status == CORRECT

    def headline(self) -> str:
        icon, word, _, _ = _STYLE[self.status]
        return f"{icon} {word}" + (f" — {self.title}" if self.title else "")

    def text(self) -> str:
        parts = [self.headline() + (": " + self.message if self.message else "")]
        if self.code:
            parts.append("\n" + self.code)
        return "\n".join(parts)

    def html(self) -> str:
        icon, word, colour, background = _STYLE[self.status]
        title = f" — {html.escape(self.title)}" if self.title else ""
        body = _inline_html(self.message)
        code = (f'<pre style="margin:.4em 0 0 0;padding:.4em;background:#f6f8fa;color:#1f2328">'
                f"{html.escape(self.code)}</pre>") if self.code else ""
        return (f'<div class="grader-feedback grader-{self.status}" style="border-left:4px solid {colour};'
                f'background:{background};color:#1f2328;padding:.4em .8em;margin:.2em 0">'
                f'<strong style="color:{colour}">{icon} {word}{title}</strong>'
                f'{": " if body else ""}{body}{code}</div>')

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return self.text()


def _inline_html(message: str) -> str:
    """Escape, then mark up `code` and *emphasis* (never inside code)."""
    pieces = re.split(r"(`[^`]+`)", message)
    out = []
    for piece in pieces:
        if len(piece) > 1 and piece.startswith("`") and piece.endswith("`"):
            out.append(f"<code>{html.escape(piece[1:-1])}</code>")
        else:
            out.append(re.sub(r"\*(\S[^*]*?)\*", r"<em>\1</em>", html.escape(piece)))
    return "".join(out).replace("\n", "<br>")


def _in_kernel() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:
        return False
    return shell is not None and getattr(shell, "kernel", None) is not None


def show(outcome: Outcome) -> None:
    """Display in a Jupyter kernel (HTML with a text fallback) or print to the terminal."""
    if _in_kernel():
        from IPython.display import display
        display({"text/html": outcome.html(), "text/plain": outcome.text()}, raw=True)
        return
    text = outcome.text()
    if getattr(sys.stdout, "isatty", lambda: False)():
        text = f"\033[{_ANSI[outcome.status]}m{outcome.headline()}\033[0m" + text[len(outcome.headline()):]
    print(text)
