"""Benchmark: serial `nbgrader autograde` vs the sandboxed parallel tool on a synthetic class.

``python -m benchmarks.grading [--students 40] [--workers N]`` builds a class of chapter 1
submissions (correct, partial, blank, noisy and hostile ones), grades it both ways in scratch
courses under /tmp, checks that both give every student the same score, and prints the
throughput of each, the speed-up (goal: >= 1.8x on 2 cores), where the parallel tool's time
went, and the per-submission cost against the bare cost of starting a kernel (plain, with
TensorFlow imported, and sandboxed). The machine's load average is printed before and after:
other work on the machine depresses the speed-up.

Further rows (``--only dask,tensorflow,projection`` runs just those): the Dask path with two local
workers against the local pool on the same chapter-1 class (overhead per submission, goal <= 10 %);
a chapter-7 class graded with warm and with cold kernels (worker-seconds per submission, goal
warm <= 0.5x cold, scores equal); and, from those measured costs, what a 1,000-student class of
every chapter would take on 1, 10 and 100 two-core grading machines.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import socket
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import synthetic_class
from grader.instructor import batch_autograde, collect, course_config, grade_worker, sandbox
from grader.authoring.notebooks import ROOT

CHAPTER = synthetic_class.CHAPTER
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
# Hostile submissions that unsandboxed serial nbgrader may safely grade too (no network, no
# writes outside, no limits needed) and that both ways must score the same. Not duplicated_test:
# serial `nbgrader autograde` stops the whole class at it (SchemaTooOldError after de-duplication).
MIXABLE = ("huge_output", "fake_questions", "patched_engine", "hostile_eq", "edited_tests", "invalid_json",
           "wrong_kernelspec", "cell_ids", "deleted_test")


def make_class(n: int) -> dict:
    honest, hostile = synthetic_class.honest(), synthetic_class.hostile()
    pool = [(k, honest[k]) for k in ("full", "half", "blank", "noisy")] + [(k, hostile[k]) for k in MIXABLE]
    return {f"s{i:03d}_{name}": nb for i, (name, nb) in zip(range(n), (pool[i % len(pool)] for i in range(n)))}


def new_course(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions" / CHAPTER, root / "solutions" / CHAPTER)
    subprocess.run([NBGRADER, "generate_assignment", CHAPTER, "--force"], cwd=root, check=True, capture_output=True)
    return root


def kernel_start_seconds(kernel: str, code: str = "pass", env: dict | None = None) -> float:
    """Seconds from launching a kernel to the end of running ``code`` in it."""
    from jupyter_client import KernelManager
    saved = dict(os.environ)
    os.environ.update(env or {})
    runtime = Path(tempfile.mkdtemp(prefix="grk-"))     # IPC sockets need a short path
    try:
        start = time.perf_counter()
        km = KernelManager(kernel_name=kernel, transport="ipc", connection_file=str(runtime / "kernel.json"))
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=120)
        reply = kc.execute_interactive(code, timeout=300)
        seconds = time.perf_counter() - start
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{code!r} failed in the {kernel} kernel: {reply['content'].get('evalue')}")
        return seconds
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(runtime, ignore_errors=True)


def load() -> str:
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load average unknown"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.grading", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=40, help="size of the synthetic class (default 40)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel workers (default: cores)")
    parser.add_argument("--skip-kernel-costs", action="store_true", help="do not measure bare kernel start-up")
    parser.add_argument("--skip-cold", action="store_true", help="do not also grade with cold kernels")
    parser.add_argument("--only", default="serial,dask,tensorflow,projection",
                        help="rows to run, comma-separated (default: serial,dask,tensorflow,projection)")
    parser.add_argument("--tf-students", type=int, default=12, help="size of the chapter-7 class (default 12)")
    args = parser.parse_args(argv)
    rows = set(args.only.split(","))
    if "serial" not in rows:
        return extra_rows(args, rows)
    course_config.ensure_tools_on_path()
    use_sandbox = sandbox.unavailable_reason() is None
    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    out = lambda *a: print(*a, flush=True)  # noqa: E731
    try:
        students = make_class(args.students)
        n = len(students)
        out(f"class: {n} submissions of {CHAPTER} (full, half, blank, noisy and {len(MIXABLE)} kinds of hostile), "
            f"{os.cpu_count()} cores, {load()}")
        synthetic_class.write(tmp / "incoming", students)
        serial, parallel = new_course(tmp / "serial"), new_course(tmp / "parallel")
        cold = None if args.skip_cold or not use_sandbox else new_course(tmp / "cold")
        for course in (serial, parallel, cold) if cold else (serial, parallel):
            collect.collect(tmp / "incoming", course, CHAPTER, db_url=course_config.db_url(course))

        out(f"serial `nbgrader autograde` … ({load()})")
        start = time.perf_counter()
        subprocess.run([NBGRADER, "autograde", CHAPTER, "--create"], cwd=serial, capture_output=True)
        t_serial = time.perf_counter() - start
        out(f"parallel tool, {args.workers} workers … ({load()})")
        limits = sandbox.Limits(cell_seconds=30)
        result = batch_autograde.autograde(parallel, CHAPTER, workers=args.workers, limits=limits,
                                           use_sandbox=use_sandbox, progress=sys.stderr.isatty())
        t_parallel = result.seconds
        load_after = load()
        if cold:
            out(f"parallel tool, {args.workers} workers, cold kernels … ({load()})")
            t_cold = batch_autograde.autograde(cold, CHAPTER, workers=args.workers, limits=limits, warm=False,
                                               progress=sys.stderr.isatty()).seconds
            s_cold = batch_autograde.scores(course_config.db_url(cold), CHAPTER)

        s_serial = batch_autograde.scores(course_config.db_url(serial), CHAPTER)
        s_parallel = batch_autograde.scores(course_config.db_url(parallel), CHAPTER)
        both = sorted(set(s_serial) & set(s_parallel))
        differ = [s for s in both if s_serial[s] != s_parallel[s]]
        # serial nbgrader records nothing for a file it cannot read; the tool gives it 0 and a note
        only_parallel = sorted(set(s_parallel) - set(s_serial))
        only_zero = all(s_parallel[s][0] == 0 for s in only_parallel)
        if len(s_serial) + len(only_parallel) < n:
            out(f"WARNING: serial nbgrader graded only {len(s_serial)} of {n}: the comparison is not valid")

        costs = {}
        if not args.skip_kernel_costs:
            out(f"kernel start-up costs … ({load()})")
            costs["bare kernel start"] = kernel_start_seconds("python3")
            costs["kernel start + import tensorflow"] = kernel_start_seconds("python3", "import tensorflow")
            costs["kernel start + the notebook's set-up imports"] = kernel_start_seconds(
                "python3", f"import numpy, scipy.signal, grader.binder, grader.checks.{CHAPTER}")
            if use_sandbox:
                jp = sandbox.install_kernelspec(tmp, limits)
                (tmp / "work").mkdir()
                slot_fd, slot = sandbox.take_slot()      # held while this process lives
                env = {"JUPYTER_PATH": str(jp), "GRADER_SANDBOX_WORK": str(tmp / "work"),
                       "GRADER_SANDBOX_UID": str(sandbox.FIRST_UID + slot)}
                costs["sandboxed kernel start (cold)"] = kernel_start_seconds(sandbox.KERNEL_NAME, env=env)
                zygote = grade_worker.start_zygote(jp, batch_autograde.warm_modules(parallel / "solutions" / CHAPTER),
                                                   tmp / "zygote")
                try:
                    grade_worker.await_zygote(*zygote)
                    env["GRADER_ZYGOTE"] = os.environ.pop("GRADER_ZYGOTE", "")
                    costs["sandboxed kernel start (warm) + the set-up imports"] = kernel_start_seconds(
                        sandbox.KERNEL_NAME, f"import numpy, scipy.signal, grader.binder, grader.checks.{CHAPTER}",
                        env=env)
                finally:
                    zygote[0].kill()

        ratio = t_serial / t_parallel
        per_serial, per_parallel = t_serial / n, args.workers * t_parallel / n
        out("")
        out(f"serial nbgrader autograde  : {t_serial:7.1f} s  {n / t_serial:5.2f} submissions/s  "
            f"{per_serial:5.2f} s each ({len(s_serial)} graded)")
        out(f"parallel tool, {args.workers} workers   : {t_parallel:7.1f} s  {n / t_parallel:5.2f} submissions/s  "
            f"{per_parallel:5.2f} worker-s each ({len(s_parallel)} graded, "
            f"sandbox {'on' if use_sandbox else 'OFF: ' + str(sandbox.unavailable_reason())}, "
            f"{result.warm_kernels} warm kernels)")
        if cold:
            out(f"  with cold kernels        : {t_cold:7.1f} s  {n / t_cold:5.2f} submissions/s  "
                f"{args.workers * t_cold / n:5.2f} worker-s each ({t_serial / t_cold:4.2f}x serial; "
                f"{'same scores' if s_cold == s_parallel else 'DIFFERENT scores'} as with warm kernels)")
        out(f"speed-up                   : {ratio:5.2f}x  (goal >= 1.8x on 2 cores: "
            f"{'met' if ratio >= 1.8 else 'NOT met'}; {load_after} at the end)")
        out(f"same scores as serial      : {len(both) - len(differ)} of {len(both)} graded by both"
            + (f"; DIFFERENT: {', '.join(f'{s} {s_serial[s]} vs {s_parallel[s]}' for s in differ)}" if differ else ""))
        if only_parallel:
            out(f"graded by the tool only    : {len(only_parallel)} ({'all 0, with a note: not readable notebooks' if only_zero else only_parallel})")
        out("where the parallel tool's time went:")
        for name, seconds in result.phases.items():
            out(f"  {name:<58} {seconds:7.2f} s")
        if costs:
            out("bare costs (one kernel, nothing graded):")
            for name, seconds in costs.items():
                out(f"  {name:<58} {seconds:7.2f} s")
            base = costs["kernel start + import tensorflow"]
            out(f"per-submission cost        : serial {per_serial:5.2f} s = {per_serial / base:4.2f}x a kernel start "
                f"with TensorFlow ({base:.2f} s); parallel {per_parallel:5.2f} worker-s = {per_parallel / base:4.2f}x; "
                f"tool minus serial {per_parallel - per_serial:+5.2f} worker-s per submission (the sandbox, scratch "
                f"course and merge cost; warm kernels save)")
        ok = not differ and (not cold or s_cold == s_parallel)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return (0 if ok else 1) | extra_rows(args, rows)


@contextlib.contextmanager
def local_cluster(folder: Path, workers: int):
    """A `dask scheduler` and ``workers`` `dask worker --nthreads 1` processes on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).parent / "dask")
    folder.mkdir(parents=True)
    log = open(folder / "cluster.log", "w")
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              cwd=folder, stdout=log, stderr=log)]
    for i in range(workers):
        procs.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--no-dashboard",
                                       "--local-directory", str(folder / f"w{i}")], cwd=folder, stdout=log, stderr=log))
    try:
        from distributed import Client
        with Client(address, timeout="120s", set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=300)
        yield address
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def _course_for(root: Path, chapter: str, incoming: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions" / chapter, root / "solutions" / chapter)
    collect.collect(incoming, root, chapter, db_url=course_config.db_url(root))
    return root


def extra_rows(args, rows: set) -> int:
    """The Dask, TensorFlow warm/cold and projection rows; returns 1 if scores differ."""
    course_config.ensure_tools_on_path()
    use_sandbox = sandbox.unavailable_reason() is None
    out = lambda *a: print(*a, flush=True)  # noqa: E731
    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-more-"))
    limits = sandbox.Limits(cell_seconds=120)
    w = args.workers
    measured, status = {}, 0
    try:
        if "dask" in rows or "projection" in rows:
            students = make_class(args.students)
            n = len(students)
            synthetic_class.write(tmp / "incoming1", students)
            local = _course_for(tmp / "local", CHAPTER, tmp / "incoming1")
            remote = _course_for(tmp / "remote", CHAPTER, tmp / "incoming1")
            out(f"\nDask path vs local pool: {n} submissions of {CHAPTER}, {w} workers each, sandbox "
                f"{'on' if use_sandbox else 'OFF'} ({load()})")
            with local_cluster(tmp / "cluster", w) as address:
                r_local = batch_autograde.autograde(local, CHAPTER, workers=w, limits=limits, use_sandbox=use_sandbox,
                                                    progress=False)
                out(f"  local pool done ({load()})")
                r_dask = batch_autograde.autograde(remote, CHAPTER, limits=limits, use_sandbox=use_sandbox,
                                                   progress=False, scheduler=address)
            same = batch_autograde.scores(course_config.db_url(local), CHAPTER) == \
                batch_autograde.scores(course_config.db_url(remote), CHAPTER)
            status |= 0 if same else 1
            per_local, per_dask = w * r_local.seconds / n, w * r_dask.seconds / n
            measured.update(ch01=per_local, dask_overhead=per_dask / per_local - 1, n1=n,
                            merge=r_dask.phases.get("  of which merging in the parent (overlaps grading)", 0.0) / n)
            out(f"  local pool, {w} workers      : {r_local.seconds:6.1f} s  {per_local:5.2f} worker-s each "
                f"({r_local.warm_kernels} warm kernels)")
            out(f"  Dask, {w} local workers      : {r_dask.seconds:6.1f} s  {per_dask:5.2f} worker-s each "
                f"({r_dask.warm_kernels} warm kernels); overhead {100 * measured['dask_overhead']:+.0f} % per "
                f"submission (goal <= 10 %: {'met' if measured['dask_overhead'] <= 0.10 else 'NOT met'}); "
                f"{'same scores' if same else 'DIFFERENT scores'}; {load()}")
            out(f"  parent's merge per submission: {measured['merge']:.3f} s (the one gradebook writer)")
        if "tensorflow" in rows or "projection" in rows:
            chapter = "ch07_keras_convnets"
            students = synthetic_class.honest_for(chapter, args.tf_students)
            n = len(students)
            synthetic_class.write_for(chapter, tmp / "incoming7", students)
            out(f"\nChapter 7, {n} submissions (full, blank, partial), {w} workers, warm vs cold kernels ({load()})")
            r = {}
            for mode in ("warm", "cold"):
                course = _course_for(tmp / f"ch07-{mode}", chapter, tmp / "incoming7")
                r[mode] = batch_autograde.autograde(course, chapter, workers=w, limits=limits, use_sandbox=use_sandbox,
                                                    progress=False, warm=mode == "warm")
                r[mode].scores = batch_autograde.scores(course_config.db_url(course), chapter)
                out(f"  {mode}: {r[mode].seconds:6.1f} s  {w * r[mode].seconds / n:5.2f} worker-s each, "
                    f"{r[mode].phases['  worker time per submission (mean)']:5.2f} s in the worker "
                    f"({r[mode].warm_kernels} warm kernels; {load()})")
            same = r["warm"].scores == r["cold"].scores
            status |= 0 if same else 1
            warm_s, cold_s = (w * r[m].seconds / n for m in ("warm", "cold"))
            measured.update(ch07=warm_s, ch07_cold=cold_s)
            out(f"  warm / cold                  : {warm_s / cold_s:4.2f}x (goal <= 0.5x: "
                f"{'met' if warm_s / cold_s <= 0.5 else 'NOT met'}); {'same scores' if same else 'DIFFERENT scores'}")
        if "projection" in rows and {"ch01", "ch07"} <= set(measured):
            plain = [c for c in synthetic_class.notebooks.chapters()
                     if not {"keras", "tensorflow"} & {m.split(".")[0] for m in
                                                       batch_autograde.warm_modules(ROOT / "solutions" / c)}]
            tf = [c for c in synthetic_class.notebooks.chapters() if c not in plain]
            per = measured["ch01"] * len(plain) + measured["ch07"] * len(tf)
            total = 1000 * per * (1 + max(measured["dask_overhead"], 0))
            floor = 1000 * (len(plain) + len(tf)) * measured["merge"]
            out(f"\nProjection: 1,000 students x {len(plain) + len(tf)} chapters ({len(plain)} at the measured chapter-1 "
                f"cost {measured['ch01']:.2f} worker-s, {len(tf)} TensorFlow chapters at the chapter-7 warm cost "
                f"{measured['ch07']:.2f}), Dask overhead {100 * measured['dask_overhead']:+.0f} %, the parent's merge "
                f"{measured['merge']:.3f} s per submission as a floor:")
            for machines in (1, 10, 100):
                hours = max(total / (2 * machines), floor) / 3600
                bound = "parent-bound" if floor >= total / (2 * machines) else "worker-bound"
                out(f"  {machines:>3} two-core workers: {hours:6.2f} h ({bound})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
