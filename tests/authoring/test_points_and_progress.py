"""progress() shows what the nbgrader sources say: points.json is in sync with solutions/, and every
exercise ends with a progress() cell that reports every graded check of its notebook."""
import json
import re

import nbformat
import pytest

from grader.authoring import notebooks, points
from grader.engine.progress import POINTS_FILE

CHAPTERS = notebooks.chapters()


def test_points_json_matches_the_nbgrader_sources():
    written = json.loads(POINTS_FILE.read_text())
    assert written == points.all_points(), "run `make sync`: grader/checks/points.json is stale"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_exercise_ends_with_progress_and_every_graded_check_has_points(chapter):
    nb = nbformat.read(notebooks.exercise_notebook(chapter), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[-1].source.strip() == "progress()", f"exercises/{chapter}: the last code cell should be progress()"
    graded = [re.search(r"(q_\d+(?:\.\w+)?)\.check\(\)", c.source).group(1) for c in code
              if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    assert list(points.all_points()[chapter]) == graded


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_progress_lists_the_graded_checks_not_attempted_at_first(chapter, student):
    from grader.engine.progress import progress_of
    exec(f"from grader.checks.{chapter} import *", student)
    report = progress_of(student)
    assert [r[1] for r in report.rows] == ["not_attempted"] * len(points.all_points()[chapter])
    got, total = report.totals()
    assert got == 0 and total == sum(points.all_points()[chapter].values())
