"""`cio-forum-site serve`: a live preview, run as the editor runs it (a subprocess) and
looked at in a real browser (Chromium through Playwright)."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHROMIUM_ARGS, FIXTURES, TEMPLATES

from cio_forum_site.commands.serve import LiveState, PreviewServer, inject

CHROMIUM = "/usr/bin/chromium"
ARTICLE = "articles/0101-hinode/"
OLD_TITLE = "日の出町CIO×都CIO座談会（前半）"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
WAIT_MS = 120_000  # generous: a busy machine is slow, not wrong (speed: benchmarks/bench_serve.py)
# the background search build, from the preview's output: a bound so that a test cannot hang,
# never a speed check (a busy machine is slow, not wrong; speed: benchmarks/bench_search.py)
SEARCH_BUILD_SECONDS = 900
# the search page has answered (results or none): not busy, and a status that is not "…"
SEARCH_SETTLED = """() => {
  const results = document.getElementById('search-results');
  const status = document.getElementById('search-status');
  return results && status && results.getAttribute('aria-busy') === 'false'
    && status.textContent.trim() !== '' && !status.textContent.endsWith('…');
}"""


class Preview:
    """A running `cio-forum-site serve` and what it printed."""

    def __init__(self, root: Path, *args: str):
        self.root = root
        self.content = root / "content"
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cio_forum_site", "serve", "--port", "0",
             "--templates", str(TEMPLATES), *args],
            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.wait_for(r"http://127\.0\.0\.1:\d+/").group(0)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.output.append(line)
            if m := re.search(pattern, line):
                return m
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.output))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with _OPENER.open(self.url + path, timeout=5) as response:
                return response.status, response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()


def edit(file: Path, old: str, new: str) -> None:
    """Save as an editor does: the whole file, rewritten in place."""
    text = file.read_text("utf-8")
    assert old in text
    file.write_text(text.replace(old, new), "utf-8")


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    shutil.copytree(FIXTURES / "archive" / "content", tmp_path / "content")
    running = Preview(tmp_path)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.browser
def test_an_edit_shows_in_the_open_page_by_itself(preview: Preview, browser):
    """How fast is for benchmarks/bench_serve.py; here: it comes, without a reload by hand."""
    page = browser.new_page()
    page.goto(preview.url + ARTICLE)
    assert page.locator("h1").inner_text() == OLD_TITLE
    page.wait_for_function("() => window.__cioLive !== undefined")
    page.evaluate("() => { window.__sameDocument = true; }")

    edit(preview.content / "0101-hinode.md", f"title: {OLD_TITLE}", "title: 窓口のデジタル化を語る")
    page.wait_for_function("() => document.querySelector('h1')?.innerText === '窓口のデジタル化を語る'",
                           timeout=WAIT_MS)
    assert page.evaluate("() => window.__sameDocument") is None  # the preview reloaded the page


@pytest.mark.browser
def test_a_broken_edit_shows_the_error_over_the_last_good_page(preview: Preview, browser):
    page = browser.new_page()
    page.goto(preview.url + ARTICLE)
    page.wait_for_function("() => window.__cioLive !== undefined")
    time.sleep(0.3)

    edit(preview.content / "0101-hinode.md", "date: 2019-04-26", "date: [2019-04-26")
    overlay = page.locator("#cio-live-overlay")
    overlay.wait_for(state="visible", timeout=WAIT_MS)
    assert overlay.locator("li").all_inner_texts() == [
        "content/0101-hinode.md:4:7: エラー: front matter の YAML: 閉じ括弧 `]` がありません: `[` で始めたリストは"
        "同じ行のうちに `]` で閉じてください（項目は `,` で区切ります。例: tags: [窓口, DX推進]）"]
    assert page.locator("h1").inner_text() == OLD_TITLE  # the page underneath is still there

    status, html = preview.get(ARTICLE)  # and the last good site is still served
    assert status == 200 and f"<h1>{OLD_TITLE}</h1>" in html
    other = browser.new_page()
    other.goto(preview.url + "articles/0102-hinode/")
    assert other.locator("#cio-live-overlay").is_visible()

    edit(preview.content / "0101-hinode.md", "date: [2019-04-26", "date: 2019-04-26")
    overlay.wait_for(state="detached", timeout=WAIT_MS)


def test_the_error_is_printed_in_the_terminal(preview: Preview):
    edit(preview.content / "0101-hinode.md", "date: 2019-04-26", "date: 2019-04-31")
    preview.wait_for(r"1件の問題があるため、更新できませんでした")
    line = preview.wait_for(r"^content/0101-hinode\.md:\d+:\d+: ").string
    assert line == ("content/0101-hinode.md:4:7: エラー: `date` が日付になっていません: 「2019-04-31」"
                    "（2021-10-15 のように、実在する日を YYYY-MM-DD で書いてください）")


def test_pages_are_served_with_the_live_script_and_nothing_is_written_to_build(preview: Preview):
    status, html = preview.get(ARTICLE)
    assert status == 200
    assert '<script src="/__livereload.js"></script>' in html
    assert preview.get("__livereload.js")[0] == 200
    assert not (preview.root / "build").exists()


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_serve_leaves_build_byte_identical_and_its_search_works(tmp_path: Path):
    shutil.copytree(FIXTURES / "archive" / "content", tmp_path / "content")
    built = subprocess.run([sys.executable, "-m", "cio_forum_site", "build", "-q",
                            "--templates", str(TEMPLATES)], cwd=tmp_path, capture_output=True,
                           text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    before = _tree(tmp_path / "build")
    assert any(name.startswith("pagefind/") for name in before)
    preview = Preview(tmp_path, "--verbose")
    try:
        preview.wait_for("検索インデックスを更新しました", timeout=SEARCH_BUILD_SECONDS)
        edit(preview.content / "0101-hinode.md", f"title: {OLD_TITLE}", "title: 窓口のデジタル化を語る")
        preview.wait_for("更新しました: ", timeout=SEARCH_BUILD_SECONDS)
        preview.wait_for("検索インデックスを更新しました", timeout=SEARCH_BUILD_SECONDS)
        assert "窓口のデジタル化を語る" in preview.get(ARTICLE)[1]
        # the preview's own search bundle is served: the entry and the files it names
        status, entry = preview.get("pagefind/pagefind-entry.json")
        assert status == 200 and '"languages"' in entry
        assert preview.get("pagefind/ja/manifest.json.gz")[0] == 200
    finally:
        preview.stop()
    assert _tree(tmp_path / "build") == before


@pytest.mark.browser
def test_serve_shows_drafts_marked_as_such(tmp_path: Path, browser):
    shutil.copytree(FIXTURES / "archive" / "content", tmp_path / "content")
    draft = tmp_path / "content" / "0101-hinode.md"
    draft.write_text(draft.read_text("utf-8").replace("---\n", "---\ndraft: true\n", 1), "utf-8")
    preview = Preview(tmp_path)
    try:
        tab = browser.new_page()
        tab.goto(preview.url + ARTICLE)
        assert "下書きです" in tab.locator(".draft-note").inner_text()
        tab.goto(preview.url)
        assert tab.locator(".card", has=tab.locator(".badge-draft")).count() == 1
    finally:
        preview.stop()


def test_a_folder_without_its_slash_is_redirected_and_a_missing_page_is_404(preview: Preview):
    request = urllib.request.Request(preview.url + "articles/0101-hinode", method="HEAD")
    no_redirect = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as moved:
        no_redirect.open(request, timeout=5)
    assert moved.value.code == 301 and moved.value.headers["Location"] == "/articles/0101-hinode/"
    status, html = preview.get("articles/none/")
    assert status == 404 and "__livereload" in html
    assert preview.get("../../etc/passwd")[0] in (400, 404)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_ctrl_c_stops_cleanly_and_leaves_no_staging_folders(preview: Preview):
    assert preview.stop() == 0
    preview.wait_for("プレビューを止めました")
    # never build/; .cache: the photos' renditions, shared with `build` (site/images.py), and
    # what MeCab made of the articles if the background search build got that far
    assert sorted(p.name for p in preview.root.iterdir()) == [".cache", "content"]
    assert "images" in [p.name for p in (preview.root / ".cache").iterdir()]


def test_a_port_in_use_is_refused_with_exit_2(tmp_path: Path):
    shutil.copytree(FIXTURES / "archive" / "content", tmp_path / "content")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "cio_forum_site", "serve", "--port", str(port),
             "--templates", str(TEMPLATES)],
            cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 2
    assert f"127.0.0.1 のポート {port} を使えません" in result.stderr
    assert not (tmp_path / "build").exists()


def test_the_server_listens_on_127_0_0_1_only(tmp_path: Path):
    server = PreviewServer(0, tmp_path, tmp_path, LiveState(), None)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_the_live_script_goes_before_the_end_of_the_body():
    page = b"<html><body><p>x</p></body></html>"
    injected = inject(page, {"build": "a-1", "errors": ["content/x.md:3:0: エラー: </script> で壊れない"]})
    assert injected.startswith(b"<html><body><p>x</p><script>window.__cioLive = ")
    assert injected.endswith(b'<script src="/__livereload.js"></script>\n</body></html>')
    assert b"<\\/script>" in injected


def _search_landed() -> bool:
    try:
        from cio_forum_site.search import build_search  # noqa: F401
    except ImportError:
        return False
    return True


def _search_page_landed() -> bool:
    return _search_landed() and any((TEMPLATES / "static").glob("search*.js"))


def test_files_missing_from_the_site_are_served_from_the_copy_of_the_last_search(tmp_path: Path):
    site, copy = tmp_path / "build", tmp_path / "search-copy"
    (site / "search").mkdir(parents=True)
    (site / "search" / "index.html").write_text("<html><body>検索</body></html>", "utf-8")
    (copy / "pagefind").mkdir(parents=True)
    (copy / "pagefind" / "pagefind-entry.json").write_text('{"version": "1"}', "utf-8")
    server = PreviewServer(0, site, copy, LiveState(), None)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with _OPENER.open(server.url + "pagefind/pagefind-entry.json", timeout=5) as response:
            assert (response.status, response.read()) == (200, b'{"version": "1"}')
            assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    finally:
        server.shutdown()
        server.server_close()


def _search_files(content: Path, work: Path) -> set[str]:
    """The files the search stage adds to a site built from ``content`` (never HTML)."""
    from cio_forum_site.commands.build import build

    build(content, TEMPLATES, work / "with", search=True)
    build(content, TEMPLATES, work / "without", search=False)
    return {p.relative_to(work / "with").as_posix() for p in (work / "with").rglob("*")
            if p.is_file() and p.suffix != ".html"
            and not (work / "without" / p.relative_to(work / "with")).exists()}


@pytest.mark.skipif(not _search_landed(), reason="the search stage (search.py) has not landed yet")
def test_the_search_index_is_refreshed_after_an_edit_and_old_files_stay_served(tmp_path: Path):
    shutil.copytree(FIXTURES / "archive" / "content", tmp_path / "content")
    before = _search_files(tmp_path / "content", tmp_path / "expected-before")
    preview = Preview(tmp_path, "--verbose")
    try:
        preview.wait_for("検索インデックスを更新しました")
        assert before and [name for name in before if preview.get(name)[0] != 200] == []

        edit(preview.content / "0101-hinode.md", "来年度には予約の仕組みを入れたいと考えています。",
             "来年度には予約の仕組みを入れたいと考えています。コスモスの咲く公園でも案内を始めます。")
        preview.wait_for("更新しました: ")
        assert [name for name in before if preview.get(name)[0] != 200] == []
        after = _search_files(preview.content, tmp_path / "expected-after")
        assert after != before
        preview.wait_for("検索インデックスを更新しました")
        assert [name for name in after | before if preview.get(name)[0] != 200] == []
    finally:
        preview.stop()


try:
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # the browser tests skip themselves
    PlaywrightError = Exception


@pytest.mark.browser
@pytest.mark.skipif(not _search_page_landed(), reason="the search stage and page have not landed yet")
def test_search_keeps_working_and_finds_an_edit_a_moment_later(preview: Preview, browser):
    tab = browser.new_page()

    def found(word: str) -> list[str]:
        """The article links the search page lists for ``word`` (the page may be reloaded
        by the preview meanwhile: then ask again)."""
        for _ in range(3):
            try:
                tab.goto(preview.url + "search/?q=" + word)  # a live reload may interrupt it
                tab.wait_for_function(SEARCH_SETTLED, timeout=WAIT_MS)  # found or not
                links = tab.locator("#search-results a[href*='/articles/']")
                return links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
            except PlaywrightError as error:
                if "Timeout" in str(error):
                    return []
        return []

    deadline = time.monotonic() + SEARCH_BUILD_SECONDS
    while not found("窓口") and time.monotonic() < deadline:  # the first search build
        time.sleep(0.5)
    assert found("窓口")

    edit(preview.content / "0101-hinode.md", "来年度には予約の仕組みを入れたいと考えています。",
         "来年度には予約の仕組みを入れたいと考えています。コスモスの咲く公園でも案内を始めます。")
    deadline = time.monotonic() + SEARCH_BUILD_SECONDS
    while time.monotonic() < deadline:
        assert found("窓口"), "search stopped working while the site was rebuilt"
        if any("0101-hinode" in href for href in found("コスモス")):
            break
        time.sleep(0.3)
    else:
        raise AssertionError("the edit never reached the search index")
