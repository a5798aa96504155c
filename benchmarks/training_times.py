"""How long the training cells of the Keras chapters take: the source of the times the exercises state.

``python -m benchmarks.training_times [ch07_keras_convnets ...] [--lessons] [--min-cpu 1]`` runs each
chapter's solution notebook (and, with ``--lessons``, the lesson's notebook copy ``book/<id>.ipynb``) in a
real Jupyter kernel, as a student would, and prints every cell that took at least ``--min-cpu`` seconds:
the kernel's CPU time (user + system, all its threads, from ``resource.getrusage``) and the wall time.
The machine's core count and load average are printed before and after: on a shared machine the wall
time grows with the load, the CPU time much less, so the texts quote the CPU time and name the hardware.
Without chapter ids it runs chapters 7 to 11.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import nbformat

from grader.authoring import notebooks
from grader.authoring.notebooks import ROOT

KERAS_CHAPTERS = ("ch07_keras_convnets", "ch08_augmentation", "ch09_transfer_learning", "ch10_autoencoder",
                  "ch11_visualizing")

# Runs first in the kernel: records CPU and wall time around every later cell.
_TIMER = '''
import resource as _r, time as _t
_timings = []
def _cpu():
    u = _r.getrusage(_r.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
def _pre(info):
    _timings.append({"cpu": -_cpu(), "wall": -_t.perf_counter()})
def _post(result):
    if not _timings:   # the timer cell itself ran before its hooks existed
        return
    _timings[-1]["cpu"] += _cpu(); _timings[-1]["wall"] += _t.perf_counter()
get_ipython().events.register("pre_run_cell", _pre)
get_ipython().events.register("post_run_cell", _post)
'''
_REPORT = 'import json as _j; print("TIMINGS" + _j.dumps(_timings[:-1]))'


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} cores"


def time_cells(path: Path, cwd: Path) -> list[dict]:
    """Every code cell of the notebook at ``path``: its first line, CPU and wall seconds."""
    nb = notebooks.read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    nb.cells.insert(0, nbformat.v4.new_code_cell(_TIMER))
    nb.cells.append(nbformat.v4.new_code_cell(_REPORT))
    notebooks.execute(nb, cwd=cwd, timeout=900)
    text = notebooks.text_of(nb.cells[-1])
    timings = json.loads(text[text.index("TIMINGS") + len("TIMINGS"):])
    # The timer cell registered its hooks after its own pre_run_cell, so timings[0] is the first code cell.
    rows = []
    for cell, t in zip(code, timings):
        first = next((l for l in cell.source.splitlines() if l.strip() and not l.startswith("###")), "")
        rows.append({"id": notebooks.grade_id(cell) or "", "line": first[:70], "cpu": t["cpu"], "wall": t["wall"],
                     "output": notebooks.text_of(cell)})
    return rows


def report(label: str, rows: list[dict], min_cpu: float, output: bool = False) -> None:
    total_cpu, total_wall = sum(r["cpu"] for r in rows), sum(r["wall"] for r in rows)
    print(f"{label}: {len(rows)} code cells, {total_cpu:.1f} s CPU, {total_wall:.1f} s wall in all")
    for i, r in enumerate(rows, 1):
        if r["cpu"] >= min_cpu or r["wall"] >= 5 * min_cpu:
            print(f"  cell {i:>2} {r['id']:<14} cpu {r['cpu']:6.1f} s  wall {r['wall']:6.1f} s   {r['line']}")
            if output and r["output"].strip():
                print("    | " + "\n    | ".join(r["output"].rstrip().splitlines()[-12:]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.training_times", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", default=list(KERAS_CHAPTERS))
    parser.add_argument("--lessons", action="store_true", help="also run the lessons' notebook copies")
    parser.add_argument("--no-exercises", action="store_true", help="only the lessons")
    parser.add_argument("--output", action="store_true", help="show the last lines each slow cell printed")
    parser.add_argument("--min-cpu", type=float, default=1.0, help="show cells with at least this CPU time (s)")
    args = parser.parse_args(argv)
    print(f"machine: {load()}")
    for chapter in args.chapters:
        with tempfile.TemporaryDirectory(prefix="bench-times-") as scratch:
            if not args.no_exercises:
                report(f"{chapter} (solution notebook)",
                       time_cells(notebooks.source_notebook(chapter), Path(scratch)), args.min_cpu, args.output)
            if args.lessons:
                report(f"{chapter} (lesson)", time_cells(ROOT / "book" / f"{chapter}.ipynb", Path(scratch)),
                       args.min_cpu, args.output)
        print(f"machine: {load()}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
