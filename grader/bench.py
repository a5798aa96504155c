"""``make bench``: time and peak memory of every solution notebook, and check() latency.

Budgets (DESIGN.md): a solution notebook ≤ 60 s and ≤ 2 GB; check() ≤ 50 ms without training.
"""
from __future__ import annotations

import importlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader import binder, notebooks
from grader.checks import solution_namespace
from grader.questions import MultipartQuestion, Question

NOTEBOOK_SECONDS, NOTEBOOK_MB, CHECK_MS = 60, 2048, 50
BOOK_COLD_SECONDS, BOOK_WARM_SECONDS = 600, 30

_RUN_ONE = """
import json, resource, sys, time
from pathlib import Path
from grader import notebooks
start = time.perf_counter()
nb = notebooks.execute(notebooks.read(Path(sys.argv[1])), cwd=Path(sys.argv[2]))
seconds = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the kernel is our child
print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024}))
"""


def run_notebook(chapter: str) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        out = subprocess.run([sys.executable, "-c", _RUN_ONE, str(notebooks.source_notebook(chapter)), scratch],
                             capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": (out.stderr or out.stdout).strip().splitlines()[-1:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def questions_of(chapter: str) -> list[Question]:
    module = importlib.import_module(f"grader.checks.{chapter}")
    found = []
    for name in getattr(module, "__all__", []):
        q = getattr(module, name)
        if isinstance(q, MultipartQuestion):
            found.extend(q.parts.values())
        elif isinstance(q, Question) and getattr(q, "solution_code", "") and not getattr(q, "trains", False):
            found.append(q)
    return found


def check_latency_ms(chapter: str, repeats: int = 15) -> list[float]:
    module = importlib.import_module(f"grader.checks.{chapter}")
    timings = []
    for q in questions_of(chapter):
        namespace = solution_namespace(module, q.solution_code)
        binder.bind(namespace)
        exec(q.solution_code, namespace)
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            q.evaluate()
            runs.append((time.perf_counter() - start) * 1000)
        timings.append(statistics.median(runs))
    return timings


def build_book(out: Path) -> float:
    jb = Path(sys.executable).parent / "jupyter-book"
    start = time.perf_counter()
    done = subprocess.run([str(jb), "build", str(notebooks.ROOT), "--path-output", str(out)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stdout[-2000:] + done.stderr[-2000:])
    return time.perf_counter() - start


def book_rows() -> bool:
    """Cold build (empty execution cache), warm rebuild (nothing changed), per-page execution."""
    from jupyter_cache import get_cache
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        cold, warm = build_book(out), build_book(out)
        pages = {Path(r.uri).stem: r.data.get("execution_seconds", float("nan"))
                 for r in get_cache(str(out / "_build" / ".jupyter_cache")).list_cache_records()}
    ok = cold <= BOOK_COLD_SECONDS and warm <= BOOK_WARM_SECONDS
    print(f"{'book build':<28}{'time (s)':>10}   budget cold {BOOK_COLD_SECONDS} s, warm {BOOK_WARM_SECONDS} s")
    print(f"{'cold (executes every page)':<28}{cold:>10.1f}   {'✓' if cold <= BOOK_COLD_SECONDS else '✗ over budget'}")
    print(f"{'warm (nothing changed)':<28}{warm:>10.1f}   {'✓' if warm <= BOOK_WARM_SECONDS else '✗ over budget'}")
    for page, seconds in sorted(pages.items()):
        print(f"  {page:<26}{seconds:>10.1f}   (execution)")
    return ok


def main() -> int:
    ok = True
    print(f"{'solution notebook':<28}{'time (s)':>10}{'peak (MB)':>11}   budget {NOTEBOOK_SECONDS} s, {NOTEBOOK_MB} MB")
    for chapter in notebooks.chapters():
        r = run_notebook(chapter)
        if "error" in r:
            ok = False
            print(f"{chapter:<28}  FAILED: {r['error']}")
            continue
        within = r["seconds"] <= NOTEBOOK_SECONDS and r["peak_mb"] <= NOTEBOOK_MB
        ok &= within
        print(f"{chapter:<28}{r['seconds']:>10.1f}{r['peak_mb']:>11.0f}   {'✓' if within else '✗ over budget'}")
    print()
    print(f"{'check() latency':<28}{'median (ms)':>12}{'max (ms)':>10}   budget {CHECK_MS} ms")
    every = []
    for chapter in notebooks.chapters():
        ms = check_latency_ms(chapter)
        every += ms
        within = max(ms) <= CHECK_MS
        ok &= within
        print(f"{chapter:<28}{statistics.median(ms):>12.2f}{max(ms):>10.2f}   {'✓' if within else '✗ over budget'}")
    print(f"{'all questions':<28}{statistics.median(every):>12.2f}{max(every):>10.2f}")
    if "--no-book" not in sys.argv:
        print()
        ok &= book_rows()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
