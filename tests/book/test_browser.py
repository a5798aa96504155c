"""The built book in a real browser (Debian's Chromium driven by Playwright), offline.

Every page in the TOC loads without console errors, broken images or broken internal links;
math is rendered; executable pages have launch buttons (Binder, Colab and JupyterHub opening a
notebook of the repository, Thebe's Live Code); search finds "stride"; the dark-mode
toggle works; a screenshot of chapter 1 is saved to _build/artifacts/.
"""
import functools
import http.server
import shutil
import subprocess
import tarfile
import tempfile
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from grader.authoring.notebooks import ROOT, chapters

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
MATHJAX_VERSION = "3.2.2"


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))
    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    return pages


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install)")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed: `apt-get install chromium` (make install does it as root)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(book_html):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    handler = functools.partial(Quiet, directory=str(book_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def mathjax():
    """A local MathJax (the book loads it from a CDN, which this offline machine cannot reach)."""
    target = ROOT / ".venv" / f"mathjax-{MATHJAX_VERSION}"
    if not (target / "es5" / "tex-mml-chtml.js").exists():
        with tempfile.TemporaryDirectory() as tmp:
            npm = shutil.which("npm")
            if npm is None:
                return None
            done = subprocess.run([npm, "pack", f"mathjax@{MATHJAX_VERSION}"], cwd=tmp, capture_output=True,
                                  text=True, timeout=300)
            if done.returncode != 0:
                return None
            with tarfile.open(next(Path(tmp).glob("mathjax-*.tgz"))) as tar:
                tar.extractall(tmp, filter="data")
            shutil.copytree(Path(tmp) / "package", target, dirs_exist_ok=True)
    return target


class Page:
    """A page opened offline: local requests served, MathJax from the local copy, the rest blocked."""

    def __init__(self, browser, site, mathjax, path):
        self.site, self.errors = site, []
        self.page = browser.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        self.page.route("**/*", functools.partial(self._route, mathjax))
        self.page.goto(site + path, wait_until="load")

    def _route(self, mathjax, route):
        url = route.request.url
        if url.startswith(self.site):
            return route.continue_()
        if mathjax is not None and "mathjax" in url and "/es5/" in url:
            local = mathjax / "es5" / urlparse(url).path.split("/es5/", 1)[1]
            if local.exists():
                return route.fulfill(path=str(local))
        return route.abort()

    def _console(self, message):
        if message.type != "error":
            return
        source = (message.location or {}).get("url", "")
        if "Failed to load resource" in message.text and not source.startswith(self.site):
            return  # an external resource blocked on purpose (offline)
        self.errors.append(f"{message.text} ({source})")

    def close(self):
        self.page.close()


@pytest.fixture
def open_page(browser, site, mathjax):
    opened = []

    def _open(path):
        page = Page(browser, site, mathjax, path)
        opened.append(page)
        return page
    yield _open
    for page in opened:
        page.close()


@pytest.mark.parametrize("doc", toc_pages())
def test_page_loads_without_errors_broken_images_or_links(doc, open_page, book_html, site):
    p = open_page(f"{doc}.html")
    assert not p.errors, p.errors
    broken = p.page.evaluate("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
                             ".map(i => i.src)")
    assert not broken, f"broken images: {broken}"
    links = p.page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    missing = []
    for link in links:
        if not link.startswith(site):
            continue
        path = urlparse(link).path.lstrip("/")
        target = book_html / path
        if path == "" or path.endswith("/"):
            target = target / "index.html"
        if not target.exists():
            missing.append(link)
    assert not missing, f"broken internal links: {missing}"


def test_math_is_rendered(open_page, mathjax):
    if mathjax is None:
        pytest.skip("no local MathJax (npm could not fetch mathjax); math rendering not checked")
    p = open_page("book/ch01_convolution_1d.html")
    p.page.wait_for_selector("mjx-container", timeout=20000)
    assert p.page.locator("mjx-container").count() > 5


LAUNCH_SERVICES = {"Binder": "mybinder.org", "Colab": "colab.research.google.com",
                   "JupyterHub": "/hub/user-redirect/git-pull?"}


def repository_file(href: str, service: str) -> str:
    """The repository path a launch link opens (Binder and JupyterHub: urlpath; Colab: blob/<branch>/)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    query = parse_qs(urlparse(href).query)
    if service == "Colab":
        return urlparse(href).path.split(f"/blob/{config['branch']}/", 1)[1]
    if service == "Binder":
        return query["urlpath"][0].split("lab/tree/", 1)[1]
    assert query["repo"] == [config["url"]] and query["branch"] == [config["branch"]], href
    return query["urlpath"][0].split("lab/tree/", 1)[1].split("/", 1)[1]   # nbgitpuller: <repo>/<path>


@pytest.mark.parametrize("chapter", chapters())
def test_executable_pages_have_launch_buttons(chapter, open_page):
    """Binder, Colab, JupyterHub open a notebook of the repository (lessons: book/<id>.ipynb); Live Code."""
    for path, target in ((f"book/{chapter}.html", f"book/{chapter}.ipynb"),
                         (f"exercises/{chapter}/{chapter}.html", f"exercises/{chapter}/{chapter}.ipynb")):
        p = open_page(path)
        for service, marker in LAUNCH_SERVICES.items():
            links = p.page.locator(f".dropdown-launch-buttons a[href*='{marker}']")
            assert links.count() == 1, f"{path}: no {service} launch button"
            opened = repository_file(links.first.get_attribute("href"), service)
            assert opened == target and opened.endswith(".ipynb"), f"{path}: {service} opens {opened}"
            assert (ROOT / opened).is_file(), f"{path}: {service} opens {opened}, which is not in the repository"
        live = p.page.locator(".dropdown-launch-buttons button[onclick*='initThebe']")
        assert live.count() == 1, f"{path}: no Live Code (Thebe) button"
        assert not p.errors, p.errors


def test_search_finds_stride(open_page):
    p = open_page("search.html?q=stride")
    p.page.wait_for_selector("#search-results li, ul.search li", timeout=20000)
    assert p.page.locator("ul.search li").count() > 0


def test_dark_mode_toggle_switches_the_theme(open_page):
    p = open_page("intro.html")
    before = p.page.evaluate("document.documentElement.dataset.theme")
    p.page.locator(".theme-switch-button").first.click()
    after = p.page.evaluate("document.documentElement.dataset.theme")
    assert after != before and after in ("light", "dark")


def test_screenshot_of_chapter_1_is_saved(open_page, mathjax):
    p = open_page("book/ch01_convolution_1d.html")
    if mathjax is not None:
        p.page.wait_for_selector("mjx-container", timeout=20000)
    out = ROOT / "_build" / "artifacts" / "ch01_convolution_1d.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    p.page.screenshot(path=str(out), full_page=False)
    assert out.stat().st_size > 10_000
