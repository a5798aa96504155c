"""What an assignment was released as: its cells' nbgrader metadata and each graded cell's title.

``validate`` compares a student's notebook with it (deleted cells, changed metadata, edited locked
cells) and the class report labels questions with it ("Question 3a · Output lengths", not
``q3a_test``). In a copy of the repository the release is read from ``exercises/``; elsewhere
(Colab, a hub whose single-user image only installed the package) from ``releases.json``, a
summary shipped in the package (``python -m grader sync`` writes it; a test fails when it drifts).
Locked cells are stored by the SHA-256 of their source only; nothing here is secret: students
already hold the released notebook.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

MANIFEST = Path(__file__).resolve().parents[1] / "course" / "data" / "releases.json"
_HEADING = re.compile(r"^#{1,3}\s*Question\s+(\d+)\s*(?:·[^·\n]*)?·\s*(.+?)\s*$", re.M)
_PLAIN_HEADING = re.compile(r"^#{1,3}\s*Question\s+(\d+)\s*$", re.M)
_CALL = re.compile(r"\bq_(\d+)((?:\.\w+)?)\.(?:check|assert_check_passed)\(")


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def sha(source: str) -> str:
    return hashlib.sha256(source.strip().encode()).hexdigest()[:16]


def labels(nb) -> dict[str, str]:
    """grade_id of each graded cell -> "Question 3a · Output lengths" (from the question headings)."""
    out, heading = {}, {}
    for cell in nb["cells"] if isinstance(nb, dict) else nb.cells:
        text = _source(cell)
        if cell.get("cell_type") == "markdown":
            for m in _HEADING.finditer(text):
                heading[m.group(1)] = re.sub(r"[`*]", "", m.group(2)).strip()
            for m in _PLAIN_HEADING.finditer(text):
                heading.setdefault(m.group(1), "")
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        if meta.get("grade") and meta.get("grade_id"):
            call = _CALL.search(text)
            if call:
                number, part = call.group(1), call.group(2).lstrip(".")
                title = heading.get(number, "")
                out[meta["grade_id"]] = f"Question {number}{part}" + (f" · {title}" if title else "")
            else:
                out[meta["grade_id"]] = meta["grade_id"]
    return out


def skeleton(nb) -> list[dict]:
    """The released cells: type, nbgrader metadata, Jupyter's lock flags, source hash of locked cells,
    title of graded cells."""
    titles = labels(nb)
    cells = []
    for cell in nb["cells"] if isinstance(nb, dict) else nb.cells:
        meta = dict((cell.get("metadata") or {}).get("nbgrader") or {})
        entry = {"cell_type": cell["cell_type"]}
        if meta:
            entry["nbgrader"] = meta
            entry["title"] = titles.get(meta.get("grade_id"), "")
            if meta.get("locked"):
                entry["sha"] = sha(_source(cell))
        cells.append(entry)
    return cells


def write_manifest(chapters: list[str], exercises: Path) -> Path:
    """releases.json from exercises/<chapter>/<chapter>.ipynb (every chapter given)."""
    data = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
    for chapter in chapters:
        path = exercises / chapter / f"{chapter}.ipynb"
        if path.exists():
            data[chapter] = skeleton(json.loads(path.read_text()))
    lines = [f"{json.dumps(k)}: {json.dumps(v, sort_keys=True, separators=(',', ':'))}" for k, v in sorted(data.items())]
    MANIFEST.write_text("{\n" + ",\n".join(lines) + "\n}\n")
    return MANIFEST


def load(chapter: str, release: Path | None = None) -> list[dict] | None:
    """The release of ``chapter``: the notebook ``release`` if given, else the repository's
    exercises/, else the package's manifest; None when the chapter is unknown."""
    from grader.authoring.notebooks import ROOT
    for path in (release, ROOT / "exercises" / chapter / f"{chapter}.ipynb"):
        if path is not None and Path(path).exists():
            return skeleton(json.loads(Path(path).read_text()))
    if MANIFEST.exists():
        return json.loads(MANIFEST.read_text()).get(chapter)
    return None
