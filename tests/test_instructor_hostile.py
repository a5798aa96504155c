"""Sandboxed parallel autograde: hostile submissions get their honest score, the batch completes,
honest students get exactly what serial `nbgrader autograde` gives them, submissions stay unchanged."""
import csv
import functools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.instructor import batch_autograde, collect, course_config, sandbox, synthetic_class
from grader.notebooks import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("instructor")]
CHAPTER = synthetic_class.CHAPTER
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
# Generous time limits: a loaded CI machine must not time out an honest cell.
LIMITS = sandbox.Limits(memory_mb=1024, cell_seconds=20, cpu_seconds=120, wall_seconds=300, processes=48)


def new_course(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions" / CHAPTER, root / "solutions" / CHAPTER)
    subprocess.run([NBGRADER, "generate_assignment", CHAPTER, "--force"], cwd=root, check=True, capture_output=True)
    return root


@functools.lru_cache(maxsize=None)
def grades(course: Path) -> dict:
    subprocess.run([NBGRADER, "export"], cwd=course, check=True, capture_output=True)
    with open(course / "grades.csv") as f:
        return {r["student_id"]: r for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if reason := sandbox.unavailable_reason():
        pytest.skip(f"no sandbox here: {reason}")
    tmp = tmp_path_factory.mktemp("instructor")
    incoming = tmp / "incoming"
    synthetic_class.write(incoming, {**synthetic_class.honest(), **synthetic_class.hostile()})
    hashes = collect.tree_hashes(incoming)
    # serial baseline: plain nbgrader autograde of the honest students
    serial = new_course(tmp / "serial")
    collect.collect(incoming, serial, CHAPTER, db_url=course_config.db_url(serial))
    for student in synthetic_class.honest():
        subprocess.run([NBGRADER, "autograde", CHAPTER, "--create", "--student", student], cwd=serial, check=True,
                       capture_output=True)
    # the parallel, sandboxed tool on the whole class
    course = new_course(tmp / "parallel")
    collect.collect(incoming, course, CHAPTER, db_url=course_config.db_url(course))
    submitted = collect.tree_hashes(course / "submitted")
    result = batch_autograde.autograde(course, CHAPTER, workers=2, limits=LIMITS, progress=False)
    for c in (serial, course):
        subprocess.run([NBGRADER, "generate_feedback", CHAPTER, "--force"], cwd=c, check=True, capture_output=True)
    return {"course": course, "serial": serial, "result": result, "incoming": incoming, "hashes": hashes,
            "submitted": submitted}


def test_every_submission_gets_a_result(graded):
    result = graded["result"]
    expected = set(synthetic_class.honest()) | set(synthetic_class.EXPECTED)
    assert set(result.students) == expected
    assert set(grades(graded["course"])) == expected


@pytest.mark.parametrize("student", sorted(synthetic_class.EXPECTED))
def test_hostile_submission_scores_its_honest_worth(graded, student):
    row = grades(graded["course"])[student]
    assert float(row["score"]) == synthetic_class.EXPECTED[student], graded["result"].students[student]
    feedback = graded["course"] / "feedback" / student / CHAPTER / f"{CHAPTER}.html"
    assert feedback.exists()


def test_honest_students_get_the_serial_grades(graded):
    parallel, serial = grades(graded["course"]), grades(graded["serial"])
    for student in synthetic_class.honest():
        for column in ("raw_score", "score", "max_score"):
            assert parallel[student][column] == serial[student][column], (student, column)
    assert float(parallel["full"]["score"]) == 11 and float(parallel["noisy"]["score"]) == 11


def test_per_cell_scores_equal_serial(graded):

    def cells(course):
        with course_config.gradebook(course_config.db_url(course)) as gb:
            return {(s, g.name): (g.auto_score, g.needs_manual_grade) for s in synthetic_class.honest()
                    for g in gb.find_submission_notebook(CHAPTER, CHAPTER, s).grades}
    assert cells(graded["course"]) == cells(graded["serial"])


def test_limits_are_named_in_the_feedback(graded):
    students = graded["result"].students
    assert any("timed out in cell" in n for n in students["infinite_loop"]["notes"])
    assert any("memory" in n for n in students["memory_bomb"]["notes"])
    assert any("processes" in n for n in students["fork_bomb"]["notes"])
    assert any("not a readable notebook" in n for n in students["invalid_json"]["notes"])
    html = (graded["course"] / "feedback" / "infinite_loop" / CHAPTER / f"{CHAPTER}.html").read_text()
    assert "timed out in cell" in html


def test_tampering_is_flagged_for_review(graded):
    students = graded["result"].students
    for student in ("fake_questions", "patched_engine"):
        assert students[student]["flags"], student
    assert not students["full"]["flags"]


def test_sandbox_wrote_nothing_outside(graded):
    assert not (ROOT / "grader" / "pwned.py").exists()
    assert not any((graded["course"] / "submitted").rglob("pwned"))


def test_submissions_are_never_modified(graded):
    assert collect.tree_hashes(graded["incoming"]) == graded["hashes"]
    assert collect.tree_hashes(graded["course"] / "submitted") == graded["submitted"]


def test_instructor_report(graded):
    from grader.instructor import class_report
    out = class_report.write_report(course_config.db_url(graded["course"]), CHAPTER, graded["course"] / "r.html")
    html = out.read_text()
    assert html.count("data:image/png;base64,") == 2 and "Questions most students miss" in html
