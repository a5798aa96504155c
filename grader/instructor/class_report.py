"""The instructor's report page: score distribution, per-question pass rates, questions most students miss."""
from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from . import course_config


def gather(db_url: str, assignment: str) -> dict:
    """{"students": {id: (score, max)}, "questions": {grade cell: {student: passed}}, "max": {cell: points},
    "flagged": {students whose notebook is flagged for review}}."""
    students, questions, points, flagged = {}, {}, {}, set()
    with course_config.gradebook(db_url) as gb:
        for sub in gb.find_assignment(assignment).submissions:
            students[sub.student.id] = (sub.score, sub.max_score)
            for nb in sub.notebooks:
                if nb.flagged:
                    flagged.add(sub.student.id)
                for grade in nb.grades:
                    points[grade.name] = grade.max_score
                    questions.setdefault(grade.name, {})[sub.student.id] = grade.score >= grade.max_score > 0
    return {"students": students, "questions": questions, "max": points, "flagged": flagged}


def grading_notes(course: Path, assignment: str) -> dict[str, list[str]]:
    """student -> the notes the batch autograder put at the top of their autograded notebooks
    (limits hit, metadata restored, not a notebook, …): the same lines their feedback shows."""
    import nbformat
    from .limit_notes import NOTE_MARK
    notes: dict[str, list[str]] = {}
    for path in sorted(Path(course).glob(f"autograded/*/{assignment}/*.ipynb")):
        try:
            nb = nbformat.read(str(path), as_version=4)
        except Exception:  # noqa: BLE001
            continue
        for cell in nb.cells:
            if cell.get("metadata", {}).get(NOTE_MARK):
                lines = [l[2:] for l in cell.source.splitlines() if l.startswith("- ")]
                notes.setdefault(path.parents[1].name, []).extend(lines)
    return notes


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def write_report(db_url: str, assignment: str, out: Path, *, missed_threshold: float = 0.5,
                 notes: dict | None = None, course: Path | None = None) -> Path:
    """Write the report page; ``notes`` (student -> lines) default to the grading notes found in
    ``course``'s autograded notebooks, and students flagged for review in the gradebook are named."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    data = gather(db_url, assignment)
    if notes is None:
        notes = grading_notes(course, assignment) if course else {}
    notes = {s: list(notes.get(s, [])) + (["flagged for review"]
                                          if s in data["flagged"] else []) for s in data["students"]}
    scores = [s for s, _ in data["students"].values()]
    max_score = max([m for _, m in data["students"].values()] + [0])
    rates = {q: (sum(v.values()) / len(v) if v else 0.0) for q, v in sorted(data["questions"].items())}
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(scores, bins=range(0, int(max_score) + 2), color="#0969da", edgecolor="white", align="left")
    ax.set(xlabel="score", ylabel="students", title=f"{assignment}: scores")
    hist = _png(fig)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 0.35 * len(rates) + 1))
    names = list(rates)
    ax.barh(names, [100 * rates[n] for n in names],
            color=["#cf222e" if rates[n] < missed_threshold else "#1a7f37" for n in names])
    ax.set(xlabel="% of students with full marks", xlim=(0, 100), title="pass rate per question")
    ax.invert_yaxis()
    bars = _png(fig)
    plt.close(fig)
    missed = sorted((n for n in names if rates[n] < missed_threshold), key=lambda n: rates[n])
    mean = sum(scores) / len(scores) if scores else 0
    rows = "".join(f"<tr><td>{html.escape(s)}</td><td>{sc:g} / {m:g}</td><td>{html.escape('; '.join(notes.get(s, [])))}</td></tr>"
                   for s, (sc, m) in sorted(data["students"].items()))
    missed_html = "".join(f"<li><b>{html.escape(n)}</b>: {100 * rates[n]:.0f}% pass</li>" for n in missed) or \
        "<li>none: every question is passed by most students</li>"
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(assignment)} — class report</title>
<style>body{{font-family:sans-serif;max-width:52em;margin:2em auto}}td,th{{padding:.2em .8em;text-align:left}}</style></head><body>
<h1>{html.escape(assignment)} — class report</h1>
<p>{len(scores)} submissions; mean score {mean:.2f} / {max_score:g}.</p>
<h2>Questions most students miss</h2><ul class="missed">{missed_html}</ul>
<img alt="score distribution" src="{hist}"><img alt="pass rate per question" src="{bars}">
<h2>Students</h2><table><tr><th>student</th><th>score</th><th>notes</th></tr>{rows}</table></body></html>"""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
