"""Grading on a Dask cluster: the same sandboxed autograde on other machines, no shared filesystem.

The parent (``python -m grader autograde CHAPTER --scheduler tcp://HOST:8786``) builds the batch
template once (hardened source, release, a gradebook holding the assignment, the course's
``nbgrader_config.py``) and submits one task per student that carries the template (a few hundred
KB, unpacked once per worker) and that student's submitted files. A task returns what the parent
needs: the scores and comments read from its scratch gradebook, the autograded files, notes, and
which worker graded it. The parent stays the only writer of the course gradebook.

A worker (``dask worker tcp://HOST:8786 --nthreads 1``, root, bubblewrap installed, the same course
package) grades each task in a scratch course in its own local folder exactly as a local pool worker
does: sandbox kernelspec, its own sandbox uid (one lock file per slot on the machine), a warm-kernel
zygote, restored metadata, limit notes. It refuses to grade when it cannot sandbox (unless the run
says ``--no-sandbox``) or when its course package differs from the parent's.

Faults are Dask's: a worker that dies mid-task has its task rescheduled on another worker; a task
that was running on ``allowed-failures + 1`` workers that died (the scheduler's setting, default 3)
comes back as ``KilledWorker`` and the student scores 0 with a note.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import socket
import tarfile
import tempfile
import threading
import time
import uuid
import warnings
from pathlib import Path

from . import course_config, sandbox, scratch_course

CONNECT_SECONDS = 10


class ClusterError(RuntimeError):
    """The cluster cannot grade this batch; nothing was changed."""


# --------------------------------------------------------------------------- parent side

def connect(address: str, timeout: float = CONNECT_SECONDS, workers_timeout: float = 30):
    """A Client on ``address`` with at least one worker, or ClusterError saying what is wrong."""
    try:
        from distributed import Client
    except ImportError as exc:   # pragma: no cover - dask is in requirements.txt
        raise ClusterError(f"grading on a cluster needs dask and distributed ({exc})") from exc
    try:
        client = Client(address, timeout=f"{timeout}s", set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - OSError/TimeoutError/ValueError, all mean the same here
        raise ClusterError(f"cannot reach the Dask scheduler at {address} within {timeout:g} s "
                           f"({type(exc).__name__}: {exc}). Start it with `dask scheduler` and check the "
                           "address; nothing was graded and the gradebook is unchanged.") from None
    try:
        client.wait_for_workers(1, timeout=workers_timeout)
    except Exception:  # noqa: BLE001
        client.close()
        raise ClusterError(f"the Dask scheduler at {address} has no workers (waited {workers_timeout:g} s). "
                           "Start one per grading machine with `dask worker " + address + " --nthreads 1`; "
                           "nothing was graded and the gradebook is unchanged.") from None
    return client


def package_fingerprint() -> str:
    """SHA-256 over the course package's Python files: parent and workers must grade with the same code."""
    cached = getattr(package_fingerprint, "value", None)
    if cached is None:
        digest = hashlib.sha256()
        for path in sorted(sandbox.PACKAGE_DIR.rglob("*.py")):
            digest.update(str(path.relative_to(sandbox.PACKAGE_DIR)).encode() + b"\0" + path.read_bytes())
        cached = package_fingerprint.value = digest.hexdigest()[:16]
    return cached


def worker_facts() -> dict:
    """Run on each worker by ``preflight``."""
    return {"host": socket.gethostname(), "sandbox": sandbox.unavailable_reason(), "package": package_fingerprint()}


def preflight(client, use_sandbox: bool) -> dict:
    """Every worker can grade this batch, or ClusterError naming those that cannot (before any change)."""
    facts = client.run(worker_facts)
    problems = []
    for address, f in sorted(facts.items()):
        if use_sandbox and f["sandbox"]:
            problems.append(f"{address} ({f['host']}) cannot sandbox the kernels: {f['sandbox']}")
        if f["package"] != package_fingerprint():
            problems.append(f"{address} ({f['host']}) has another version of the course package "
                            f"({f['package']}, here {package_fingerprint()}): install the same commit there")
    if problems:
        raise ClusterError("these Dask workers refuse to grade:\n  " + "\n  ".join(problems) +
                           ("\nInstall bubblewrap there and run the worker as root, or pass --no-sandbox to grade "
                            "trusted notebooks without one." if use_sandbox and any("sandbox" in p for p in problems)
                            else "") + "\nNothing was graded and the gradebook is unchanged.")
    return facts


def pack_template(template: Path, course: Path) -> dict:
    """The batch template and the course's nbgrader_config.py as one compressed tar (plain data)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name in ("source", "release", "gradebook.db"):
            tar.add(template / name, arcname=name)
        tar.add(course / "nbgrader_config.py", arcname="nbgrader_config.py")
    blob = buffer.getvalue()
    return {"key": hashlib.sha256(blob).hexdigest()[:16], "blob": blob}


def submission_files(course: Path, student: str, assignment: str) -> dict[str, bytes]:
    folder = course / "submitted" / student / assignment
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def results(client, course: Path, assignment: str, students: list[str], template: Path, batch: Path, *,
            limits: sandbox.Limits, use_sandbox: bool, preload: list[str] | None, deadline: float):
    """Grade ``students`` on the cluster; yields result dicts like the local pool's, as they finish.

    At most as many tasks are in flight as the cluster has threads, so a worker that dies holds
    only the task it was running: another student's task is never blamed for a crash."""
    from distributed import as_completed
    from distributed.client import FutureCancelledError
    from distributed.scheduler import KilledWorker
    packed = pack_template(template, course)
    token = uuid.uuid4().hex[:8]
    common = {"assignment": assignment, "limits": limits.__dict__, "sandbox": use_sandbox, "preload": preload,
              "package": package_fingerprint()}
    waiting = list(students)
    futures = {}
    queue = as_completed(loop=client.loop)

    def submit_more():
        slots = max(sum(client.nthreads().values()), 1)
        while waiting and len(futures) < slots:
            s = waiting.pop(0)
            job = {**common, "student": s, "files": submission_files(course, s, assignment)}
            f = client.submit(grade_task, packed, job, key=f"grade-{assignment}-{s}-{token}", pure=False)
            futures[f] = s
            queue.add(f)
    try:
        submit_more()
        while futures:
            try:
                future = next(queue)   # blocks; a lost worker only delays
            except StopIteration:
                break
            student = futures.pop(future)
            try:
                r = future.result()
            except KilledWorker as exc:
                times = getattr(exc, "allowed_failures", 3) + 1
                r = crashed(course, assignment, student, template, batch, times)
            except FutureCancelledError:
                r = None
            except Exception as exc:  # noqa: BLE001 - grade_task never raises; this is Dask's own trouble
                r = {"student": student, "success": False, "seconds": 0.0, "stuck": True, "log": repr(exc),
                     "notes": [f"grading did not finish on the cluster ({type(exc).__name__}: {exc})"]}
            future.release()
            if r is not None:
                if r.get("files") is not None:
                    r["root"] = str(unpack_files(batch, assignment, student, r.pop("files")))
                yield r
            if time.monotonic() > deadline:
                for f, s in list(futures.items()) + [(None, s) for s in waiting]:
                    yield {"student": s, "success": False, "seconds": 0.0, "stuck": True, "log": "",
                           "notes": ["grading did not finish before the batch's deadline"]}
                break
            submit_more()
    finally:
        for f in futures:
            f.cancel()


def unpack_files(batch: Path, assignment: str, student: str, files: dict[str, bytes]) -> Path:
    """A local scratch root holding the autograded files a worker returned (for merge_results)."""
    root = batch / "students" / student
    dest = root / "autograded" / student / assignment
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for rel, data in files.items():
        target = (dest / rel).resolve()
        if not target.is_relative_to(dest.resolve()):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def crashed(course: Path, assignment: str, student: str, template: Path, batch: Path, times: int) -> dict:
    """A submission whose grading killed ``times`` workers: 0 for every test, with a note (done here,
    without running it again)."""
    from .grade_worker import _fallback
    from .merge_results import read_scratch
    reason = f"grading this notebook crashed the grading worker {times} times"
    root = scratch_course.build_student(template, batch, course, assignment, student)
    _fallback(root, template, student, assignment, reason)
    return {"student": student, "root": str(root), "success": False, "seconds": 0.0, "notes": [reason],
            "saved": read_scratch(root, assignment, student), "worker": "(none: every worker it ran on died)",
            "log": ""}


# --------------------------------------------------------------------------- worker side

class _Worker:
    """What one worker process keeps between tasks: its slot, folders, kernelspec and zygote."""
    lock = threading.Lock()

    def __init__(self):
        self.slot_fd, self.slot = sandbox.take_slot()
        base = None
        try:
            from distributed import get_worker
            base = Path(get_worker().local_directory)
        except Exception:  # noqa: BLE001 - not in a Dask worker (tests call grade_task directly)
            pass
        self.base = Path(tempfile.mkdtemp(prefix="grading-", dir=base))
        os.chmod(self.base, 0o711)
        self.templates: dict[str, Path] = {}
        self.kernelspecs: dict[tuple, Path] = {}
        self.zygote = None            # (key, process, folder)
        course_config.ensure_tools_on_path()
        course_config.fast_alembic_version()
        warnings.filterwarnings("ignore", message=r".*not in session, add operation along")

    def template(self, packed: dict) -> Path:
        if packed["key"] not in self.templates:
            folder = self.base / f"template-{packed['key']}"
            shutil.rmtree(folder, ignore_errors=True)
            with tarfile.open(fileobj=io.BytesIO(packed["blob"]), mode="r:gz") as tar:
                tar.extractall(folder, filter="data")
            self.templates[packed["key"]] = folder
        return self.templates[packed["key"]]

    def sandbox_env(self, limits: sandbox.Limits, preload: list[str] | None) -> bool:
        """Point Jupyter at this batch's sandbox kernelspec; (re)start the zygote; True if warm."""
        from .grade_worker import await_zygote, start_zygote
        key = tuple(sorted(limits.__dict__.items()))
        if key not in self.kernelspecs:
            self.kernelspecs[key] = sandbox.install_kernelspec(self.base / f"spec-{len(self.kernelspecs)}", limits)
        jupyter_path = self.kernelspecs[key]
        os.environ["JUPYTER_PATH"] = str(jupyter_path)
        os.environ["GRADER_SANDBOX_UID"] = str(sandbox.FIRST_UID + self.slot)
        want = (str(jupyter_path), tuple(preload or ()))
        if self.zygote and (self.zygote[0] != want or self.zygote[1].poll() is not None):
            self.zygote[1].kill()
            shutil.rmtree(self.zygote[2], ignore_errors=True)
            self.zygote = None
            os.environ.pop("GRADER_ZYGOTE", None)
        if preload and not self.zygote:
            folder = Path(tempfile.mkdtemp(prefix="grz-"))   # short: the socket path
            shutil.rmtree(folder)
            try:
                proc, folder = start_zygote(jupyter_path, list(preload), folder)
                os.environ.pop("GRADER_ZYGOTE", None)
                await_zygote(proc, folder)
                self.zygote = (want, proc, folder)
            except OSError:
                pass
        if not preload:
            os.environ.pop("GRADER_ZYGOTE", None)
        return bool(os.environ.get("GRADER_ZYGOTE"))


_state: _Worker | None = None


def grade_task(packed: dict, job: dict) -> dict:
    """One student, on a worker: returns the grading summary, the scratch gradebook's content and
    the autograded files. Never raises for the student's sake; refuses (``refused``) to grade
    without a sandbox (unless the job says so) or with another course package."""
    global _state
    from .grade_worker import grade_student
    with _Worker.lock:          # one grading at a time per worker process (the sandbox env is global)
        start = time.perf_counter()
        try:
            from distributed import get_worker
            where = get_worker().address
        except Exception:  # noqa: BLE001
            where = f"pid {os.getpid()}"
        where = f"{where} ({socket.gethostname()})"
        student, assignment = job["student"], job["assignment"]
        refused = None
        if job["package"] != package_fingerprint():
            refused = (f"this worker has another version of the course package ({package_fingerprint()}, "
                       f"the parent {job['package']})")
        elif job["sandbox"] and (reason := sandbox.unavailable_reason()):
            refused = f"this worker cannot sandbox the kernels: {reason}"
        if refused:
            return {"student": student, "refused": refused, "worker": where, "success": False, "seconds": 0.0,
                    "notes": [refused], "log": ""}
        if _state is None:
            _state = _Worker()
        template = _state.template(packed)
        limits = sandbox.Limits(**job["limits"])
        if job["sandbox"]:
            _state.sandbox_env(limits, job["preload"])
        incoming = _state.base / "incoming"
        folder = incoming / "submitted" / student / assignment
        shutil.rmtree(incoming, ignore_errors=True)
        folder.mkdir(parents=True)
        for rel, data in job["files"].items():
            target = (folder / rel).resolve()
            if target.is_relative_to(folder.resolve()):
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        batch = _state.base / "batch"
        root = scratch_course.build_student(template, batch, incoming, assignment, student)
        try:
            r = grade_student({"root": str(root), "template": str(template), "course": str(template),
                               "student": student, "assignment": assignment, "limits": job["limits"],
                               "sandbox": job["sandbox"]})
            graded = root / "autograded" / student / assignment
            r["files"] = {str(p.relative_to(graded)): p.read_bytes()
                          for p in sorted(graded.rglob("*")) if p.is_file()} if graded.is_dir() else {}
        finally:
            runtime = root / "runtime"
            if runtime.is_symlink():
                shutil.rmtree(runtime.resolve(), ignore_errors=True)
            shutil.rmtree(root, ignore_errors=True)
            shutil.rmtree(incoming, ignore_errors=True)
        r.pop("root", None)
        r["worker"] = where
        r["phases"]["on the worker, total"] = time.perf_counter() - start
        return r

