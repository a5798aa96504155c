"""The course's nbgrader configuration as a traitlets Config, with per-run overrides."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from traitlets.config import Config

# The gradebook's course id; nbgrader_config.py sets the same. PostgreSQL needs a non-empty one
# (nbgrader's tables reference the course row by it).
COURSE_ID = "convnets-hands-on"
from traitlets.config.loader import PyFileConfigLoader


def load(course: Path, **overrides: dict) -> Config:
    """``course/nbgrader_config.py`` merged with ``{"Section": {"trait": value}}`` overrides."""
    cwd = os.getcwd()
    sys.path.insert(0, str(course))
    try:
        os.chdir(course)
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    finally:
        os.chdir(cwd)
        sys.path.remove(str(course))
    config.CourseDirectory.root = str(course)
    config.merge(Config(overrides))
    return config


def db_url(course: Path) -> str:
    """The gradebook URL the course uses (relative SQLite paths resolved against the course)."""
    url = load(course).CourseDirectory.db_url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = "sqlite:///" + str(course / url[len("sqlite:///"):])
    return url


def ensure_tools_on_path() -> None:
    """nbgrader's Gradebook runs `alembic`, which lives next to this interpreter."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def gradebook(db_url: str):
    """nbgrader's Gradebook for this course (its rows carry the course id)."""
    from nbgrader.api import Gradebook
    fast_alembic_version()
    return Gradebook(db_url, course_id=COURSE_ID)


def fast_alembic_version() -> None:
    """Creating a gradebook makes nbgrader run ``alembic heads`` in a subprocess to stamp the
    schema version (2-7 s, once per new database: every batch template, every scratch course
    nbgrader creates). Answer it in-process from the same alembic scripts; identical value,
    and nbgrader's own function is used whenever the scripts do not have exactly one head."""
    import nbgrader.api as api
    if getattr(api.get_alembic_version, "_in_process", False):
        return
    original = api.get_alembic_version

    def get_alembic_version() -> str:
        if not hasattr(get_alembic_version, "head"):
            try:
                from alembic.script import ScriptDirectory
                from nbgrader.dbutil import ALEMBIC_DIR
                heads = ScriptDirectory(ALEMBIC_DIR).get_heads()
                get_alembic_version.head = heads[0] if len(heads) == 1 else None
            except Exception:  # noqa: BLE001
                get_alembic_version.head = None
        return get_alembic_version.head or original()
    get_alembic_version._in_process = True
    api.get_alembic_version = get_alembic_version
