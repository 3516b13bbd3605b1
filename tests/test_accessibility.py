"""Accessibility (JIS X 8341-3:2016 AA = WCAG 2.0 AA, designed to WCAG 2.2 AA) on every page.

Two sites are built with the real build (MeCab, Pagefind): the fixture archive and a
60-article synthetic archive. Every page of both is checked in Debian's Chromium with
axe-core (npm, injected by Playwright; WCAG 2.0–2.2 A/AA and best practice; the fixture
site also at 360 px and in the dark scheme), and with the W3C Nu Html Checker (npm vnu-jar, run with Java).
A reader can go home → search → result → article with the keyboard alone.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, FIXTURES, TEMPLATES

from cio_forum_site.commands.build import build
from cio_forum_site.synthetic import write as write_synthetic

sys.path.insert(0, str(FIXTURES / "search"))
from harness import serve, wait_for_results  # noqa: E402

pytestmark = pytest.mark.browser

NODE_MODULES = Path(sys.prefix) / "node_modules"  # `make tools` installs the pinned npm tools here
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
PREFIX = "/cio/"  # served under a sub-path, as a project site on GitHub Pages
VIEWPORTS = {"360px": {"width": 360, "height": 740}, "1280px": {"width": 1280, "height": 900}}


def require(tool: Path) -> Path:
    if not tool.is_file():
        pytest.fail(f"{tool} is missing: run `make tools` (installs the pinned npm tools into .venv)")
    return tool


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    """name → built site: the fixture archive and a 60-article synthetic archive."""
    root = tmp_path_factory.mktemp("a11y")
    write_synthetic(60, root / "synthetic-content")
    built = {}
    for name, content in (("fixture", FIXTURES / "archive" / "content"),
                          ("synthetic", root / "synthetic-content")):
        out = root / name
        build(content, TEMPLATES, out)
        built[name] = out
    return built


def page_urls(site: Path) -> list[str]:
    """Every HTML page of a built site, as a path under the site root."""
    urls = []
    for html in sorted(site.rglob("*.html")):
        rel = html.relative_to(site).as_posix()
        urls.append(rel.removesuffix("index.html"))
    return urls


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def axe_violations(page, rules: list[str] | None = None) -> list[str]:
    """axe-core's violations on the open page, one line per rule and element: every rule of
    AXE_TAGS, or only ``rules``."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(require(AXE)))
    run_only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": AXE_TAGS}
    result = page.evaluate(
        "runOnly => axe.run(document, {runOnly, resultTypes: ['violations']})", run_only)
    return [f"{v['id']} ({v['impact']}): {node['target']} {node['failureSummary'].splitlines()[-1].strip()}"
            for v in result["violations"] for node in v["nodes"]]


# Every rule at 1280 px in the light scheme; then the rules whose outcome depends on the width
# (at 360 px) or on the colours (dark). Every other rule reads the DOM, which is the same at
# every width and in both schemes (no content is hidden or shown by width).
LOOKS = {
    ("1280px", "light"): None,
    ("360px", "light"): ["color-contrast", "link-in-text-block", "target-size",
                         "scrollable-region-focusable", "region", "meta-viewport"],
    ("1280px", "dark"): ["color-contrast", "link-in-text-block"],
}


def check_every_page(browser, site: Path, looks: list[tuple[str, str]]) -> dict[str, list[str]]:
    """'url at width scheme' → violations, for every page of ``site`` (only those with any)."""
    found = {}
    with serve(site, PREFIX) as (base, _):
        context = browser.new_context(viewport=VIEWPORTS["1280px"])
        page = context.new_page()
        for url in page_urls(site):
            page.goto(base + url)
            for viewport, scheme in looks:
                page.set_viewport_size(VIEWPORTS[viewport])
                page.emulate_media(color_scheme=scheme)
                violations = axe_violations(page, LOOKS[viewport, scheme])
                if violations:
                    found[f"{url} at {viewport} {scheme}"] = violations
            page.set_viewport_size(VIEWPORTS["1280px"])
            page.emulate_media(color_scheme="light")
        context.close()
    return found


def test_axe_finds_nothing_on_any_page_of_the_fixture_site_at_360_and_1280_px_light_and_dark(sites, browser):
    assert len(page_urls(sites["fixture"])) > 15
    assert check_every_page(browser, sites["fixture"], list(LOOKS)) == {}


def test_axe_finds_nothing_on_any_page_of_the_synthetic_site(sites, browser):
    """Every rule on each of its pages at 1280 px (the pages are of the fixture site's types;
    the machine's two cores do not allow three passes over all of them in every run)."""
    assert len(page_urls(sites["synthetic"])) > 100
    assert check_every_page(browser, sites["synthetic"], [("1280px", "light")]) == {}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_axe_finds_nothing_on_search_results_with_filters_open(sites, browser, viewport):
    with serve(sites["synthetic"], PREFIX) as (base, _):
        context = browser.new_context(viewport=VIEWPORTS[viewport])
        page = context.new_page()
        page.goto(base + "search/?q=" + quote("人材"))
        wait_for_results(page, "人材")
        assert page.locator("#search-results a").count() > 0
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert axe_violations(page) == []
        page.emulate_media(color_scheme="dark")
        assert axe_violations(page, LOOKS[("1280px", "dark")]) == []
        context.close()


def test_axe_would_catch_a_violation(browser, tmp_path: Path):
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="ja"><head><title>t</title></head><body><main>'
        '<h1>見出し</h1><h3>飛んだ見出し</h3><img src="x.png">'
        '<p style="color:#8a93a3">薄い文字</p></main></body></html>', "utf-8")
    with serve(tmp_path, PREFIX) as (base, _):
        page = browser.new_page()
        page.goto(base)
        rules = {line.split(" ")[0] for line in axe_violations(page)}
        page.close()
    assert {"heading-order", "image-alt", "color-contrast"} <= rules


# ---- the W3C Nu Html Checker ----------------------------------------------------------------


def vnu_errors(*paths: Path) -> list[str]:
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is missing: the Nu Html Checker needs Java 11 or later")
    done = subprocess.run([java, "-jar", str(require(VNU)), "--errors-only", "--format", "json",
                           "--skip-non-html", *map(str, paths)],
                          capture_output=True, text=True)
    messages = json.loads(done.stderr or done.stdout)["messages"]
    return [f"{m.get('url', '').rsplit('/', 3)[-1]}:{m.get('lastLine', 0)}: {m['message']}" for m in messages]


def test_the_nu_html_checker_finds_no_error_on_any_page(sites):
    assert vnu_errors(*sites.values()) == []


def test_the_nu_html_checker_would_catch_an_error(tmp_path: Path):
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="ja"><head><title>t</title></head><body>'
        '<form action=""></form></body></html>', "utf-8")
    errors = vnu_errors(tmp_path)
    assert len(errors) == 1 and "action" in errors[0]


# ---- the keyboard ---------------------------------------------------------------------------


def tab_to(page, predicate: str, limit: int = 80) -> None:
    """Press Tab until the focused element satisfies ``predicate`` (a JS function of it)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({predicate})(document.activeElement)"):
            return
    raise AssertionError(f"no focusable element matching {predicate} within {limit} tabs")


def focus_ring_visible(page) -> bool:
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_keyboard_path_home_search_result_article(sites, browser, viewport):
    with serve(sites["fixture"], PREFIX) as (base, _):
        context = browser.new_context(viewport=VIEWPORTS[viewport])
        page = context.new_page()
        page.goto(base)
        # the skip link comes first and moves to the main content
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
        assert focus_ring_visible(page)
        # home → search: the search box on the home page
        tab_to(page, "e => e.type === 'search'")
        page.keyboard.type("セキュリティ")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/search/(index\.html)?\?q="))  # without a base URL links name index.html
        wait_for_results(page, "セキュリティ")
        # search → result: the first result link
        tab_to(page, "e => e.closest('#search-results') && e.tagName === 'A'")
        assert focus_ring_visible(page)
        target = page.evaluate("document.activeElement.href")
        page.keyboard.press("Enter")
        page.wait_for_url(target)
        # result → article: the article page, its heading reachable after the skip link
        assert "/articles/" in page.url
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        assert page.locator("h1").count() == 1
        context.close()
