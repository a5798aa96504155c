"""The class report of a small class with known mistakes, and the feedback pages students get.

Five chapter-1 submissions, graded once (sandboxed batch grader): ada gets everything right; ben
and cy flip the kernel in question 1 (ben also forgets to flip it in question 2); cy and di answer
n − k in question 3a; di gives made-up numbers in question 1; eve hands in the blank exercise.
"""
import datetime
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from grader.authoring import notebooks
from grader.authoring.notebooks import ROOT
from grader.instructor import batch_autograde, class_report, collect, course_config, exports, sandbox

pytestmark = pytest.mark.xdist_group("report")
CHAPTER = "ch01_convolution_1d"
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
FLIPPED = "corr_by_hand = np.array([x_q[i:i + 3] @ w_q[::-1] for i in range(5)])"
NOT_FLIPPED = "conv_by_hand = np.array([x_q[i:i + 3] @ w_q for i in range(5)])"
MADE_UP = "corr_by_hand = np.array([5, 5, 5, 5, 5])"
ONE_SHORT = "len_valid = 50 - 7"
DUE = datetime.datetime(2026, 3, 1, 12, 0)
# the chapter's points, as the nbgrader source sets them (grader/checks/points.json)
TOTAL = sum(__import__("grader.engine.progress", fromlist=["x"]).chapter_points(CHAPTER).values())


def class_answers() -> dict:
    a = notebooks.solution_sources(CHAPTER)
    return {"ada": a, "ben": {**a, "q1_answer": FLIPPED, "q2_answer": NOT_FLIPPED},
            "cy": {**a, "q1_answer": FLIPPED, "q3a_answer": ONE_SHORT},
            "di": {**a, "q1_answer": MADE_UP, "q3a_answer": ONE_SHORT}, "eve": {}}


@pytest.fixture(scope="module")
def graded():
    root = Path(tempfile.mkdtemp(prefix="report-course-"))
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions" / CHAPTER, root / "solutions" / CHAPTER)
    subprocess.run([NBGRADER, "generate_assignment", CHAPTER, "--force"], cwd=root, check=True, capture_output=True)
    exercise = notebooks.read(notebooks.exercise_notebook(CHAPTER))
    for student, answers in class_answers().items():
        folder = root / "incoming" / student / CHAPTER
        folder.mkdir(parents=True)
        nbformat.write(notebooks.with_answers(exercise, answers), str(folder / f"{CHAPTER}.ipynb"))
    collect.collect(root / "incoming", root, CHAPTER, db_url=course_config.db_url(root))
    # a due date and a late policy: ben handed in a day late and loses everything, the others were on time
    with open(root / "nbgrader_config.py", "a") as f:
        f.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    with course_config.gradebook(course_config.db_url(root)) as gb:
        gb.update_or_create_assignment(CHAPTER, duedate=DUE)
    for student in class_answers():
        stamp = "2026-03-02 12:00:00.000000 UTC" if student == "ben" else "2026-02-28 12:00:00.000000 UTC"
        (root / "submitted" / student / CHAPTER / "timestamp.txt").write_text(stamp)
    limits = sandbox.Limits(memory_mb=1024, cell_seconds=60, cpu_seconds=120, wall_seconds=300, processes=48)
    batch_autograde.autograde(root, CHAPTER, workers=2, limits=limits, progress=False,
                              use_sandbox=sandbox.unavailable_reason() is None)
    subprocess.run([NBGRADER, "generate_feedback", CHAPTER, "--force"], cwd=root, check=True, capture_output=True)
    out = class_report.write_report(course_config.db_url(root), CHAPTER, root / "reports" / f"{CHAPTER}.html",
                                    course=root)
    yield root, out.read_text()
    shutil.rmtree(root, ignore_errors=True)


def mistakes_of(page: str, title: str) -> dict[str, int]:
    """diagnosis -> count, from the report's section of one question."""
    section = page.split(f"<h3>{title} ")[1].split("<h3>")[0].split("<h2>")[0]
    return {re.sub("<[^>]+>", "", m.group(1)).replace("&#x27;", "'"): int(m.group(2)) for m in
            re.finditer(r'<li class="diagnosis"><b>(.*?)</b> — <span class="count">(\d+)</span>', section)}


@pytest.mark.slow
def test_scores_and_late_penalty(graded):
    root, _ = graded
    assert batch_autograde.scores(course_config.db_url(root), CHAPTER) == {
        "ada": (TOTAL, TOTAL), "ben": (TOTAL - 2, TOTAL), "cy": (TOTAL - 2, TOTAL), "di": (TOTAL - 2, TOTAL),
        "eve": (0, TOTAL)}
    with course_config.gradebook(course_config.db_url(root)) as gb:
        penalty = {s: gb.find_submission(CHAPTER, s).late_submission_penalty for s in class_answers()}
    assert penalty == {"ada": 0, "ben": TOTAL - 2, "cy": 0, "di": 0, "eve": 0}, "the course's late policy was not applied"
    rows = exports.canvas_rows(exports.gather(course_config.db_url(root)))
    assert {r[2]: r[5] for r in rows[2:]} == {"ada": f"{TOTAL:g}", "ben": "0", "cy": f"{TOTAL - 2:g}",
                                           "di": f"{TOTAL - 2:g}", "eve": "0"}


@pytest.mark.slow
def test_each_diagnosed_mistake_is_counted(graded):
    _, page = graded
    flipped = "you flipped the kernel: that is convolution. Cross-correlation slides `w` as it is: " \
              "y[i] = x[i]·w[0] + x[i+1]·w[1] + x[i+2]·w[2]."
    assert mistakes_of(page, "Question 1 · Slide by hand (cross-correlation)") == {
        flipped: 2, "generic / unrecognised": 1, "not attempted": 1}
    assert mistakes_of(page, "Question 2 · Flip first (convolution)") == {
        "the kernel was not flipped: that is cross-correlation. Convolution reverses `w` first "
        "(w[::-1] = [-1, 2, 1]), then slides it.": 1, "not attempted": 1}
    assert mistakes_of(page, "Question 3a · Output lengths") == {
        "43 = n − k is one short: count the starting positions 0, 1, …, n − k.": 2, "not attempted": 1}
    assert mistakes_of(page, "Question 6 · conv1d from scratch") == {"not attempted": 1}
    assert "q1_test" not in page.split("<h2>Students")[0]


@pytest.mark.slow
def test_student_rows_link_to_their_feedback(graded):
    root, page = graded
    for student in class_answers():
        href = f"../feedback/{student}/{CHAPTER}/{CHAPTER}.html"
        assert f'<a href="{href}">feedback</a>' in page
        assert (root / "reports" / href).resolve().exists()


@pytest.mark.slow
def test_feedback_shows_verdicts_not_hidden_code(graded):
    root, _ = graded
    page = (root / "feedback" / "ben" / CHAPTER / f"{CHAPTER}.html").read_text()
    summary = page.split('class="grader-feedback-summary"')[1].split("</table>")[0]
    assert f"Your results: {TOTAL - 2:g} / {TOTAL:g}" in summary
    cell = r"</td><td[^>]*>"
    assert re.search(r"Question 1 · Slide by hand \(cross-correlation\)" + cell + r"<span[^>]*>✗</span>" + cell +
                     "0 / 1" + cell + "you flipped the kernel", summary)
    assert re.search(r"Question 6 · conv1d from scratch" + cell + r"<span[^>]*>✓</span>" + cell + "3 / 3" + cell +
                     "passes, hidden tests too", summary)
    assert "hidden tests: ✓ passed" in page and "hidden tests: ✗ failed, see below" in page
    for secret in ("BEGIN HIDDEN TESTS", "assert_check_passed", "assert_passes_on", "integrity", "_rng"):
        assert secret not in page, secret


def test_hidden_tests_see_the_placeholder_as_not_attempted(student):
    """The fresh copy of the checks the hidden tests use must still recognise the notebook's `____`."""
    from grader.engine.placeholder import ____
    from grader.instructor.integrity import fresh
    student["corr_by_hand"] = ____
    with pytest.raises(AssertionError, match="^○ Not attempted — Question 1: `corr_by_hand` still contains"):
        fresh(CHAPTER, "q_1", student).assert_hidden_tests_pass()
