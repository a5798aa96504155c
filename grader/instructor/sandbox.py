"""The grading sandbox: a per-batch kernelspec whose kernels run under bubblewrap with limits.

Only the kernel is sandboxed; nbgrader (trusted) keeps the gradebook. The kernel sees the
Python installation, the venv and the grader package read-only, its own runtime folder
(ZMQ over IPC sockets, no network namespace) and one writable work folder. It runs as an
unprivileged uid (one per worker slot, so RLIMIT_NPROC, which counts per real uid, is
per submission) with every capability dropped.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]          # .../grader
KERNEL_NAME = "convnets-sandbox"
FIRST_UID = 61000                                         # slot n runs as uid FIRST_UID + n
# Slots are machine-wide (a lock file each): two batches graded at once on one machine (two courses,
# a Dask worker beside a local run, parallel test workers) never share a uid, so never its process limit.
SLOT_DIR = Path("/run/convnets-grader") if os.path.isdir("/run") else Path(tempfile.gettempdir()) / "convnets-grader"
HOME = "/home/student"


@dataclass
class Limits:
    memory_mb: int = 2048         # address space of the kernel process (RLIMIT_AS)
    cpu_seconds: int = 300        # CPU time of the kernel (RLIMIT_CPU)
    wall_seconds: int = 600       # the kernel's whole life (timeout(1))
    cell_seconds: int = 60        # one cell (nbgrader's Execute.timeout)
    processes: int = 64           # processes and threads of the sandbox uid (RLIMIT_NPROC)
    file_mb: int = 64             # largest file it may write (RLIMIT_FSIZE)
    tmp_mb: int = 64              # size of its /tmp

    def describe_memory(self) -> str:
        return f"{self.memory_mb / 1024:g} GB" if self.memory_mb >= 1024 else f"{self.memory_mb} MB"


def unavailable_reason() -> str | None:
    """None when the sandbox can run here, else why not."""
    if not sys.platform.startswith("linux"):
        return "the sandbox needs Linux"
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (Debian: apt-get install bubblewrap)"
    for tool in ("setpriv", "timeout"):
        if shutil.which(tool) is None:
            return f"`{tool}` is missing (util-linux / coreutils)"
    if os.geteuid() != 0:
        return "the sandbox switches each kernel to its own uid, which needs root"
    probe = subprocess.run(["bwrap", "--unshare-net", "--ro-bind", "/", "/", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"bubblewrap cannot create namespaces here: {probe.stderr.strip()}"
    return None


def _read_only_paths() -> list[str]:
    paths = {"/usr", sys.base_prefix, sys.prefix, str(PACKAGE_DIR)}
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        p = Path("/") / name
        if p.exists() and not p.is_symlink():
            paths.add(str(p))
    for extra in ("/etc/ld.so.cache", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/alternatives",
                  "/etc/fonts", "/etc/ssl/certs"):
        if os.path.exists(extra):
            paths.add(os.path.realpath(extra) if extra == "/etc/localtime" else extra)
    # keep only paths not inside another one (a bind of a parent already shows them)
    ordered = sorted(paths, key=len)
    return [p for i, p in enumerate(ordered) if not any(p.startswith(q.rstrip("/") + "/") for q in ordered[:i])]


def _symlinks() -> list[list[str]]:
    links = []
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        p = Path("/") / name
        if p.is_symlink():
            links.append([os.readlink(p), str(p)])
    return links


def _ancestors(paths) -> list[str]:
    found = set()
    for path in paths:
        parts = path.strip("/").split("/")[:-1]
        found.update("/" + "/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return sorted(found - {"/usr"}, key=lambda d: (d.count("/"), d))


def install_kernelspec(batch_dir: Path, limits: Limits, threads: int = 1) -> Path:
    """Write the sandbox kernelspec under ``batch_dir``; returns the folder to put on JUPYTER_PATH.

    ``threads``: the compute threads each kernel may use (BLAS and TensorFlow). The grader runs one
    kernel per core, so 1 by default: with TensorFlow's own default (every core per kernel) two
    kernels training at once on 2 cores took 31-32 s each for a chapter-7 notebook, with 1 thread
    19-20 s (measured, benchmarks/grading.py)."""
    read_only = _read_only_paths()
    settings = {
        "limits": asdict(limits), "bwrap": shutil.which("bwrap"), "python": sys.executable,
        "uid": FIRST_UID, "work": str(batch_dir), "home": HOME,
        "read_only": read_only, "dirs": _ancestors(read_only), "symlinks": _symlinks(),
        "env": {"HOME": HOME, "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
                "LANG": "C.UTF-8", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0",
                "MALLOC_ARENA_MAX": "2", "OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads),
                "MKL_NUM_THREADS": str(threads), "TF_NUM_INTRAOP_THREADS": str(threads), "TF_NUM_INTEROP_THREADS": "1",
                "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp", "NBGRADER_EXECUTION": "autograde",
                "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                # the kernel imports the grader package this grader runs (the one mounted above), not
                # whatever an editable install of another checkout points at
                "PYTHONPATH": str(PACKAGE_DIR.parent)},
    }
    jupyter_dir = batch_dir / "jupyter"
    spec_dir = jupyter_dir / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    (spec_dir / "sandbox.json").write_text(json.dumps(settings, indent=1))
    launcher = Path(__file__).with_name("sandbox_launcher.py")
    spec = {"argv": [sys.executable, "-I", str(launcher), str(spec_dir / "sandbox.json"), "{connection_file}"],
            "display_name": "Python 3 (grading sandbox)", "language": "python", "interrupt_mode": "message",
            "metadata": {"debugger": False}}
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return jupyter_dir


def kernel_config(limits: Limits, runtime_dir: Path) -> dict:
    """nbgrader/traitlets settings that run a notebook in the sandbox kernel (one kernel per runtime folder)."""
    return {"Execute": {"kernel_name": KERNEL_NAME, "timeout": limits.cell_seconds, "interrupt_on_timeout": True,
                        "startup_timeout": 60},
            "KernelManager": {"transport": "ipc", "connection_file": str(runtime_dir.resolve() / "kernel.json")}}


def take_slot() -> tuple[int, int]:
    """The first free sandbox slot on this machine: (lock fd, n), held for the calling process's life.
    Its kernels run as uid FIRST_UID + n."""
    SLOT_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    for n in range(1000):
        fd = os.open(SLOT_DIR / f"slot-{n}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        # Nobody holds the slot, so whatever still runs as its uid is left over from a grader that
        # died (a SIGKILLed Dask worker's kernels would otherwise run on to their wall-time limit).
        subprocess.run(["pkill", "-KILL", "-U", str(FIRST_UID + n)], capture_output=True)
        return fd, n
    raise RuntimeError("no free grading slot on this machine")
