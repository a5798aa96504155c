"""Collect submissions into nbgrader's ``submitted/<student>/<assignment>/`` without touching them.

Accepts a folder of notebooks named by student (``alice.ipynb``, ``bob.ipynb``) or a folder in
nbgrader's layout (``<student>/<assignment>/<assignment>.ipynb``, e.g. a JupyterHub exchange
copy). Files are copied, never moved or rewritten; every source file is hashed before and after,
and the copies are checked against the hashes.
"""
from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from . import course_config

STUDENT_ID = re.compile(r"^[A-Za-z0-9_.@+-]+$")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def tree_hashes(folder: Path) -> dict[str, str]:
    """relative path -> sha256 of every file under ``folder``."""
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def find_submissions(source: Path, assignment: str) -> dict[str, Path]:
    """student id -> the folder or file holding that student's submission."""
    found: dict[str, Path] = {}
    for entry in sorted(source.iterdir()):
        if entry.is_dir() and (entry / assignment).is_dir():
            found[entry.name] = entry / assignment               # nbgrader layout
        elif entry.is_file() and entry.suffix == ".ipynb":
            found[entry.stem] = entry                             # alice.ipynb
    bad = [s for s in found if not STUDENT_ID.match(s)]
    if bad:
        raise ValueError(f"student ids may hold letters, digits and _.@+- only: {bad}")
    return found


def collect(source: Path, course: Path, assignment: str, *, register: bool = True, db_url: str | None = None) -> list[str]:
    """Copy every submission under ``source`` into ``course/submitted``; returns the student ids."""
    before = tree_hashes(source)
    students = find_submissions(source, assignment)
    for student, origin in students.items():
        dest = course / "submitted" / student / assignment
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        if origin.is_dir():
            shutil.copytree(origin, dest, dirs_exist_ok=True)
        else:
            shutil.copy2(origin, dest / f"{assignment}.ipynb")
        copied = tree_hashes(dest)
        expected = tree_hashes(origin) if origin.is_dir() else {f"{assignment}.ipynb": sha256(origin)}
        if copied != expected:
            raise RuntimeError(f"the copy of {student}'s submission differs from the original")
    if tree_hashes(source) != before:
        raise RuntimeError(f"submissions under {source} changed while they were collected")
    if register and students:
        register_students(sorted(students), db_url)
    return sorted(students)


def register_students(students: list[str], db_url: str) -> None:
    from .course_config import ensure_tools_on_path
    ensure_tools_on_path()
    with course_config.gradebook(db_url) as gb:
        for student in students:
            gb.update_or_create_student(student)
