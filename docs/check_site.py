"""Open every page of the built documentation site in headless Chromium and check it as a reader sees it.

Run: ``python docs/check_site.py docs/_build/html`` (``make docs-check``). Needs Debian's ``chromium`` and
``chromium-driver`` (``apt-get install -y chromium chromium-driver``). The site is served by a local HTTP server;
one browser, driven through ChromeDriver's W3C WebDriver HTTP interface (no Python package needed), loads every
page and reports, per page, whether it rendered (a title and a non-empty main text), every ``<img>`` that did
not load (``naturalWidth == 0``), and every internal link (``<a href>``, stylesheet, script) whose target file or
``#fragment`` does not exist. The search page is checked by running a query: ``searchindex.js`` must exist and be
non-empty, and ``search.html?q=<word>`` must list at least one result.

A slow (loaded) machine is not a failure: after navigating, the check waits for ``document.readyState`` to be
``complete`` (up to ``--timeout`` seconds) and for the page's main text to appear; a page that still fails is
loaded once more before it is reported, and the report says how many pages needed that second load. A page that
fails twice is a failure. Exit status 0 when all pass, 1 on a failure, 2 when the site or the browser is missing
(``--skip-missing`` turns that into 0, for tests).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
]

# what the browser reports of each page once it has loaded
PAGE_SCRIPT = """
const main = document.querySelector('main') || document.body;
return {
  title: document.title,
  ready: document.readyState,
  text: main ? main.innerText.trim().length : 0,
  images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0})),
  links: Array.from(document.querySelectorAll('a[href], link[href], script[src]'))
           .map(e => e.getAttribute('href') || e.getAttribute('src')),
};
"""


# the search page, run with a query: how many results it lists once Sphinx's search has finished
SEARCH_SCRIPT = """
const out = document.getElementById('search-results');
const summary = out ? out.querySelector('.search-summary') : null;
return {
  ready: document.readyState,
  done: !!summary && /finished|did not match/i.test(summary.innerText),
  summary: summary ? summary.innerText : '',
  results: out ? out.querySelectorAll('ul.search li').length : 0,
};
"""

#: a word every build of this site has pages for (the query of the search check)
SEARCH_WORD = "replication"


@dataclass
class Report:
    """What the check found."""

    pages: int = 0
    images: int = 0
    links: int = 0
    reloaded: int = 0
    failures: list[str] = field(default_factory=list)


#: pages whose main text is empty until a script fills it: checked for a title only (the search has its own check)
SCRIPTED_PAGES = {"search.html"}


def _rendered(info: dict, min_text: int = 20) -> bool:
    return info.get("ready") == "complete" and bool(info.get("title")) and info.get("text", 0) >= min_text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class WebDriver:
    """A minimal W3C WebDriver client for ChromeDriver (new session, navigate, execute script)."""

    def __init__(self, chromium: str, chromedriver: str) -> None:
        self.port = _free_port()
        self.profile = tempfile.mkdtemp(prefix="cogrnn-docs-chromium-")
        self.proc = subprocess.Popen(
            [chromedriver, f"--port={self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                self._call("GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": chromium,
                        "args": [*CHROMIUM_ARGS, f"--user-data-dir={self.profile}"],
                    },
                }
            }
        }
        self.session = self._call("POST", "/session", caps)["sessionId"]
        self._call("POST", f"/session/{self.session}/timeouts", {"pageLoad": 120_000, "script": 60_000})

    def _call(self, method: str, path: str, body: object | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                out = json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"webdriver {method} {path}: {exc.read()[:300]!r}") from None
        return out.get("value", out) if isinstance(out, dict) else out

    def navigate(self, url: str) -> None:
        """Load ``url`` (ChromeDriver returns once the load event fired or its page-load timeout passed)."""
        self._call("POST", f"/session/{self.session}/url", {"url": url})

    def run(self, script: str) -> dict:
        """Run ``script`` in the current page and return its value."""
        return self._call("POST", f"/session/{self.session}/execute/sync", {"script": script, "args": []})

    def wait_for(self, script: str, done: Callable[[dict], bool], timeout: float) -> dict:
        """Run ``script`` every 0.1 s until ``done`` holds of its value or ``timeout`` s passed; the last value."""
        end = time.monotonic() + timeout
        while True:
            info = self.run(script)
            if done(info) or time.monotonic() > end:
                return info
            time.sleep(0.1)

    def open(self, url: str, timeout: float = 60.0, min_text: int = 20) -> dict:
        """Load ``url``, wait until it has rendered (at most ``timeout`` s); what :data:`PAGE_SCRIPT` reports."""
        self.navigate(url)
        return self.wait_for(PAGE_SCRIPT, lambda info: _rendered(info, min_text), timeout)

    def close(self) -> None:
        """End the session and stop ChromeDriver."""
        try:
            self._call("DELETE", f"/session/{self.session}")
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            shutil.rmtree(self.profile, ignore_errors=True)


_ID = re.compile(r"""\sid=["']([^"']+)["']""")


@functools.cache
def _ids(path: Path) -> frozenset[str]:
    return frozenset(_ID.findall(path.read_text(encoding="utf-8", errors="replace")))


def _check_link(root: Path, page: Path, href: str) -> str | None:
    """Why an internal link is dead, or None when it is fine (external links are not followed)."""
    parts = urllib.parse.urlsplit(href)
    if parts.scheme in ("http", "https") and parts.hostname not in ("127.0.0.1", "localhost"):
        return None
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None  # mailto:, data:, javascript:
    target = page if not parts.path else (page.parent / urllib.parse.unquote(parts.path)).resolve()
    if parts.scheme:  # an absolute URL on the local server
        target = (root / urllib.parse.unquote(parts.path).lstrip("/")).resolve()
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"missing target {href}"
    frag = urllib.parse.unquote(parts.fragment)
    if frag and target.suffix == ".html" and frag not in _ids(target):
        return f"missing anchor {href}"
    return None


def pages_of(root: Path) -> list[Path]:
    """Every HTML page of the site (not the copied sources or static assets)."""
    skip = {"_static", "_sources", "_images", "_downloads", "_modules"}
    return sorted(p for p in root.rglob("*.html") if not skip.intersection(p.relative_to(root).parts))


def check_search(driver: WebDriver, root: Path, base: str, timeout: float = 60.0) -> list[str]:
    """Failures of the search page: ``searchindex.js`` missing or empty, or a query that lists no result."""
    index = root / "searchindex.js"
    if not index.is_file() or index.stat().st_size < 100:
        return ["searchindex.js: missing or empty (the search page has nothing to search)"]
    failures: list[str] = []
    for attempt in range(2):
        driver.navigate(f"{base}search.html?q={SEARCH_WORD}")
        info = driver.wait_for(SEARCH_SCRIPT, lambda i: bool(i.get("done")), timeout)
        if info.get("done") and info.get("results", 0) > 0:
            return []
        failures = [
            f"search.html?q={SEARCH_WORD}: {info.get('results', 0)} results"
            f" ({info.get('summary') or 'the search did not finish'!r} after {timeout:.0f} s, {attempt + 1} loads)"
        ]
    return failures


def check_site(
    root: Path,
    chromium: str = "/usr/bin/chromium",
    chromedriver: str = "/usr/bin/chromedriver",
    timeout: float = 60.0,
) -> Report:
    """Open every page of the site under ``root`` in headless Chromium and collect the failures.

    A page that has not rendered within ``timeout`` seconds is loaded once more; it fails when it has not
    rendered the second time either (``Report.reloaded`` counts the pages that needed the second load).
    """
    root = root.resolve()
    report = Report()
    server, base = _serve(root)
    driver = WebDriver(chromium, chromedriver)
    try:
        for page in pages_of(root):
            rel = page.relative_to(root).as_posix()
            min_text = 0 if rel in SCRIPTED_PAGES else 20
            info = driver.open(base + rel, timeout, min_text)
            if not _rendered(info, min_text):
                report.reloaded += 1
                info = driver.open(base + rel, timeout, min_text)
            report.pages += 1
            if not _rendered(info, min_text):
                report.failures.append(
                    f"{rel}: did not render in two loads of {timeout:.0f} s (readyState {info.get('ready')!r},"
                    f" title {info.get('title')!r}, {info.get('text')} chars of main text)"
                )
            for img in info.get("images", []):
                report.images += 1
                if not img["ok"]:
                    report.failures.append(f"{rel}: image did not load: {img['src']}")
            for href in info.get("links", []):
                if href is None:
                    continue
                report.links += 1
                why = _check_link(root, page, href)
                if why:
                    report.failures.append(f"{rel}: {why}")
        if (root / "search.html").is_file():
            report.failures.extend(check_search(driver, root, base, timeout))
    finally:
        driver.close()
        server.shutdown()
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line: check the site, print a summary and every failure; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", nargs="?", default="docs/_build/html", help="the built site")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--chromedriver", default=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    parser.add_argument("--skip-missing", action="store_true", help="exit 0 when the site or browser is missing")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for a page to render (then once more)"
    )
    args = parser.parse_args(argv)
    root = Path(args.html)
    missing = [
        what
        for what, ok in (
            (f"built site {root}/index.html (run make docs)", (root / "index.html").is_file()),
            (f"chromium {args.chromium}", shutil.which(args.chromium) is not None),
            (f"chromedriver {args.chromedriver}", shutil.which(args.chromedriver) is not None),
        )
        if not ok
    ]
    if missing:
        print(f"check_site: missing {', '.join(missing)}", file=sys.stderr)
        return 0 if args.skip_missing else 2
    t0 = time.perf_counter()
    report = check_site(root, args.chromium, args.chromedriver, args.timeout)
    for failure in report.failures:
        print(f"FAIL {failure}")
    print(
        f"check_site: {report.pages} pages, {report.images} images, {report.links} links and the search checked in"
        f" {time.perf_counter() - t0:.0f} s ({report.reloaded} pages loaded twice): {len(report.failures)} failures"
    )
    return int(bool(report.failures))


if __name__ == "__main__":
    sys.exit(main())
