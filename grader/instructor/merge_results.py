"""Merge one student's results from a scratch gradebook into the course gradebook (serially).

Copies what ``nbgrader autograde`` writes: the submission and its timestamp, per-cell auto
scores (and manual scores / extra credit if any), comments, flags, late penalties, and the
autograded files. Works with any db_url nbgrader supports (SQLite, PostgreSQL).
"""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

from nbgrader.api import MissingEntry
from . import course_config


def merge_student(*args, **kwargs) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes from inside nbgrader.api
        _merge_student(*args, **kwargs)


def _merge_student(scratch_root: Path, main_db_url: str, course: Path, assignment: str, student: str,
                  *, flag: bool = False) -> None:
    with course_config.gradebook(f"sqlite:///{scratch_root / 'gradebook.db'}") as scratch:
        src = scratch.find_submission(assignment, student)
        timestamp, extension = src.timestamp, src.extension
        cells = {}
        for nb in src.notebooks:
            cells[nb.name] = {
                "flagged": nb.flagged, "late": nb.late_submission_penalty,
                "grades": {g.name: (g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade)
                           for g in nb.grades},
                "comments": {c.name: (c.auto_comment, c.manual_comment) for c in nb.comments},
            }
    with course_config.gradebook(main_db_url) as gb:
        gb.update_or_create_student(student)
        try:
            gb.find_submission(assignment, student)
            gb.remove_submission(assignment, student)
        except MissingEntry:
            pass
        dest = gb.add_submission(assignment, student, timestamp=timestamp, extension=extension)
        for nb in dest.notebooks:
            saved = cells.get(nb.name)
            if saved is None:
                continue
            nb.flagged = bool(saved["flagged"] or flag)
            nb.late_submission_penalty = saved["late"]
            for grade in nb.grades:
                if grade.name in saved["grades"]:
                    grade.auto_score, grade.manual_score, grade.extra_credit, grade.needs_manual_grade = \
                        saved["grades"][grade.name]
            for comment in nb.comments:
                if comment.name in saved["comments"]:
                    comment.auto_comment, comment.manual_comment = saved["comments"][comment.name]
        gb.db.commit()
    src_dir = scratch_root / "autograded" / student / assignment
    dest_dir = course / "autograded" / student / assignment
    if dest_dir.exists():
        shutil.rmtree(dest_dir)
    shutil.copytree(src_dir, dest_dir)
    timestamp_file = course / "submitted" / student / assignment / "timestamp.txt"
    if timestamp_file.exists() and not (dest_dir / "timestamp.txt").exists():
        shutil.copy2(timestamp_file, dest_dir / "timestamp.txt")
