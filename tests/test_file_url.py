"""A site built without a base URL works opened from disk (file://) in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, FIXTURES, TEMPLATES

from cio_forum_site.commands.build import build

pytestmark = pytest.mark.browser


def test_pages_and_styles_work_from_file_urls(tmp_path: Path):
    from playwright.sync_api import sync_playwright

    out = tmp_path / "build"
    build(FIXTURES / "archive" / "content", TEMPLATES, out, search=False)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto((out / "index.html").as_uri())
            page.click("text=全てのバックナンバー >> nth=0")
            assert page.locator("h1").inner_text() == "全てのバックナンバー"
            page.click("text=日の出町CIO×都CIO座談会（後半）")
            assert page.locator("h1").inner_text() == "日の出町CIO×都CIO座談会（後半）"
            page.click("text=前半はこちら")
            assert page.url.endswith("/articles/0101-hinode/index.html")
            # the fingerprinted stylesheet loaded: the header is styled, not the default
            color = page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor")
            assert color not in ("rgba(0, 0, 0, 0)", "transparent")
        finally:
            browser.close()
