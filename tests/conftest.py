import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Under pytest-xdist the workers train at once; TensorFlow's default gives each every core, and two
# chapter-7 notebooks training side by side on 2 cores took 31-32 s each instead of 19-20 s with a
# thread each. Each worker (and the kernels it starts) gets its share, as the grader's kernels do.
if os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    _share = str(max(1, (os.cpu_count() or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"])))
    for _var in ("TF_NUM_INTRAOP_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, _share)
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
# nbgrader's Gradebook runs `alembic`, installed next to this interpreter.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")

from grader import binder  # noqa: E402


@pytest.fixture
def student():
    """A fresh student namespace, bound as a notebook's globals() would be."""
    namespace: dict = {}
    binder.bind(namespace)
    yield namespace
    binder._namespace = None


@pytest.fixture(scope="session")
def book_html(tmp_path_factory):
    """The book built from scratch with warnings as errors, every lesson executed offline (the
    offline guard is an IPython start-up file of the build's kernels); its html folder.

    BOOK_HTML=<folder> reuses a book already built (e.g. `make book`: _build/html) instead, for
    working on the browser tests; the test that counts the offline guard's kernels then skips."""
    import subprocess
    if os.environ.get("BOOK_HTML"):
        return Path(os.environ["BOOK_HTML"]).resolve()
    from offline import OFFLINE_GUARD
    out = tmp_path_factory.mktemp("book")
    startup = out / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    # each kernel notes that it ran the guard: tests/book/test_build.py counts them against the lessons
    (startup / "00-offline.py").write_text(OFFLINE_GUARD + f"\nopen({str(out / 'guarded.log')!r}, 'a').write('kernel\\n')\n")
    jb = Path(sys.executable).parent / "jupyter-book"
    # A cold build executes every lesson: about 10 minutes on an idle 2-core machine, several times
    # that under load (the per-cell limit is _config.yml's execute.timeout).
    result = subprocess.run([str(jb), "build", str(ROOT), "--path-output", str(out), "--warningiserror",
                             "--nitpick", "--keep-going"], capture_output=True, text=True, timeout=4 * 3600,
                            env={**os.environ, "IPYTHONDIR": str(out / "ipython")})
    assert result.returncode == 0, build_failure(result.stdout + "\n" + result.stderr)
    return out / "_build" / "html"


def build_failure(log: str) -> str:
    """What went wrong in a failed book build, most telling first: each notebook that failed to
    execute with the end of its traceback (a timed-out cell shows its code), the time each page
    took, then every warning."""
    import re
    log = re.sub(r"\x1b\[[0-9;]*m", "", log)
    parts = []
    for m in re.finditer(r"^(\S+): WARNING: Executing notebook failed: (\w+)", log, re.M):
        tail = log[m.end():m.end() + 20000].split("[mystnb.exec]", 1)[0].strip().splitlines()
        parts.append(f"{m.group(1)} failed to execute ({m.group(2)}):\n    " + "\n    ".join(tail[-15:]))
    crash = re.search(r"Exception occurred:\n(.*?)(?:\nThe full traceback|\Z)", log, re.S)
    if crash:   # e.g. a kernel that died (DeadKernelError) stops the whole build
        reading = re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", log)
        parts.append(f"the build stopped while reading {reading[-1] if reading else '?'}:\n    "
                     + "\n    ".join(crash.group(1).strip().splitlines()[-6:]))
    times = re.findall(r"^(\S+): Executed notebook in ([\d.]+) seconds", log, re.M)
    if times:
        parts.append("executed: " + ", ".join(f"{Path(page).stem} {float(t):.0f} s" for page, t in times))
    warnings = list(dict.fromkeys(line for line in log.splitlines()
                                  if re.search(r"(WARNING|ERROR|CRITICAL):", line) and "absl::" not in line
                                  and "Kernel is running over TCP" not in line))
    parts.append(f"{len(warnings)} warning(s):\n  " + "\n  ".join(warnings[:40]))
    if not warnings:
        parts.append(log[-5000:])
    return "the book build failed\n" + "\n\n".join(parts)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """`make test` relies on --dist loadgroup to build the book, the hub and each shared course once
    per run (one worker per group). pytest 9.2 silently broke the grouping of pytest-xdist 3.8
    (pytest-xdist issue #1386): every worker then built the book. Fail loudly instead."""
    if not getattr(config.option, "loadgroup", False):
        return
    grouped = [item for item in items if item.get_closest_marker("xdist_group")]
    if grouped and not all("@" in item.nodeid for item in grouped):
        raise pytest.UsageError("--dist loadgroup does not group tests with this pytest/pytest-xdist pair "
                                "(pytest-xdist issue #1386): install the versions pinned in requirements.txt")
