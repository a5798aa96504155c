"""The course hub on one machine, and the instructor's side of nbgrader's exchange.

``python -m grader hub`` (as root; ``make hub``) sets up a site folder and starts JupyterHub with
``deploy/jupyterhub_config.py``:

- Unix users for the instructor and the students (``useradd``; PAM logs them in), homes private
  (0700);
- ``<site>/exchange``: nbgrader's exchange, world-writable as nbgrader documents (each user's own
  uid writes there; nbgrader makes ``inbound/`` write-only for students and names submissions and
  feedback with random strings and hashes nobody else can list);
- ``<site>/jupyter/{student,instructor}``: each role's Jupyter configuration (``nbgrader_config.py``
  with the course id and the exchange; for students, formgrader and "create assignment" disabled);
- ``~instructor/course``: the instructor's nbgrader course (``nbgrader_config.py``, ``solutions/``,
  ``exercises/``); the gradebook is created there.

The instructor then works from a terminal of their JupyterLab (or ssh):
``python -m grader release ch01_convolution_1d --exchange`` … ``collect --exchange`` …
``sudo python -m grader autograde`` (the sandbox needs root) … ``feedback --release``.
"""
from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from grader.authoring.notebooks import ROOT

from . import course_config

DEFAULT_SITE = Path("/srv/convnets-hub")
CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
COURSE_ID = course_config.COURSE_ID
NO_NEWS = {"@jupyterlab/apputils-extension:announcements": True}   # no "Jupyter news?" pop-up in class
STUDENT_PAGE_CONFIG = {"disabledExtensions": {"@jupyter/nbgrader:formgrader": True,
                                              "@jupyter/nbgrader:create-assignment": True, **NO_NEWS}}
STUDENT_SERVER_CONFIG = {"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": False}}}


def unavailable_reason() -> str | None:
    if os.geteuid() != 0:
        return "the hub runs each user's JupyterLab as their own Unix user, which needs root"
    for tool in ("useradd", "chpasswd", "runuser"):
        if shutil.which(tool) is None:
            return f"`{tool}` is missing"
    if shutil.which("configurable-http-proxy") is None:
        return "configurable-http-proxy is missing (npm install -g configurable-http-proxy; `make install` does it)"
    if shutil.which("jupyterhub", path=str(Path(sys.executable).parent)) is None:
        return "jupyterhub is not installed in this environment"
    return None


def home(user: str) -> Path:
    return Path(pwd.getpwnam(user).pw_dir)


def ensure_user(name: str, password: str | None) -> bool:
    """Create the Unix user (home 0700) if missing; set the password if given. True if created."""
    created = False
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
        created = True
    os.chmod(home(name), 0o700)
    if password:
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
    return created


def _chown_tree(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for p in [path, *path.rglob("*")]:
        os.chown(p, entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def open_path_for_users(*targets: Path) -> list[tuple[str, int]]:
    """Every user runs the course's Python and reads its repository: give "others" the right to pass
    through (x, never r) each folder above them that lacks it (a Python installed under /root by
    pyenv, say). Returns [(folder, old mode)] so a test can put them back."""
    changed = []
    for target in targets:
        for folder in reversed(Path(os.path.realpath(target)).parents):
            mode = folder.stat().st_mode & 0o7777
            if not mode & 0o001:
                os.chmod(folder, mode | 0o001)
                changed.append((str(folder), mode))
    return changed


def restore_modes(changed: list[tuple[str, int]]) -> None:
    for folder, mode in reversed(changed):
        os.chmod(folder, mode)


def nbgrader_config(site: Path, course_root: Path | None = None) -> str:
    lines = ["c = get_config()  # noqa: F821", f"c.CourseDirectory.course_id = {COURSE_ID!r}",
             f"c.Exchange.root = {str(site / 'exchange')!r}"]
    if course_root:
        lines.append(f"c.CourseDirectory.root = {str(course_root)!r}")
    return "\n".join(lines) + "\n"


def setup(site: Path = DEFAULT_SITE, *, instructors=("instructor",), students=("student1", "student2"),
          passwords: dict[str, str] | None = None, port: int = 8000, repo: Path = ROOT) -> dict:
    """Users, exchange, per-role configuration, the instructor's course. Returns site.json's content
    plus the passwords it set (given ones, and generated ones for accounts it created)."""
    if reason := unavailable_reason():
        raise RuntimeError(reason)
    site = Path(site)
    opened = open_path_for_users(Path(sys.executable), repo, site)
    passwords = dict(passwords or {})
    created = []
    for user in [*instructors, *students]:
        if ensure_user(user, passwords.get(user)):
            created.append(user)
            if not passwords.get(user):       # a new account gets a generated password; existing ones keep theirs
                passwords[user] = secrets.token_urlsafe(9)
                ensure_user(user, passwords[user])
    site.mkdir(parents=True, exist_ok=True)
    os.chmod(site, 0o755)
    exchange = site / "exchange"
    exchange.mkdir(exist_ok=True)
    os.chmod(exchange, 0o777)                   # nbgrader's documented `chmod ugo+rw` of the exchange root
    instructor_course = home(instructors[0]) / "course"
    for role, course_root in (("student", None), ("instructor", instructor_course)):
        folder = site / "jupyter" / role
        (folder / "labconfig").mkdir(parents=True, exist_ok=True)
        (folder / "nbgrader_config.py").write_text(nbgrader_config(site, course_root))
        page_config = STUDENT_PAGE_CONFIG if role == "student" else {"disabledExtensions": NO_NEWS}
        (folder / "labconfig" / "page_config.json").write_text(json.dumps(page_config, indent=1))
        if role == "student":
            (folder / "jupyter_server_config.json").write_text(json.dumps(STUDENT_SERVER_CONFIG, indent=1))
        for p in [folder, *folder.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
    for sub in ("jupyter",):
        os.chmod(site / sub, 0o755)
    if not (instructor_course / "nbgrader_config.py").exists():
        instructor_course.mkdir(parents=True, exist_ok=True)
        shutil.copy(repo / "nbgrader_config.py", instructor_course)
        for folder in ("solutions", "exercises"):
            shutil.copytree(repo / folder, instructor_course / folder, dirs_exist_ok=True)
    _chown_tree(instructor_course, instructors[0])
    data = {"instructors": list(instructors), "students": list(students), "port": port, "course_id": COURSE_ID,
            "course": str(instructor_course), "exchange": str(exchange), "created_users": created,
            "opened_folders": opened}
    (site / "site.json").write_text(json.dumps(data, indent=1))
    os.chmod(site / "site.json", 0o644)
    return {**data, "passwords": passwords}


def remove_users(names) -> None:
    """Delete users this set-up created (tests), with their homes."""
    for name in names:
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        subprocess.run(["userdel", "--remove", name], capture_output=True)


def start(site: Path = DEFAULT_SITE, *, port: int | None = None, env: dict | None = None, log=None) -> subprocess.Popen:
    """JupyterHub in the background (its own process group), serving on 127.0.0.1:port."""
    exe = str(Path(sys.executable).parent / "jupyterhub")
    environ = {**os.environ, "CONVNETS_HUB_SITE": str(site), **(env or {})}
    if port:
        environ["CONVNETS_HUB_PORT"] = str(port)
    return subprocess.Popen([exe, "-f", str(CONFIG)], cwd=site, env=environ, stdout=log or subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """Stop the hub, the proxy and every single-user server it started (its process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run(args) -> int:
    """`python -m grader hub`: set up (idempotent) and serve in the foreground."""
    site = Path(args.site)
    students = [s for s in args.students.split(",") if s]
    info = setup(site, instructors=[args.instructor], students=students, port=args.port,
                 passwords={u: p for u, p in (x.split(":", 1) for x in args.password or [])} or None)
    print(f"Course hub on http://{args.ip}:{args.port}/ (site {site})")
    print(f"  instructor: {args.instructor}   course folder: {info['course']}")
    for folder, mode in info["opened_folders"]:
        print(f"  note: {folder} was {oct(mode)}; users may now pass through it (o+x) to reach the course's Python")
    for user in [args.instructor, *students]:
        password = info["passwords"].get(user)
        print(f"  login {user:<12} " + (f"password {password}" if password else "(existing account: its own password)"))
    if args.setup_only:
        return 0
    exe = str(Path(sys.executable).parent / "jupyterhub")
    os.environ.update(CONVNETS_HUB_SITE=str(site), CONVNETS_HUB_PORT=str(args.port), CONVNETS_HUB_IP=args.ip)
    os.chdir(site)
    os.execv(exe, [exe, "-f", str(CONFIG)])
    return 1


# --- the instructor's side of the exchange ---------------------------------------------------------

def register_students(course: Path, assignment: str) -> list[str]:
    """Students nbgrader's collect put in submitted/: add them to the gradebook (first names etc. can
    be imported later with `nbgrader db student import`)."""
    names = sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}") if p.is_dir())
    with course_config.gradebook(course_config.db_url(course)) as gb:
        for name in names:
            gb.update_or_create_student(name)
    return names


def give_back(course: Path) -> None:
    """After root graded a course someone else owns (the sandbox needs root), hand what grading
    wrote back to the course's owner, so they can generate and release feedback."""
    if os.geteuid() != 0:
        return
    owner = course.stat().st_uid
    if owner == 0:
        return
    user = pwd.getpwuid(owner).pw_name
    for name in ("autograded", "feedback", "reports", "gradebook.db"):
        path = course / name
        if path.exists():
            _chown_tree(path, user) if path.is_dir() else os.chown(path, owner, course.stat().st_gid)
