"""Sandboxed parallel autograde: hostile submissions get their honest score, the batch completes,
honest students get exactly what serial `nbgrader autograde` gives them, submissions stay unchanged.

One graded class serves every case: the fixture grades it once per test session, even when
pytest-xdist spreads these tests over several workers (the first worker grades, the others wait
on a lock and read its results), so each hostile case stays its own pytest case for free.
"""
import contextlib
import csv
import fcntl
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import synthetic_class
from grader.instructor import batch_autograde, collect, course_config, sandbox
from grader.authoring.notebooks import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("instructor")]
CHAPTER = synthetic_class.CHAPTER
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
# Generous time limits: a loaded CI machine must not time out an honest cell.
LIMITS = sandbox.Limits(memory_mb=1024, cell_seconds=20, cpu_seconds=120, wall_seconds=300, processes=48)


def new_course(root: Path, like: Path | None = None) -> Path:
    """A course holding chapter 1 and its gradebook (a copy of ``like``'s, or generated)."""
    if like is not None:
        shutil.copytree(like, root, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback", ".autograde"))
        return root
    root.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions" / CHAPTER, root / "solutions" / CHAPTER)
    subprocess.run([NBGRADER, "generate_assignment", CHAPTER, "--force"], cwd=root, check=True, capture_output=True)
    return root


def export(course: Path) -> dict:
    """grades.csv through the course CLI (`python -m grader export`, i.e. nbgrader export)."""
    subprocess.run([sys.executable, "-m", "grader", "export", "--course", str(course), "--to",
                    str(course / "grades.csv")], cwd=course, check=True, capture_output=True)
    with open(course / "grades.csv") as f:
        return {r["student_id"]: r for r in csv.DictReader(f)}


def grade_class(tmp: Path) -> dict:
    incoming, honest_only = tmp / "incoming", tmp / "honest"
    synthetic_class.write(incoming, {**synthetic_class.honest(), **synthetic_class.hostile()})
    synthetic_class.write(honest_only, synthetic_class.honest())
    hashes = collect.tree_hashes(incoming)
    # serial baseline: one plain `nbgrader autograde` run over the honest students
    serial = new_course(tmp / "serial")
    course = new_course(tmp / "parallel", like=serial)
    collect.collect(honest_only, serial, CHAPTER, db_url=course_config.db_url(serial))
    subprocess.run([NBGRADER, "autograde", CHAPTER, "--create"], cwd=serial, check=True, capture_output=True)
    # the parallel, sandboxed tool on the whole class
    collect.collect(incoming, course, CHAPTER, db_url=course_config.db_url(course))
    submitted = collect.tree_hashes(course / "submitted")
    result = batch_autograde.autograde(course, CHAPTER, workers=2, limits=LIMITS, progress=False)
    subprocess.run([NBGRADER, "generate_feedback", CHAPTER, "--force"], cwd=course, check=True, capture_output=True)
    cells = {}
    for name, c in (("parallel", course), ("serial", serial)):
        with course_config.gradebook(course_config.db_url(c)) as gb:
            cells[name] = [[s, g.name, g.auto_score, g.needs_manual_grade] for s in synthetic_class.honest()
                           for g in gb.find_submission_notebook(CHAPTER, CHAPTER, s).grades]
    return {"course": str(course), "serial": str(serial), "students": result.students, "incoming": str(incoming),
            "hashes": hashes, "submitted": submitted, "grades": export(course), "serial_grades": export(serial),
            "cells": cells}


@contextlib.contextmanager
def _locked(path: Path):
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="module")
def graded(tmp_path_factory, request):
    if reason := sandbox.unavailable_reason():
        pytest.skip(f"no sandbox here: {reason}")
    worker = getattr(request.config, "workerinput", None)
    if worker is None:                                   # no xdist: grade here
        data = grade_class(tmp_path_factory.mktemp("instructor"))
    else:                                                # xdist: once per session, shared by the workers
        shared = tmp_path_factory.getbasetemp().parent / "instructor-class"
        shared.mkdir(exist_ok=True)
        with _locked(shared.with_suffix(".lock")):
            done = shared / "graded.json"
            if not done.exists():
                data = grade_class(shared)
                done.write_text(json.dumps(data))
            data = json.loads(done.read_text())
    for key in ("course", "serial", "incoming"):
        data[key] = Path(data[key])
    return data


def test_every_submission_gets_a_result(graded):
    expected = set(synthetic_class.honest()) | set(synthetic_class.EXPECTED)
    assert set(graded["students"]) == expected
    assert set(graded["grades"]) == expected


@pytest.mark.parametrize("student", sorted(synthetic_class.EXPECTED))
def test_hostile_submission_scores_its_honest_worth(graded, student):
    row = graded["grades"][student]
    assert float(row["score"]) == synthetic_class.EXPECTED[student], graded["students"][student]
    feedback = graded["course"] / "feedback" / student / CHAPTER / f"{CHAPTER}.html"
    assert feedback.exists()
    # every other student's grade is what it would be without this submission in the class
    for other, worth in {**synthetic_class.EXPECTED, "full": 12, "noisy": 12}.items():
        if other != student:
            assert float(graded["grades"][other]["score"]) == worth, other
    for other in ("blank", "half"):
        assert graded["grades"][other]["score"] == graded["serial_grades"][other]["score"], other


def test_changed_metadata_is_restored_and_said(graded):
    notes = graded["students"]["changed_metadata"]["notes"]
    assert any("metadata" in n and "restored" in n for n in notes), notes
    assert any("matching no cell" in n for n in notes), notes
    html = (graded["course"] / "feedback" / "changed_metadata" / CHAPTER / f"{CHAPTER}.html").read_text()
    assert "restored from the released assignment" in html
    assert float(graded["grades"]["changed_metadata"]["max_score"]) == 12   # the made-up 100-point cell is ignored
    assert not any("metadata" in n for s in synthetic_class.honest() for n in graded["students"][s]["notes"])


def test_honest_students_get_the_serial_grades(graded):
    parallel, serial = graded["grades"], graded["serial_grades"]
    for student in synthetic_class.honest():
        for column in ("raw_score", "score", "max_score"):
            assert parallel[student][column] == serial[student][column], (student, column)
    assert float(parallel["full"]["score"]) == 12 and float(parallel["noisy"]["score"]) == 12


def test_per_cell_scores_equal_serial(graded):
    assert graded["cells"]["parallel"] == graded["cells"]["serial"]


def test_limits_are_named_in_the_feedback(graded):
    students = graded["students"]
    assert any("timed out in cell" in n for n in students["infinite_loop"]["notes"])
    assert any("memory" in n for n in students["memory_bomb"]["notes"])
    assert any("processes" in n for n in students["fork_bomb"]["notes"])
    assert any("not a readable notebook" in n for n in students["invalid_json"]["notes"])
    html = (graded["course"] / "feedback" / "infinite_loop" / CHAPTER / f"{CHAPTER}.html").read_text()
    assert "timed out in cell" in html


def test_tampering_is_flagged_for_review(graded):
    students = graded["students"]
    for student in ("fake_questions", "patched_engine"):
        assert students[student]["flags"], student
    assert not students["full"]["flags"]


def test_sandbox_wrote_nothing_outside(graded):
    assert not (ROOT / "grader" / "pwned.py").exists()
    assert not any((graded["course"] / "submitted").rglob("pwned"))


def test_submissions_are_never_modified(graded):
    assert collect.tree_hashes(graded["incoming"]) == graded["hashes"]
    assert collect.tree_hashes(graded["course"] / "submitted") == graded["submitted"]


def test_instructor_report(graded, tmp_path):
    from grader.instructor import class_report
    course = graded["course"]
    out = class_report.write_report(course_config.db_url(course), CHAPTER, tmp_path / "r.html", course=course)
    html = out.read_text()
    assert html.count("data:image/png;base64,") >= 2 and "Questions most students miss" in html
    assert "timed out in cell" in html and "restored from the released assignment" in html
    assert "flagged for review" in html
