"""The parallel tool merges into a PostgreSQL gradebook (nbgrader's db_url) as well as SQLite.

Starts a throw-away PostgreSQL server (Debian package `postgresql`, installed here if missing)."""
import csv
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import synthetic_class
from grader.instructor import batch_autograde, collect, course_config, sandbox
from grader.authoring.notebooks import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("instructor")]
CHAPTER = synthetic_class.CHAPTER
NBGRADER = str(Path(sys.executable).parent / "nbgrader")


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"], capture_output=True)
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    pytest.importorskip("psycopg2", reason="psycopg2-binary is needed for nbgrader's PostgreSQL db_url")
    bindir = pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed and could not be (apt-get install postgresql)")
    if os.geteuid() == 0:
        run_as = ["runuser", "-u", "postgres", "--"]
    else:
        run_as = []
    import tempfile
    data = Path(tempfile.mkdtemp(prefix="pg-"))  # the postgres user must reach it: not under root's 0700 folders
    os.chmod(data, 0o777)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cluster = data / "cluster"
    init = subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(cluster), "-A", "trust", "-U", "postgres"],
                          capture_output=True, text=True)
    if init.returncode:
        pytest.skip(f"PostgreSQL could not be initialised here: {init.stderr[-500:]}")
    start = subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(cluster), "-l", str(data / "log"), "-w",
                            "-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start"],
                           capture_output=True, text=True)
    if start.returncode:
        pytest.skip(f"PostgreSQL could not be started here: {start.stderr[-500:]}")
    try:
        subprocess.run([*run_as, str(bindir / "createdb"), "-h", str(data), "-p", str(port), "gradebook"], check=True)
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(cluster), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def test_parallel_autograde_into_postgres(postgres, tmp_path, monkeypatch):
    if reason := sandbox.unavailable_reason():
        pytest.skip(f"no sandbox here: {reason}")
    monkeypatch.setenv("NBGRADER_DB_URL", postgres)
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / CHAPTER, course / "solutions" / CHAPTER)
    assert course_config.db_url(course) == postgres
    students = {k: v for k, v in synthetic_class.honest().items() if k in ("full", "blank", "half")}
    students["infinite_loop"] = synthetic_class.hostile()["infinite_loop"]
    synthetic_class.write(tmp_path / "incoming", students)
    collect.collect(tmp_path / "incoming", course, CHAPTER, db_url=postgres)
    limits = sandbox.Limits(memory_mb=1024, cell_seconds=20)
    batch_autograde.autograde(course, CHAPTER, workers=2, limits=limits, progress=False)
    env = {**os.environ, "NBGRADER_DB_URL": postgres}
    subprocess.run([NBGRADER, "generate_feedback", CHAPTER, "--force"], cwd=course, check=True, capture_output=True,
                   env=env)
    subprocess.run([NBGRADER, "export"], cwd=course, check=True, capture_output=True, env=env)
    with open(course / "grades.csv") as f:
        scores = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}
    assert scores == {"full": 12, "blank": 0, "half": 4, "infinite_loop": 11}
    assert (course / "feedback" / "half" / CHAPTER / f"{CHAPTER}.html").exists()
