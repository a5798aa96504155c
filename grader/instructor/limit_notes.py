"""Say, in words, which limit a submission hit: "timed out in cell 7", "used more than 2 GB"."""
from __future__ import annotations

import nbformat

NOTE_MARK = "grader-sandbox-note"


def limit_notes(nb, limits) -> list[str]:
    notes = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error":
                continue
            ename, where = out.get("ename", ""), f"cell {index + 1}"
            if ename in ("CellTimeoutError", "KeyboardInterrupt", "TimeoutError"):
                notes.append(f"timed out in {where} (each cell may run {limits.cell_seconds} s)")
            elif ename == "MemoryError":
                notes.append(f"used more than {limits.describe_memory()} of memory in {where}")
            elif ename in ("BlockingIOError",) or "Resource temporarily unavailable" in out.get("evalue", ""):
                notes.append(f"started too many processes in {where} (limit {limits.processes})")
            elif ename == "OSError" and "unreachable" in out.get("evalue", "").lower():
                notes.append(f"tried to use the network in {where}; grading runs offline")
    return list(dict.fromkeys(notes))


def add_note(nb, lines: list[str]):
    """Put a short note at the top of the autograded notebook (it shows in the feedback)."""
    if not lines:
        return nb
    text = "**Grading notes** (from the instructor's batch autograder):\n\n" + \
           "\n".join(f"- {line}" for line in lines)
    cell = nbformat.v4.new_markdown_cell(text, metadata={NOTE_MARK: True})
    cell.pop("id", None)
    nb.cells.insert(0, cell)
    return nb
