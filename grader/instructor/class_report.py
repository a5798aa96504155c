"""The instructor's report page, to open before the next lecture: score distribution, per question
its title, pass rate and the **diagnosed mistakes with counts** across the class, each student's
score with a link to their feedback.

The diagnoses are the messages the students saw: each graded cell's hidden test asserts
``check()`` on a fresh copy of the checks and fails with the same text, which the autograded
notebook keeps. A message that is one of the question's named mistakes (``Mistake(says=…)``, a
choice's ``why_not``) or another specific message of its checks is counted as that diagnosis; the
engine's catch-all messages ("is not right", "N of M values are wrong", "wrong result on the
smallest failing input", …) count as "generic / unrecognised".
"""
from __future__ import annotations

import base64
import html
import importlib
import io
import os
import re
from collections import Counter
from pathlib import Path

from . import course_config

NOT_ATTEMPTED = "not attempted"
GENERIC = "generic / unrecognised"
_GENERIC = [re.compile(p) for p in (
    r"is not right\. `[^`]*\.hint\(\)` can help", r"^the shape is right, but \d+ of \d+ values are wrong",
    r"has shape .* but the answer has shape", r"should be a single number, but it has shape",
    r"^wrong result on the smallest failing input", r"the checker (could not judge|failed)",
    r"is not the best answer", r"should be one of ", r"^`\w+` should be (a|an) ", r"^checking `\w+` failed",
    r"^\d+ of \d+ values of `[^`]*` are wrong", r"is not the answer, and it is not one of the usual slips",
    r"is not one of the options")]
_HEADLINE = re.compile(r"^(✓ Correct|✗ Incorrect|○ Not attempted)(?: — ([^:\n]+))?(?::\s?([\s\S]*))?$")


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


def known_mistakes(chapter: str) -> dict[str, list[str]]:
    """question ("q_1", "q_3.a") -> the texts of its named mistakes (and wrong choices)."""
    from grader.engine.questions import MultipartQuestion, Question
    try:
        module = importlib.import_module(f"grader.checks.{chapter}")
    except Exception:  # noqa: BLE001 - an assignment without a checks module: nothing is named
        return {}
    out: dict[str, list[str]] = {}

    def add(name, q):
        texts = [m.says for m in getattr(q, "mistakes", []) if getattr(m, "says", None)]
        texts += [t for t in getattr(q, "why_not", {}).values() if isinstance(t, str)]
        out[name] = texts
        if isinstance(q, MultipartQuestion):
            for key, part in q.parts.items():
                add(f"{name}.{key}", part)
    for name, obj in vars(module).items():
        if re.fullmatch(r"q_\d+", name) and isinstance(obj, Question):
            add(name, obj)
    return out


def diagnose(message: str, known: list[str]) -> str:
    """The diagnosis a check message names: a named mistake, another specific message, or generic."""
    message = message.strip()
    for text in sorted(known, key=len, reverse=True):
        if message.startswith(text.strip()):
            return text.strip()
    if any(p.search(message) for p in _GENERIC):
        return GENERIC
    raised = re.match(r"^`[^`]*` raised (\w+)", message)
    if raised:
        return f"the code raises {raised.group(1)}"
    if "did not finish within" in message:
        return "an endless loop (or far too slow)"
    return message.split("\n")[0]


def _key(label: str) -> str:
    """Messages that differ only in the numbers they quote are one diagnosis."""
    return re.sub(r"-?\d+(\.\d+)?", "#", label)


def cell_outcomes(course: Path, assignment: str) -> dict[str, dict[str, tuple[str, str]]]:
    """student -> grade_id -> (status, message) read from the autograded notebooks: the hidden test's
    AssertionError (the same text as check()), or the error a graded cell raised."""
    import nbformat
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for path in sorted(Path(course).glob(f"autograded/*/{assignment}/*.ipynb")):
        try:
            nb = nbformat.read(str(path), as_version=4)
        except Exception:  # noqa: BLE001
            continue
        student = out.setdefault(path.parents[1].name, {})
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if not meta.get("grade") or cell.cell_type != "code":
                continue
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            if not errors:
                student[meta["grade_id"]] = ("correct", "")
                continue
            err = errors[0]
            m = _HEADLINE.match(str(err.get("evalue", "")).strip()) if err.get("ename") == "AssertionError" else None
            if m:
                status = "not_attempted" if m.group(1).startswith("○") else "incorrect"
                student[meta["grade_id"]] = (status, (m.group(3) or "").strip())
            else:
                student[meta["grade_id"]] = ("error", f"the graded cell raised {err.get('ename')}")
    return out


def question_labels(course: Path, assignment: str) -> tuple[dict[str, str], dict[str, str]]:
    """(grade_id -> "Question 3a · Output lengths", grade_id -> "q_3.a") from the released notebook."""
    import nbformat
    from . import release
    config = course_config.load(course).CourseDirectory
    for folder in (config.release_directory, config.source_directory):
        for path in sorted((Path(course) / folder / assignment).glob("*.ipynb")):
            nb = nbformat.read(str(path), as_version=4)
            calls = {}
            for cell in nb.cells:
                meta = cell.get("metadata", {}).get("nbgrader", {})
                m = re.search(r"\b(q_\d+(?:\.\w+)?)\.(?:check|assert_check_passed)\(", cell.source)
                if meta.get("grade") and m:
                    calls[meta["grade_id"]] = m.group(1)
            return release.labels(nb), calls
    return {}, {}


def diagnoses(course: Path, assignment: str, graded: dict) -> dict[str, list[tuple[str, int, list[str]]]]:
    """grade_id -> [(diagnosis, count, students)], most frequent first, for students without full marks."""
    outcomes = cell_outcomes(course, assignment)
    _, calls = question_labels(course, assignment)
    known = known_mistakes(assignment)
    out: dict[str, list[tuple[str, int, list[str]]]] = {}
    for gid, passed in graded.items():
        seen: dict[str, tuple[str, list[str]]] = {}
        for student, ok in sorted(passed.items()):
            if ok:
                continue
            status, message = outcomes.get(student, {}).get(gid, ("missing", ""))
            if status == "not_attempted":
                label = NOT_ATTEMPTED
            elif status == "missing":
                label = "graded cell deleted, or the notebook did not run"
            elif status == "error":
                label = message
            else:
                label = diagnose(message, known.get(calls.get(gid, ""), []))
            entry = seen.setdefault(_key(label), (label, []))
            entry[1].append(student)
        out[gid] = sorted(((label, len(who), who) for label, who in seen.values()),
                          key=lambda t: (-t[1], t[0] in (GENERIC, NOT_ATTEMPTED), t[0]))
    return out


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _feedback_link(course: Path | None, student: str, assignment: str, out: Path) -> str:
    if course is None:
        return ""
    pages = sorted((Path(course) / "feedback" / student / assignment).glob("*.html"))
    if not pages:
        return '<span class="nofeedback">no feedback yet</span>'
    href = os.path.relpath(pages[0], out.parent)
    return f'<a href="{html.escape(href)}">feedback</a>'


def write_report(db_url: str, assignment: str, out: Path, *, missed_threshold: float = 0.5,
                 notes: dict | None = None, course: Path | None = None) -> Path:
    """Write the report page; ``notes`` (student -> lines) default to the grading notes found in
    ``course``'s autograded notebooks, and students flagged for review in the gradebook are named.
    Question titles, diagnosed mistakes and feedback links need ``course``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    out = Path(out)
    data = gather(db_url, assignment)
    if notes is None:
        notes = grading_notes(course, assignment) if course else {}
    notes = {s: list(notes.get(s, [])) + (["flagged for review"]
                                          if s in data["flagged"] else []) for s in data["students"]}
    titles = question_labels(course, assignment)[0] if course else {}
    found = diagnoses(course, assignment, data["questions"]) if course else {}
    title = lambda gid: titles.get(gid, gid)  # noqa: E731
    scores = [s for s, _ in data["students"].values()]
    max_score = max([m for _, m in data["students"].values()] + [0])
    order = list(titles) + sorted(q for q in data["questions"] if q not in titles)
    names = [q for q in order if q in data["questions"]]
    rates = {q: (sum(data["questions"][q].values()) / len(data["questions"][q]) if data["questions"][q] else 0.0)
             for q in names}
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(scores, bins=range(0, int(max_score) + 2), color="#0969da", edgecolor="white", align="left")
    ax.set(xlabel="score", ylabel="students", title=f"{assignment}: scores")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    hist = _png(fig)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(rates) + 1))
    ax.barh([title(n) for n in names], [100 * rates[n] for n in names],
            color=["#cf222e" if rates[n] < missed_threshold else "#1a7f37" for n in names])
    ax.set(xlabel="% of students with full marks", xlim=(0, 100), title="pass rate per question")
    ax.invert_yaxis()
    bars = _png(fig)
    plt.close(fig)
    missed = sorted((n for n in names if rates[n] < missed_threshold), key=lambda n: rates[n])
    mean = sum(scores) / len(scores) if scores else 0
    rows = "".join(f"<tr><td>{html.escape(s)}</td><td>{sc:g} / {m:g}</td>"
                   f"<td>{_feedback_link(course, s, assignment, out)}</td>"
                   f"<td>{html.escape('; '.join(notes.get(s, [])))}</td></tr>"
                   for s, (sc, m) in sorted(data["students"].items()))
    missed_html = "".join(f"<li><b>{html.escape(title(n))}</b>: {100 * rates[n]:.0f}% full marks</li>"
                          for n in missed) or "<li>none: every question is passed by most students</li>"
    sections = []
    for gid in names:
        mistakes = found.get(gid, [])
        total = len(data["questions"][gid])
        passed = sum(data["questions"][gid].values())
        head = (f'<h3>{html.escape(title(gid))} <small>({data["max"].get(gid, 0):g} pt; {passed} of {total} '
                f'students full marks)</small></h3>')
        if not mistakes:
            sections.append(head + "<p>Everyone got it.</p>")
            continue
        items = "".join(f'<li class="diagnosis"><b>{html.escape(label)}</b> — <span class="count">{count}</span> '
                        f'student{"s" * (count != 1)} <small>({html.escape(", ".join(who))})</small></li>'
                        for label, count, who in mistakes)
        fig, ax = plt.subplots(figsize=(7, 0.4 * len(mistakes) + 0.9))
        labels = [(l if len(l) <= 60 else l[:57] + "…") for l, _, _ in mistakes]
        ax.barh(labels, [c for _, c, _ in mistakes],
                color=["#8c959f" if l in (GENERIC, NOT_ATTEMPTED) else "#cf222e" for l, _, _ in mistakes])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(xlabel="students")
        ax.invert_yaxis()
        chart = _png(fig)
        plt.close(fig)
        sections.append(head + f'<ul class="mistakes">{items}</ul>'
                        f'<img alt="number of students per diagnosed mistake, {html.escape(title(gid))}" src="{chart}">')
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(assignment)} — class report</title>
<style>body{{font-family:sans-serif;max-width:56em;margin:2em auto;padding:0 1em}}td,th{{padding:.2em .8em;text-align:left}}
img{{max-width:100%}}h3 small{{font-weight:normal;color:#57606a}}</style></head><body>
<h1>{html.escape(assignment)} — class report</h1>
<p>{len(scores)} submissions; mean score {mean:.2f} / {max_score:g}.</p>
<h2>Questions most students miss</h2><ul class="missed">{missed_html}</ul>
<img alt="score distribution" src="{hist}"><img alt="pass rate per question" src="{bars}">
<h2>What the class got wrong</h2>
<p>Per question, the mistakes the checks diagnosed (the message each student saw in their feedback), with how many
students made each; "{GENERIC}" is a wrong answer no named mistake matched.</p>
{''.join(sections)}
<h2>Students</h2><table><tr><th>student</th><th>score</th><th>feedback</th><th>notes</th></tr>{rows}</table></body></html>"""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
