"""`python -m grader validate`: a clean, a tampered, an erroring and a half-done chapter-1 notebook."""
import json
import subprocess
import sys

import nbformat
import pytest

from grader.authoring import notebooks
from grader.authoring.notebooks import ROOT
from grader.instructor import release, validate

CHAPTER = "ch01_convolution_1d"
# the chapter's points, as the nbgrader source sets them (grader/checks/points.json)
TOTAL = sum(__import__("grader.engine.progress", fromlist=["x"]).chapter_points(CHAPTER).values())


def exercise():
    return notebooks.read(notebooks.exercise_notebook(CHAPTER))


def answers():
    return notebooks.solution_sources(CHAPTER)


def write(tmp_path, nb, name=CHAPTER):
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, str(path))
    return path


def tampered():
    nb = notebooks.with_answers(exercise(), answers())
    nb.cells = [c for c in nb.cells if notebooks.grade_id(c) != "q5_test"]        # a graded cell deleted
    for c in nb.cells:
        gid = notebooks.grade_id(c)
        if gid == "q1_test":
            c.metadata.nbgrader["points"] = 10                                      # metadata edited
        elif gid == "q3a_answer":
            c.metadata = {}                                                         # metadata dropped
        elif gid == "q2_test":
            c.source = "q_2.check()\nprint('edited')"                              # locked cell edited
    return nb


def test_manifest_matches_the_exercises():
    """releases.json (what validate compares with outside the repository) equals exercises/."""
    data = json.loads(release.MANIFEST.read_text())
    assert sorted(data) == notebooks.chapters()
    for chapter in notebooks.chapters():
        assert data[chapter] == release.skeleton(notebooks.read(notebooks.exercise_notebook(chapter))), \
            f"grader/course/data/releases.json is stale for {chapter}: run `make sync`"


def test_question_titles_come_from_the_headings():
    titles = release.labels(exercise())
    assert titles["q1_test"] == "Question 1 · Slide by hand (cross-correlation)"
    assert titles["q3b_test"] == "Question 3b · Output lengths"
    assert titles["q6_test"] == "Question 6 · conv1d from scratch"


def test_structure_of_a_tampered_notebook_without_running(tmp_path):
    report = validate.validate_file(write(tmp_path, tampered()), execute=False)
    text = " ".join(report.problems)
    assert "graded cell of Question 5 · A smoothing kernel was deleted: it scores 0 (1 point lost)" in text
    assert "Question 1 · Slide by hand (cross-correlation)): its nbgrader metadata was changed (points)" in text
    assert "answer cell of Question 3a · Output lengths is gone or lost its nbgrader metadata" in text
    assert any("Question 2" in w and "locked but its text was edited" in w for w in report.warnings)
    assert not validate.validate_file(write(tmp_path, exercise(), "clean"), chapter=CHAPTER, execute=False).problems


def test_a_file_that_is_not_a_notebook(tmp_path):
    path = tmp_path / f"{CHAPTER}.ipynb"
    path.write_text("{ not json")
    report = validate.validate_file(path, execute=False)
    assert not report.ok and "not a readable notebook" in report.problems[0]


@pytest.mark.slow
def test_clean_notebook_passes_and_hidden_tests_stay_hidden(tmp_path):
    path = write(tmp_path, notebooks.with_answers(exercise(), answers()))
    result = subprocess.run([sys.executable, "-m", "grader", "validate", str(path)], capture_output=True,
                            text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓ Nothing in the file stops it from grading." in result.stdout
    assert f"Visible checks pass for {TOTAL:g} of {TOTAL:g} points." in result.stdout
    assert "HIDDEN" not in result.stdout and "assert_check_passed" not in result.stdout and "_rng" not in result.stdout


@pytest.mark.slow
def test_erroring_and_half_done_notebooks(tmp_path):
    a = answers()
    wrong = "conv_by_hand = np.array([x_q[i:i + 3] @ w_q for i in range(5)])"          # not flipped
    erroring = notebooks.with_answers(exercise(), {**a, "q2_answer": wrong,
                                                   "q4_answer": "rising_edge = np.array([-1, 1]) + undefined_name"})
    report = validate.validate_file(write(tmp_path, erroring))
    assert not report.ok
    assert any("cell 22 (your answer to Question 4 · A rising-edge detector) raises NameError: name 'undefined_name'"
               in p and "(line 1)" in p for p in report.problems), report.problems
    by_id = {q.grade_id: q for q in report.questions}
    assert by_id["q2_test"].status == "incorrect" and "the kernel was not flipped" in by_id["q2_test"].message
    assert by_id["q4_test"].status == "not_attempted"
    assert report.points() == (TOTAL - 2, TOTAL)

    half = notebooks.with_answers(exercise(), dict(list(a.items())[:4]))
    report = validate.validate_file(write(tmp_path, half, "half"), chapter=CHAPTER)
    assert not report.problems and not report.ok
    not_done = [q for q in report.questions if q.status == "not_attempted"]
    assert [q.grade_id for q in not_done] == [q.grade_id for q in report.questions][4:]
    assert f"○ {len(not_done)} graded questions not attempted yet ({TOTAL - 4:g} pts): Question 3c, Question 4, " \
           "Question 5, Question 6, Question 7" in report.text()


@pytest.mark.slow
def test_tampered_notebook_runs_and_reports_the_missing_question(tmp_path):
    report = validate.validate_file(write(tmp_path, tampered()))
    by_id = {q.grade_id: q for q in report.questions}
    assert by_id["q5_test"].status == "missing" and by_id["q1_test"].status == "correct"
    assert report.points() == (TOTAL - 1, TOTAL)


@pytest.mark.slow
def test_validate_from_the_notebook(tmp_path, monkeypatch):
    """`validate()` as a notebook cell calls it (every chapter exports it; progress() points to it)."""
    from grader.checks.ch01_convolution_1d import validate as from_notebook
    path = write(tmp_path, notebooks.with_answers(exercise(), dict(list(answers().items())[:4])))
    monkeypatch.chdir(path.parent)                      # no JupyterLab session here: the notebook in this folder
    report = from_notebook()
    assert report.path == path and report.points() == (4, TOTAL)
    assert "graded questions not attempted yet" in report._repr_html_()
