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
    return Gradebook(db_url, course_id=COURSE_ID)
