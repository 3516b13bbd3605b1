"""Pagefind's bundle, made byte-identical between runs: the real Pagefind binary indexes the
same pages twice, ``stabilize`` orders what it wrote by chance, and Pagefind's own JavaScript
still reads the result (filters, filtered and sorted search) in Chromium."""

from __future__ import annotations

import json
import subprocess
import threading
from collections import Counter
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pagefind_bin
import pytest

from cio_forum_site.search.bundle import read, stabilize

TAGS = ["人材育成", "標準化", "セキュリティ", "テレワーク", "窓口", "連携"]
PLACES = ["清瀬市", "荒川区", "武蔵野市", "立川市", "国分寺市"]


def pages(site: Path, n: int = 36) -> list[dict]:
    """``n`` small pages with meta, filters and a sort key with ties, as the search stage
    gives Pagefind; returns what each page says."""
    described = []
    for i in range(n):
        page = {"title": f"記事{i}", "place": PLACES[i % 5], "tags": [TAGS[i % 6], TAGS[(i * 5 + 1) % 6]],
                "date": f"2021-0{i % 4 + 1}-01"}
        spans = (f'<span data-pagefind-meta="title:{page["title"]}"></span>'
                 f'<span data-pagefind-filter="municipality:{page["place"]}"></span>'
                 + "".join(f'<span data-pagefind-filter="tag:{t}"></span>' for t in page["tags"])
                 + f'<span data-pagefind-filter="kind:{"座談会" if i % 3 else "インタビュー"}"></span>'
                 f'<span data-pagefind-sort="date:{page["date"]}"></span>')
        folder = site / str(i)
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(
            f'<!doctype html><html><body><main data-pagefind-body>{spans}'
            f'<p>共通 語{i} 組{i % 3}</p></main></body></html>', "utf-8")
        described.append(page)
    return described


def pagefind(site: Path, out: Path) -> None:
    subprocess.run([str(pagefind_bin.get_executable()), "--site", str(site), "--output-path", str(out)],
                   check=True, capture_output=True, timeout=120, cwd=site)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    root = tmp_path_factory.mktemp("pagefind")
    described = pages(root / "site")
    outs = []
    for run in range(3):
        out = root / f"out{run}"
        pagefind(root / "site", out)
        stabilize(out)
        outs.append(out)
    return root, described, outs


def test_three_runs_give_the_same_bytes_once_stabilized(bundles):
    _, _, outs = bundles
    first = tree(outs[0])
    for other in outs[1:]:
        second = tree(other)
        assert sorted(first) == sorted(second)
        assert [name for name in first if first[name] != second[name]] == []


def test_filters_and_their_values_are_in_order_and_files_named_by_content(bundles):
    _, _, outs = bundles
    out = outs[0]
    entry = json.loads((out / "pagefind-entry.json").read_text("utf-8"))
    (language,) = entry["languages"].values()
    meta = read(out / f"pagefind.{language['hash']}.pf_meta")
    filters = meta[3]
    assert [name for name, _ in filters] == ["kind", "municipality", "tag"]
    for _, file_hash in filters:
        values = read(out / "filter" / f"{file_hash}.pf_filter")[1]
        assert [v[0] for v in values] == sorted(v[0] for v in values)
    assert sorted(p.name for p in (out / "filter").iterdir()) == sorted(f"{h}.pf_filter" for _, h in filters)
    assert len(list(out.glob("pagefind.*.pf_meta"))) == 1


def test_stabilizing_twice_changes_nothing(bundles, tmp_path: Path):
    _, _, outs = bundles
    before = tree(outs[0])
    stabilize(outs[0])
    assert tree(outs[0]) == before


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.browser
def test_pagefind_still_reads_the_rewritten_bundle(bundles):
    from playwright.sync_api import sync_playwright

    root, described, outs = bundles
    www = root / "www"
    (www / "pagefind").mkdir(parents=True)
    for name, data in tree(outs[0]).items():
        (www / "pagefind" / name).parent.mkdir(parents=True, exist_ok=True)
        (www / "pagefind" / name).write_bytes(data)
    (www / "t.html").write_text("<!doctype html><title>t</title>", "utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(www)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    script = """async () => {
        const pf = await import("/pagefind/pagefind.js");
        await pf.init();
        const filters = await pf.filters();
        const tagged = await pf.search(null, {filters: {tag: "標準化"}, sort: {date: "asc"}});
        const data = await Promise.all(tagged.results.map(r => r.data()));
        return {filters, titles: data.map(d => d.meta.title)};
    }"""
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            try:
                tab = browser.new_page()
                tab.goto(f"http://127.0.0.1:{server.server_address[1]}/t.html")
                result = tab.evaluate(script)
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert result["filters"]["municipality"] == dict(Counter(p["place"] for p in described))
    assert result["filters"]["tag"] == dict(Counter(t for p in described for t in p["tags"]))
    tagged = [p for p in described if "標準化" in p["tags"]]
    assert sorted(result["titles"]) == sorted(p["title"] for p in tagged)
    dates = [next(p["date"] for p in described if p["title"] == t) for t in result["titles"]]
    assert dates == sorted(dates)
