"""The points of every graded check, read from the nbgrader source notebooks.

``make sync`` writes them to ``grader/checks/points.json`` so that a student's ``progress()``
can show them: the installed package has no ``solutions/`` folder.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

from grader.authoring.notebooks import ROOT, chapters
from grader.engine.progress import POINTS_FILE

_CHECK = re.compile(r"^\s*(q_\d+(?:\.\w+)?)\.check\(\)", re.M)


def notebook_points(path: Path) -> dict:
    """{"q_1": 1.0, "q_3.a": 2.0, …} in notebook order, from the graded cells' visible check call."""
    nb = nbformat.read(path, as_version=4)
    points = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        match = _CHECK.search(visible)
        if match:
            points[match.group(1)] = float(meta.get("points", 0))
    return points


def all_points(root: Path = ROOT) -> dict:
    return {ch: notebook_points(root / "solutions" / ch / f"{ch}.ipynb") for ch in chapters()}


def write(root: Path = ROOT) -> bool:
    """Write points.json; True when it changed."""
    text = json.dumps(dict(sorted(all_points(root).items())), indent=1) + "\n"   # questions in notebook order
    old = POINTS_FILE.read_text() if POINTS_FILE.exists() else ""
    if old != text:
        POINTS_FILE.write_text(text)
    return old != text
