"""Notebook helpers shared by the tests, the benchmark and the instructor tools."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
SOLUTION_MARK = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$|^\s*# starter:.*$")


def source_notebook(chapter: str) -> Path:
    return ROOT / "solutions" / chapter / f"{chapter}.ipynb"


def exercise_notebook(chapter: str) -> Path:
    return ROOT / "exercises" / chapter / f"{chapter}.ipynb"


def chapters() -> list[str]:
    return sorted(p.name for p in (ROOT / "solutions").glob("ch*") if p.is_dir())


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def execute(nb: nbformat.NotebookNode, *, cwd: Path, timeout: int = 300,
            allow_errors: bool = False) -> nbformat.NotebookNode:
    from nbclient import NotebookClient
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def solution_sources(chapter: str) -> dict[str, str]:
    """grade_id -> the answer cell's solution code, without nbgrader's markers."""
    answers = {}
    for cell in read(source_notebook(chapter)).cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            lines = [l for l in cell.source.split("\n") if not SOLUTION_MARK.match(l)]
            answers[meta["grade_id"]] = "\n".join(lines)
    return answers


def with_answers(nb: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose answer cells (by grade_id) hold the given code."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in answers:
            cell.source = answers[gid]
    return nb


def text_of(cell) -> str:
    """Everything a code cell showed: streams, plain-text displays and errors."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("display_data", "execute_result"):
            parts.append(out.get("data", {}).get("text/plain", ""))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return "".join(parts)
