"""404.html as a host serves it (GitHub Pages: for a missing address at any depth, with status
404): styled, and its links lead into the site, with or without a base URL."""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, FIXTURES, TEMPLATES

from cio_forum_site.commands.build import build

sys.path.insert(0, str(FIXTURES / "search"))
from harness import _Handler  # noqa: E402

pytestmark = pytest.mark.browser
PREFIX = "/cio/"


class PagesHandler(_Handler):
    """Like GitHub Pages: a missing address gets the site's 404.html with status 404."""

    def send_error(self, code, message=None, explain=None):
        if code != 404:
            return super().send_error(code, message, explain)
        body = (self.site / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def serve_like_pages(site: Path):
    handler = functools.partial(PagesHandler, site=site, prefix=PREFIX, sent=[])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"


@pytest.fixture(scope="module", params=["", "https://example.org/cio/"], ids=["no-base-url", "base-url"])
def site(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("not-found") / "build"
    build(FIXTURES / "archive" / "content", TEMPLATES, out, search=False, base_url=request.param)
    return out


@pytest.mark.parametrize("missing", ["nothing-here", "a/b/c/missing.html", "articles/gone/", "static/x/y/"])
def test_the_404_page_works_at_any_depth(site: Path, missing: str):
    from playwright.sync_api import sync_playwright

    server, base = serve_like_pages(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            response = page.goto(base + missing)
            assert response.status == 404
            assert page.locator("h1").inner_text() == "ページが見つかりません"
            # the stylesheet arrives (the header gets its colour), at once or once the root is found
            page.wait_for_function(
                "getComputedStyle(document.querySelector('.site-header')).backgroundColor !== 'rgba(0, 0, 0, 0)'")
            page.click("text=全てのバックナンバー >> nth=-1")
            page.wait_for_load_state()
            assert page.url.removesuffix("index.html") == base + "backnumbers/"
            assert page.locator("h1").inner_text() == "全てのバックナンバー"
            page.go_back()
            # back on the 404 page its script fixes the links again, after its own fetches:
            # wait for that before following one (under load the click came first)
            page.wait_for_function(
                "(base) => document.querySelector('.site-title').href.replace(/index\\.html$/, '') === base",
                arg=base)
            page.click(".site-title")
            page.wait_for_load_state()
            assert page.url.removesuffix("index.html") == base
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
