"""Grades as CSV in the column layouts Canvas and Moodle import (besides nbgrader's plain CSV).

Scores are nbgrader's: the raw score minus the late-submission penalty the course's
``nbgrader_config.py`` sets (the same ``score`` column as ``nbgrader export``); a student with no
submission of a graded assignment gets 0, as in ``nbgrader export``. Only assignments with at least
one submission in the gradebook are exported (or the ones named), so importing never overwrites
an LMS column with zeros for an assignment nobody has handed in yet.

- **Canvas** (Grades → Import): ``Student, ID, SIS User ID, SIS Login ID, Section`` then one column
  per assignment, and a ``Points Possible`` row under the header. Canvas matches students by ``ID``
  (Canvas user id: the gradebook's ``lms_user_id``), else ``SIS User ID``, else ``SIS Login ID`` (the
  course's student id, i.e. the hub user name). A column it does not know becomes a new assignment
  worth the Points Possible.
- **Moodle** (Grades → Import → CSV file): ``Username, ID number, Email address, First name,
  Last name`` then one column per assignment, headed ``<assignment> (max N)``. On import, map
  *Username* (or *Email address*) to the user field and each assignment column to a grade item.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from . import course_config

FORMATS = ("canvas", "moodle", "plain")


@dataclass
class Grades:
    assignments: list[str] = field(default_factory=list)
    max_score: dict[str, float] = field(default_factory=dict)
    students: list[dict] = field(default_factory=list)          # id, first_name, last_name, email, lms_user_id
    score: dict[tuple[str, str], float] = field(default_factory=dict)   # (student, assignment) -> score
    raw: dict[tuple[str, str], float] = field(default_factory=dict)
    penalty: dict[tuple[str, str], float] = field(default_factory=dict)
    timestamp: dict[tuple[str, str], object] = field(default_factory=dict)
    duedate: dict[str, object] = field(default_factory=dict)


def gather(db_url: str, assignments: list[str] | None = None) -> Grades:
    from nbgrader.api import MissingEntry
    grades = Grades()
    with course_config.gradebook(db_url) as gb:
        students = sorted(gb.students, key=lambda s: s.id)
        grades.students = [{"id": s.id, "first_name": s.first_name or "", "last_name": s.last_name or "",
                            "email": s.email or "", "lms_user_id": s.lms_user_id or ""} for s in students]
        for a in sorted(gb.assignments, key=lambda a: (a.duedate is None, a.duedate or 0, a.name)):
            if assignments and a.name not in assignments:
                continue
            if not assignments and not a.submissions:
                continue
            grades.assignments.append(a.name)
            grades.max_score[a.name] = a.max_score
            grades.duedate[a.name] = a.duedate
            for s in students:
                key = (s.id, a.name)
                try:
                    sub = gb.find_submission(a.name, s.id)
                except MissingEntry:
                    grades.raw[key] = grades.penalty[key] = grades.score[key] = 0.0
                    grades.timestamp[key] = None
                    continue
                penalty = sub.late_submission_penalty or 0.0
                grades.raw[key], grades.penalty[key] = sub.score, penalty
                grades.score[key] = max(sub.score - penalty, 0.0)
                grades.timestamp[key] = sub.timestamp
    return grades


def _num(x: float) -> str:
    return f"{x:g}"


def canvas_rows(g: Grades) -> list[list[str]]:
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *g.assignments],
            ["    Points Possible", "", "", "", "", *(_num(g.max_score[a]) for a in g.assignments)]]
    for s in g.students:
        name = ", ".join(p for p in (s["last_name"], s["first_name"]) if p) or s["id"]
        rows.append([name, s["lms_user_id"], s["id"], s["id"], "",
                     *(_num(g.score[(s["id"], a)]) for a in g.assignments)])
    return rows


def moodle_rows(g: Grades) -> list[list[str]]:
    rows = [["Username", "ID number", "Email address", "First name", "Last name",
             *(f"{a} (max {_num(g.max_score[a])})" for a in g.assignments)]]
    for s in g.students:
        rows.append([s["id"], s["lms_user_id"], s["email"], s["first_name"], s["last_name"],
                     *(_num(g.score[(s["id"], a)]) for a in g.assignments)])
    return rows


def plain_rows(g: Grades) -> list[list[str]]:
    """nbgrader export's columns (one row per student and assignment)."""
    rows = [["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
             "raw_score", "late_submission_penalty", "score", "max_score"]]
    for a in g.assignments:
        for s in g.students:
            k = (s["id"], a)
            rows.append([a, str(g.duedate[a] or ""), str(g.timestamp[k] or ""), s["id"], s["last_name"],
                         s["first_name"], s["email"], _num(g.raw[k]), _num(g.penalty[k]), _num(g.score[k]),
                         _num(g.max_score[a])])
    return rows


def export(db_url: str, out: Path, fmt: str = "plain", assignments: list[str] | None = None) -> Path:
    g = gather(db_url, assignments)
    rows = {"canvas": canvas_rows, "moodle": moodle_rows, "plain": plain_rows}[fmt](g)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # UTF-8 with a byte-order mark: Excel and both LMSs then read accented names correctly
    with open(out, "w", newline="", encoding="utf-8-sig" if fmt != "plain" else "utf-8") as f:
        csv.writer(f).writerows(rows)
    return out
