"""Benchmark: serial `nbgrader autograde` vs the sandboxed parallel tool on a synthetic class.

``python -m grader.bench_grading [--students 40] [--workers N]`` builds a class of chapter 1
submissions (correct, partial, blank and hostile ones), grades it both ways in scratch courses,
and prints throughput, the speed-up, and per-submission overhead against the bare cost of
starting a kernel (plain and sandboxed).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.instructor import batch_autograde, collect, course_config, sandbox, synthetic_class
from grader.notebooks import ROOT

CHAPTER = synthetic_class.CHAPTER
NBGRADER = str(Path(sys.executable).parent / "nbgrader")


def make_class(n: int) -> dict:
    honest, hostile = synthetic_class.honest(), synthetic_class.hostile()
    # hostile ones that serial nbgrader also survives in reasonable time (no sandbox there)
    mixable = [k for k in ("huge_output", "network", "fake_questions", "patched_engine", "hostile_eq",
                           "edited_tests", "invalid_json", "wrong_kernelspec") if k in hostile]
    pool = [(k, honest[k]) for k in ("full", "half", "blank", "noisy")] + [(k, hostile[k]) for k in mixable]
    return {f"s{i:03d}_{name}": nb for i, (name, nb) in zip(range(n), (pool[i % len(pool)] for i in range(n)))}


def new_course(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions" / CHAPTER, root / "solutions" / CHAPTER)
    subprocess.run([NBGRADER, "generate_assignment", CHAPTER, "--force"], cwd=root, check=True, capture_output=True)
    return root


def kernel_start_seconds(kernel: str, env: dict | None = None, runtime: Path | None = None) -> float:
    from jupyter_client import KernelManager
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        kwargs = {"transport": "ipc", "connection_file": str(runtime / "kernel.json")} if runtime else {}
        start = time.perf_counter()
        km = KernelManager(kernel_name=kernel, **kwargs)
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        kc.execute_interactive("pass", timeout=60)
        seconds = time.perf_counter() - start
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        return seconds
    finally:
        os.environ.clear()
        os.environ.update(saved)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.bench_grading", description=__doc__)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    course_config.ensure_tools_on_path()
    use_sandbox = sandbox.unavailable_reason() is None
    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        students = make_class(args.students)
        synthetic_class.write(tmp / "incoming", students)
        serial, parallel = new_course(tmp / "serial"), new_course(tmp / "parallel")
        for course in (serial, parallel):
            collect.collect(tmp / "incoming", course, CHAPTER, db_url=course_config.db_url(course))
        start = time.perf_counter()
        subprocess.run([NBGRADER, "autograde", CHAPTER, "--create"], cwd=serial, capture_output=True)
        t_serial = time.perf_counter() - start
        limits = sandbox.Limits(cell_seconds=30)
        result = batch_autograde.autograde(parallel, CHAPTER, workers=args.workers, limits=limits,
                                           use_sandbox=use_sandbox, progress=sys.stderr.isatty())
        t_parallel = result.seconds
        s_serial = batch_autograde.scores(course_config.db_url(serial), CHAPTER)
        s_parallel = batch_autograde.scores(course_config.db_url(parallel), CHAPTER)
        same = {k: v for k, v in s_serial.items() if s_parallel.get(k) == v}
        bare = kernel_start_seconds("python3")
        sandboxed = None
        if use_sandbox:
            jp = sandbox.install_kernelspec(tmp, limits)
            (tmp / "rt").mkdir()
            (tmp / "work").mkdir()
            sandboxed = kernel_start_seconds(sandbox.KERNEL_NAME, {"JUPYTER_PATH": str(jp), "GRADER_SANDBOX_WORK":
                                                                    str(tmp / "work")}, tmp / "rt")
        n = len(students)
        print(f"class: {n} submissions of {CHAPTER} (correct, partial, blank and hostile), {os.cpu_count()} cores")
        print(f"serial nbgrader autograde : {t_serial:7.1f} s  {n / t_serial:5.2f} submissions/s  "
              f"{t_serial / n:5.2f} s each ({len(s_serial)} graded)")
        print(f"parallel tool, {args.workers} workers  : {t_parallel:7.1f} s  {n / t_parallel:5.2f} submissions/s  "
              f"{args.workers * t_parallel / n:5.2f} worker-s each ({len(s_parallel)} graded, "
              f"sandbox {'on' if use_sandbox else 'OFF: ' + str(sandbox.unavailable_reason())})")
        print(f"speed-up                  : {t_serial / t_parallel:5.2f}x (goal >= 1.8x on 2 cores)")
        print(f"same score as serial      : {len(same)} of {len(s_serial)} graded by both")
        print(f"bare kernel start         : {bare:5.2f} s" +
              (f"; sandboxed kernel start {sandboxed:5.2f} s" if sandboxed else ""))
        print(f"per-submission cost       : serial {t_serial / n:5.2f} s, parallel {args.workers * t_parallel / n:5.2f} "
              f"worker-s = {args.workers * t_parallel / n / bare:4.1f}x a bare kernel start")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
