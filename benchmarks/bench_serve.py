"""Time `cio-forum-site serve` from saving an edit to seeing it in the open page.

    .venv/bin/python benchmarks/bench_serve.py [--sizes 100 1000] [--runs 5]

For each size a synthetic archive (cio_forum_site.synthetic) is written into a temporary site
folder, the real command ``cio-forum-site serve --port 0`` is started as a fresh process, and
one article page is opened in headless Chromium (Debian's, with the flags the tests use).
Each run rewrites the article's title in its file, as an editor's save does, and measures
the wall time until the open page shows the new title (the preview reloads it by itself):
the watcher's quiet time, the page rebuild and the reload. Prints the median, min and max
per size. The search index is refreshed later, in the background, and is not timed here.
"""

from __future__ import annotations

import argparse
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cio_forum_site import synthetic

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "search"))
from harness import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 (the browser as the tests drive it)

TITLE_RE = re.compile(r"^title: .*$", re.M)


def start_preview(site: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "cio_forum_site", "serve", "--port", "0"],
                               cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in process.stdout:
        if m := re.search(r"(http://127\.0\.0\.1:\d+/)", line):
            return process, m.group(1)
    raise RuntimeError("serve did not start")


def bench(size: int, runs: int, work: Path, browser) -> dict:
    site = work / f"site-{size}"
    synthetic.write(size, site / "content")
    (site / "site.toml").write_text("", "utf-8")
    article = sorted((site / "content").glob("*.md"))[0]
    process, url = start_preview(site)
    times: list[float] = []
    try:
        page = browser.new_page()
        page.goto(f"{url}articles/{article.stem}/")
        page.wait_for_function("() => window.__cioLive !== undefined")
        for run in range(runs):
            title = f"ベンチマーク{size}の{run + 1}回目の題名"
            text = TITLE_RE.sub(f"title: {title}", article.read_text("utf-8"), count=1)
            saved = time.perf_counter()
            article.write_text(text, "utf-8")
            page.wait_for_function(f"() => document.querySelector('h1')?.innerText === {title!r}",
                                   timeout=600_000)
            times.append(time.perf_counter() - saved)
            page.wait_for_function("() => window.__cioLive !== undefined")
            time.sleep(1.0)  # let the background search build start and settle between runs
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(120)
    return {"size": size, "median": statistics.median(times), "min": min(times), "max": max(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"Python {platform.python_version()} on {platform.machine()}, "
          f"{__import__('os').cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for size in args.sizes:
                r = bench(size, args.runs, Path(tmp), browser)
                print(f"{r['size']:>5} articles: edit → visible median {r['median']:.2f} s "
                      f"(min {r['min']:.2f}, max {r['max']:.2f}, {args.runs} runs)")
        finally:
            browser.close()


if __name__ == "__main__":
    main()
