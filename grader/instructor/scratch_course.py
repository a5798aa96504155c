"""Scratch courses: one template per batch (generate_assignment once), one copy per student."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat

from . import course_config, integrity


def _non_notebook_files(src: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        for path in src.rglob("*"):
            if path.is_file() and path.suffix != ".ipynb" and ".ipynb_checkpoints" not in path.parts:
                target = dest / path.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)


def scratch_overrides(root: Path) -> dict:
    return {"CourseDirectory": {"root": str(root), "source_directory": "source", "release_directory": "release",
                                "submitted_directory": "submitted", "autograded_directory": "autograded",
                                "feedback_directory": "feedback", "db_url": f"sqlite:///{root / 'gradebook.db'}"}}


def build_template(course: Path, assignment: str, batch: Path, source_dir: str, *, harden: bool = True) -> Path:
    """batch/template: hardened source, release and a gradebook holding the assignment."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    template = batch / "template"
    src = course / source_dir / assignment
    (template / "source" / assignment).mkdir(parents=True, exist_ok=True)
    _non_notebook_files(src, template / "source" / assignment)
    for nb_path in src.glob("*.ipynb"):
        nb = nbformat.read(str(nb_path), as_version=4)
        if harden:
            integrity.harden(nb, assignment)
        nbformat.write(nb, str(template / "source" / assignment / nb_path.name))
    config = course_config.load(course, **scratch_overrides(template))
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    result = api.generate_assignment(assignment, force=True, create=True)
    if not result["success"]:
        raise RuntimeError("generate_assignment failed in the batch template:\n" + result.get("log", "") +
                           result.get("error", ""))
    copy_duedate(course_config.db_url(course), scratch_overrides(template)["CourseDirectory"]["db_url"], assignment)
    return template


def copy_duedate(course_db: str, template_db: str, assignment: str) -> None:
    """The course's due date goes into the template gradebook, so that nbgrader's late-submission
    policy (the course's nbgrader_config.py) is applied to each submission's timestamp.txt."""
    from nbgrader.api import MissingEntry
    with course_config.gradebook(course_db) as gb:
        try:
            due = gb.find_assignment(assignment).duedate
        except MissingEntry:
            due = None
    if due is not None:
        with course_config.gradebook(template_db) as gb:
            gb.update_or_create_assignment(assignment, duedate=due)


def build_student(template: Path, batch: Path, course: Path, assignment: str, student: str) -> Path:
    """batch/students/<student>: the template's gradebook and source files, the student's submission."""
    root = batch / "students" / student
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    # ZMQ's IPC socket paths must stay under 107 characters: the runtime folder lives in a short path
    runtime = Path(tempfile.mkdtemp(prefix="grk-"))
    (root / "runtime").symlink_to(runtime)
    (root / "work").mkdir()
    shutil.copy2(template / "gradebook.db", root / "gradebook.db")
    _non_notebook_files(template / "source" / assignment, root / "source" / assignment)
    submitted = course / "submitted" / student / assignment
    dest = root / "submitted" / student / assignment
    if submitted.is_dir():
        shutil.copytree(submitted, dest)
    else:
        dest.mkdir(parents=True)
    # data files the student shipped are visible (read-only copies) in the kernel's work folder
    for path in dest.iterdir():
        if path.is_file() and path.suffix != ".ipynb":
            shutil.copy2(path, root / "work" / path.name)
    return root
