"""Search at 1,000 and 10,000 articles: indexing time, latency in headless Chromium,
first-search transfer, beside stock Pagefind extended on the same articles.

    .venv/bin/python benchmarks/bench_search.py [--articles 1000 10000] [--runs 5]
                                                [--skip-build] [--no-stock]

1. Indexing: builds the synthetic archive (``python -m cio_forum_site.synthetic``) with the
   real command in a fresh process, ``--runs`` times each, alternating: without search
   (``--no-search``), with search and an empty cache (``--no-cache``: every article through
   MeCab), and with the cache the previous build left; reports the medians, what search
   adds in both cases, and MeCab alone over the same texts (the floor).
2. First search (the issue's measure): serves the built site from a plain static server on
   127.0.0.1 (no compression, every byte counted); for each of the 20 queries, a new browser
   context opens /search/ in headless Chromium and waits until it is loaded (network idle:
   Pagefind initialised), then the query is submitted; its time runs from the submit
   (performance mark ``search:start``) to the moment its results are on the page
   (``search:shown``), and its transfer is every byte the server sent meanwhile (manifest,
   lexicon, index chunks, article texts). Also: the queries one after another on one open
   page ("following").
3. Opening /search/?q=… in a new context: the bytes of everything, the page and CSS apart.
4. Stock Pagefind extended (``pagefind-bin-extended``, ``--no-stock`` skips it): the same
   articles as plain ``<html lang="ja">`` pages (``search_quality.stock_site``), indexed by the
   stock binary (timed), and the same queries through its own ``pagefind.search()`` in an
   opened page: submit → the first ten results' data (title, excerpt) loaded, and the bytes
   of a first search in a fresh context.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_build import machine_speed  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "search"))
from harness import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 (the browser as the tests drive it)

WORK = ROOT / "benchmarks" / "_work"
TEMPLATES = ROOT / "src" / "cio_forum_site" / "theme"

# 20 queries over the synthetic archive's vocabulary: topics, katakana loanwords, surnames,
# place names, full-/half-width, several parts, a query inside a word, and no-hits.
QUERIES = [
    "ガバメントクラウド", "テレワーク", "個人情報保護", "ゼロトラスト", "マイナンバーカード",
    "生成ＡＩ", "ＤＸ推進", "ｾｷｭﾘﾃｨ", "渡辺", "岩崎", "武蔵野市", "小笠原", "蔵野",
    "ハッカソン", "費用対効果", "テレワーク 課題", "職員研修　ワークショップ", "書かない窓口",
    "新幹線", "量子コンピュータ",
]


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    """A plain static server that records (path, bytes sent) for every response."""

    log: list[tuple[str, int]] = []

    def log_message(self, *args) -> None:
        pass

    def copyfile(self, source, outputfile) -> None:
        data = source.read()
        outputfile.write(data)
        CountingHandler.log.append((unquote(urlsplit(self.path).path), len(data)))


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(CountingHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def synthetic_archive(n: int, vocabulary: str = "realistic") -> Path:
    """The synthetic archive of ``n`` articles (``--vocabulary realistic``: nouns by their
    real frequency, from wordfreq's Japanese list; ``pip install -e '.[bench]'``)."""
    folder = WORK / f"synth-{vocabulary}-{n}"
    if not folder.is_dir() or len(list(folder.glob("*.md"))) != n:
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "cio_forum_site.synthetic", "--vocabulary",
                        vocabulary, str(n), str(folder)], check=True, cwd=ROOT)
    return folder


def _parse_share(args: tuple[list[str], int, int]) -> float:
    import fugashi

    texts, share, shares = args
    tagger = fugashi.Tagger("-Owakati")
    start = time.perf_counter()
    for text in texts[share::shares]:
        tagger.parse(text)
    return time.perf_counter() - start


def time_mecab(content: Path) -> float:
    """The floor: MeCab alone over the same normalized texts, on every core (wall time)."""
    import multiprocessing as mp
    import os

    from cio_forum_site.content.files import load_archive
    from cio_forum_site.search import documents
    from cio_forum_site.search.text import normalize
    from cio_forum_site.site.archive import make_archive

    articles, _ = load_archive(content)
    texts = ["\n".join(normalize(p) for p in d.paragraphs())
             for d in documents(make_archive(articles))]
    shares = min(os.cpu_count() or 1, 4)
    start = time.perf_counter()
    with mp.get_context("fork").Pool(shares) as pool:
        pool.map(_parse_share, [(texts, k, shares) for k in range(shares)])
    return time.perf_counter() - start


def cli_build(content: Path, out: Path, *options: str) -> float:
    """Seconds for ``cio-forum-site build`` in a fresh process, into a fresh folder."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "cio_forum_site", "build", "--quiet", "--content",
               str(content), "--templates", str(TEMPLATES), "--out", str(out), *options]
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT)
    return time.perf_counter() - start


def time_builds(content: Path, out: Path, runs: int) -> dict:
    """The real command, ``runs`` times each, alternating: without search; with search and
    an empty cache (every article through MeCab); with search and the cache the previous
    build left (the usual case: nothing changed, or one article)."""
    cache_dir = WORK / "cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    cli_build(content, out, "--cache", str(cache_dir))  # fills the cache
    without, cold, warm, mecab = [], [], [], []
    for _ in range(runs):
        mecab.append(time_mecab(content))
        without.append(cli_build(content, out, "--no-search"))
        cold.append(cli_build(content, out, "--no-cache"))
        warm.append(cli_build(content, out, "--cache", str(cache_dir)))
    base = statistics.median(without)
    return {
        "without": without, "cold": cold, "warm": warm, "mecab": mecab,
        "added_cold": statistics.median(cold) - base,
        "added_warm": statistics.median(warm) - base,
    }


def wait_shown(page, query: str) -> None:
    page.wait_for_function(
        """(q) => document.getElementById('search-results').getAttribute('aria-busy') === 'false'
                  && new URLSearchParams(location.search).get('q') === q
                  && performance.getEntriesByName('search:shown').length > 0""",
        arg=query, timeout=30_000)


def measure_browser(base: str) -> dict:
    """Per query: ``first_ms``/``first_bytes``, the first search on an opened /search/ (a new
    context: the page and Pagefind loaded, network idle; submit → results shown, and every
    byte the server sent meanwhile); ``following_ms``, the queries one after another on one
    open page; ``open``, a new context opening /search/?q=… (all bytes, page included)."""
    from playwright.sync_api import sync_playwright

    first, first_bytes, following, opened = [], [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(base + "search/")
            page.wait_for_load_state("networkidle")
            for q in QUERIES:
                following.append(submit(page, q))
            for q in QUERIES:
                context = browser.new_context()
                tab = context.new_page()
                tab.goto(base + "search/")
                tab.wait_for_load_state("networkidle")
                CountingHandler.log.clear()
                first.append(submit(tab, q))
                first_bytes.append(list(CountingHandler.log))
                context.close()
            for q in QUERIES:
                context = browser.new_context()
                tab = context.new_page()
                CountingHandler.log.clear()
                tab.goto(base + "search/?q=" + quote(q))
                wait_shown(tab, q)
                sent = list(CountingHandler.log)
                search_bytes = sum(n for path, n in sent
                                   if path.startswith("/pagefind/") or "/search" in path
                                   and path.endswith(".js"))
                opened.append({"search": search_bytes, "total": sum(n for _, n in sent),
                               "requests": len(sent)})
                context.close()
        finally:
            browser.close()
    return {"first_ms": first, "first_bytes": first_bytes, "following_ms": following,
            "open": opened}


def submit(page, q: str) -> float:
    """Submit ``q`` on the open search page; ms from submit to the results shown."""
    page.evaluate("performance.clearMarks()")
    page.fill("#search-q", q)
    page.press("#search-q", "Enter")
    wait_shown(page, q)
    return page.evaluate(
        """() => performance.getEntriesByName('search:shown').at(-1).startTime
                 - performance.getEntriesByName('search:start').at(-1).startTime""")


STOCK_PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>stock search</title></head><body>
<script type="module">
const pagefind = await import("./pagefind/pagefind.js");
await pagefind.init();
// submit → the first ten results with their data (what a result list shows)
window.stockFirst = async (q) => {
  const start = performance.now();
  const found = await pagefind.search(q);
  await Promise.all(found.results.slice(0, 10).map((r) => r.data()));
  return performance.now() - start;
};
window.stockReady = true;
const q = new URLSearchParams(location.search).get("q");
if (q) window.stockFirst(q).then(() => { window.stockDone = true; });
</script></body></html>
"""


def stock(content: Path) -> tuple[Path, float]:
    """The archive as plain pages indexed by stock Pagefind extended; seconds it took."""
    import pagefind_bin_extended
    from search_quality import stock_site

    from cio_forum_site.content.files import load_archive
    from cio_forum_site.search import documents
    from cio_forum_site.site.archive import make_archive

    articles, _ = load_archive(content)
    docs = documents(make_archive(articles))
    folder = WORK / f"stock-{content.name}"
    start = time.perf_counter()
    stock_site(folder, docs, pagefind_bin_extended.get_executable())
    seconds = time.perf_counter() - start
    (folder / "stock-search.html").write_text(STOCK_PAGE, "utf-8")
    return folder, seconds


def measure_stock(base: str) -> dict:
    """The same measures for stock Pagefind: its page opened (Pagefind initialised, network
    idle), then ``pagefind.search(q)`` and the first ten results' data."""
    from playwright.sync_api import sync_playwright

    first, first_bytes, following = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(base + "stock-search.html")
            page.wait_for_function("window.stockReady === true")
            page.wait_for_load_state("networkidle")
            for q in QUERIES:
                following.append(page.evaluate("(q) => window.stockFirst(q)", q))
            for q in QUERIES:
                context = browser.new_context()
                tab = context.new_page()
                tab.goto(base + "stock-search.html")
                tab.wait_for_function("window.stockReady === true")
                tab.wait_for_load_state("networkidle")
                CountingHandler.log.clear()
                first.append(tab.evaluate("(q) => window.stockFirst(q)", q))
                first_bytes.append(list(CountingHandler.log))
                context.close()
        finally:
            browser.close()
    return {"first_ms": first, "first_bytes": first_bytes, "following_ms": following}


def report(title: str, m: dict) -> None:
    print(f"\n{title}: {len(QUERIES)} queries (ms; KB = 1,000 bytes)")
    print("    first  following  first KB  requests  query")
    for k, q in enumerate(QUERIES):
        sent = m["first_bytes"][k]
        print(f"  {m['first_ms'][k]:7.0f} {m['following_ms'][k]:10.0f}"
              f" {sum(n for _, n in sent) / 1000:9.1f} {len(sent):9d}  {q}")
    kb = [sum(n for _, n in sent) / 1000 for sent in m["first_bytes"]]
    print(f"  median: first search {statistics.median(m['first_ms']):.0f} ms on an opened page,"
          f" {statistics.median(kb):.1f} KB (max {max(kb):.1f} KB);"
          f" following searches {statistics.median(m['following_ms']):.0f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5,
                        help="builds timed of each kind (0: build once, untimed)")
    parser.add_argument("--skip-build", action="store_true", help="reuse the last build")
    parser.add_argument("--no-stock", action="store_true", help="without stock Pagefind")
    parser.add_argument("--vocabulary", choices=("toy", "realistic"), default="realistic")
    args = parser.parse_args(argv)
    print(f"yardstick: markdown-it, 1,000 renders of 8.7 KB: {machine_speed():.2f} s")
    for n in args.articles:
        print(f"\n==== {n} articles ====")
        bench(n, args)
    return 0


def bench(n: int, args) -> None:
    content = synthetic_archive(n, args.vocabulary)
    out = WORK / f"site-{args.vocabulary}-{n}"
    if not args.skip_build and args.runs == 0:  # the site only: indexing is not timed
        cli_build(content, out, "--no-cache")
    elif not args.skip_build:
        times = time_builds(content, out, args.runs)

        def runs(key: str) -> str:
            values = times[key]
            return (f"median {statistics.median(values):5.2f} s"
                    f"  (runs {', '.join(f'{t:.2f}' for t in values)})")

        print(f"indexing, {n} articles, `cio-forum-site build` in a fresh process:")
        print(f"  without search (--no-search)        {runs('without')}")
        print(f"  with search, empty cache (--no-cache) {runs('cold')}")
        print(f"  with search, cache of the last build  {runs('warm')}")
        print(f"  added by search: {times['added_cold']:.2f} s with an empty cache,"
              f" {times['added_warm']:.2f} s with the cache")
        print(f"  MeCab alone over the same texts, every core: {runs('mecab')}")
    server, base = serve(out)
    try:
        m = measure_browser(base)
    finally:
        server.shutdown()
    report("this project", m)
    opened = m["open"]
    print(f"  opening /search/?q=… in a new tab: search files median"
          f" {statistics.median(t['search'] for t in opened) / 1000:.1f} KB,"
          f" max {max(t['search'] for t in opened) / 1000:.1f} KB; page and CSS add"
          f" {statistics.median(t['total'] - t['search'] for t in opened) / 1000:.1f} KB")
    if args.no_stock:
        return
    folder, seconds = stock(content)
    print(f"\nstock Pagefind extended: indexing the {n} pages took {seconds:.2f} s")
    server, base = serve(folder)
    try:
        report("stock Pagefind extended", measure_stock(base))
    finally:
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
