"""Before submitting: will this notebook grade? ``python -m grader validate <notebook>``.

Reports, for the *saved* notebook file, everything that would cost points or stop nbgrader:

- cells of the assignment that were deleted, locked cells whose text was edited, nbgrader metadata
  an editor or the student changed or removed (compared with the released assignment);
- cells that raise when the notebook runs top to bottom in a fresh kernel, and cells that run
  longer than grading allows;
- each graded question's visible check (✓ / ✗ with check()'s message / not attempted), with its
  points;
- a file name nbgrader would not pick up, a kernel that is not Python 3, answer cells that reach
  into the grading machinery (they are flagged for the instructor's review).

It runs only what the student's own notebook holds (the visible ``q_n.check()`` calls), so it says
nothing about hidden tests beyond the fact that they exist. From a notebook cell, ``validate()``
(every chapter's checks export it, like ``progress()``).
"""
from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import release as release_mod

CELL_SECONDS = 60          # the per-cell limit of `python -m grader autograde` (its default)
_OUTCOME = re.compile(r"^(✓ Correct|✗ Incorrect|○ Not attempted|ℹ Note)(?: — ([^:\n]+))?(?::\s?([\s\S]*))?$")
STATUS = {"✓ Correct": "correct", "✗ Incorrect": "incorrect", "○ Not attempted": "not_attempted", "ℹ Note": "info"}


@dataclass
class Question:
    grade_id: str
    title: str
    points: float
    status: str = "missing"          # correct / incorrect / not_attempted / error / missing
    message: str = ""


@dataclass
class Report:
    path: Path
    chapter: str
    problems: list[str] = field(default_factory=list)   # cost points (or stop grading)
    warnings: list[str] = field(default_factory=list)   # worth knowing, cost nothing here
    questions: list[Question] = field(default_factory=list)
    seconds: float | None = None
    hidden_tests: bool = True

    @property
    def ok(self) -> bool:
        return not self.problems and all(q.status == "correct" for q in self.questions)

    def points(self) -> tuple[float, float]:
        return (sum(q.points for q in self.questions if q.status == "correct"),
                sum(q.points for q in self.questions))

    def text(self) -> str:
        mark = {"correct": "✓", "incorrect": "✗", "not_attempted": "○", "error": "✗", "missing": "✗"}
        got, total = self.points()
        ran = f"; it ran top to bottom in {self.seconds:.1f} s" if self.seconds is not None else ""
        lines = [f"Validating {self.path.name} (the saved file; save the notebook first){ran}.", ""]
        if self.problems:
            lines.append(f"✗ {len(self.problems)} problem{'s' * (len(self.problems) > 1)} that cost points "
                         "or stop grading:")
            lines += [f"  • {p}" for p in self.problems]
        else:
            lines.append("✓ Nothing in the file stops it from grading.")
        for status, says in (("not_attempted", "not attempted yet"), ("incorrect", "failing the visible check"),
                             ("error", "whose graded cell raises"), ("missing", "whose graded cell is missing")):
            these = [q for q in self.questions if q.status == status]
            if these:
                pts = sum(q.points for q in these)
                lines.append(f"{mark[status]} {len(these)} graded question{'s' * (len(these) > 1)} {says} "
                             f"({pts:g} pt{'s' * (pts != 1)}): {', '.join(q.title.split(' · ')[0] for q in these)}")
        if self.warnings:
            lines.append("Also worth knowing:")
            lines += [f"  • {w}" for w in self.warnings]
        if self.questions:
            lines += ["", "Graded questions (visible checks):"]
            for q in self.questions:
                status = {"correct": "passes its visible check", "not_attempted": "not attempted",
                          "missing": "its graded cell is missing: 0 points"}.get(q.status, "")
                detail = status or q.message
                lines.append(f"  {mark.get(q.status, '?')} {q.title} ({q.points:g} pt{'s' * (q.points != 1)})"
                             + (f": {_indent(detail)}" if detail else ""))
            lines += ["", f"Visible checks pass for {got:g} of {total:g} points."
                      + (" Hidden tests run too when the notebook is graded (more inputs, a fresh copy of the "
                         "checks), so this is an upper bound." if self.hidden_tests else "")]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return self.text()

    def html(self) -> str:
        colour = "#1a7f37" if self.ok else "#cf222e"
        return (f'<pre class="grader-validate" style="border-left:4px solid {colour};padding:.4em .8em;'
                f'white-space:pre-wrap;color:#1f2328;background:#f6f8fa">{html.escape(self.text())}</pre>')

    def to_json(self) -> dict:
        return {"path": str(self.path), "chapter": self.chapter, "ok": self.ok, "problems": self.problems,
                "warnings": self.warnings, "seconds": self.seconds, "points": list(self.points()),
                "questions": [q.__dict__ for q in self.questions]}


def _pts(points) -> str:
    return f"{float(points):g} point{'s' * (float(points) != 1)}"


def _indent(text: str) -> str:
    return text.strip().replace("\n", "\n      ")


def _meta(cell) -> dict:
    meta = (cell.get("metadata") or {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _where(index: int, cell, titles: dict) -> str:
    gid = _meta(cell).get("grade_id")
    what = ""
    if gid and gid in titles:
        what = f" ({titles[gid]})"
    elif gid and gid.endswith("_answer"):
        test = gid[: -len("_answer")] + "_test"
        what = f" (your answer to {titles[test]})" if test in titles else ""
    return f"cell {index + 1}{what}"


def compare(nb, released: list[dict]) -> tuple[list[str], list[str]]:
    """(problems, warnings) from comparing the notebook's cells with the release."""
    problems, warnings = [], []
    cells = nb.get("cells", [])
    titles = {c["nbgrader"]["grade_id"]: c.get("title") or c["nbgrader"]["grade_id"]
              for c in released if c.get("nbgrader", {}).get("grade")}
    by_id: dict[str, list[int]] = {}
    for j, cell in enumerate(cells):
        gid = _meta(cell).get("grade_id")
        if gid:
            by_id.setdefault(gid, []).append(j)
    by_sha = {}
    for j, cell in enumerate(cells):
        by_sha.setdefault(release_mod.sha(_source(cell)), []).append(j)
    for rel in released:
        want = rel.get("nbgrader")
        if not want:
            continue
        gid = want["grade_id"]
        name = titles.get(gid) or (titles[gid[:-7] + "_test"] if gid.endswith("_answer")
                                   and gid[:-7] + "_test" in titles else f"`{gid}`")
        found = by_id.get(gid, [])
        if len(found) > 1:
            problems.append(f"the cell `{gid}` ({name}) appears {len(found)} times (copied cells keep nbgrader's "
                            "id): delete the copies, keep one; nbgrader refuses duplicated graded cells.")
        if not found:
            same = [j for j in by_sha.get(rel.get("sha"), []) if rel.get("sha")]
            if same:
                problems.append(f"cell {same[0] + 1} ({name}) lost its nbgrader metadata (an editor rewrote it). "
                                "This course's grader restores it; plain nbgrader refuses the notebook. Safest: "
                                "copy your answers into a fresh copy of the exercise.")
            elif want.get("grade"):
                problems.append(f"the graded cell of {name} was deleted: it scores 0 ({_pts(want.get('points', 0))} "
                                "lost). Copy it back from a fresh copy of the exercise.")
            elif want.get("solution"):
                problems.append(f"the answer cell of {name} is gone or lost its nbgrader metadata: if your answer "
                                "is in another cell it still runs, but copy it into a fresh copy of the exercise "
                                "to be safe.")
            elif gid == "setup" or want.get("locked") and rel["cell_type"] == "code":
                problems.append(f"the locked cell `{gid}` was deleted: the cells after it may not run. Copy it back "
                                "from a fresh copy of the exercise.")
            else:
                warnings.append(f"the instructions cell `{gid}` was deleted (no points lost).")
            continue
        cell = cells[found[0]]
        have = _meta(cell)
        changed = sorted(k for k in set(want) | set(have) if want.get(k) != have.get(k) and k != "checksum")
        if changed:
            problems.append(f"{_where(found[0], cell, titles)}: its nbgrader metadata was changed "
                            f"({', '.join(changed)}). This course's grader puts the released metadata back; plain "
                            "nbgrader refuses the notebook. Don't edit cell metadata.")
        if want.get("locked") and rel.get("sha") and release_mod.sha(_source(cell)) != rel["sha"]:
            warnings.append(f"{_where(found[0], cell, titles)} is locked but its text was edited: grading puts the "
                            "released text back, so your edit there does not count.")
    return problems, warnings


def run(path: Path, nb, *, cell_seconds: int = CELL_SECONDS):
    """Execute a copy of the notebook in a fresh Python 3 kernel, from its folder. Returns
    (executed notebook, per-cell seconds, total seconds)."""
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    took: dict[int, float] = {}

    class Timed(NotebookClient):
        async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
            start = time.monotonic()
            try:
                return await super().async_execute_cell(cell, cell_index, *args, **kwargs)
            finally:
                took[cell_index] = time.monotonic() - start

    env_dir = str(path.resolve().parent)
    client = Timed(nb, timeout=cell_seconds, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
                   resources={"metadata": {"path": env_dir}})
    start = time.monotonic()
    client.execute()
    return nb, took, time.monotonic() - start


def outcome_of(cell) -> tuple[str, str]:
    """(status, message) a graded cell showed: the check's display, or the error it raised."""
    for out in cell.get("outputs", []):
        if out.get("output_type") in ("display_data", "execute_result", "stream"):
            text = out.get("data", {}).get("text/plain", "") if out.get("output_type") != "stream" else out.get("text", "")
            m = _OUTCOME.match(text.strip())
            if m:
                return STATUS[m.group(1)], (m.group(3) or "").strip()
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return "error", f"the cell raised {out.get('ename')}: {out.get('evalue')}"
    return "error", "the cell showed no check result"


def validate_file(path: Path, *, chapter: str | None = None, release: Path | None = None, execute: bool = True,
                  cell_seconds: int = CELL_SECONDS) -> Report:
    path = Path(path)
    report = Report(path=path, chapter=chapter or path.stem)
    try:
        import nbformat
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        assert isinstance(nb.get("cells"), list)
    except Exception as exc:  # noqa: BLE001
        report.problems.append(f"the file is not a readable notebook ({type(exc).__name__}): it would score 0. "
                               "Download a fresh copy of the exercise and redo your answers there.")
        return report
    released = release_mod.load(report.chapter, release)
    if released is None:
        guess = {(_meta(c).get("grade_id") or "") for c in nb["cells"]}
        from grader.authoring.notebooks import chapters
        known = sorted(json.loads(release_mod.MANIFEST.read_text())) if release_mod.MANIFEST.exists() else chapters()
        report.problems.append(f"`{path.name}` is not named like an assignment of the course ({', '.join(known)}): "
                               "nbgrader grades only the file named as released. Rename it (or pass --assignment).")
        report.hidden_tests = bool(guess)
        released = []
    kernel = (nb.get("metadata", {}).get("kernelspec") or {}).get("name", "")
    if kernel and not kernel.startswith("python"):
        report.warnings.append(f"the notebook asks for the kernel `{kernel}`; it is graded with Python 3.")
    problems, warnings = compare(nb, released)
    report.problems += problems
    report.warnings += warnings
    from .integrity import audit
    by_cell: dict[str, list[str]] = {}
    for finding in audit(nb):
        where, _, what = finding.partition(", ")
        by_cell.setdefault(where, []).append(what)
    for where, what in by_cell.items():
        report.warnings.append(f"{where} reaches into the grading machinery ({'; '.join(what)}): such answers are "
                               "flagged for your instructor's review, and never earn points that way.")
    graded = [r for r in released if r.get("nbgrader", {}).get("grade")]
    report.questions = [Question(r["nbgrader"]["grade_id"], r.get("title") or r["nbgrader"]["grade_id"],
                                 float(r["nbgrader"].get("points", 0))) for r in graded]
    if not execute:
        return report
    executed, took, seconds = run(path, nb, cell_seconds=cell_seconds)
    report.seconds = seconds
    titles = {r["nbgrader"]["grade_id"]: r.get("title") or r["nbgrader"]["grade_id"] for r in graded}
    by_id = {}
    for index, cell in enumerate(executed.cells):
        gid = _meta(cell).get("grade_id")
        if gid and gid not in by_id:
            by_id[gid] = (index, cell)
        if cell.cell_type != "code" or _meta(cell).get("grade"):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                if out.get("ename") in ("CellTimeoutError", "KeyboardInterrupt", "TimeoutError") or \
                        took.get(index, 0) >= cell_seconds:
                    report.problems.append(f"{_where(index, cell, titles)} ran longer than {cell_seconds} s, the "
                                           "limit of one cell when grading: it is stopped there.")
                else:
                    line = _error_line(out)
                    report.problems.append(f"{_where(index, cell, titles)} raises {out.get('ename')}: "
                                           f"{_short(out.get('evalue', ''))}{line}. Cells after it run without what "
                                           "it should have defined.")
                break
    for q in report.questions:
        if q.grade_id not in by_id:
            continue
        index, cell = by_id[q.grade_id]
        q.status, q.message = outcome_of(cell)
        if q.status == "info":
            q.status = "correct"
    return report


def _short(text: str, n: int = 200) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text)).strip().replace("\n", " ")
    return text if len(text) <= n else text[:n] + "…"


def _error_line(out) -> str:
    """' (line 3)' from the last frame of an error's traceback that names an input line."""
    for frame in reversed(out.get("traceback", [])):
        m = re.search(r"line (\d+)", re.sub(r"\x1b\[[0-9;]*m", "", frame))
        if m:
            return f" (line {m.group(1)})"
    return ""


def notebook_path() -> Path | None:
    """The notebook this kernel belongs to: JupyterLab / Notebook 7 set ``__session__`` (and
    JPY_SESSION_NAME) to its path; VS Code sets ``__vsc_ipynb_file__``."""
    try:
        shell = __import__("IPython").get_ipython()
        ns = shell.user_ns if shell is not None else {}
    except Exception:  # noqa: BLE001
        ns = {}
    for candidate in (ns.get("__vsc_ipynb_file__"), ns.get("__session__"), os.environ.get("JPY_SESSION_NAME")):
        if candidate and str(candidate).endswith(".ipynb"):
            path = Path(candidate)
            if not path.is_absolute():
                path = Path.cwd() / path.name if not path.exists() else path
            if path.exists():
                return path
    found = [p for p in Path.cwd().glob("ch*.ipynb")]
    return found[0] if len(found) == 1 else None


def validate(path: str | Path | None = None) -> Report | None:
    """From a notebook cell: validate this notebook (save it first); the report shows as the cell's result."""
    path = Path(path) if path else notebook_path()
    if path is None:
        print("Could not tell which notebook this is: call validate('ch01_convolution_1d.ipynb').")
        return None
    # a separate process: a fresh kernel runs the saved file, this kernel is left as it is
    result = subprocess.run([sys.executable, "-m", "grader", "validate", str(path), "--json"],
                            capture_output=True, text=True)
    try:
        data = json.loads(result.stdout)
    except ValueError:
        print(result.stdout + result.stderr)
        return None
    return Report(path=Path(data["path"]), chapter=data["chapter"], problems=data["problems"],
                  warnings=data["warnings"], seconds=data["seconds"],
                  questions=[Question(**q) for q in data["questions"]])


def main(args) -> int:
    report = validate_file(Path(args.notebook), chapter=args.assignment,
                           release=Path(args.release) if args.release else None,
                           execute=not args.no_run, cell_seconds=args.cell_timeout)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        print(report.text())
    return 0 if report.ok else 1
