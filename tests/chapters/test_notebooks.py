"""Every solution notebook runs with all checks correct; every exercise runs with 'not attempted';
none of them opens a network connection. (The lessons run offline in the book build: tests/book/test_build.py.)"""
import nbformat
import pytest

from grader.authoring import notebooks
from grader.authoring.notebooks import ROOT
from offline import OFFLINE_GUARD

CHAPTERS = notebooks.chapters()
# Spread the chapters over the xdist workers, one group per chapter.
BY_CHAPTER = [pytest.param(c, marks=pytest.mark.xdist_group(f"notebooks-{c}")) for c in CHAPTERS]
pytestmark = pytest.mark.slow


def run_offline(nb, cwd):
    nb = nbformat.from_dict(nb)
    nb.cells.insert(0, nbformat.v4.new_code_cell(OFFLINE_GUARD))
    notebooks.execute(nb, cwd=cwd)
    return nb


def test_every_chapter_has_its_files():
    assert CHAPTERS, "no chapters in solutions/"
    for chapter in CHAPTERS:
        assert notebooks.exercise_notebook(chapter).exists(), f"run `make sync`: exercises/{chapter} is missing"
        assert (ROOT / "grader" / "checks" / f"{chapter}.py").exists()
        assert (ROOT / "book" / f"{chapter}.md").exists()


def _check_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and ".check()" in c.source]


@pytest.mark.parametrize("chapter", BY_CHAPTER)
def test_solution_notebook_passes_every_check(chapter, tmp_path):
    nb = run_offline(notebooks.read(notebooks.source_notebook(chapter)), tmp_path)
    cells = _check_cells(nb)
    assert cells
    for cell in cells:
        text = notebooks.text_of(cell)
        assert "✓ Correct" in text, f"{cell.source!r} showed {text!r}"
        assert "✗" not in text and "○" not in text


@pytest.mark.parametrize("chapter", BY_CHAPTER)
def test_exercise_notebook_runs_and_reports_not_attempted(chapter, tmp_path):
    nb = run_offline(notebooks.read(notebooks.exercise_notebook(chapter)), tmp_path)
    cells = _check_cells(nb)
    assert cells
    for cell in cells:
        text = notebooks.text_of(cell)
        assert "○ Not attempted" in text, f"{cell.source!r} showed {text!r}"


@pytest.mark.parametrize("url", ["http://example.com/", "http://192.0.2.1/"])
def test_the_offline_guard_catches_a_download(url, tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        f"import urllib.request\nurllib.request.urlopen({url!r}, timeout=5)")])
    with pytest.raises(Exception, match="network access attempted"):
        run_offline(nb, tmp_path)
