"""Link check: the site published at https://example.org/cio/, served under /cio/ on 127.0.0.1
and crawled from /cio/ — every internal link, asset, feed entry and sitemap URL must resolve.

Absolute URLs under the base URL (canonical, og:url, feed entries, sitemap) are mapped to the
local server; anything else on example.org is outside the site and counts as broken.
"""

from __future__ import annotations

import importlib.util
import json
import re
import threading
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import lxml.etree
import lxml.html
import pytest
from conftest import CHROMIUM_ARGS, ROOT, TEMPLATES

from cio_forum_site.commands.build import build
from cio_forum_site.site.config import Site

BASE = "https://example.org/cio/"
PREFIX = "/cio/"
HAS_SEARCH = importlib.util.find_spec("cio_forum_site.search") is not None
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
WAIT_MS = 120_000  # generous: a busy machine is slow, not wrong (speed: benchmarks/)


class SubPathHandler(SimpleHTTPRequestHandler):
    """Serves the output folder under PREFIX only, and 404.html for anything missing — as
    GitHub Pages does for a project site."""

    def __init__(self, *args, out: Path, **kwargs):
        self.out = out
        super().__init__(*args, directory=str(out), **kwargs)

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if not path.startswith(PREFIX):
            return str(self.out / "\0outside")  # never exists
        return super().translate_path("/" + path[len(PREFIX):])

    def list_directory(self, path):
        self.send_error(404)  # a folder without index.html is not a page (no listings)

    def send_error(self, code, message=None, explain=None):
        if code != 404:
            return super().send_error(code, message, explain)
        body = (self.out / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def serve(out: Path) -> Iterator[str]:
    """Serve ``out`` under /cio/ on 127.0.0.1; yields the server's /cio/ URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SubPathHandler, out=out))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()


def build_published(out: Path, search: bool) -> Path:
    """The sample archive built for https://example.org/cio/, two articles to a backnumber
    page so that there is paging."""
    build(ROOT / "content", TEMPLATES, out, site=Site(per_page=2), base_url=BASE, search=search)
    return out


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    out = build_published(tmp_path_factory.mktemp("linkcheck") / "build", HAS_SEARCH)
    with serve(out) as root:
        yield out, root


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes


@dataclass
class Crawl:
    root: str  # http://127.0.0.1:PORT/cio/
    responses: dict[str, Response] = field(default_factory=dict)
    references: list[tuple[str, str, str]] = field(default_factory=list)  # (from, as written, local URL)
    outside: list[tuple[str, str]] = field(default_factory=list)  # on our host but not under /cio/

    def local(self, url: str) -> str | None:
        """The local URL for a reference into the site, None for an external one."""
        if url.startswith(BASE):
            return self.root + url[len(BASE):]
        if url.startswith(self.root):
            return url
        return None

    def fetch(self, url: str) -> Response:
        url = urldefrag(url)[0]
        if url not in self.responses:
            try:
                with _OPENER.open(url, timeout=30) as r:
                    self.responses[url] = Response(r.status, r.headers.get_content_type(), r.read())
            except urllib.error.HTTPError as e:
                self.responses[url] = Response(e.code, e.headers.get_content_type(), e.read())
        return self.responses[url]

    def run(self, *seeds: str) -> None:
        queue = deque(seeds)
        seen = set(seeds)
        while queue:
            url = queue.popleft()
            response = self.fetch(url)
            for written, absolute in references_in(url, response):
                if absolute.startswith(("data:", "mailto:", "tel:", "javascript:")):
                    continue
                target = self.local(absolute)
                if target is None:
                    if urlsplit(absolute).hostname in ("example.org", "127.0.0.1"):
                        self.outside.append((url, written))
                    continue
                self.references.append((url, written, target))
                page = urldefrag(target)[0]
                if page not in seen:
                    seen.add(page)
                    queue.append(page)

    def broken(self) -> list[tuple[str, str, str]]:
        """(page, reference, why) for every internal reference that does not resolve."""
        problems = []
        for source, written, target in self.references:
            page, fragment = urldefrag(target)
            response = self.fetch(page)
            if response.status != 200 and page != source:  # "#main" on the 404 page is fine
                problems.append((source, written, f"HTTP {response.status}"))
            elif fragment and response.content_type == "text/html":
                doc = lxml.html.fromstring(response.body)
                if not doc.xpath("//*[@id=$f or @name=$f]", f=unquote(fragment)):
                    problems.append((source, written, f"no #{fragment} there"))
        return problems


def references_in(url: str, response: Response) -> list[tuple[str, str]]:
    """(as written, absolute) for every URL a response refers to."""
    kind = response.content_type
    found: list[str] = []
    if kind == "text/html":
        doc = lxml.html.fromstring(response.body)
        for _, _, link, _ in doc.iterlinks():  # href, src, action, srcset, style url(), …
            found.append(link.strip())
        for meta in doc.xpath("//meta[@property='og:url' or @property='og:image']"):
            found.append(meta.get("content"))
        for script in doc.xpath("//script[@type='application/ld+json']"):
            found += json_ld_urls(json.loads(script.text))
    elif kind in ("application/xml", "text/xml", "application/atom+xml"):
        root = lxml.etree.fromstring(response.body)
        found += root.xpath("//*[local-name()='link']/@href | //*[local-name()='loc']/text()")
    elif kind == "text/css":
        found += re.findall(r"""url\(\s*["']?([^"')\s]+)""", response.body.decode("utf-8"))
    elif kind in ("text/javascript", "application/javascript"):  # modules, workers
        found += re.findall(r"""["'`](\.{1,2}/[^"'`\s$]+)["'`]""", response.body.decode("utf-8"))
    elif kind == "text/plain":
        found += re.findall(r"^Sitemap:\s*(\S+)", response.body.decode("utf-8"), re.MULTILINE)
    return [(link, urljoin(url, link)) for link in found]


def json_ld_urls(data) -> list[str]:
    if isinstance(data, dict):
        return [u for key, value in data.items()
                for u in ([value] if key in ("url", "mainEntityOfPage", "image") and isinstance(value, str)
                          else json_ld_urls(value))]
    if isinstance(data, list):
        return [u for item in data for u in json_ld_urls(item)]
    return []


@pytest.fixture(scope="module")
def crawl(served) -> Crawl:
    _, root = served
    result = Crawl(root)
    result.run(root, root + "robots.txt", root + "no/such/page/")
    return result


def test_every_internal_reference_resolves(crawl: Crawl):
    assert len(crawl.references) > 500
    assert crawl.broken() == []


def test_nothing_points_outside_the_sub_path(crawl: Crawl):
    assert crawl.outside == []


def test_the_crawl_reaches_every_file_of_the_site(served, crawl: Crawl):
    out, root = served
    reached = {url for url, r in crawl.responses.items() if r.status == 200}
    published = {root + p.relative_to(out).as_posix().removesuffix("index.html")
                 for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")
                 and p.relative_to(out).parts[0] != "pagefind" and p.name != "404.html"}
    assert sorted(published - reached) == []


def test_feed_entries_and_sitemap_urls_were_checked(crawl: Crawl):
    feeds = [s for s, _, _ in crawl.references if s.endswith("feed.xml")]
    sitemap = [t for s, _, t in crawl.references if s.endswith("sitemap.xml")]
    assert len({s for s in feeds}) >= 2  # the site's feed and the municipalities' feeds
    assert len(sitemap) > 20 and all(crawl.fetch(t).status == 200 for t in sitemap)


def test_the_404_page_works_at_any_depth(crawl: Crawl):
    missing = crawl.root + "no/such/page/"
    assert crawl.fetch(missing).status == 404
    from_404 = [t for s, _, t in crawl.references if s == missing]
    assert from_404 and all(t.startswith(crawl.root) for t in from_404)


def test_assets_are_served_under_their_fingerprinted_names(crawl: Crawl):
    assets = {t for _, _, t in crawl.references if "/static/" in t}
    assert [t for t in assets if not re.search(r"/static/[\w-]+\.[0-9a-f]{8}\.(css|js)$", t)] == []
    styles = [t for t in assets if t.endswith(".css")]
    assert styles and crawl.fetch(styles[0]).content_type == "text/css"


def test_the_checker_finds_a_missing_page_asset_and_fragment(tmp_path: Path):
    out = build_published(tmp_path / "build", search=False)
    (out / "municipalities" / "kiyose" / "index.html").unlink()
    next((out / "static").glob("style.*.css")).unlink()
    article = out / "articles" / "0005-kiyose" / "index.html"
    article.write_text(article.read_text("utf-8").replace('href="#', 'href="#gone-', 1), "utf-8")
    with serve(out) as root:
        crawl = Crawl(root)
        crawl.run(root, root + "robots.txt")
        broken = crawl.broken()
    why = {(written, reason) for _, written, reason in broken}
    assert ("https://example.org/cio/municipalities/kiyose/", "HTTP 404") in why  # sitemap entry
    assert ("../../municipalities/kiyose/", "HTTP 404") in why  # from the article
    assert any(w.startswith("../static/style.") and r == "HTTP 404" for w, r in why)
    assert any(r.startswith("no #gone-") for _, r in why)




@pytest.mark.browser
@pytest.mark.skipif(not HAS_SEARCH, reason="the search stage (search.py) has not landed yet")
def test_search_works_under_the_sub_path(served):
    """Search in Chromium at /cio/search/: Pagefind loads from /cio/pagefind/ and the results
    link to articles under /cio/."""
    from playwright.sync_api import sync_playwright

    _, root = served
    requests_outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            tab.on("request", lambda r: None if r.url.startswith(root) or r.url.startswith("data:")
                   else requests_outside.append(r.url))
            failed: list[str] = []
            tab.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
            tab.goto(root + "search/?q=" + "標準化")
            results = tab.locator("#search-results a[href*='/articles/']")
            results.first.wait_for(timeout=WAIT_MS)
            hrefs = results.evaluate_all("links => links.map(a => a.href)")
            assert hrefs and all(h.startswith(root + "articles/") for h in hrefs), hrefs
            tab.goto(hrefs[0])
            assert tab.locator("h1").first.inner_text()
            assert failed == []
        finally:
            browser.close()
    assert requests_outside == []
