"""The rendered book: built once, then read in a real browser.

The session fixture builds the book exactly as CI and ``make book`` do
(``jupyter-book build . -W -n --keep-going`` after clearing the execution cache), so
every chapter executes and any warning fails :func:`test_book_builds`. The browser tests
then serve ``_build/html`` on 127.0.0.1 and drive Debian's headless Chromium through the
DevTools protocol over a pipe (``--remote-debugging-pipe``: no websocket, no driver, no
extra package). Every page of ``_toc.yml`` is opened once; from each we record what the
browser saw (the local requests and their status, the images and their decoded size, the
links), and the tests below judge those records:

* every TOC page loads (status 200, a title, an ``h1``);
* no local asset (image, CSS, JS, font...) answers 4xx/5xx;
* every lab (``labsolutions/labNN_*.ipynb``) has its chapter and student notebook in the
  TOC, numbered; the student notebook page has Colab links (launch button and badge)
  that point at its own path in this repository, a download link to the ``.ipynb``,
  and no cell outputs (the build must not execute student notebooks);
* every image in the pages' content is decoded with a non-zero size, and each lab
  chapter shows at least one figure;
* every internal link (page and ``#fragment``) resolves;
* every page's math is typeset by MathJax, which the book serves itself
  (``utils/instructor/book_mathjax.py``): no raw TeX delimiters are left, and every lab chapter has math.

Only 127.0.0.1 is reachable from the browser (``--host-resolver-rules``): CDN assets
(require.js) fail fast and identically with or without internet, and external images
(the Colab badge) are listed but not judged. Screenshots of the landing page and
the first lab's pages go to ``test-artifacts/``.

Chromium is installed by ``make test`` (its ``browser`` prerequisite). Without it the
browser tests skip locally and fail in CI (``CI=true``).
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from support.chromium import Chromium, serve, settle

from utils.instructor import paths
from utils.instructor.paths import ROOT, lab_names

HTML = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
LAB_RE = re.compile(r"lab\d\d_[A-Za-z0-9_]+")
COLAB_RE = re.compile(r"^https://colab\.research\.google\.com/github/([^/]+)/([^/]+)/blob/([^/]+)/(.+)$")


# --------------------------------------------------------------------------------------
# What the book should contain, read from the repository (so new labs are covered)
# --------------------------------------------------------------------------------------

def toc_docnames(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Every document of ``_toc.yml`` in reading order, without suffix (``book/intro``...)."""
    toc = yaml.safe_load(toc_path.read_text())
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            for key in ("sections", "chapters", "parts"):
                walk(entry.get(key))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    return [re.sub(r"\.(md|ipynb)$", "", n) for n in names]


def numbered_docnames(toc_path: Path = ROOT / "_toc.yml") -> set[str]:
    """Documents inside a part marked ``numbered: true``."""
    toc = yaml.safe_load(toc_path.read_text())
    out: set[str] = set()

    def collect(entries):
        for entry in entries or []:
            if "file" in entry:
                out.add(re.sub(r"\.(md|ipynb)$", "", entry["file"]))
            collect(entry.get("sections"))

    for part in toc.get("parts") or []:
        if part.get("numbered"):
            collect(part.get("chapters"))
    return out


def repository() -> tuple[str, str, str]:
    """(owner, name, branch) of the student-facing repository (``_config.yml``)."""
    url, branch = paths.repository()
    owner, name = url.split("github.com/", 1)[1].split("/")[:2]
    return owner, name, branch


def tracked_by_git(path: str) -> bool | None:
    """True/False when ROOT is a git checkout, None when it is not."""
    if shutil.which("git") is None:
        return None
    inside = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--is-inside-work-tree"],
                            capture_output=True, text=True)
    if inside.returncode != 0:
        return None
    return subprocess.run(["git", "-C", str(ROOT), "ls-files", "--error-unmatch", path],
                          capture_output=True).returncode == 0


# --------------------------------------------------------------------------------------
# The build (session fixture: once per test run)
# --------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def book_build():
    """Build the book as CI does; return (returncode, log). Chapters execute here."""
    shutil.rmtree(ROOT / "_build" / ".jupyter_cache", ignore_errors=True)
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", ".", "-W", "-n", "--keep-going"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    reports = sorted((HTML / "reports").rglob("*.err.log")) if (HTML / "reports").exists() else []
    for report in reports:  # tracebacks of chapters that raised while executing
        log += f"\n--- {report.relative_to(ROOT)} ---\n" + report.read_text(errors="replace")[-4000:]
    return proc.returncode, log, time.perf_counter() - start


def test_book_builds(book_build):
    returncode, log, seconds = book_build
    if returncode != 0:
        problems = [line for line in log.splitlines()
                    if "WARNING" in line or "ERROR" in line or "Traceback" in line]
        pytest.fail(f"jupyter-book build -W -n --keep-going failed (exit {returncode}, "
                    f"{seconds:.0f} s). Warnings and errors:\n" + "\n".join(problems[:80])
                    + "\n\nEnd of the log:\n" + log[-3000:], pytrace=False)


PAGE_PROBE = r"""
(async () => {
  const content = document.querySelector('article') || document.querySelector('main') || document.body;
  // MathJax 3 replaces Sphinx's config object with itself when it loads; wait for its first typeset
  for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++) {
    await new Promise(r => setTimeout(r, 50));
  }
  const mathjax = !!(window.MathJax && MathJax.startup && MathJax.startup.promise);
  if (mathjax) { await MathJax.startup.promise; }
  const maths = [...content.querySelectorAll('.math')];
  const imgs = [...content.querySelectorAll('img')];
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  const nav = [...document.querySelectorAll('nav.bd-docs-nav a.reference.internal')]
      .map(a => ({href: a.href, text: a.textContent.trim()}));
  return {
    title: document.title,
    h1: [...content.querySelectorAll('h1')].map(h => h.textContent.trim()),
    images: imgs.map(i => ({src: i.currentSrc || i.src, w: i.naturalWidth, h: i.naturalHeight,
                            complete: i.complete})),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    colab: [...document.querySelectorAll('a[href*="colab.research.google.com"]')].map(a => a.href),
    outputs: content.querySelectorAll('.cell_output').length,
    nav: nav,
    mathjax: mathjax,
    math: maths.length,
    typeset: content.querySelectorAll('mjx-container').length,
    raw_tex: maths.filter(m => !m.querySelector('mjx-container') && /\\[(\[]|\$\$/.test(m.textContent))
                  .map(m => m.textContent.trim().slice(0, 80)),
  };
})()
"""


@pytest.fixture(scope="module")
def site(book_build):
    """Visit every TOC page in headless Chromium; return what each page showed."""
    if not (HTML / "index.html").exists():
        pytest.fail("the book build wrote no _build/html/index.html (see test_book_builds)",
                    pytrace=False)
    if not CHROMIUM.exists():
        reason = (f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium) "
                  "when run as root; install it yourself to run the browser tests")
        if IN_CI:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    ARTIFACTS.mkdir(exist_ok=True)
    server = serve(HTML)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    docs = toc_docnames()
    labs = lab_names()
    shots = {docs[0]: "landing.png"}
    if labs:
        shots[f"book/{labs[0]}"] = f"{labs[0]}_chapter.png"
        shots[f"notebooks/{labs[0]}/{labs[0]}"] = f"{labs[0]}_notebook.png"
    pages = {}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as profile:
        browser = Chromium(CHROMIUM, Path(profile), ARTIFACTS / "chromium.log")
        try:
            target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = browser.send("Target.attachToTarget",
                                   {"targetId": target, "flatten": True})["sessionId"]
            browser.send("Page.enable", session=session)
            for doc in docs:
                path = f"/{doc}.html"
                server.requests.clear()
                browser.events.clear()
                browser.send("Page.navigate", {"url": base + path}, session=session)
                browser.wait_event("Page.loadEventFired", session=session, timeout=60)
                settle(server)
                probe = browser.send("Runtime.evaluate", {"expression": PAGE_PROBE, "awaitPromise": True,
                                                          "returnByValue": True}, session=session)
                if "exceptionDetails" in probe:
                    raise RuntimeError(f"{path}: {probe['exceptionDetails']}")
                pages[doc] = dict(probe["result"]["value"], path=path,
                                  requests=list(server.requests))
                if doc in shots:  # the page, down to 2500 px: a taller window for one picture
                    height = browser.send("Runtime.evaluate", {
                        "expression": "document.documentElement.scrollHeight", "returnByValue": True},
                        session=session)["result"]["value"]
                    browser.send("Emulation.setDeviceMetricsOverride", {
                        "width": 1280, "height": min(int(height), 2500), "deviceScaleFactor": 1,
                        "mobile": False}, session=session)
                    shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
                    browser.send("Emulation.clearDeviceMetricsOverride", session=session)
                    (ARTIFACTS / shots[doc]).write_bytes(base64.b64decode(shot["data"]))
        finally:
            browser.close()
            server.shutdown()
            server.server_close()
    print(f"browser: {len(pages)} pages in {time.perf_counter() - start:.1f} s; "
          f"screenshots in {ARTIFACTS.relative_to(ROOT)}/")
    return {"base": base, "pages": pages, "labs": labs}


# --------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------

def test_every_lab_is_in_the_toc_numbered():
    docs, numbered = toc_docnames(), numbered_docnames()
    missing = []
    for lab in lab_names():
        for doc in (f"book/{lab}", f"notebooks/{lab}/{lab}"):
            if doc not in docs:
                missing.append(f"{doc} is not in _toc.yml")
            elif doc not in numbered:
                missing.append(f"{doc} is not in a `numbered: true` part of _toc.yml")
    assert not missing, "\n".join(missing)


def test_every_toc_page_loads(site):
    problems = []
    for doc, page in site["pages"].items():
        status = dict(page["requests"]).get(page["path"])
        if status != 200:
            problems.append(f"{page['path']}: status {status}")
        elif not page["h1"]:
            problems.append(f"{page['path']}: no <h1> in the page content (title {page['title']!r})")
    assert len(site["pages"]) == len(toc_docnames())
    assert not problems, "\n".join(problems)


def test_no_local_asset_is_missing(site):
    bad = sorted({f"{path} -> {status} (from {page['path']})"
                  for page in site["pages"].values()
                  for path, status in page["requests"]
                  if status >= 400 and path != "/favicon.ico"})
    assert not bad, "local requests that failed:\n" + "\n".join(bad)


def test_lab_pages_have_colab_and_download_links(site):
    owner, name, branch = repository()
    problems = []
    colab_seen = 0
    for doc, page in site["pages"].items():
        for url in page["colab"]:
            if url.startswith("https://colab.research.google.com/assets/"):
                continue
            match = COLAB_RE.match(url)
            if not match:
                problems.append(f"{page['path']}: Colab link is not a GitHub notebook link: {url}")
                continue
            colab_seen += 1
            got_owner, got_name, got_branch, path = match.groups()
            path = unquote(path).lstrip("/")
            if (got_owner, got_name, got_branch) != (owner, name, branch):
                problems.append(f"{page['path']}: Colab link points at {got_owner}/{got_name}@{got_branch}, "
                                f"_config.yml says {owner}/{name}@{branch}: {url}")
            if not (ROOT / path).is_file():
                problems.append(f"{page['path']}: Colab link to {path}, which is not in the repository")
            elif tracked_by_git(path) is False:
                problems.append(f"{page['path']}: Colab link to {path}, which git does not track")
    for lab in site["labs"]:
        doc = f"notebooks/{lab}/{lab}"
        page = site["pages"].get(doc)
        if page is None:
            problems.append(f"{lab}: its student notebook {doc}.ipynb is not in the TOC")
            continue
        own = [u for u in page["colab"] if u.endswith(f"/{doc}.ipynb") and COLAB_RE.match(u)]
        if len(own) < 2:
            problems.append(f"{page['path']}: expected the Colab launch button and the notebook's badge "
                            f"pointing at {doc}.ipynb, found {page['colab']}")
        downloads = [u for u in page["links"]
                     if u.startswith(site["base"]) and urlsplit(u).path.endswith(f"{lab}.ipynb")]
        if not downloads:
            problems.append(f"{page['path']}: no download link to {lab}.ipynb")
        if page["outputs"]:
            problems.append(f"{page['path']}: the student notebook shows {page['outputs']} cell outputs: "
                            "it was executed by the book build (see execute.exclude_patterns)")
    assert not problems, "\n".join(problems)


def test_images_are_present_and_non_empty(site):
    problems = []
    for doc, page in site["pages"].items():
        for img in page["images"]:
            src = img["src"]
            if not (src.startswith(site["base"]) or src.startswith("data:")):
                continue  # external (the Colab badge): the test browser is offline
            if not img["w"] or not img["h"]:
                problems.append(f"{page['path']}: image {src[:100]} is empty or did not decode")
    for lab in site["labs"]:
        page = site["pages"].get(f"book/{lab}")
        if page is not None and not any(i["w"] for i in page["images"]):
            problems.append(f"{page['path']}: the lab chapter shows no figure")
    assert not problems, "\n".join(problems)


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)


@functools.lru_cache(maxsize=None)
def _anchors(path: Path) -> frozenset[str]:
    parser = _Anchors()
    parser.feed(path.read_text(errors="replace"))
    return frozenset(parser.ids)


def test_internal_links_resolve(site):
    problems = set()
    for doc, page in site["pages"].items():
        for url in page["links"]:
            if not url.startswith(site["base"] + "/"):
                continue
            parts = urlsplit(url)
            target = HTML / unquote(parts.path).lstrip("/")
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.add(f"{page['path']}: link to {parts.path}, which does not exist")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _anchors(target):
                problems.add(f"{page['path']}: link to {parts.path}#{parts.fragment}: no such anchor")
    assert not problems, "\n".join(sorted(problems))


def test_lab_chapters_are_numbered_in_the_navigation(site):
    landing = site["pages"][toc_docnames()[0]]
    nav = {urlsplit(item["href"]).path: item["text"] for item in landing["nav"]}
    problems = []
    for lab in site["labs"]:
        text = nav.get(f"/book/{lab}.html")
        if text is None:
            problems.append(f"book/{lab}: not in the navigation sidebar")
        elif not re.match(r"^\d+\.", text):
            problems.append(f"book/{lab}: sidebar entry {text!r} has no chapter number")
    assert not problems, "\n".join(problems)


def test_screenshots_saved(site):
    shots = sorted(p.name for p in ARTIFACTS.glob("*.png"))
    assert "landing.png" in shots
    if site["labs"]:
        assert f"{site['labs'][0]}_chapter.png" in shots
    for name in shots:
        assert (ARTIFACTS / name).stat().st_size > 10_000, f"{name} looks blank"


def test_math_is_typeset(site):
    """MathJax loads from the book itself and typesets every formula (no raw ``\\(`` left)."""
    problems = []
    for doc, page in site["pages"].items():
        if page["math"] and not page["mathjax"]:
            problems.append(f"{page['path']}: {page['math']} formulas but MathJax did not load")
        if page["raw_tex"]:
            problems.append(f"{page['path']}: {len(page['raw_tex'])} formulas left as raw TeX, "
                            f"first: {page['raw_tex'][0]!r}")
        if page["typeset"] < page["math"]:
            problems.append(f"{page['path']}: {page['typeset']} typeset of {page['math']} formulas")
        if any(path.startswith("/_static/mathjax/") and status >= 400 for path, status in page["requests"]):
            problems.append(f"{page['path']}: a MathJax file failed to load from the book")
    for lab in site["labs"]:
        page = site["pages"].get(f"book/{lab}")
        if page is not None and not page["typeset"]:
            problems.append(f"{page['path']}: the lab chapter shows no typeset formula")
    assert not problems, "\n".join(problems)
