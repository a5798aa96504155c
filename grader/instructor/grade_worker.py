"""One worker process: autograde one student in that student's scratch course (nbgrader's API)."""
from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import nbformat

from . import course_config, limit_notes, merge_results, restore_metadata, sandbox, scratch_course

_slot = 0
_slot_lock = None       # the slot's lock file, held while this process lives


def init_worker(jupyter_path: str | None, warm: tuple[str, list[str]] | None = None) -> None:
    """Pool initializer: take a machine-wide slot (its own sandbox uid), point Jupyter at the sandbox
    kernelspec, and, given ``warm`` = (a folder, the modules to preload), start this worker's zygote."""
    global _slot, _slot_lock
    _slot_lock, _slot = sandbox.take_slot()
    course_config.ensure_tools_on_path()
    if jupyter_path:
        os.environ["JUPYTER_PATH"] = jupyter_path
    os.environ["GRADER_SANDBOX_UID"] = str(sandbox.FIRST_UID + _slot)
    # nbgrader's gradebook code trips SQLAlchemy's autoflush notes on every submission: noise, not news
    warnings.filterwarnings("ignore", message=r".*not in session, add operation along")
    zygote = None
    if jupyter_path and warm:
        try:
            zygote = start_zygote(Path(jupyter_path), warm[1], Path(warm[0]) / f"slot{_slot}")
        except OSError:
            pass            # cold kernels
    import nbgrader.apps  # noqa: F401 - warm up while the parent prepares the scratch courses
    course_config.fast_alembic_version()
    if zygote:
        await_zygote(*zygote)


def start_zygote(jupyter_path: Path, modules: list[str], folder: Path):
    """Start kernel_zygote.py in ``folder`` (new, root-only; a short path, for its UNIX socket);
    it preloads while the worker imports nbgrader. It dies with the worker (PR_SET_PDEATHSIG)."""
    settings = jupyter_path / "kernels" / sandbox.KERNEL_NAME / "sandbox.json"
    folder.mkdir(mode=0o700)
    env = {**json.loads(settings.read_text())["env"], "HOME": str(folder), "MPLCONFIGDIR": str(folder)}
    log = open(folder / "zygote.log", "wb")
    proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("kernel_zygote.py")),
                             str(folder / "socket"), str(settings), *modules],
                            stdout=subprocess.PIPE, stderr=log, env=env, cwd=folder)
    return proc, folder


def await_zygote(proc, folder: Path, timeout: float = 180) -> None:
    """Use the zygote if it says it is ready (one line once preloaded) within ``timeout`` seconds."""
    ready = proc.stdout.readline() if select.select([proc.stdout], [], [], timeout)[0] else b""
    if ready.startswith(b'{"ready": true'):
        os.environ["GRADER_ZYGOTE"] = str(folder / "socket")
    else:   # cold kernels for this worker; the log says why
        proc.kill()


def _failure_reason(root: Path, student: str, assignment: str, log: str) -> str:
    folder = root / "submitted" / student / assignment
    expected = folder / f"{assignment}.ipynb"
    if not expected.exists():
        others = [p.name for p in folder.glob("*")] if folder.exists() else []
        return f"no notebook named {assignment}.ipynb was submitted" + (f" (found: {', '.join(others)})" if others else "")
    try:
        json.loads(expected.read_text(encoding="utf-8"))
    except Exception as exc:
        return f"the submitted file is not a readable notebook ({type(exc).__name__})"
    if "DeadKernelError" in log or "Kernel died" in log or "kernel died" in log.lower():
        return "the notebook's kernel was stopped (a limit of the sandbox: memory, CPU time or processes)"
    if "Kernel didn't respond" in log:
        return "the notebook's kernel did not start"
    return "the notebook could not be graded automatically (see the instructor log)"


def _fallback(root: Path, template: Path, student: str, assignment: str, reason: str) -> None:
    """nbgrader failed: every test cell scores 0, and the feedback says why."""
    with warnings.catch_warnings(), course_config.gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes from inside nbgrader.api
        gb.update_or_create_student(student)
        try:
            submission = gb.find_submission(assignment, student)
        except Exception:
            submission = gb.add_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score, grade.needs_manual_grade = 0, False
        gb.db.commit()
    dest = root / "autograded" / student / assignment
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for nb_path in (template / "release" / assignment).glob("*.ipynb"):
        nb = nbformat.read(str(nb_path), as_version=4)
        nbformat.write(limit_notes.add_note(nb, [reason + "; every test scores 0."]), str(dest / nb_path.name))


def grade_student(job: dict) -> dict:
    """Autograde ``job['student']``; never raises (the batch goes on), returns a summary."""
    start = time.perf_counter()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    root, template = Path(job["root"]), Path(job["template"])
    student, assignment = job["student"], job["assignment"]
    limits = sandbox.Limits(**job["limits"])
    overrides = scratch_course.scratch_overrides(root)
    if job["sandbox"]:
        os.environ["GRADER_SANDBOX_WORK"] = str(root / "work")
        for section, values in sandbox.kernel_config(limits, root / "runtime").items():
            overrides.setdefault(section, {}).update(values)
    else:
        overrides["Execute"] = {"timeout": limits.cell_seconds, "kernel_name": "python3"}
    phases = {}
    # the scratch copy (never the submitted file) gets the released nbgrader metadata back
    restored = {rel.name: restore_metadata.restore_file(root / "submitted" / student / assignment / rel.name, rel)
                for rel in sorted((template / "release" / assignment).glob("*.ipynb"))}
    phases["restore metadata"] = time.perf_counter() - start
    result, log = {"success": False}, ""
    try:
        config = course_config.load(Path(job["course"]), **overrides)
        api = NbGraderAPI(CourseDirectory(config=config), config=config)
        mark = time.perf_counter()
        phases["nbgrader set-up"] = mark - start - phases["restore metadata"]
        result = api.autograde(assignment, student, force=True, create=True)
        log = result.get("log", "") + result.get("error", "")
        phases["nbgrader autograde (kernel start, execution)"] = time.perf_counter() - mark
    except Exception as exc:  # noqa: BLE001 - one student's failure must not stop the batch
        log = f"{type(exc).__name__}: {exc}"
    notes: list[str] = []
    autograded = root / "autograded" / student / assignment
    notebooks = sorted(autograded.glob("*.ipynb")) if result.get("success") else []
    if notebooks:
        for nb_path in notebooks:
            nb = nbformat.read(str(nb_path), as_version=4)
            found = restored.get(nb_path.name, []) + limit_notes.limit_notes(nb, limits)
            notes += found
            nbformat.write(limit_notes.add_note(nb, found), str(nb_path))
    else:
        reason = _failure_reason(root, student, assignment, log)
        notes += [n for found in restored.values() for n in found] + [reason]
        try:
            _fallback(root, template, student, assignment, reason)
        except Exception as exc:  # noqa: BLE001
            notes.append(f"fallback failed: {type(exc).__name__}: {exc}")
    mark = time.perf_counter()
    phases["notes and fallback"] = mark - start - sum(phases.values())
    saved, error = None, None
    try:
        saved = merge_results.read_scratch(root, assignment, student)   # the parent only writes
    except Exception as exc:  # noqa: BLE001
        error = f"{type(exc).__name__}: {exc}"
    phases["read scratch gradebook"] = time.perf_counter() - mark
    log_path = root / "kernel.log"
    warm = bool(job["sandbox"] and os.environ.get("GRADER_ZYGOTE") and log_path.exists()
                and "no warm kernel" not in log_path.read_text(errors="replace"))
    return {"warm": warm, "student": student, "root": str(root), "success": bool(notebooks), "notes": notes,
            "seconds": time.perf_counter() - start, "log": log[-4000:], "phases": phases, "saved": saved,
            "saved_error": error}
