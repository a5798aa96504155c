"""Every chapter has its files, and the offline guard works. (The solutions and the blank exercises
run offline in the nbgrader loop, tests/instructor/test_nbgrader_loop.py; the lessons in the book
build, tests/book/test_build.py.)"""
import nbformat
import pytest

from grader.authoring import notebooks
from grader.authoring.notebooks import ROOT
from offline import OFFLINE_GUARD

CHAPTERS = notebooks.chapters()
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


@pytest.mark.parametrize("url", ["http://example.com/", "http://192.0.2.1/"])
def test_the_offline_guard_catches_a_download(url, tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        f"import urllib.request\nurllib.request.urlopen({url!r}, timeout=5)")])
    with pytest.raises(Exception, match="network access attempted"):
        run_offline(nb, tmp_path)
