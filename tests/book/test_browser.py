"""The built book in a real browser (Debian's Chromium driven by Playwright), offline.

Every page in the TOC loads without console errors, broken images or broken internal links;
math is typeset by the MathJax the site serves itself (every request leaving the site is
blocked); executable pages have launch buttons (Binder, Colab opening a notebook of the
repository, Thebe's Live Code; no JupyterHub button while its URL is a placeholder) and exercise
pages say in words how to open them; search finds "stride"; the dark-mode toggle works.

Every page is also surveyed at 1280-px desktop, 390-px phone and in dark mode (one load per page
and mode, shared by the tests below): nothing wider than the text column unless inside its own
scroll box; no glue artefact in the text (a quoted number, a stray `$`, a literal `\\_`, raw TeX,
a TensorFlow log line); every image with an alt text that is not a file name, inside a captioned
figure; every formula typeset without a MathJax error. Each test names every offending element of
its page at once. Full-page screenshots (JPEG) of every page and mode are kept in
_build/artifacts/pages/<mode>/.
"""
import functools
import http.server
import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import yaml

from grader.authoring.notebooks import ROOT, chapters

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]
sys.path.insert(0, str(ROOT / "book" / "_ext"))   # the book's Sphinx extensions (launch_links)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


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


class Page:
    """A page opened offline: requests to the site served, every other request blocked."""

    def __init__(self, browser, site, path, context=None):
        self.site, self.errors = site, []
        self.page = (context or browser).new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        self.page.route("**/*", self._route)
        self.page.goto(site + path, wait_until="load")

    def _route(self, route):
        if route.request.url.startswith(self.site):
            return route.continue_()
        return route.abort()

    def typeset(self, timeout_ms: int = 30000):
        """Wait until MathJax (if the page loads it) has typeset the page."""
        self.page.wait_for_function("() => !document.querySelector('.math') || "
                                    "(window.MathJax && MathJax.startup && MathJax.startup.promise)",
                                    timeout=timeout_ms)
        self.page.evaluate("async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise; }")

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
def open_page(browser, site):
    opened = []

    def _open(path):
        page = Page(browser, site, path)
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


def test_math_is_typeset_by_the_sites_own_mathjax(open_page, book_html):
    """No CDN: the pages load MathJax from _static/mathjax/ (the test blocks every other host)."""
    page = (book_html / "book" / "ch01_convolution_1d.html").read_text()
    assert "_static/mathjax/tex-mml-chtml.js" in page and "cdn.jsdelivr.net/npm/mathjax" not in page
    p = open_page("book/ch01_convolution_1d.html")
    p.typeset()
    assert p.page.locator("mjx-container").count() > 5
    assert not p.errors, p.errors


LAUNCH_SERVICES = {"Binder": "mybinder.org", "Colab": "colab.research.google.com",
                   "JupyterHub": "/hub/user-redirect/git-pull?"}


def configured_services() -> dict[str, str]:
    """The launch services the book shows: the JupyterHub button only once a real hub is set."""
    from launch_links import is_placeholder
    hub = yaml.safe_load((ROOT / "_config.yml").read_text())["launch_buttons"].get("jupyterhub_url")
    return {k: v for k, v in LAUNCH_SERVICES.items() if k != "JupyterHub" or not is_placeholder(hub)}


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
def test_executable_pages_have_launch_buttons(chapter, open_page, site):
    """Binder, Colab (JupyterHub once configured) open a notebook of the repository (lessons:
    book/<id>.ipynb); Live Code; exercise pages say in words how to open them, with working links."""
    services = configured_services()
    for path, target in ((f"book/{chapter}.html", f"book/{chapter}.ipynb"),
                         (f"exercises/{chapter}/{chapter}.html", f"exercises/{chapter}/{chapter}.ipynb")):
        p = open_page(path)
        for service, marker in LAUNCH_SERVICES.items():
            links = p.page.locator(f".dropdown-launch-buttons a[href*='{marker}']")
            if service not in services:
                assert links.count() == 0, f"{path}: a {service} button although its URL is a placeholder"
                continue
            assert links.count() == 1, f"{path}: no {service} launch button"
            opened = repository_file(links.first.get_attribute("href"), service)
            assert opened == target and opened.endswith(".ipynb"), f"{path}: {service} opens {opened}"
            assert (ROOT / opened).is_file(), f"{path}: {service} opens {opened}, which is not in the repository"
        live = p.page.locator(".dropdown-launch-buttons button[onclick*='initThebe']")
        assert live.count() == 1, f"{path}: no Live Code (Thebe) button"
        assert not p.errors, p.errors
    # the exercise page's own line: the same Colab and Binder links, and a download that works
    line = p.page.locator("p.open-exercise")
    assert line.count() == 1 and line.is_visible(), f"{path}: no 'Open this exercise in' line"
    assert line.inner_text().startswith("Open this exercise in Colab · Binder")
    for service in ("Colab", "Binder"):
        here = line.locator(f"a[href*='{LAUNCH_SERVICES[service]}']").get_attribute("href")
        menu = p.page.locator(f".dropdown-launch-buttons a[href*='{LAUNCH_SERVICES[service]}']").get_attribute("href")
        assert here == menu, f"{path}: the {service} link differs from the launch button"
    download = line.locator("a[download]")
    assert download.inner_text() == "download the notebook"
    response = p.page.request.get(urljoin(site + path, download.get_attribute("href")))
    notebook = response.json()
    assert response.ok and notebook["nbformat"] == 4
    assert any("q_1" in "".join(cell["source"]) for cell in notebook["cells"]), "the download is not the exercise"


def test_placeholder_hosts_are_recognised():
    from launch_links import is_placeholder
    assert is_placeholder("https://jupyterhub.example.org") and is_placeholder("") and is_placeholder(None)
    assert not is_placeholder("https://hub.university.edu") and not is_placeholder("https://example-hub.org")


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


# ---------------------------------------------------------------------------------------------
# Every page at desktop, phone and dark mode: the survey and its checks
# ---------------------------------------------------------------------------------------------
MODES = {
    "desktop": dict(viewport={"width": 1280, "height": 800}),
    "phone": dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True),
    "dark": dict(viewport={"width": 1280, "height": 800}, color_scheme="dark"),
}
ARTIFACTS = ROOT / "_build" / "artifacts" / "pages"

# Run in the page after MathJax has typeset it. Returns {check: [problem, ...]}.
SURVEY_JS = r"""() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const vw = document.documentElement.clientWidth;
  const out = {overflow: [], text: [], images: [], math: [], theme: document.documentElement.dataset.theme};
  const cut = (text, n) => Array.from(text).slice(0, n).join('');   // whole characters (math letters are astral)
  const where = (el) => {
    const sec = el.closest('section[id]');
    let name = el.tagName.toLowerCase();
    const cls = (typeof el.className === 'string' ? el.className : '').trim().split(/\s+/).filter(Boolean);
    if (cls.length) name += '.' + cls.slice(0, 2).join('.');
    const text = (el.innerText || el.textContent || el.getAttribute('alt') || '').trim().replace(/\s+/g, ' ');
    return `${name} in #${sec ? sec.id : 'top'} "${cut(text, 50)}"`;
  };
  const visible = (el) => el.checkVisibility ? el.checkVisibility() : !!el.offsetParent;

  // 1. Nothing wider than the text column (and the page never scrolls sideways), unless it sits
  //    inside its own scroll box (an element of the article with overflow-x auto/scroll).
  const page = document.documentElement.scrollWidth;
  if (page > vw + 1) {
    out.overflow.push(`the page scrolls sideways: ${page} px wide in a ${vw} px window`);
    const beyond = new Set([...document.body.querySelectorAll('*:not(mjx-container *, script, style)')].filter(el => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > vw + 1 && !article.contains(el) && visible(el);
    }));
    for (const el of beyond) if (!beyond.has(el.parentElement))
      out.overflow.push(`${where(el)} (outside the article) reaches ${Math.round(el.getBoundingClientRect().right)} px`);
  }
  const col = article.getBoundingClientRect();
  const left = Math.max(col.left, 0) - 1, right = Math.min(col.right, vw) + 1;
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const insideScrollBox = (el) => {
    for (let a = el.parentElement; a && a !== article; a = a.parentElement) if (scrolls(a)) return true;
    return false;
  };
  // MathJax's own elements are judged by their mjx-container; other elements by themselves
  const elements = article.querySelectorAll('*:not(mjx-container * *, mjx-assistive-mml, script, style, .headerlink)');
  const wide = new Set();
  for (const el of elements) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if ((r.right > right || r.left < left) && visible(el) && !insideScrollBox(el)) wide.add(el);
  }
  for (const el of wide) {
    if (wide.has(el.parentElement)) continue;   // name the outermost element only
    const r = el.getBoundingClientRect();
    out.overflow.push(`${where(el)} spans ${Math.round(r.left)}..${Math.round(r.right)} px, ` +
                      `the column ${Math.round(col.left)}..${Math.round(col.right)} px`);
  }
  // content cut off without a scroll bar (overflow hidden) inside the article
  for (const el of elements) {
    if (el.scrollWidth <= el.clientWidth + 2 || el.clientWidth === 0) continue;
    const ox = getComputedStyle(el).overflowX;
    if ((ox === 'hidden' || ox === 'clip') && visible(el))
      out.overflow.push(`${where(el)} cuts off ${el.scrollWidth - el.clientWidth} px of its content`);
  }

  // 2. Glue and TeX artefacts in the visible text (code blocks excluded; inline code only for `\_`).
  const checks = [
    [/[‘'"“]\s*[-+−]?\d[\d,]*(\.\d+)?\s*%?\s*[’'"”]/g, 'a quoted number', 'pre, code, kbd, samp'],
    [/\$/g, 'a stray $', 'pre, code, kbd, samp'],
    [/\\_/g, 'a literal \\_', 'pre'],
    [/\\[()\[\]]|\\(frac|mathrm|text|sum|left|right)\b/g, 'raw TeX', 'pre, code, kbd, samp'],
    [/absl::InitializeLog|^[IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w.]+:\d+\]/gm, 'a TensorFlow log line', null],
  ];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    const el = node.parentElement;
    if (!el || el.closest('script, style, mjx-container, .headerlink') || !visible(el)) continue;
    const text = node.textContent;
    for (const [pattern, what, skip] of checks) {
      if (skip && el.closest(skip)) continue;
      for (const m of text.matchAll(pattern)) {
        const around = text.slice(Math.max(0, m.index - 30), m.index + m[0].length + 30).replace(/\s+/g, ' ');
        const sec = el.closest('section[id]');
        out.text.push(`${what} in #${sec ? sec.id : 'top'}: "…${around.trim()}…"`);
      }
    }
  }

  // 3. Images: an alt text that says something (not a file name), inside a captioned figure.
  const fileName = (alt) => !alt.trim() || /\.(png|jpe?g|gif|svg|webp)\b/i.test(alt) ||
                            (/[\\/]/.test(alt) && !/\s/.test(alt.trim())) || /^[0-9a-f]{12,}$/i.test(alt.trim());
  for (const img of article.querySelectorAll('img')) {
    const alt = img.getAttribute('alt');
    if (alt === null || fileName(alt)) out.images.push(`${where(img)}: alt text ${JSON.stringify(alt)}`);
    const fig = img.closest('figure');
    const cap = fig && fig.querySelector('figcaption');
    if (!cap || !cap.innerText.trim()) out.images.push(`${where(img)} (alt ${JSON.stringify(cut(alt || '', 50))}): no figure caption`);
  }
  for (const fig of article.querySelectorAll('figure')) {
    const cap = fig.querySelector('figcaption');
    if (!fig.querySelector('img') && (!cap || !cap.innerText.trim())) out.images.push(`${where(fig)}: a figure without a caption`);
  }

  // 4. Math: every formula typeset, none with a MathJax error.
  const formulas = article.querySelectorAll('span.math, div.math');
  if (formulas.length && !window.MathJax) out.math.push('MathJax did not load');
  for (const f of formulas)
    if (!f.querySelector('mjx-container')) out.math.push(`not typeset: ${cut(f.textContent.trim(), 60)}`);
  for (const e of article.querySelectorAll('mjx-merror, [data-mjx-error]'))
    out.math.push(`MathJax error: ${e.getAttribute('data-mjx-error') || cut(e.textContent, 60)}`);
  return out;
}"""


@pytest.fixture(scope="module")
def survey(browser, site):
    """survey(doc) -> {mode: {check: [problems]}}: each page opened once per mode, photographed."""
    contexts = {mode: browser.new_context(**options) for mode, options in MODES.items()}
    done: dict[str, dict] = {}

    def _survey(doc):
        if doc not in done:
            done[doc] = {}
            for mode, context in contexts.items():
                p = Page(browser, site, f"{doc}.html", context=context)
                try:
                    p.typeset()
                    result = p.page.evaluate(SURVEY_JS)
                    result["errors"] = p.errors
                    shot = ARTIFACTS / mode / f"{doc.replace('/', '__')}.jpg"
                    shot.parent.mkdir(parents=True, exist_ok=True)
                    p.page.screenshot(path=str(shot), full_page=True, type="jpeg", quality=70)
                    done[doc][mode] = result
                finally:
                    p.close()
        return done[doc]
    yield _survey
    for context in contexts.values():
        context.close()


# Known defects in chapter pages that other work is still fixing: (check, page) -> reason. The test
# xfails only while the page still has problems (a fixed page passes). Empty at 01:05 UTC on
# 2026-12-02: every page of that build passed. Add an entry only with a reason, remove it once fixed.
KNOWN: dict[tuple[str, str], str] = {}


def problems_of(survey, doc, check, modes=MODES) -> list[str]:
    found = []
    for mode in modes:
        found += [f"[{mode}] {problem}" for problem in survey(doc)[mode][check]]
    if found and (check, doc) in KNOWN:
        pytest.xfail(f"{KNOWN[(check, doc)]}: {len(found)} problem(s), first: {found[0]}")
    return found


def report(doc, found) -> str:
    return f"{doc}: {len(found)} problem(s)\n  " + "\n  ".join(found)


@pytest.mark.parametrize("doc", toc_pages())
def test_nothing_is_wider_than_the_page(doc, survey):
    found = problems_of(survey, doc, "overflow")
    assert not found, report(doc, found)


@pytest.mark.parametrize("doc", toc_pages())
def test_no_glue_or_tex_artefacts_in_the_text(doc, survey):
    found = problems_of(survey, doc, "text", modes=["desktop"])
    assert not found, report(doc, found)


@pytest.mark.parametrize("doc", toc_pages())
def test_images_have_alt_text_and_captions(doc, survey):
    found = problems_of(survey, doc, "images", modes=["desktop"])
    assert not found, report(doc, found)


@pytest.mark.parametrize("doc", toc_pages())
def test_every_formula_is_typeset(doc, survey):
    found = problems_of(survey, doc, "math", modes=["desktop", "phone"])
    found += [f"[{mode}] console: {e}" for mode in MODES for e in survey(doc)[mode]["errors"]]
    assert not found, report(doc, found)


def test_dark_mode_follows_the_readers_setting(survey):
    assert survey("intro")["dark"]["theme"] == "dark" and survey("intro")["desktop"]["theme"] == "light"
