"""The book builds with warnings as errors, executing every lesson, and links lessons to exercises."""
import os
import re
from pathlib import Path

import pytest

from grader.authoring.notebooks import chapters

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]


def test_every_chapter_has_a_lesson_and_an_exercise_page(book_html):
    html = book_html
    for chapter in chapters():
        lesson = (html / "book" / f"{chapter}.html").read_text()
        exercise = text_of(html / "exercises" / chapter / f"{chapter}.html")
        assert f"exercises/{chapter}/{chapter}.html" in lesson, "the lesson does not link to its exercise"
        assert re.search(r"q_1(\.\w+)?\.check\(\)", exercise), f"{chapter}: the exercise page shows no check"


def test_lessons_were_executed_without_errors(book_html):
    html = book_html
    for chapter in chapters():
        page = (html / "book" / f"{chapter}.html").read_text()
        assert 'class="cell_output' in page, f"{chapter}: no executed outputs"
        assert "Traceback" not in page


def test_lessons_ran_offline(book_html):
    """Every lesson kernel of the build ran the offline guard first (a download would have failed
    the build: the guard raises, and errors fail it)."""
    log = book_html.parents[1] / "guarded.log"
    if not log.exists() and os.environ.get("BOOK_HTML"):
        pytest.skip("BOOK_HTML: a book built elsewhere, without the offline guard")
    guarded = log.read_text().split()
    assert len(guarded) == len(chapters())


def test_exercise_pages_are_not_executed(book_html):
    html = book_html
    for chapter in chapters():
        page = (html / "exercises" / chapter / f"{chapter}.html").read_text()
        assert 'class="cell_output' not in page, f"{chapter}: the exercise page was executed"


def text_of(page: Path) -> str:
    return re.sub(r"<[^>]+>", "", page.read_text())
