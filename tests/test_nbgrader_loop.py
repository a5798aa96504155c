"""The instructor's loop on a scratch course: generate -> submitted/ -> autograde -> feedback -> export."""
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import notebooks
from grader.notebooks import ROOT

CHAPTERS = notebooks.chapters()
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbgrader")]
NBGRADER = str(Path(sys.executable).parent / "nbgrader")


def nbgrader(*args, cwd):
    result = subprocess.run([NBGRADER, *args], cwd=cwd, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions", root / "solutions")
    for chapter in CHAPTERS:
        nbgrader("generate_assignment", chapter, "--force", cwd=root)
    return root


def strip_ids(nb: dict) -> dict:
    for cell in nb["cells"]:
        cell.pop("id", None)
    return nb


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_committed_exercise_equals_nbgrader_output(course, chapter):
    generated = json.loads((course / "exercises" / chapter / f"{chapter}.ipynb").read_text())
    committed = json.loads(notebooks.exercise_notebook(chapter).read_text())
    assert strip_ids(committed) == strip_ids(generated), f"exercises/{chapter} is stale: run `make sync`"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_exercise_hides_solutions_and_hidden_tests(chapter):
    text = notebooks.exercise_notebook(chapter).read_text()
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "assert_check_passed", "# starter:"):
        assert secret not in text
    assert "____" in text


def submissions(chapter):
    """Three students: everything right (with a noisy stderr warning), nothing done, half done."""
    exercise = notebooks.read(notebooks.exercise_notebook(chapter))
    answers = notebooks.solution_sources(chapter)
    noisy = {gid: "import sys, warnings\nwarnings.warn('a harmless warning')\nprint('log', file=sys.stderr)\n" + src
             for gid, src in answers.items()}
    half = dict(list(answers.items())[: len(answers) // 2])
    return {"full": notebooks.with_answers(exercise, noisy), "blank": exercise,
            "half": notebooks.with_answers(exercise, half)}


@pytest.fixture(scope="module")
def graded(course):
    import nbformat
    for chapter in CHAPTERS:
        for student, nb in submissions(chapter).items():
            folder = course / "submitted" / student / chapter
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(folder / f"{chapter}.ipynb"))
        nbgrader("autograde", chapter, "--create", cwd=course)
        nbgrader("generate_feedback", chapter, cwd=course)
    nbgrader("export", cwd=course)
    with open(course / "grades.csv") as f:
        rows = list(csv.DictReader(f))
    return course, {(r["assignment"], r["student_id"]): r for r in rows}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_autograde_scores_full_blank_and_half(graded, chapter):
    _, grades = graded
    full, blank, half = (grades[(chapter, s)] for s in ("full", "blank", "half"))
    max_score = float(full["max_score"])
    assert max_score > 0
    assert float(full["score"]) == max_score, "stderr output or a hidden test cost the correct solution points"
    assert float(blank["score"]) == 0
    assert 0 < float(half["score"]) < max_score


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_feedback_html_names_the_outcomes(graded, chapter):
    course, _ = graded
    html = (course / "feedback" / "half" / chapter / f"{chapter}.html").read_text()
    assert "✓ Correct" in html and "Not attempted" in html
    assert "AssertionError" in html
