import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
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
    offline guard is an IPython start-up file of the build's kernels); its html folder."""
    import subprocess
    from offline import OFFLINE_GUARD
    out = tmp_path_factory.mktemp("book")
    startup = out / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    # each kernel notes that it ran the guard: tests/book/test_build.py counts them against the lessons
    (startup / "00-offline.py").write_text(OFFLINE_GUARD + f"\nopen({str(out / 'guarded.log')!r}, 'a').write('kernel\\n')\n")
    jb = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jb), "build", str(ROOT), "--path-output", str(out), "--warningiserror",
                             "--nitpick", "--keep-going"], capture_output=True, text=True, timeout=1500,
                            env={**os.environ, "IPYTHONDIR": str(out / "ipython")})
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    return out / "_build" / "html"
