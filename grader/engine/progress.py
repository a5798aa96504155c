"""``progress()``: where a student stands in the notebook, question by question.

The last cell of every exercise calls it. It runs the same checks as ``q_n.check()`` (never
raising), and lists each graded question with ✓ / ✗ / ○, its points and what is left.
Points come from ``grader/checks/points.json``, written by ``make sync`` from the nbgrader
source notebooks (the one place points are set).
"""
from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

from .. import binder
from .feedback import CORRECT, INCORRECT, NOT_ATTEMPTED, _in_kernel

POINTS_FILE = Path(__file__).resolve().parents[1] / "checks" / "points.json"
_MARK = {CORRECT: "✓", INCORRECT: "✗", NOT_ATTEMPTED: "○"}
_COLOUR = {CORRECT: "#1a7f37", INCORRECT: "#cf222e", NOT_ATTEMPTED: "#9a6700"}


def chapter_points(chapter: str) -> dict:
    """{"q_1": 1, "q_3.a": 2, …} for a chapter, in notebook order; empty if unknown."""
    try:
        return json.loads(POINTS_FILE.read_text()).get(chapter, {})
    except (OSError, ValueError):
        return {}


def _questions(namespace: dict) -> dict:
    from .base import Question
    found = {name: q for name, q in namespace.items() if re.fullmatch(r"q_\d+", name) and isinstance(q, Question)}
    return dict(sorted(found.items(), key=lambda kv: int(kv[0][2:])))


def _resolve(namespace: dict, name: str):
    obj = namespace.get(name.split(".")[0])
    for part in name.split(".")[1:]:
        obj = getattr(obj, part, None)
    return obj


class Progress:
    """The rows of the table; shown as HTML in Jupyter and as text elsewhere."""

    def __init__(self, rows: list[tuple[str, str, str, float | None]]):
        self.rows = rows          # (title, status, message, points)

    def totals(self) -> tuple[float, float]:
        got = sum(p or 0 for _, s, _, p in self.rows if s == CORRECT)
        return got, sum(p or 0 for *_, p in self.rows)

    def summary(self) -> str:
        left = [t for t, s, _, _ in self.rows if s != CORRECT]
        got, total = self.totals()
        score = f"{got:g} of {total:g} points" if total else f"{len(self.rows) - len(left)} of {len(self.rows)} right"
        if not left:
            return (f"All done: {score}. Save the notebook, run `validate()` to check that the saved file will "
                    "grade, and submit it.")
        return f"{score}. Left to do: {', '.join(left)}."

    def text(self) -> str:
        lines = ["Your progress"]
        for title, status, message, points in self.rows:
            pts = "" if points is None else f"{points:g} pt".rjust(6)
            first = message.splitlines()[0] if message else ""
            first = first if len(first) <= 70 else first[:69] + "…"
            lines.append(f"{_MARK.get(status, '·')} {title:<13}{pts}  {first}")
        lines.append(self.summary())
        return "\n".join(lines)

    def html(self) -> str:
        cells = []
        for title, status, message, points in self.rows:
            first = html.escape((message.splitlines()[0] if message else "")[:140])
            mark = f'<span style="color:{_COLOUR.get(status, "#57606a")};font-weight:bold">{_MARK.get(status, "·")}</span>'
            pts = "" if points is None else f"{points:g}"
            cells.append(f"<tr><td>{mark}</td><td>{html.escape(title)}</td><td style='text-align:right'>{pts}</td>"
                         f"<td style='text-align:left'>{first}</td></tr>")
        return ('<div class="grader-progress" style="color:#1f2328;background:#f6f8fa;padding:.4em .8em">'
                "<strong>Your progress</strong><table><thead><tr><th></th><th>Question</th><th>Points</th>"
                f"<th style='text-align:left'>Last check</th></tr></thead><tbody>{''.join(cells)}</tbody></table>"
                f"<p>{html.escape(self.summary())}</p></div>")

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return self.text()


def progress_of(namespace: dict, chapter: str | None = None) -> Progress:
    questions = _questions(namespace)
    if chapter is None and questions:
        chapter = getattr(next(iter(questions.values())), "chapter", None)
    points = chapter_points(chapter) if chapter else {}
    names = list(points) or list(questions)
    rows = []
    for name in names:
        question = _resolve(namespace, name)
        if question is None or not hasattr(question, "evaluate"):
            rows.append((name, NOT_ATTEMPTED, "the checks are not loaded: run the set-up cell.", points.get(name)))
            continue
        try:
            outcome = question.evaluate()
            status, message = outcome.status, outcome.message
        except Exception as exc:   # evaluate() never raises; this guards a student's own replacement
            status, message = INCORRECT, f"could not be checked ({type(exc).__name__})"
        title = getattr(question, "title", "") or name
        rows.append((title, status if status in _MARK else NOT_ATTEMPTED, message, points.get(name)))
    return Progress(rows)


def progress(chapter: str | None = None) -> None:
    """Show every question of this notebook with ✓ / ✗ / ○, its points, and what is left."""
    namespace = binder._namespace if binder.is_bound() else {}
    report = progress_of(namespace or {}, chapter)
    if not report.rows:
        print("No questions found: run the set-up cell (it loads this chapter's checks), then `progress()` again.")
        return
    if _in_kernel():
        from IPython.display import display
        display({"text/html": report.html(), "text/plain": report.text()}, raw=True)
    else:
        print(report.text(), file=sys.stdout)
