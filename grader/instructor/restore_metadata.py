"""Restore the nbgrader metadata of a submission's cells from the released (student) notebook.

Students' editors (JupyterLab, VS Code, Colab) and students themselves can change or drop cell
metadata. nbgrader restores a locked cell's *source* by checksum, but it refuses a notebook whose
nbgrader metadata no longer validates (an answer cell that lost ``solution``, a graded cell
without ``grade_id`` …), and such a student would get 0 for answers that earn points. Before
grading, the batch rewrites the *scratch copy* of each submission (never the submitted file) so
that every cell of the assignment carries exactly the metadata it was released with:

1. **by grade_id**: a cell whose ``grade_id`` names a cell of the release gets that cell's
   nbgrader metadata back (points, locked, grade, solution, checksum). Every cell claiming the
   id gets it, so duplicates stay duplicates and nbgrader's own de-duplication decides as before.
2. **by source**: a released *locked* cell (instructions, test cells) still unmatched is matched
   to an unmatched submitted cell of the same type whose source is identical (its grade_id was
   changed or removed, but the cell is the released one).
3. **by position**: a released *answer* cell (unlocked) still unmatched, typically one that lost
   its ``grade_id``, is matched when the gap between the matched cells around it has the same
   shape in both notebooks (as many unmatched cells of its type); they are paired in order.
   Ambiguous gaps (the student added or deleted cells there) are left alone: those cells then
   run as ordinary code, which still defines the answers the tests check. Locked cells are never
   matched by position: a deleted or rewritten test cell is not brought back under another
   cell's name (nbgrader scores a missing test cell 0, as before).
4. nbgrader metadata on any other cell (a grade_id the release does not know) is removed, so it
   cannot invent graded cells or points and nbgrader does not refuse the notebook.

A grade can only go back to what the released cells give: restored locked cells get their
released source back from nbgrader (checksum), and points come from the gradebook.
"""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat

KEYS = ("editable", "deletable")   # Jupyter's own lock flags, restored along with nbgrader's


def _meta(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def _gid(cell):
    gid = _meta(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def _source(cell) -> str:
    src = cell.get("source", "")
    return ("".join(src) if isinstance(src, list) else str(src)).strip()


def match(nb, release) -> dict[int, int]:
    """submitted cell index -> released cell index, for every cell of the release found."""
    released = {i: c for i, c in enumerate(release.cells) if _gid(c)}
    by_id = {_gid(c): i for i, c in released.items()}
    pairs: dict[int, int] = {}
    for j, cell in enumerate(nb.cells):                          # 1. by grade_id
        if _gid(cell) in by_id:
            pairs[j] = by_id[_gid(cell)]
    found = set(pairs.values())
    for i, rcell in released.items():                            # 2. locked cells by source
        if i in found or not _meta(rcell).get("locked"):
            continue
        for j, cell in enumerate(nb.cells):
            if j not in pairs and cell.get("cell_type") == rcell.cell_type and _source(cell) == _source(rcell):
                pairs[j] = i
                found.add(i)
                break
    missing = [i for i in released if i not in found and not _meta(released[i]).get("locked")]
    while missing:                                               # 3. answer cells by position
        anchors = sorted((i, j) for j, i in pairs.items())
        i = missing[0]
        lo_r, lo_s = max(((a, b) for a, b in anchors if a < i), default=(-1, -1))
        hi_r, hi_s = min(((a, b) for a, b in anchors if a > i), default=(len(release.cells), len(nb.cells)))
        gap = [m for m in missing if lo_r < m < hi_r]
        for kind in dict.fromkeys(release.cells[m].cell_type for m in gap):
            # the gap must have the same shape in both: as many unmatched cells of this type
            want = [m for m in range(lo_r + 1, hi_r) if m not in found and release.cells[m].cell_type == kind]
            have = [j for j in range(lo_s + 1, hi_s) if j not in pairs and nb.cells[j].get("cell_type") == kind]
            if have and len(have) == len(want):
                pairs.update((j, m) for j, m in zip(have, want) if m in gap)
        missing = [m for m in missing if m not in gap]
    return pairs


def restore(nb, release) -> list[str]:
    """Restore ``nb``'s nbgrader metadata in place from ``release``; returns what changed, in words."""
    pairs = match(nb, release)
    restored, dropped = [], []
    for j, cell in enumerate(nb.cells):
        cell.setdefault("metadata", {})
        if j in pairs:
            rcell = release.cells[pairs[j]]
            want = copy.deepcopy(rcell.metadata["nbgrader"])
            if cell.metadata.get("nbgrader") != want:
                restored.append(want["grade_id"])
                cell.metadata["nbgrader"] = want
            for key in KEYS:
                if key in rcell.metadata:
                    cell.metadata[key] = rcell.metadata[key]
                else:
                    cell.metadata.pop(key, None)
        elif "nbgrader" in cell.metadata:
            del cell.metadata["nbgrader"]
            dropped.append(j + 1)
    notes = []
    if restored:
        names = ", ".join(dict.fromkeys(restored))
        notes.append(f"the nbgrader metadata of {len(restored)} cell{'s' * (len(restored) > 1)} had been changed "
                     f"or removed ({names}); it was restored from the released assignment before grading")
    if dropped:
        notes.append(f"nbgrader metadata matching no cell of the assignment was ignored "
                     f"(cell{'s' * (len(dropped) > 1)} {', '.join(map(str, dropped))})")
    return notes


def restore_file(path: Path, release_path: Path) -> list[str]:
    """Restore the scratch copy ``path`` in place (rewritten only if something changed).

    Never call this on a submitted file: the batch hands it the copy in its scratch course.
    A file that is not a readable notebook is left as it is (nbgrader reports it).
    """
    try:
        nb = nbformat.read(str(path), as_version=4)
        release = nbformat.read(str(release_path), as_version=4)
    except Exception:  # noqa: BLE001 - invalid JSON, not a notebook: nbgrader and the batch say so
        return []
    if not isinstance(nb.get("cells"), list):
        return []
    notes = restore(nb, release)
    if notes:
        try:
            nbformat.write(nb, str(path))
        except Exception:  # noqa: BLE001 - an invalid notebook stays as submitted
            return []
    return notes
