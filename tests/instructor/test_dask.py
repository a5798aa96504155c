"""Grading on a Dask cluster: a real `dask scheduler` and two `dask worker` processes on 127.0.0.1.

Each worker runs in its own temporary folder and its own mount namespace, in which the course
folder is hidden under an empty tmpfs: the tasks must carry everything they need. One class is
graded on the cluster once per module, through the command line as an instructor would:
interrupted with Ctrl-C after a few students, then resumed with ``--resume`` while one worker is
SIGKILLed in the middle of grading someone and one submission kills every worker that grades
it. The gradebook must then hold every student exactly once with the scores, per-cell grades
and notes of the local path (graded once, as the reference).
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import synthetic_class
from grader.authoring.notebooks import ROOT
from grader.instructor import batch_autograde, collect, course_config, dask_grading, sandbox

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("instructor")]
CHAPTER = synthetic_class.CHAPTER
BIN = Path(sys.executable).parent
LIMITS = ["--memory-mb", "1024", "--cell-timeout", "20", "--cpu-seconds", "120", "--wall-seconds", "300",
          "--processes", "48"]
CRASHER = "zz_crashes_the_worker"      # graded last: after the worker kill
# A submission whose outputs (600 MB of text) fill the grading worker's memory: the nanny ends the
# worker at 95 % of --memory-limit, every time, on every worker. (Pausing and spilling are off: an
# honest worker near the limit must not pause for good.)
CRASH = ("import sys\nline = 'x' * 30_000_000\nfor _ in range(20):\n    print(line)\n    sys.stdout.flush()")
WORKER_MEMORY = "700MB"
ALLOWED_FAILURES = 1                   # the scheduler's setting: 2 dead workers and the task is given up


def the_class() -> dict:
    h, x = synthetic_class.honest(), synthetic_class.hostile()
    picked = {**h, **{k: x[k] for k in ("invalid_json", "missing", "deleted_test", "changed_metadata",
                                        "fake_questions", "hostile_eq", "snoop", "huge_output")}}
    assert len(picked) == 12
    return picked


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_course(root: Path, incoming: Path) -> Path:
    """A course holding chapter 1 and the class (autograde generates the assignment in its gradebook)."""
    root.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions" / CHAPTER, root / "solutions" / CHAPTER)
    collect.collect(incoming, root, CHAPTER, db_url=course_config.db_url(root))
    return root


def _interruptible() -> None:
    # A test run started in the background by a non-interactive shell (`sh -c 'make test' &`, nohup)
    # inherits SIGINT ignored, and so would the batch: give it the terminal's default, as an
    # instructor's shell does, or the test's Ctrl-C changes nothing (seen in such a make test).
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def cli(course: Path, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "grader", "autograde", CHAPTER, "--course", str(course),
                             *LIMITS, *args], cwd=course, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=_interruptible,
                            **kwargs)


class Cluster:
    def __init__(self, tmp: Path, hidden: Path):
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": f"{BIN}:{os.environ['PATH']}",
               "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(ALLOWED_FAILURES),
               "DASK_DISTRIBUTED__WORKER__MEMORY__PAUSE": "false", "DASK_DISTRIBUTED__WORKER__MEMORY__SPILL": "false",
               "DASK_DISTRIBUTED__WORKER__MEMORY__TARGET": "false"}
        self.procs = []
        (tmp / "scheduler").mkdir()
        self.procs.append(subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port",
                                            str(self.port), "--no-dashboard"], cwd=tmp / "scheduler", env=env,
                                           stdout=subprocess.DEVNULL, stderr=open(tmp / "scheduler.log", "w")))
        for name in ("w1", "w2"):
            folder = tmp / name
            folder.mkdir()
            # the worker's own mount namespace: the instructor's course folder is an empty tmpfs there
            script = (f"mount -t tmpfs -o size=1m none {hidden} && exec {BIN / 'dask'} worker {self.address} "
                      f"--nthreads 1 --memory-limit {WORKER_MEMORY} --local-directory {folder} --no-dashboard "
                      f"--name {name}")
            self.procs.append(subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                                               cwd=folder, env=env, stdout=subprocess.DEVNULL,
                                               stderr=open(tmp / f"{name}.log", "w")))
        from distributed import Client
        self.client = Client(self.address, timeout="60s", set_as_default=False)
        self.client.wait_for_workers(2, timeout=180)

    def processing(self) -> dict:
        """worker address -> students it is grading now."""
        return {w: [k.split("-")[2] if isinstance(k, str) else k for k in keys]
                for w, keys in self.client.processing().items()}

    def close(self):
        self.client.close()
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def _grades(course: Path, students) -> dict:
    with course_config.gradebook(course_config.db_url(course)) as gb:
        return {s: [(g.name, g.auto_score, g.needs_manual_grade)
                    for g in gb.find_submission_notebook(CHAPTER, CHAPTER, s).grades] for s in students}


def _feedback_notes(course: Path, student: str) -> str:
    path = course / "autograded" / student / CHAPTER / f"{CHAPTER}.ipynb"
    return path.read_text() if path.exists() else ""


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if reason := sandbox.unavailable_reason():
        pytest.skip(f"no sandbox here: {reason}")
    tmp = tmp_path_factory.mktemp("dask")
    courses = tmp / "courses"                       # hidden from the workers
    incoming = courses / "incoming"
    synthetic_class.write(incoming, the_class())
    local = new_course(courses / "local", incoming)
    synthetic_class.write(incoming, {CRASHER: synthetic_class._with(synthetic_class.notebooks.solution_sources(
        CHAPTER), q2_answer=CRASH)})
    remote = new_course(courses / "cluster", incoming)
    cluster = Cluster(tmp, courses)
    try:
        # the reference: the local pool (graded while the cluster starts)
        reference = cli(local, "-j", "2")
        seen = cluster.client.run(lambda: os.path.exists(str(remote / "submitted")))
        # 1. Ctrl-C after three students
        run = cli(remote, "--scheduler", cluster.address)
        db = remote / "gradebook.db"
        deadline = time.monotonic() + 1800      # a loaded machine: each worker's first task imports a lot
        while time.monotonic() < deadline and run.poll() is None:
            if len(batch_autograde.graded_students(remote, course_config.db_url(remote), CHAPTER)) >= 2:
                break
            time.sleep(0.2)
        # Ctrl-C, and again every 5 s while it runs, as an impatient instructor would (each signal
        # sent is in the failure message)
        signals = []
        while run.poll() is None and len(signals) < 20:
            run.send_signal(signal.SIGINT)
            signals.append(len(batch_autograde.graded_students(remote, course_config.db_url(remote), CHAPTER)))
            try:
                run.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        interrupted = (*run.communicate(timeout=300), run.returncode, signals)
        after_interrupt = batch_autograde.graded_students(remote, course_config.db_url(remote), CHAPTER)
        # 2. --resume, with one worker SIGKILLed while it grades someone
        run = cli(remote, "--scheduler", cluster.address, "--resume")
        killed = None
        deadline = time.monotonic() + 900
        while killed is None and time.monotonic() < deadline and run.poll() is None:
            for address, students in cluster.processing().items():
                victims = [s for s in students if s != CRASHER]
                if victims:
                    time.sleep(2)                  # well into that student's grading
                    if victims[0] in cluster.processing().get(address, []):
                        pid = cluster.client.run(os.getpid, workers=[address])[address]
                        os.kill(pid, signal.SIGKILL)
                        killed = {"address": address, "student": victims[0]}
                    break
            time.sleep(0.2)
        out, err = run.communicate(timeout=1200)
        ref_out, ref_err = reference.communicate(timeout=1200)
        # 3. --resume again: nothing left to grade
        db_before = db.read_bytes()
        again = subprocess.run([sys.executable, "-m", "grader", "autograde", CHAPTER, "--course", str(remote),
                                "--scheduler", cluster.address, "--resume"], cwd=remote, capture_output=True,
                               text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
        db_unchanged = db.read_bytes() == db_before
    finally:
        cluster.close()
    return {"local": local, "remote": remote, "seen": seen, "interrupted": interrupted,
            "after_interrupt": after_interrupt, "killed": killed, "out": out, "err": err,
            "ref_out": ref_out, "ref_err": ref_err, "again": again, "db_unchanged": db_unchanged, "students": the_class()}


def test_workers_cannot_see_the_course(graded):
    assert graded["seen"] and not any(graded["seen"].values())


def test_ctrl_c_keeps_only_complete_results(graded):
    out, err, code, signals = graded["interrupted"]
    assert signals, "the batch ended before the test could interrupt it:\n" + out + err
    assert code == 130 and "INTERRUPTED" in out and "--resume" in out, \
        f"SIGINT sent with {signals} students graded; exit code {code}\n" + out + err
    assert 2 <= len(graded["after_interrupt"]) < 13
    for s in graded["after_interrupt"]:            # complete: feedback notebook and gradebook entry
        assert _feedback_notes(graded["remote"], s)


def test_cluster_grades_like_the_local_pool(graded):
    students = sorted(graded["students"])
    assert _grades(graded["remote"], students) == _grades(graded["local"], students), graded["out"] + graded["err"]
    for s in students:
        local, remote = _feedback_notes(graded["local"], s), _feedback_notes(graded["remote"], s)
        assert json.loads(local)["cells"][0] == json.loads(remote)["cells"][0] if local else not remote


def test_each_student_once_after_a_killed_worker(graded):
    killed = graded["killed"]
    assert killed, "no worker was killed mid-grading: " + graded["out"]
    with course_config.gradebook(course_config.db_url(graded["remote"])) as gb:
        ids = [s.student.id for s in gb.find_assignment(CHAPTER).submissions]
    assert sorted(ids) == sorted([*graded["students"], CRASHER])
    by_worker = {l.split(" (")[0].strip(): l.rsplit(": ", 1)[1].split(", ")
                 for l in graded["out"].splitlines() if l.startswith("  tcp://")}
    graders = [w for w, names in by_worker.items() if killed["student"] in names]
    assert len(graders) == 1 and graders[0] != killed["address"], (killed, graded["out"])   # graded elsewhere


def test_a_submission_that_crashes_workers_scores_zero_with_a_note(graded):
    with course_config.gradebook(course_config.db_url(graded["remote"])) as gb:
        assert gb.find_submission(CHAPTER, CRASHER).score == 0
    note = f"crashed the grading worker {ALLOWED_FAILURES + 1} times"
    assert note in _feedback_notes(graded["remote"], CRASHER)
    assert note in graded["out"]


def test_summary_says_who_graded_whom(graded):
    out = graded["out"]
    assert "graded by:" in out and out.count("  tcp://127.0.0.1:") >= 2, out


def test_resume_grades_only_what_is_missing(graded):
    again = graded["again"]
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 submissions graded" in again.stdout and "not graded again (--resume): 13" in again.stdout
    assert graded["db_unchanged"]


def test_unreachable_scheduler_changes_nothing(tmp_path):
    incoming = tmp_path / "incoming"
    synthetic_class.write(incoming, {"full": synthetic_class.honest()["full"]})
    course = new_course(tmp_path / "course", incoming)
    before = {p: p.read_bytes() for p in course.rglob("*") if p.is_file()}
    run = cli(course, "--scheduler", f"tcp://127.0.0.1:{free_port()}")
    out, err = run.communicate(timeout=120)
    assert run.returncode == 1 and "cannot reach the Dask scheduler" in err and "unchanged" in err, out + err
    assert {p: p.read_bytes() for p in course.rglob("*") if p.is_file()} == before


def test_worker_refuses_another_package_or_no_sandbox(monkeypatch):
    job = {"student": "s", "assignment": CHAPTER, "package": "not this one", "sandbox": True}
    r = dask_grading.grade_task({"key": "k", "blob": b""}, job)
    assert "another version of the course package" in r["refused"]
    monkeypatch.setattr(sandbox, "unavailable_reason", lambda: "bubblewrap is not installed")
    r = dask_grading.grade_task({"key": "k", "blob": b""}, {**job, "package": dask_grading.package_fingerprint()})
    assert r["refused"] == "this worker cannot sandbox the kernels: bubblewrap is not installed"
