"""The lessons' notebook copies (book/<id>.ipynb), which the lesson pages' launch buttons open: in sync
with the Markdown, without outputs, kept out of the book, runnable outside the repository; and no
book plumbing (glue) in the code a reader of the lessons sees."""
import importlib.util
import json
import re
import subprocess
import sys

import pytest
import yaml

from grader.authoring import lesson_notebooks, setup_cell
from grader.authoring.notebooks import ROOT

LESSONS = lesson_notebooks.lessons()
URL = setup_cell.repository_url()


def copy(chapter):
    return json.loads(lesson_notebooks.copy_path(chapter).read_text(encoding="utf-8"))


def test_every_lesson_has_an_up_to_date_copy_and_no_copy_is_orphaned():
    assert not lesson_notebooks.stale(), "book/<id>.ipynb differs from book/<id>.md: run `make sync`"
    copies = sorted(p.stem for p in (ROOT / "book").glob("*.ipynb"))
    assert set(LESSONS) <= set(copies)
    orphans = [c for c in copies if not (ROOT / "book" / f"{c}.md").exists()]
    assert not orphans, f"notebook copies without a lesson: {orphans}"


def test_the_copies_are_not_pages_of_the_book():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert "book/*.ipynb" in config["exclude_patterns"], "Sphinx would see two sources for one page"


@pytest.mark.parametrize("chapter", LESSONS)
def test_copy_has_no_outputs_and_the_lessons_code(chapter):
    import jupytext
    nb = copy(chapter)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    lesson = jupytext.read(ROOT / "book" / f"{chapter}.md")
    lesson_code = ["".join(c.source) for c in lesson.cells if c.cell_type == "code"]
    copied = ["".join(c["source"]) for c in code if lesson_notebooks.CELL_TAG not in c["metadata"].get("tags", [])]
    assert copied == lesson_code
    assert "jupytext" not in nb["metadata"], "the copy must not be paired with (and rewrite) the lesson"


@pytest.mark.parametrize("chapter", LESSONS)
def test_copy_sets_up_what_colab_lacks(chapter):
    nb = copy(chapter)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    text = "\n".join("".join(c["source"]) for c in code)
    setup = [c for c in code if lesson_notebooks.CELL_TAG in c["metadata"].get("tags", [])]
    needs_grader = "from grader" in text or "import grader" in text
    needs_glue = "from myst_nb" in text
    if not (needs_grader or needs_glue):
        assert setup == []
        return
    assert len(setup) == 1 and code[0] is setup[0], "the set-up cell must come before any other code"
    source = "".join(setup[0]["source"])
    assert source.startswith(setup_cell.install_block(URL).rstrip("\n")) == bool(needs_grader)
    assert ("myst_nb" in source) == needs_glue


def test_glue_stand_in_shows_values_when_myst_nb_is_missing(monkeypatch):
    setup = lesson_notebooks.lesson_setup("from myst_nb import glue\nfrom grader.course import datasets\n", URL)
    shown, ran = [], []
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "myst_nb" else real_find_spec(name, *a))
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: ran.append(a))
    monkeypatch.delitem(sys.modules, "myst_nb", raising=False)
    import IPython.display
    monkeypatch.setattr(IPython.display, "display", lambda value: shown.append(value))
    exec(setup, {})
    from myst_nb import glue
    glue("hidden", 1, display=False)
    glue("shown", 2)
    assert shown == [2]
    assert ran == [], "inside the repository the grader is installed: nothing may be fetched"


PLUMBING = re.compile(r"\bglue\(|\bmyst_nb\b|grader\.course\.prose|\bfrom grader\.course import prose\b")
HIDDEN = {"remove-cell", "remove-input"}


@pytest.mark.parametrize("chapter", LESSONS)
def test_no_glue_plumbing_in_code_a_reader_sees(chapter):
    """Glue calls and the prose helper's import sit in cells tagged remove-cell (issue 16: a reader
    saw `glue(...)` lines in chapters 12 and 13); the asserts that guard the prose go there too."""
    import jupytext
    lesson = jupytext.read(ROOT / "book" / f"{chapter}.md")
    shown = [line.strip() for cell in lesson.cells if cell.cell_type == "code"
             and not HIDDEN & set(cell.metadata.get("tags", [])) for line in cell.source.splitlines()
             if PLUMBING.search(line)]
    assert not shown, f"book/{chapter}.md shows book plumbing: move these lines to a remove-cell cell:\n  " + \
        "\n  ".join(shown)
