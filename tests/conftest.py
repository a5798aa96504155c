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
