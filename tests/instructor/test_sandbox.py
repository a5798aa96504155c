"""The grading kernel, warm (forked by the zygote) or cold (a fresh interpreter), runs inside the
same bubblewrap sandbox: unprivileged, no network, its own PID namespace, the limits set, only
its work folder and /tmp writable, the zygote's socket out of reach; and it dies with the sandbox.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from benchmarks import synthetic_class
from grader.instructor import batch_autograde, collect, course_config, grade_worker, sandbox
from grader.authoring.notebooks import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("instructor")]
# Generous time limits: importing TensorFlow on a loaded 2-core CI machine took over 2 minutes.
LIMITS = sandbox.Limits(memory_mb=1536, cpu_seconds=200, wall_seconds=600, processes=40, file_mb=8)

PROBE = r'''
import json, os, resource, socket, sys
def can_write(path):
    try:
        open(path, "w").write("x"); return True
    except OSError:
        return False
status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines() if ":" in l)
try:
    socket.create_connection(("1.1.1.1", 80), timeout=2); network = True
except OSError:
    network = False
# a daemon that tries to outlive the kernel (and wait for the next student's files)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "300"])
    os._exit(0)
print(json.dumps({
    "uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
    "caps": {k: status[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")},
    "no_new_privs": status["NoNewPrivs"].strip(), "cwd": os.getcwd(), "network": network,
    "interfaces": sorted(l.split(":")[0].strip() for l in open("/proc/net/dev").read().splitlines()[2:]),
    "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "limits": {n: resource.getrlimit(getattr(resource, n))[0] for n in ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_NPROC", "RLIMIT_FSIZE")},
    "writable": {name: can_write(path) for name, path in (("work", "/home/student/x"), ("tmp", "/tmp/x"),
                 ("usr", "/usr/x"), ("venv", sys.prefix + "/x"), ("zygote", "%(zygote)s/x"))},
    "zygote_visible": os.path.exists("%(zygote)s"),
    "preloaded": "scipy.signal" in sys.modules,
    "env_home": os.environ.get("HOME"), "sys_path": sys.path, "argv0": sys.argv[0],
    "isolated": sys.flags.isolated, "environ": sorted(os.environ),
}))
'''


HELD_SLOTS: list[tuple[int, int]] = []


def run_probe(batch: Path, warm: bool, code: str = PROBE,
              modules: tuple = ("numpy", "scipy.signal", "ipykernel.kernelapp")):
    from jupyter_client import KernelManager
    jupyter = sandbox.install_kernelspec(batch, LIMITS)
    saved = dict(os.environ)
    zygote = None
    if not HELD_SLOTS:             # one slot, held until the tests end: nobody else runs as its uid meanwhile
        HELD_SLOTS.append(sandbox.take_slot())
    uid = sandbox.FIRST_UID + HELD_SLOTS[0][1]
    try:
        os.environ.update({"JUPYTER_PATH": str(jupyter), "GRADER_SANDBOX_WORK": str(batch / "work"),
                           "GRADER_SANDBOX_UID": str(uid)})
        os.environ.pop("GRADER_ZYGOTE", None)
        (batch / "work").mkdir()
        runtime = Path(tempfile.mkdtemp(prefix="grk-"))
        if warm:
            zygote = grade_worker.start_zygote(jupyter, list(modules),
                                               Path(tempfile.mkdtemp(prefix="grz-")) / "z")
            grade_worker.await_zygote(*zygote, timeout=600)
            assert "GRADER_ZYGOTE" in os.environ, (zygote[1] / "zygote.log").read_text()
        folder = str(zygote[1]) if zygote else "/nonexistent-zygote"
        km = KernelManager(kernel_name=sandbox.KERNEL_NAME, transport="ipc",
                           connection_file=str(runtime / "kernel.json"))
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=300)
        out = []
        kc.execute_interactive(code % {"zygote": folder}, timeout=500,   # stdout only: warnings go to stderr
                               output_hook=lambda m: out.append(m["content"].get("text", "")
                                                                if m["content"].get("name") == "stdout" else ""))
        kc.stop_channels()
        launcher = km.provisioner.process.pid
        km.shutdown_kernel(now=True)
        shutil.rmtree(runtime, ignore_errors=True)
        return {**json.loads("".join(out)), "slot_uid": uid}, launcher
    finally:
        if zygote:
            zygote[0].kill()
            shutil.rmtree(zygote[1].parent, ignore_errors=True)
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def probes(tmp_path_factory):
    if reason := sandbox.unavailable_reason():
        pytest.skip(f"no sandbox here: {reason}")
    return {kind: run_probe(tmp_path_factory.mktemp(kind), kind == "warm") for kind in ("warm", "cold")}


@pytest.fixture(params=["warm", "cold"])
def probe(request, probes):
    return request.param, *probes[request.param]


def test_kernel_is_unprivileged(probe):
    kind, facts, _ = probe
    assert facts["uid"] == facts["gid"] == facts["slot_uid"] >= sandbox.FIRST_UID and facts["groups"] == []
    assert set(facts["caps"].values()) == {"0000000000000000"}, facts["caps"]
    assert facts["no_new_privs"] == "1"


def test_kernel_has_no_network_and_its_own_pids(probe):
    kind, facts, _ = probe
    assert facts["network"] is False and facts["interfaces"] == ["lo"]
    assert max(facts["pids"]) < 50, facts["pids"]        # the host's processes are not visible


def test_kernel_has_the_limits_and_home(probe):
    kind, facts, _ = probe
    assert facts["limits"] == {"RLIMIT_AS": LIMITS.memory_mb * 2 ** 20, "RLIMIT_CPU": LIMITS.cpu_seconds,
                               "RLIMIT_NPROC": LIMITS.processes, "RLIMIT_FSIZE": LIMITS.file_mb * 2 ** 20}
    assert facts["cwd"] == sandbox.HOME == facts["env_home"]


def test_warm_and_cold_kernels_see_the_same_interpreter(probes):
    warm, cold = probes["warm"][0], probes["cold"][0]
    for key in ("sys_path", "argv0", "isolated", "environ", "limits", "uid", "writable"):
        assert warm[key] == cold[key], key
    assert "" in warm["sys_path"] and sandbox.HOME not in warm["sys_path"]


def test_only_work_and_tmp_are_writable(probe):
    kind, facts, _ = probe
    writable = [p for p, ok in facts["writable"].items() if ok]
    assert writable == ["work", "tmp"]
    assert facts["zygote_visible"] is False


def test_warm_kernels_are_preloaded_and_cold_ones_not(probe):
    kind, facts, _ = probe
    assert facts["preloaded"] is (kind == "warm")


def test_sandbox_ends_with_the_kernel(probe):
    """Nothing the kernel started outlives it: its PID namespace dies with the sandbox."""
    kind, facts, launcher = probe
    with pytest.raises(ProcessLookupError):
        os.kill(launcher, 0)
    for _ in range(50):     # SIGKILL is delivered asynchronously: allow it a moment
        leftover = [p for p in os.listdir("/proc") if p.isdigit() and _uid(p) == facts["slot_uid"]]
        if not leftover:
            break
        time.sleep(0.1)
    assert leftover == [], [open(f"/proc/{p}/cmdline").read() for p in leftover]


def _uid(pid: str) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def _graded_cells(course: Path, chapter: str, students) -> dict:
    with course_config.gradebook(course_config.db_url(course)) as gb:
        return {s: [(g.name, g.auto_score) for g in gb.find_submission_notebook(chapter, chapter, s).grades]
                for s in students}


def test_tensorflow_class_grades_warm_like_cold(tmp_path):
    """Chapters 7-11: the zygote preloads keras (and TensorFlow through it); every forked kernel
    starts TensorFlow's thread pools itself. A chapter-7 class graded with warm kernels gets the
    cold kernels' score in every cell, and no kernel hangs (run it with -n 2 next to other tests)."""
    if reason := sandbox.unavailable_reason():
        pytest.skip(f"no sandbox here: {reason}")
    chapter = "ch07_keras_convnets"
    modules = batch_autograde.warm_modules(ROOT / "solutions" / chapter)
    assert "keras" in modules and "numpy" in modules
    students = synthetic_class.honest_for(chapter, 3)    # full, blank, every other answer
    synthetic_class.write_for(chapter, tmp_path / "incoming", students)
    limits = sandbox.Limits(memory_mb=2048, cell_seconds=240, cpu_seconds=400, wall_seconds=900, processes=64)
    results, cells = {}, {}
    for mode in ("warm", "cold"):
        course = tmp_path / mode
        course.mkdir()
        shutil.copy(ROOT / "nbgrader_config.py", course)
        shutil.copytree(ROOT / "solutions" / chapter, course / "solutions" / chapter)
        collect.collect(tmp_path / "incoming", course, chapter, db_url=course_config.db_url(course))
        results[mode] = batch_autograde.autograde(course, chapter, workers=2, limits=limits, progress=False,
                                                  warm=mode == "warm")
        cells[mode] = _graded_cells(course, chapter, students)
    assert results["warm"].warm_kernels == len(students), results["warm"].summary()
    assert results["cold"].warm_kernels == 0
    assert cells["warm"] == cells["cold"], (results["warm"].summary(), results["cold"].summary())
    assert {s: r["notes"] for s, r in results["warm"].students.items()} == \
        {s: r["notes"] for s, r in results["cold"].students.items()}
    full = next(s for s in students if s.endswith("full"))
    assert results["warm"].students[full]["score"] == results["warm"].students[full]["max_score"] > 0


def test_zygote_refuses_a_preload_that_started_tensorflows_runtime(tmp_path):
    """Why forked TensorFlow kernels hung: once a process has run one TensorFlow op, its runtime's
    thread pools exist, and a child forked from it blocks forever on its first op (measured: import
    only → the child trains; one op before the fork → the child hangs, 2 of 2). Importing keras
    starts no thread in the sandbox's environment; anything that runs an op does, and the zygote
    then refuses to serve (the worker grades with cold kernels) instead of forking hung kernels."""
    spec = sandbox.install_kernelspec(tmp_path / "batch", LIMITS) / "kernels" / sandbox.KERNEL_NAME / "sandbox.json"
    env = {**json.loads(spec.read_text())["env"], "HOME": str(tmp_path),
           "PYTHONPATH": f"{tmp_path}:{Path(grade_worker.__file__).parent}"}
    (tmp_path / "runs_an_op.py").write_text("import tensorflow as tf\n(tf.constant(1.0) + 1.0).numpy()\n")
    code = ("import kernel_zygote as z\nprint(z.preload(['keras']), z.threads())\n"
            "try:\n    z.preload(['runs_an_op'])\nexcept RuntimeError as e:\n    print('refused:', e)\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    lines = out.stdout.splitlines()
    assert lines[:1] == ["[] 1"], out.stdout + out.stderr
    assert lines[1].startswith("refused: preloading ['runs_an_op'] started"), out.stdout
    assert lines[1].endswith("warm kernels need none"), out.stdout


def test_a_new_slot_holder_ends_what_a_dead_grader_left_running():
    """A SIGKILLed grader (a lost Dask worker) cannot stop its kernels; the next process that takes
    its slot ends whatever still runs as the slot's uid before grading with it."""
    if os.geteuid() != 0:
        pytest.skip("runs a process as the sandbox uid, which needs root")
    for _ in range(5):                   # other graders on this machine may take slots meanwhile
        fd, n = sandbox.take_slot()
        os.close(fd)
        orphan = subprocess.Popen(["setpriv", f"--reuid={sandbox.FIRST_UID + n}", f"--regid={sandbox.FIRST_UID + n}",
                                   "--clear-groups", "sleep", "600"])
        time.sleep(0.2)
        fd, again = sandbox.take_slot()
        os.close(fd)
        if again == n:
            assert orphan.wait(timeout=10) == -9
            return
        orphan.kill()
        orphan.wait()
    pytest.skip("the slot was taken by another grader each time")
