"""The book builds with warnings as errors, executing every lesson, and links lessons to exercises."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.notebooks import ROOT, chapters

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    jb = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jb), "build", str(ROOT), "--path-output", str(out), "--warningiserror",
                             "--nitpick", "--keep-going"], capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    return out / "_build" / "html"


def test_every_chapter_has_a_lesson_and_an_exercise_page(html):
    for chapter in chapters():
        lesson = (html / "book" / f"{chapter}.html").read_text()
        exercise = text_of(html / "exercises" / chapter / f"{chapter}.html")
        assert f"exercises/{chapter}/{chapter}.html" in lesson, "the lesson does not link to its exercise"
        assert "q_1.check()" in exercise


def test_lessons_were_executed_without_errors(html):
    for chapter in chapters():
        page = (html / "book" / f"{chapter}.html").read_text()
        assert 'class="cell_output' in page, f"{chapter}: no executed outputs"
        assert "Traceback" not in page


def test_exercise_pages_are_not_executed(html):
    for chapter in chapters():
        page = (html / "exercises" / chapter / f"{chapter}.html").read_text()
        assert 'class="cell_output' not in page, f"{chapter}: the exercise page was executed"


def text_of(page: Path) -> str:
    return re.sub(r"<[^>]+>", "", page.read_text())
