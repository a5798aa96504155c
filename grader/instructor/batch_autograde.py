"""Parallel, sandboxed ``nbgrader autograde`` of a whole class, merged into the course gradebook.

Each worker autogrades one student in a scratch course with its own SQLite gradebook (a copy
of a template made once per batch); the parent merges each finished student into the course
gradebook, one at a time, so the course database (SQLite or PostgreSQL) never sees two writers.
"""
from __future__ import annotations

import ast
import multiprocessing
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from . import collect, course_config, integrity, merge_results, sandbox, scratch_course
from .grade_worker import grade_student, init_worker


@dataclass
class BatchResult:
    assignment: str
    students: dict = field(default_factory=dict)   # student -> {"score", "max_score", "notes", "flags", "seconds"}
    seconds: float = 0.0
    workers: int = 1
    warm_kernels: int = 0                          # submissions whose kernel was forked warm
    phases: dict = field(default_factory=dict)     # where the time went (seconds), for the benchmark
    cluster: str = ""                              # the Dask scheduler's address, if graded on a cluster
    skipped: list = field(default_factory=list)    # --resume: already complete, not graded again
    refused: dict = field(default_factory=dict)    # student -> the worker that refused and why
    missing: list = field(default_factory=list)    # not graded (stuck, refused, interrupted)
    interrupted: bool = False                      # Ctrl-C: the gradebook holds only complete results

    def summary(self) -> str:
        where = f"on the Dask cluster at {self.cluster} ({self.workers} worker threads)" if self.cluster else \
            f"with {self.workers} workers"
        lines = [f"{self.assignment}: {len(self.students)} submissions graded in {self.seconds:.1f} s "
                 f"{where} ({self.warm_kernels} warm kernels)"]
        width = max([len(s) for s in self.students] + [7])
        for student, r in sorted(self.students.items()):
            extra = "; ".join(r["notes"] + ([f"review: {r['flags'][0]}" + (" …" if len(r["flags"]) > 1 else "")]
                                             if r["flags"] else []))
            lines.append(f"  {student:<{width}}  {r['score']:>5g} / {r['max_score']:g}" + (f"   {extra}" if extra else ""))
        if self.cluster:
            by_worker: dict = {}
            for student, r in sorted(self.students.items()):
                by_worker.setdefault(r.get("worker") or "?", []).append(student)
            lines.append("graded by:")
            lines += [f"  {w}: {len(names)}: {', '.join(names)}" for w, names in sorted(by_worker.items())]
        if self.skipped:
            lines.append(f"already complete, not graded again (--resume): {len(self.skipped)}")
        for student, why in sorted(self.refused.items()):
            lines.append(f"NOT graded: {student}: refused by {why}")
        if self.interrupted:
            lines.append("INTERRUPTED: the gradebook holds only the complete results above.")
        left = [s for s in self.missing if s not in self.refused]
        if left:
            lines.append(f"NOT graded: {len(left)}: {', '.join(left)}")
        if self.interrupted or self.missing:
            lines.append("Run the same command with --resume to grade only what is missing.")
        return "\n".join(lines)


def submitted_students(course: Path, assignment: str) -> list[str]:
    return sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}") if p.is_dir())


def ensure_assignment(course: Path, assignment: str, db_url: str) -> None:
    """The course gradebook must know the assignment (generate_assignment puts it there)."""
    from nbgrader.api import MissingEntry
    with course_config.gradebook(db_url) as gb:
        try:
            gb.find_assignment(assignment)
            return
        except MissingEntry:
            pass
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    config = course_config.load(course)
    result = NbGraderAPI(CourseDirectory(config=config), config=config).generate_assignment(assignment, force=True)
    if not result["success"]:
        raise RuntimeError(result.get("log", "") + result.get("error", ""))


def _audit(course: Path, student: str, assignment: str) -> list[str]:
    path = course / "submitted" / student / assignment / f"{assignment}.ipynb"
    try:
        return integrity.audit(nbformat.read(str(path), as_version=4))
    except Exception:
        return []


def scores(db_url: str, assignment: str) -> dict[str, tuple[float, float]]:
    with course_config.gradebook(db_url) as gb:
        return {s.student.id: (s.score, s.max_score) for s in gb.find_assignment(assignment).submissions}


def warm_modules(source: Path) -> list[str]:
    """What each worker's kernel zygote imports once instead of every kernel: ipykernel and the
    modules the assignment's notebooks import at top level (their set-up cells). Read from the
    instructor's source notebooks, never from submissions: the zygote runs as root."""
    modules = ["ipykernel.kernelapp", "ipykernel.ipkernel"]
    for path in sorted(source.glob("*.ipynb")):
        try:
            cells = nbformat.read(str(path), as_version=4).cells
        except Exception:  # noqa: BLE001 - generate_assignment reports a broken source notebook
            continue
        for cell in cells:
            try:
                tree = ast.parse(cell.source) if cell.cell_type == "code" else None
            except SyntaxError:   # magics, or a cell left for the student
                continue
            for node in tree.body if tree else []:
                if isinstance(node, ast.Import):
                    modules += [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    # `from scipy import signal` imports a module; `from numpy import pi` fails harmlessly
                    modules += [node.module] + [f"{node.module}.{a.name}" for a in node.names if a.name != "*"]
    # TensorFlow/keras too: importing them starts no thread (the zygote checks), so each forked
    # kernel starts its own thread pools, as a fresh interpreter does (tests/instructor/test_sandbox.py
    # grades a chapter-7 class warm and cold under load and compares every cell)
    return list(dict.fromkeys(modules))


def graded_students(course: Path, db_url: str, assignment: str) -> set[str]:
    """Students whose results are complete in the course: a submission in the gradebook and its
    autograded files (merge_results writes the files first and commits the gradebook last)."""
    from nbgrader.api import MissingEntry
    with course_config.gradebook(db_url) as gb:
        try:
            found = {s.student.id for s in gb.find_assignment(assignment).submissions}
        except MissingEntry:
            return set()
    return {s for s in found if any((course / "autograded" / s / assignment).glob("*.ipynb"))}


def autograde(course: Path, assignment: str, *, students: list[str] | None = None, workers: int | None = None,
              limits: sandbox.Limits | None = None, use_sandbox: bool = True, harden: bool = True,
              keep: bool = False, progress: bool = True, warm: bool = True, scheduler: str | None = None,
              resume: bool = False) -> BatchResult:
    """Grade ``students`` (default: every submission) into the course gradebook; on this machine's
    process pool, or on the Dask cluster whose scheduler is at ``scheduler``. ``resume`` skips the
    students whose results are already complete (a re-run after an interrupted batch)."""
    start = time.perf_counter()
    course = Path(course).resolve()
    limits = limits or sandbox.Limits()
    course_config.ensure_tools_on_path()
    course_config.fast_alembic_version()
    client = None
    if scheduler:           # a clear error, before anything is changed, if the cluster cannot grade
        from . import dask_grading
        client = dask_grading.connect(scheduler)
        try:
            dask_grading.preflight(client, use_sandbox)
        except BaseException:
            client.close()
            raise
        workers = sum(client.nthreads().values())
    elif use_sandbox and (reason := sandbox.unavailable_reason()):
        raise RuntimeError(f"cannot sandbox the kernels: {reason}. Install it, or pass --no-sandbox "
                           "to grade trusted notebooks without one.")
    workers = workers or os.cpu_count() or 1
    try:
        return _autograde(course, assignment, students=students, workers=workers, limits=limits,
                          use_sandbox=use_sandbox, harden=harden, keep=keep, progress=progress, warm=warm,
                          client=client, resume=resume, start=start)
    finally:
        if client is not None:
            client.close()


def _autograde(course: Path, assignment: str, *, students, workers, limits, use_sandbox, harden, keep, progress,
               warm, client, resume, start) -> BatchResult:
    config = course_config.load(course)
    db_url = course_config.db_url(course)
    ensure_assignment(course, assignment, db_url)
    students = students or submitted_students(course, assignment)
    result = BatchResult(assignment, workers=workers, cluster=client.scheduler.address if client else "")
    if resume:
        result.skipped = sorted(set(students) & graded_students(course, db_url, assignment))
        students = [s for s in students if s not in result.skipped]
    before = collect.tree_hashes(course / "submitted") if (course / "submitted").exists() else {}
    batch = course / ".autograde" / f"{assignment}-{os.getpid()}"
    if batch.exists():
        shutil.rmtree(batch)
    batch.mkdir(parents=True)
    os.chmod(batch, 0o711)
    phases = result.phases
    phases["prepare (gradebook, collect hashes)"] = time.perf_counter() - start
    jobs: list[dict] = []
    preload = warm_modules(course / config.CourseDirectory.source_directory / assignment) if warm else None
    zygotes = Path(tempfile.mkdtemp(prefix="grz-")) if use_sandbox and preload and not client else None
    done = []
    mark = time.perf_counter()
    try:
        with course_config.gradebook(db_url) as gb, _progress(progress, len(students), assignment) as advance:
            if client:
                template = scratch_course.build_template(course, assignment, batch,
                                                         config.CourseDirectory.source_directory, harden=harden)
                phases["template and scratch courses"] = time.perf_counter() - mark
                from . import dask_grading
                deadline = time.monotonic() + limits.wall_seconds * max(1, -(-len(students) // workers)) * 2 + 300
                results = dask_grading.results(client, course, assignment, students, template, batch, limits=limits,
                                               use_sandbox=use_sandbox, preload=preload, deadline=deadline)
            else:
                results = _local_results(course, assignment, students, batch, config, jobs, phases, mark,
                                         workers=workers, limits=limits, use_sandbox=use_sandbox, harden=harden,
                                         preload=preload, zygotes=zygotes)
            merging = 0.0
            for r in results:
                if r.get("refused"):
                    result.refused[r["student"]] = f"{r['worker']}: {r['refused']}"
                    continue
                flags = _audit(course, r["student"], assignment)
                m = time.perf_counter()
                if not r.get("stuck"):
                    try:
                        saved = r.get("saved")
                        if saved is None:   # the worker could not read its gradebook: read it here
                            saved = merge_results.read_scratch(Path(r["root"]), assignment, r["student"])
                        merge_results.write_student(gb, saved, Path(r["root"]), course, assignment, r["student"],
                                                    flag=bool(flags))
                    except Exception as exc:  # noqa: BLE001 - the batch goes on; the summary says so
                        r["notes"] = r["notes"] + [f"its results could not be written to the gradebook "
                                                   f"({type(exc).__name__}: {exc})"]
                merging += time.perf_counter() - m
                done.append({**r, "flags": flags})
                advance(r["student"])
        phases["grading (wall, after the scratch courses)"] = time.perf_counter() - mark - \
            phases["template and scratch courses"]
        phases["  of which merging in the parent (overlaps grading)"] = merging
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        mark = time.perf_counter()
        if zygotes:
            shutil.rmtree(zygotes, ignore_errors=True)
        for j in jobs:
            runtime = Path(j["root"]) / "runtime"
            if runtime.is_symlink():
                shutil.rmtree(runtime.resolve(), ignore_errors=True)
        if not keep:
            shutil.rmtree(batch, ignore_errors=True)
            try:
                (course / ".autograde").rmdir()
            except OSError:
                pass
    result.warm_kernels = sum(bool(r.get("warm")) for r in done)
    phases["  worker time per submission (mean)"] = sum(r["seconds"] for r in done) / max(len(done), 1)
    for key in dict.fromkeys(k for r in done for k in r.get("phases", {})):
        phases[f"    {key} (mean)"] = sum(r.get("phases", {}).get(key, 0.0) for r in done) / len(done)
    final = scores(db_url, assignment)
    for r in done:
        if r["student"] not in final:       # stuck: nothing was written for this student
            result.missing.append(r["student"])
        score, max_score = final.get(r["student"], (0.0, 0.0))
        result.students[r["student"]] = {"score": score, "max_score": max_score, "notes": r["notes"],
                                         "flags": r["flags"], "seconds": r["seconds"], "success": r["success"],
                                         "worker": r.get("worker", "")}
    graded = set(result.students)
    result.missing += [s for s in students if s not in graded and s not in result.missing
                       and s not in result.refused]
    after = collect.tree_hashes(course / "submitted") if (course / "submitted").exists() else {}
    if after != before:
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        raise RuntimeError(f"submitted files changed during grading: {changed}")
    phases["finish (scores, clean-up)"] = time.perf_counter() - mark
    result.seconds = time.perf_counter() - start
    return result


def _local_results(course, assignment, students, batch, config, jobs, phases, mark, *, workers, limits,
                   use_sandbox, harden, preload, zygotes):
    """This machine's process pool: one scratch course per student, results as workers finish."""
    ctx = multiprocessing.get_context("spawn")
    threads = max(1, (os.cpu_count() or 1) // workers)        # the cores each kernel has to itself
    jupyter_path = str(sandbox.install_kernelspec(batch, limits, threads)) if use_sandbox else None
    # the workers start (and import nbgrader) while the parent builds the template and scratch courses
    pool = ctx.Pool(min(workers, max(len(students), 1)), initializer=init_worker,
                    initargs=(jupyter_path, (str(zygotes), preload) if zygotes else None),
                    maxtasksperchild=None)
    with pool:
        template = scratch_course.build_template(course, assignment, batch,
                                                 config.CourseDirectory.source_directory, harden=harden)
        pending = {}
        for s in students:
            job = {"root": str(scratch_course.build_student(template, batch, course, assignment, s)),
                   "template": str(template), "course": str(course), "student": s, "assignment": assignment,
                   "limits": asdict(limits), "sandbox": use_sandbox}
            jobs.append(job)
            pending[s] = pool.apply_async(grade_student, (job,))
        phases["template and scratch courses"] = time.perf_counter() - mark
        deadline = time.monotonic() + limits.wall_seconds * max(1, -(-len(jobs) // workers)) + 120
        yield from _as_completed(pending, deadline)


def _as_completed(pending: dict, deadline: float):
    """Results as workers finish; a worker stuck past the deadline yields a failure, not a hang."""
    while pending:
        for student, res in list(pending.items()):
            if res.ready() or time.monotonic() > deadline:
                del pending[student]
                try:
                    yield res.get(timeout=0.1)
                except Exception as exc:  # noqa: BLE001
                    yield {"student": student, "root": "", "success": False, "seconds": 0.0, "log": repr(exc),
                           "notes": [f"grading did not finish ({type(exc).__name__})"], "stuck": True}
        time.sleep(0.05)


class _progress:
    """A rich progress bar (or nothing), used as ``with _progress(...) as advance: advance(name)``."""

    def __init__(self, show: bool, total: int, title: str):
        self.show, self.total, self.title, self.bar = show, total, title, None

    def __enter__(self):
        if self.show:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
            self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), TextColumn("{task.fields[last]}"))
            self.bar.start()
            self.task = self.bar.add_task(f"autograde {self.title}", total=self.total, last="")
        return self.advance

    def advance(self, name: str) -> None:
        if self.bar:
            self.bar.update(self.task, advance=1, last=name)

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()
        return False
