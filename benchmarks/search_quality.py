"""Search quality on the query set: this project's search beside stock Pagefind, one run.

    .venv/bin/python benchmarks/search_quality.py [--no-npm]

For every query of ``tests/fixtures/search/queries.tsv`` over the fixture articles
(``tests/fixtures/search/content``), the expected result is the set of articles that
contain every part of the query (after NFKC, lower-casing and the space rule of
``cio_forum_site.search.text``). Three searches are asked, each in headless Chromium
against a plain static server on 127.0.0.1:

- this project: the site built by ``cio_forum_site.commands.build.build``, through its /search/ page;
- stock Pagefind extended 1.5.2 (``pagefind-bin-extended`` from PyPI) over the same
  articles as plain ``<html lang="ja">`` pages (title, people, topics, municipalities and
  body as paragraphs), searched with its own ``pagefind.search()`` in a ``lang="ja"`` page;
- the same with Pagefind 1.6.0, the extended binary of the npm package ``pagefind``
  (installed into benchmarks/_work/npm with npm when missing; ``--no-npm`` skips it).

Printed: the share of queries whose result set is exactly right, precision and recall over
all (query, article) pairs, per category, and how often a query that lies inside a longer
MeCab token (not at token boundaries) is found.
"""

from __future__ import annotations

import argparse
import html
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "_work" / "quality"
NPM_DIR = ROOT / "benchmarks" / "_work" / "npm"
NPM_PAGEFIND = "pagefind@1.6.0"
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "search"))

from harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    CONTENT,
    Truth,
    fixture_documents,
    load_queries,
    search,
    serve,
)

STOCK_PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>stock search</title></head><body>
<script type="module">
const pagefind = await import("./pagefind/pagefind.js");
await pagefind.init();
window.stockSearch = async (q) => {
  const found = await pagefind.search(q);
  const pages = await Promise.all(found.results.map((r) => r.data()));
  return pages.map((p) => p.url);
};
window.stockReady = true;
</script></body></html>
"""


def stock_site(folder: Path, docs, binary: Path) -> Path:
    """The articles as plain Japanese pages, indexed by a stock Pagefind binary."""
    shutil.rmtree(folder, ignore_errors=True)
    for doc in docs:
        paragraphs = doc.paragraphs()
        body = "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs[1:])
        page = (f'<!doctype html><html lang="ja"><head><meta charset="utf-8">'
                f"<title>{html.escape(doc.title)}</title></head><body><main>"
                f"<h1>{html.escape(doc.title)}</h1>\n{body}</main></body></html>\n")
        target = folder / doc.url / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, "utf-8")
    (folder / "stock-search.html").write_text(STOCK_PAGE, "utf-8")
    done = subprocess.run([str(binary), "--site", str(folder)], capture_output=True, text=True,
                          cwd=folder)
    if done.returncode != 0:
        raise SystemExit(f"{binary} failed:\n{done.stdout}\n{done.stderr}")
    return folder


def npm_pagefind(install: bool) -> Path | None:
    """The extended binary of the npm package pagefind 1.6.0 (npm install when missing)."""
    found = sorted(NPM_DIR.glob("node_modules/@pagefind/*/bin/pagefind_extended"))
    if not found and install and shutil.which("npm"):
        NPM_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", NPM_PAGEFIND],
                       cwd=NPM_DIR, check=False)
        found = sorted(NPM_DIR.glob("node_modules/@pagefind/*/bin/pagefind_extended"))
    return found[0] if found else None


def run_ours(browser, site: Path, queries) -> dict[str, set[str]]:
    with serve(site, "/") as (base, _):
        page = browser.new_page()
        page.goto(base + "search/")
        got = {q: {p.lstrip("/") for p in search(page, q)} for _, q in queries}
        page.close()
    return got


def run_stock(browser, site: Path, queries) -> dict[str, set[str]]:
    with serve(site, "/") as (base, _):
        page = browser.new_page()
        page.goto(base + "stock-search.html")
        page.wait_for_function("window.stockReady === true")
        got = {}
        for _, q in queries:
            urls = page.evaluate("(q) => window.stockSearch(q)", q)
            got[q] = {u.lstrip("/") for u in urls}
        page.close()
    return got


def inside_a_word(truth: Truth, queries) -> set[tuple[str, str]]:
    """(query, article) pairs where some part of the query occurs in the article only
    inside MeCab tokens: never starting and ending at token boundaries."""
    import fugashi

    from cio_forum_site.search.text import query_parts

    tagger = fugashi.Tagger("-Owakati")
    bounds: dict[str, list[tuple[str, set[int], set[int]]]] = {}
    for url, paragraphs in truth.normalized.items():
        rows = []
        for text in paragraphs:
            starts, ends, at = set(), set(), 0
            for token in tagger.parse(text).split():
                at = text.index(token, at)
                starts.add(at)
                ends.add(at + len(token))
                at += len(token)
            rows.append((text, starts, ends))
        bounds[url] = rows
    pairs = set()
    for _, q in queries:
        for url in truth(q):
            for part in query_parts(q):
                aligned = False
                for text, starts, ends in bounds[url]:
                    k = text.find(part)
                    while k >= 0 and not aligned:
                        aligned = k in starts and k + len(part) in ends
                        k = text.find(part, k + 1)
                if not aligned:
                    pairs.add((q, url))
    return pairs


def score(got: dict[str, set[str]], truth: Truth, queries) -> dict:
    exact = hits = returned = expected = 0
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for category, q in queries:
        want, have = truth(q), got[q]
        right = want == have
        exact += right
        by_category[category][0] += right
        by_category[category][1] += 1
        hits += len(want & have)
        returned += len(have)
        expected += len(want)
    return {
        "exact": exact / len(queries),
        "precision": hits / returned if returned else 1.0,
        "recall": hits / expected if expected else 1.0,
        "by_category": dict(by_category),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-npm", action="store_true", help="leave out Pagefind 1.6.0 (npm)")
    args = parser.parse_args(argv)

    import pagefind_bin_extended
    from playwright.sync_api import sync_playwright

    from cio_forum_site.commands.build import build

    queries = load_queries()
    docs = fixture_documents()
    truth = Truth(docs)
    WORK.mkdir(parents=True, exist_ok=True)
    ours = WORK / "ours"
    shutil.rmtree(ours, ignore_errors=True)
    build(CONTENT, ROOT / "templates", ours)  # the default theme, unless overridden
    sites = {"this project (MeCab → Pagefind 1.5.2)": ("ours", ours)}
    sites["stock Pagefind extended 1.5.2 (PyPI)"] = (
        "stock", stock_site(WORK / "stock-1.5.2", docs, pagefind_bin_extended.get_executable()))
    npm = None if args.no_npm else npm_pagefind(install=True)
    if npm:
        sites["stock Pagefind extended 1.6.0 (npm)"] = (
            "stock", stock_site(WORK / "stock-1.6.0", docs, npm))

    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, (kind, site) in sites.items():
                run = run_ours if kind == "ours" else run_stock
                results[name] = run(browser, site, queries)
        finally:
            browser.close()

    inside = inside_a_word(truth, queries)
    print(f"{len(queries)} queries over {len(docs)} articles "
          f"({sum(len(truth(q)) for _, q in queries)} expected (query, article) pairs)\n")
    scores = {name: score(got, truth, queries) for name, got in results.items()}
    width = max(map(len, scores))
    print(f"{'':{width}}  exact  precision  recall  inside-a-word found")
    for name, s in scores.items():
        found = sum(url in results[name][q] for q, url in inside)
        print(f"{name:{width}}  {s['exact']:5.0%}  {s['precision']:9.3f}  {s['recall']:6.3f}"
              f"  {found}/{len(inside)}")
    print("\nexact result sets by category:")
    categories = list(next(iter(scores.values()))["by_category"])
    print(f"{'':{width}}  " + "  ".join(f"{c:>13}" for c in categories))
    for name, s in scores.items():
        cells = [f"{r}/{n}" for r, n in (s["by_category"][c] for c in categories)]
        print(f"{name:{width}}  " + "  ".join(f"{c:>13}" for c in cells))
    ours_name = next(iter(results))
    wrong = [(q, sorted(truth(q) - results[ours_name][q]), sorted(results[ours_name][q] - truth(q)))
             for _, q in queries if results[ours_name][q] != truth(q)]
    if wrong:
        print("\nthis project, wrong result sets (query, missing, extra):")
        for row in wrong:
            print("  ", *row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
