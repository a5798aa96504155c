"""Feedback pages that say, per question, what the student got and why — and never show hidden tests.

An nbgrader preprocessor for ``generate_feedback`` (after ``GetGrades``, see nbgrader_config.py):

- a summary table at the top: per graded question its title, ✓ / ✗ / ○, points earned of points,
  and the message ``check()`` gave (the hidden test asserts the same check on a fresh copy of the
  checks, so it is the text the student saw while working);
- in each graded cell, the hidden tests' code is replaced by their verdict (``# hidden tests: ✓
  passed`` / ``✗ failed, see below``), and a failing test's traceback (which quotes the hidden
  code) by one line: the check's message.
"""
from __future__ import annotations

import html
import re

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from .release import labels

_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n[\s\S]*?^[ \t]*### END HIDDEN TESTS[ \t]*$\n?", re.M)
_HEADLINE = re.compile(r"^(✓ Correct|✗ Incorrect|○ Not attempted)(?: — ([^:\n]+))?(?::\s?([\s\S]*))?$")
SUMMARY_MARK = "grader-feedback-summary"
_STYLE = {"correct": ("✓", "#1a7f37"), "incorrect": ("✗", "#cf222e"), "not_attempted": ("○", "#9a6700"),
          "error": ("✗", "#cf222e")}


def verdict(cell) -> tuple[str, str]:
    """(status, message) of an autograded test cell."""
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if not errors:
        return "correct", ""
    err = errors[0]
    m = _HEADLINE.match(str(err.get("evalue", "")).strip()) if err.get("ename") == "AssertionError" else None
    if m:
        return ("not_attempted" if m.group(1).startswith("○") else "incorrect"), (m.group(3) or "").strip()
    return "error", f"the cell raised {err.get('ename')}: {err.get('evalue')}"


class FeedbackSummary(Preprocessor):
    enabled = Bool(True).tag(config=True)      # nbconvert runs only enabled preprocessors

    def preprocess(self, nb, resources):
        titles = labels(nb)
        rows = []
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("grade"):
                continue
            status, message = verdict(cell)
            has_hidden = bool(_HIDDEN.search(cell.source))
            hidden_failed = False
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    hidden_failed = True
                    out["traceback"] = [f"{out.get('ename')}: {out.get('evalue')}"]
            if has_hidden:
                note = "# hidden tests: ✗ failed, see below" if hidden_failed else "# hidden tests: ✓ passed"
                cell.source = _HIDDEN.sub(note + "\n", cell.source).rstrip("\n")
            score, points = meta.get("score"), meta.get("points", 0)
            rows.append((titles.get(meta.get("grade_id"), meta.get("grade_id")), status, score, points, message,
                         has_hidden))
        if rows:
            from grader.engine.feedback import _inline_html      # `code` in messages, as check() shows it
            td = 'style="padding:.25em .6em;vertical-align:top;text-align:left"'
            body = "".join(
                f'<tr><td {td}>{html.escape(str(t))}</td><td {td}><span style="color:{_STYLE[s][1]};'
                f'font-weight:bold">{_STYLE[s][0]}</span></td>'
                f"<td {td}>{'' if sc is None else f'{sc:g}'} / {pt:g}</td>"
                f"<td {td}>{_inline_html(m) if m else ('passes, hidden tests too' if hid else 'passes')}</td></tr>"
                for t, s, sc, pt, m, hid in rows)
            got = sum(sc or 0 for _, _, sc, _, _, _ in rows)
            total = sum(pt for _, _, _, pt, _, _ in rows)
            table = (f'<div class="{SUMMARY_MARK}"><h2>Your results: {got:g} / {total:g}</h2>'
                     f'<table><tr><th {td}>question</th><th {td}></th><th {td}>points</th>'
                     f'<th {td}>what the check said</th></tr>'
                     f"{body}</table><p>✓ full marks · ✗ not yet · ○ not attempted. Each graded cell below "
                     "shows the check again; hidden tests (more inputs, a fresh copy of the checks) give their "
                     "verdict, not their code.</p></div>")
            cell = {"cell_type": "markdown", "metadata": {SUMMARY_MARK: True}, "source": table}
            from nbformat import from_dict
            nb.cells.insert(0, from_dict(cell))
        return nb, resources
