"""Every solution notebook runs with all checks correct; every exercise runs with 'not attempted'."""
import pytest

from grader import notebooks
from grader.notebooks import ROOT

CHAPTERS = notebooks.chapters()
pytestmark = pytest.mark.slow


def test_every_chapter_has_its_files():
    assert CHAPTERS, "no chapters in solutions/"
    for chapter in CHAPTERS:
        assert notebooks.exercise_notebook(chapter).exists(), f"run `make sync`: exercises/{chapter} is missing"
        assert (ROOT / "grader" / "checks" / f"{chapter}.py").exists()
        assert (ROOT / "book" / f"{chapter}.md").exists()


def _check_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and ".check()" in c.source]


@pytest.mark.xdist_group("notebooks")
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solution_notebook_passes_every_check(chapter, tmp_path):
    nb = notebooks.execute(notebooks.read(notebooks.source_notebook(chapter)), cwd=tmp_path)
    cells = _check_cells(nb)
    assert cells
    for cell in cells:
        text = notebooks.text_of(cell)
        assert "✓ Correct" in text, f"{cell.source!r} showed {text!r}"
        assert "✗" not in text and "○" not in text


@pytest.mark.xdist_group("notebooks")
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_exercise_notebook_runs_and_reports_not_attempted(chapter, tmp_path):
    nb = notebooks.execute(notebooks.read(notebooks.exercise_notebook(chapter)), cwd=tmp_path)
    cells = _check_cells(nb)
    assert cells
    for cell in cells:
        text = notebooks.text_of(cell)
        assert "○ Not attempted" in text, f"{cell.source!r} showed {text!r}"
