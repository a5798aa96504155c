"""Merge one student's results from a scratch gradebook into the course gradebook (serially).

Copies what ``nbgrader autograde`` writes: the submission and its timestamp, per-cell auto
scores (and manual scores / extra credit if any), comments, flags, late penalties, and the
autograded files. Works with any db_url nbgrader supports (SQLite, PostgreSQL).

Two halves: ``read_scratch`` runs in the worker that graded the student (its own scratch
gradebook), ``write_student`` in the parent, one student at a time, on one open course gradebook.
"""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

from nbgrader.api import MissingEntry
from . import course_config


def read_scratch(scratch_root: Path, assignment: str, student: str) -> dict:
    """What nbgrader recorded for ``student`` in the scratch gradebook (plain data, picklable)."""
    with warnings.catch_warnings(), course_config.gradebook(f"sqlite:///{scratch_root / 'gradebook.db'}") as scratch:
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes from inside nbgrader.api
        src = scratch.find_submission(assignment, student)
        saved = {"timestamp": src.timestamp, "extension": src.extension, "notebooks": {}}
        for nb in src.notebooks:
            saved["notebooks"][nb.name] = {
                "flagged": nb.flagged, "late": nb.late_submission_penalty,
                "grades": {g.name: (g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade)
                           for g in nb.grades},
                "comments": {c.name: (c.auto_comment, c.manual_comment) for c in nb.comments},
            }
    return saved


def write_student(gb, saved: dict, scratch_root: Path, course: Path, assignment: str, student: str,
                  *, flag: bool = False) -> None:
    """Replace ``student``'s submission in the open course gradebook ``gb``; copy the autograded files.

    The files come first and the gradebook last, in one transaction: a student in the gradebook has
    complete results, even when the batch is interrupted (Ctrl-C) in between (``--resume`` relies on it)."""
    src_dir = scratch_root / "autograded" / student / assignment
    dest_dir = course / "autograded" / student / assignment
    if dest_dir.exists():
        shutil.rmtree(dest_dir)
    shutil.copytree(src_dir, dest_dir)
    timestamp_file = course / "submitted" / student / assignment / "timestamp.txt"
    if timestamp_file.exists() and not (dest_dir / "timestamp.txt").exists():
        shutil.copy2(timestamp_file, dest_dir / "timestamp.txt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # one transaction: nbgrader's methods commit after each step (removing the old submission,
        # adding the new one with empty grades); here they only flush, and the commit at the end
        # writes everything at once, or nothing (Ctrl-C, a database error)
        commit, gb.db.commit = gb.db.commit, gb.db.flush
        try:
            gb.update_or_create_student(student)
            try:
                gb.find_submission(assignment, student)
                gb.remove_submission(assignment, student)
            except MissingEntry:
                pass
            dest = gb.add_submission(assignment, student, timestamp=saved["timestamp"], extension=saved["extension"])
            for nb in dest.notebooks:
                cells = saved["notebooks"].get(nb.name)
                if cells is None:
                    continue
                nb.flagged = bool(cells["flagged"] or flag)
                nb.late_submission_penalty = cells["late"]
                for grade in nb.grades:
                    if grade.name in cells["grades"]:
                        grade.auto_score, grade.manual_score, grade.extra_credit, grade.needs_manual_grade = \
                            cells["grades"][grade.name]
                for comment in nb.comments:
                    if comment.name in cells["comments"]:
                        comment.auto_comment, comment.manual_comment = cells["comments"][comment.name]
            del gb.db.commit
            commit()
        except BaseException:
            gb.db.__dict__.pop("commit", None)
            gb.db.rollback()
            raise


def merge_student(scratch_root: Path, main_db_url: str, course: Path, assignment: str, student: str,
                  *, flag: bool = False) -> None:
    """Both halves in one call (opens the course gradebook for this student only)."""
    saved = read_scratch(scratch_root, assignment, student)
    with course_config.gradebook(main_db_url) as gb:
        write_student(gb, saved, scratch_root, course, assignment, student, flag=flag)
