"""A class through a real JupyterHub on 127.0.0.1 with nbgrader's exchange (one hub per session).

An instructor releases chapter 1; two students (real Unix users, logged in by PAM) fetch it through
their own single-user servers, fill it in (one fully, one half) and submit; the instructor collects,
autogrades (sandboxed batch grader, as root), generates and releases feedback; each student fetches
their feedback and sees their own only. Students cannot reach each other's servers or files, nor the
instructor's source or gradebook. One student does fetch and submit in Chromium (Playwright).
"""
from __future__ import annotations

import asyncio
import fcntl
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest

from grader.authoring import notebooks
from grader.authoring.notebooks import ROOT
from grader.instructor import course_config, hub, sandbox

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]
CHAPTER = "ch01_convolution_1d"
TEACHER, ALICE, BOB = "cnvt-teacher", "cnvt-alice", "cnvt-bob"
COURSE = course_config.COURSE_ID
# the chapter's points, as the nbgrader source sets them (grader/checks/points.json)
TOTAL = sum(__import__("grader.engine.progress", fromlist=["x"]).chapter_points(CHAPTER).values())
SHOTS = Path(os.environ.get("HUB_SCREENSHOTS", tempfile.gettempdir())) / "hub-screenshots"


def free_port() -> int:
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 65000 and all(_free(port + i) for i in (1, 2)):
            return port
    raise RuntimeError("no free ports")


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


class Hub:
    def __init__(self, site: Path, port: int, token: str, info: dict):
        self.site, self.port, self.token, self.info = site, port, token, info
        self.url = f"http://127.0.0.1:{port}"
        self.tokens: dict[str, str] = {}

    def request(self, method, path, token=None, data=None, form=None, raw=False):
        body, headers = None, {"Authorization": f"token {token or self.token}"}
        if data is not None:
            body, headers["Content-Type"] = json.dumps(data).encode(), "application/json"
        elif form is not None:
            body, headers["Content-Type"] = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(req, timeout=300) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode(errors="replace")
        if raw:
            return status, text
        assert 200 <= status < 300, f"{method} {path}: {status} {text[:300]}\n--- hub.log ---\n{self.log_tail()}"
        return json.loads(text) if text.strip() else None

    def log_tail(self, chars: int = 4000) -> str:
        log = self.site / "hub.log"
        return log.read_text(errors="replace")[-chars:] if log.exists() else "(no hub.log)"

    def start_server(self, user: str) -> str:
        """Spawn the user's JupyterLab; return a token of theirs."""
        status, text = self.request("POST", f"/hub/api/users/{user}/server", raw=True)
        assert status in (201, 202, 400), text               # 400: already running
        deadline = time.time() + 240
        while time.time() < deadline:
            model = self.request("GET", f"/hub/api/users/{user}")
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                break
            time.sleep(1)
        else:
            raise AssertionError(f"{user}'s server did not start: {(self.site / 'hub.log').read_text()[-3000:]}")
        self.tokens[user] = self.request("POST", f"/hub/api/users/{user}/tokens", data={"note": "test"})["token"]
        return self.tokens[user]

    def user(self, user, method, path, **kwargs):
        return self.request(method, f"/user/{user}{path}", token=self.tokens[user], **kwargs)

    def run_code(self, user: str, code: str) -> str:
        """Execute code in a new kernel of the user's server (as that Unix user); its stdout."""
        return asyncio.run(_run_code(self, user, code))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


async def _run_code(h: Hub, user: str, code: str) -> str:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect
    kernel = h.user(user, "POST", "/api/kernels", data={"name": "python3"})
    ws = await websocket_connect(HTTPRequest(f"ws://127.0.0.1:{h.port}/user/{user}/api/kernels/{kernel['id']}/channels",
                                             headers={"Authorization": f"token {h.tokens[user]}"}))
    msg_id = uuid.uuid4().hex
    ws.write_message(json.dumps({
        "header": {"msg_id": msg_id, "username": user, "session": uuid.uuid4().hex, "msg_type": "execute_request",
                   "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True}}))
    out = []
    deadline = time.time() + 120
    while time.time() < deadline:
        msg = json.loads(await asyncio.wait_for(ws.read_message(), 120))
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    ws.close()
    h.user(user, "DELETE", f"/api/kernels/{kernel['id']}")
    return "".join(out)


def as_instructor(h: Hub, *args: str) -> str:
    """`python -m grader ARGS` as the instructor's Unix user, with the environment of their hub terminal."""
    home = hub.home(TEACHER)
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(home), "PYTHONPATH": str(ROOT),
           "JUPYTER_CONFIG_PATH": str(h.site / "jupyter" / "instructor"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(["runuser", "-u", TEACHER, "--", "env", *(f"{k}={v}" for k, v in env.items()),
                             sys.executable, "-m", "grader", *args, "--course", str(home / "course")],
                            cwd=home, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def class_hub():
    if reason := hub.unavailable_reason() or sandbox.unavailable_reason():
        pytest.skip(reason)
    # The Unix users are machine-wide: a second run on this machine (another clone's `make test`) would
    # delete and re-create them under this one (seen: "Invalid username or password", 403s). Take turns.
    lock = open("/tmp/convnets-hub-test.lock", "w")   # /tmp, not $TMPDIR: every clone must see it
    fcntl.flock(lock, fcntl.LOCK_EX)
    for user in (TEACHER, ALICE, BOB):           # leftovers of an interrupted run
        hub.remove_users([user]) if _exists(user) else None
    site = Path(tempfile.mkdtemp(prefix="cnvt-hub-"))
    os.chmod(site, 0o755)
    port = free_port()
    passwords = {u: secrets.token_urlsafe(9) for u in (TEACHER, ALICE, BOB)}
    info = hub.setup(site, instructors=[TEACHER], students=[ALICE, BOB], passwords=passwords, port=port)
    token = secrets.token_hex(24)
    log = open(site / "hub.log", "w")
    process = hub.start(site, port=port, env={"CONVNETS_HUB_ADMIN_TOKEN": token}, log=log)
    h = Hub(site, port, token, info)
    try:
        deadline = time.time() + 120
        while True:
            try:
                h.request("GET", "/hub/api/")
                break
            except Exception:  # noqa: BLE001
                if time.time() > deadline or process.poll() is not None:
                    raise AssertionError("the hub did not start:\n" + (site / "hub.log").read_text()[-3000:])
                time.sleep(1)
        yield h
    finally:
        hub.stop(process)
        log.close()
        hub.remove_users(info["created_users"])
        hub.restore_modes(info["opened_folders"])
        shutil.rmtree(site, ignore_errors=True)
        lock.close()


def _exists(user):
    import pwd
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False


def _answers(nb: dict, answers: dict) -> dict:
    node = notebooks.with_answers(nbformat.from_dict(nb), answers)
    return json.loads(nbformat.writes(node))


@pytest.fixture(scope="module")
def ran_class(class_hub):
    """The whole loop, once; what each step saw."""
    h, seen = class_hub, {}
    as_instructor(h, "release", CHAPTER, "--exchange")
    path = f"/api/contents/{CHAPTER}/{CHAPTER}.ipynb"
    answers = notebooks.solution_sources(CHAPTER)
    work = {ALICE: answers, BOB: dict(list(answers.items())[:4])}
    for student in (ALICE, BOB):
        h.start_server(student)
        listed = h.user(student, "GET", f"/assignments?course_id={COURSE}")
        seen[f"{student}-released"] = [a["assignment_id"] for a in listed["value"] if a["status"] == "released"]
    browser = _browser_fetch_and_submit(h, BOB, passwords=h.info["passwords"], fill=lambda: _fill(h, BOB, path, work[BOB]))
    seen["browser"] = browser
    for student in (ALICE, BOB) if browser is None else (ALICE,):
        h.user(student, "POST", "/assignments/fetch", form={"assignment_id": CHAPTER, "course_id": COURSE})
        _fill(h, student, path, work[student])
        result = h.user(student, "POST", "/assignments/submit", form={"assignment_id": CHAPTER, "course_id": COURSE})
        assert "success" not in result or result["success"], result
    seen["collect"] = as_instructor(h, "collect", CHAPTER, "--exchange")
    course = hub.home(TEACHER) / "course"
    grade = subprocess.run([sys.executable, "-m", "grader", "autograde", CHAPTER, "--course", str(course), "-j", "2",
                            "--cell-timeout", "60"], capture_output=True, text=True, timeout=900,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert grade.returncode == 0, grade.stdout + grade.stderr
    seen["autograde"] = grade.stdout
    as_instructor(h, "feedback", CHAPTER, "--release")
    for student in (ALICE, BOB):
        h.user(student, "POST", "/assignments/fetch_feedback", form={"assignment_id": CHAPTER, "course_id": COURSE})
        folder = h.user(student, "GET", f"/api/contents/{CHAPTER}/feedback")
        files = []
        for stamp in folder["content"]:
            files += [f["path"] for f in h.user(student, "GET", f"/api/contents/{quote(stamp['path'])}")["content"]]
        seen[f"{student}-feedback"] = {f: h.user(student, "GET", f"/api/contents/{quote(f)}?format=text&type=file")
                                       ["content"] for f in files}
    with course_config.gradebook(course_config.db_url(course)) as gb:
        seen["scores"] = {s.student.id: (s.score, s.max_score) for s in gb.find_assignment(CHAPTER).submissions}
    if browser is not None:
        _browser_feedback(h, BOB, seen[f"{BOB}-feedback"])
    return seen


def _fill(h: Hub, student: str, path: str, answers: dict) -> None:
    model = h.user(student, "GET", path)
    h.user(student, "PUT", path, data={"type": "notebook", "format": "json",
                                       "content": _answers(model["content"], answers)})


BROWSER_FAILURES: list[str] = []


def _browser_fetch_and_submit(h: Hub, student: str, passwords: dict, fill):
    """In Chromium: log in, open the Assignments panel, fetch, (fill in through the API), submit.
    None when no browser is available here (the REST path then does it)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    chromium = shutil.which("chromium")
    if chromium is None:
        return None
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        try:
            page.goto(f"{h.url}/hub/login")
            page.fill("#username_input", student)
            page.fill("#password_input", passwords[student])
            page.screenshot(path=str(SHOTS / "1-login.png"))
            page.click("#login_submit")
            try:
                page.wait_for_url("**/user/*/lab*", timeout=180_000)
            except Exception as exc:   # seen once in a clean-clone run: the login never reached JupyterLab
                page.screenshot(path=str(SHOTS / "1-login-failed.png"))
                BROWSER_FAILURES.append(f"login did not reach JupyterLab ({type(exc).__name__}); page: {page.url}")
                return None
            page.get_by_role("menuitem", name="Nbgrader").wait_for(timeout=180_000)
            page.get_by_role("menuitem", name="Nbgrader").click()
            page.get_by_role("menuitem", name="Assignment List").click()
            page.wait_for_selector(f"text={CHAPTER}", timeout=60_000)
            page.screenshot(path=str(SHOTS / "2-assignments-released.png"))
            page.locator("#released_assignments_list").get_by_role("button", name="Fetch").first.click()
            page.locator("#fetched_assignments_list").get_by_text(CHAPTER).first.wait_for(timeout=60_000)
            page.screenshot(path=str(SHOTS / "3-fetched.png"))
            fill()
            page.locator("#fetched_assignments_list").get_by_role("button", name="Submit").last.click()
            page.locator("#submitted_assignments_list").get_by_text(CHAPTER).first.wait_for(timeout=60_000)
            page.screenshot(path=str(SHOTS / "4-submitted.png"))
            state = page.context.storage_state()
        finally:
            browser.close()
    return state


def _browser_feedback(h: Hub, student: str, feedback: dict) -> None:
    from playwright.sync_api import sync_playwright
    path = next(iter(feedback))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1100, "height": 1400})
        page = context.new_page()
        page.goto(f"{h.url}/hub/login")
        page.fill("#username_input", student)
        page.fill("#password_input", h.info["passwords"][student])
        page.click("#login_submit")
        page.wait_for_url("**/user/*/lab*", timeout=180_000)
        page.goto(f"{h.url}/user/{student}/files/{quote(path)}")
        page.wait_for_load_state("load")
        page.screenshot(path=str(SHOTS / "5-feedback.png"), full_page=False)
        browser.close()


def test_students_see_the_released_assignment(ran_class):
    assert ran_class[f"{ALICE}-released"] == [CHAPTER] and ran_class[f"{BOB}-released"] == [CHAPTER]


def test_gradebook_holds_the_expected_scores(ran_class):
    assert ran_class["scores"] == {ALICE: (TOTAL, TOTAL), BOB: (4.0, TOTAL)}, ran_class["autograde"]


def test_each_student_fetches_their_own_feedback_only(ran_class):
    for student, score in ((ALICE, TOTAL), (BOB, 4)):
        feedback = ran_class[f"{student}-feedback"]
        assert len(feedback) == 1, feedback.keys()
        (path, text), = feedback.items()
        assert path.endswith(f"{CHAPTER}/feedback/" + path.split("/feedback/")[1])
        assert "Question 1" in text and "BEGIN HIDDEN TESTS" not in text
        assert f"Your results: {score:g} / {TOTAL:g}" in text
        other = BOB if student == ALICE else ALICE
        assert other not in text


def test_a_student_cannot_reach_another_students_server(class_hub, ran_class):
    status, _ = class_hub.request("GET", f"/user/{ALICE}/api/contents/{CHAPTER}", token=class_hub.tokens[BOB], raw=True)
    assert status in (302, 403, 404), status
    status, _ = class_hub.request("GET", f"/hub/api/users/{ALICE}", token=class_hub.tokens[BOB], raw=True)
    assert status in (403, 404), status


def test_a_student_cannot_read_submissions_source_or_gradebook(class_hub, ran_class):
    """Run as bob, in a kernel of his own server: every path of someone else's is closed to him."""
    exchange = class_hub.site / "exchange" / COURSE
    teacher = hub.home(TEACHER)
    inbound = sorted(p.name for p in (exchange / "inbound").iterdir())
    alice_submission = next(exchange / "inbound" / n / f"{CHAPTER}.ipynb" for n in inbound if n.startswith(ALICE))
    targets = {"list inbound": ("listdir", exchange / "inbound"),
               "list feedback": ("listdir", exchange / "feedback"),
               "alice's home": ("listdir", hub.home(ALICE)),
               "alice's working copy": ("read", hub.home(ALICE) / CHAPTER / f"{CHAPTER}.ipynb"),
               "instructor's source": ("read", teacher / "course" / "solutions" / CHAPTER / f"{CHAPTER}.ipynb"),
               "instructor's gradebook": ("read", teacher / "course" / "gradebook.db"),
               "guessed submission": ("read", exchange / "inbound" / f"{ALICE}+{CHAPTER}" / f"{CHAPTER}.ipynb")}
    code = "import json, os\nout = {}\n"
    for name, (how, path) in targets.items():
        action = f"os.listdir({str(path)!r})" if how == "listdir" else f"open({str(path)!r}, 'rb').read(10)"
        code += (f"try:\n    {action}\n    out[{name!r}] = 'READ'\nexcept Exception as e:\n"
                 f"    out[{name!r}] = type(e).__name__\n")
    code += "print(json.dumps(out))"
    result = json.loads(class_hub.run_code(BOB, code).strip().splitlines()[-1])
    assert result == {**{k: "PermissionError" for k in targets}, "guessed submission": "FileNotFoundError"}, result
    # nbgrader's own model: submissions are named with a random string in a folder nobody else can list
    assert alice_submission.name == f"{CHAPTER}.ipynb" and len(alice_submission.parent.name.split("+")[-1]) >= 12


def test_formgrader_is_for_the_instructor_only(class_hub, ran_class):
    status, _ = class_hub.request("GET", f"/user/{BOB}/formgrader", token=class_hub.tokens[BOB], raw=True)
    assert status == 404
    page_config = json.loads((class_hub.site / "jupyter" / "student" / "labconfig" / "page_config.json").read_text())
    assert page_config["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is True


def test_the_browser_pass_fetched_and_submitted(ran_class):
    if ran_class["browser"] is None:
        pytest.skip("the REST path fetched and submitted for this student: "
                    + ("; ".join(BROWSER_FAILURES) or "no Chromium/Playwright here"))
    for shot in ("2-assignments-released.png", "3-fetched.png", "4-submitted.png", "5-feedback.png"):
        assert (SHOTS / shot).stat().st_size > 10_000
