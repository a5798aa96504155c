"""``make bench``: time and peak memory of every solution notebook, check() latency, and the book.

Budgets (the course's design document, shared/DESIGN.md outside this repository): a solution notebook ≤ 60 s and ≤ 2 GB; check() ≤ 50 ms without training;
the book: a cold full build (every lesson executed) ≤ 10 min, a rebuild with nothing changed ≤ 30 s
and executing nothing; the per-page execution times are reported. The load average of the machine
is printed with the book's times (other work on the machine slows the builds down).
"""
from __future__ import annotations

import importlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader import binder
from grader.authoring import notebooks
from grader.checks import solution_namespace
from grader.engine.questions import MultipartQuestion, Question

NOTEBOOK_SECONDS, NOTEBOOK_MB, CHECK_MS = 60, 2048, 50
BOOK_COLD_SECONDS, BOOK_WARM_SECONDS = 600, 30

_RUN_ONE = """
import json, resource, sys, time
from pathlib import Path
from grader.authoring import notebooks
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


BOOK_FLAGS = ("--warningiserror", "--nitpick", "--keep-going")   # as `make book`


def build_book(out: Path) -> tuple[float, list[str]]:
    """Build the book into ``out`` (its own _build/ and execution cache); seconds, pages executed."""
    jb = Path(sys.executable).parent / "jupyter-book"
    start = time.perf_counter()
    done = subprocess.run([str(jb), "build", str(notebooks.ROOT), "--path-output", str(out), *BOOK_FLAGS],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stdout[-3000:] + done.stderr[-2000:])
    executed = re.findall(r"^(\S+): Executing notebook", done.stdout + done.stderr, re.M)
    return seconds, [Path(p).stem for p in executed]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} cores"


def book_rows(keep: Path | None = None) -> bool:
    """Cold build (empty execution cache), warm rebuild (nothing changed), per-page execution time.

    The book is built from the repository into a scratch folder (``--path-output``), so the
    repository's own _build/ is left alone. myst-nb records each page's run time in the
    jupyter-cache of that build (``_build/.jupyter_cache``), which is where the per-page times come from.
    """
    from jupyter_cache import get_cache
    with tempfile.TemporaryDirectory(prefix="bench-book-") as scratch:
        out = keep or Path(scratch)
        before = load()
        try:
            (cold, cold_run), (warm, warm_run) = build_book(out), build_book(out)
        except RuntimeError as exc:
            print(f"book build FAILED:\n{exc}")
            return False
        after = load()
        pages = {Path(r.uri).stem: r.data.get("execution_seconds", float("nan"))
                 for r in get_cache(str(out / "_build" / ".jupyter_cache")).list_cache_records()}
    cold_ok, warm_ok = cold <= BOOK_COLD_SECONDS, warm <= BOOK_WARM_SECONDS and not warm_run
    print(f"{'book build':<28}{'time (s)':>10}   budget cold {BOOK_COLD_SECONDS} s, warm {BOOK_WARM_SECONDS} s")
    print(f"{'cold (executes every page)':<28}{cold:>10.1f}   {'✓' if cold_ok else '✗ over budget'}"
          f"   {len(cold_run)} pages executed")
    print(f"{'warm (nothing changed)':<28}{warm:>10.1f}   {'✓' if warm_ok else '✗'}"
          f"   {len(warm_run)} pages executed{': ' + ', '.join(warm_run) if warm_run else ''}")
    print(f"{'per-page execution':<28}{'time (s)':>10}   (myst-nb, from the build's jupyter-cache)")
    for page, seconds in sorted(pages.items()):
        print(f"  {page:<26}{seconds:>10.1f}")
    print(f"  {'all pages':<26}{sum(pages.values()):>10.1f}   (the rest of the cold build is Sphinx)")
    print(f"machine: {before} before, {after} after the builds")
    return cold_ok and warm_ok


def main(argv: list[str] | None = None) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m benchmarks.notebooks_and_checks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-book", action="store_true", help="skip the book builds")
    parser.add_argument("--book-only", action="store_true", help="only the book: cold, warm, per page")
    parser.add_argument("--keep-book", metavar="DIR", type=Path,
                        help="build the book into DIR (kept) instead of a temporary folder")
    args = parser.parse_args(argv)
    if args.book_only:
        return 0 if book_rows(args.keep_book) else 1
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
    if not args.no_book:
        print()
        ok &= book_rows(args.keep_book)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
