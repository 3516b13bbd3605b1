"""Time a full build of the synthetic archive (search excluded).

    .venv/bin/python benchmarks/bench_build.py [--sizes 100 1000] [--runs 5]

For each size the archive is generated once (cio_forum_site.synthetic) into a temporary
folder, then the real command ``cio-forum-site build --no-search`` is run ``--runs`` times as
a fresh process (interpreter start-up and imports included), each into a fresh output
folder. Prints the median, min and max wall time per size, and the median of each build
stage from in-process runs of ``cio_forum_site.commands.build.build``.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cio_forum_site import synthetic
from cio_forum_site.commands.build import build

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "src" / "cio_forum_site" / "theme"


def bench(size: int, runs: int, work: Path) -> dict:
    content = work / f"content-{size}"
    started = time.perf_counter()
    synthetic.write(size, content)
    generated = time.perf_counter() - started

    times: list[float] = []
    stages: dict[str, list[float]] = {}
    pages = articles = 0
    for run in range(runs):
        out = work / f"out-{size}-{run}"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "cio_forum_site", "build", "--no-search", "--quiet",
             "--content", str(content), "--templates", str(TEMPLATES), "--out", str(out)],
            check=True,
        )
        times.append(time.perf_counter() - started)
        report = build(content, TEMPLATES, work / f"stages-{size}-{run}", search=False)
        pages, articles = report.pages, report.articles
        for stage, seconds in report.timings.items():
            stages.setdefault(stage, []).append(seconds)
    return {
        "size": size,
        "articles": articles,
        "pages": pages,
        "generate": generated,
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "stages": {k: statistics.median(v) for k, v in stages.items()},
    }


def machine_speed() -> float:
    """Seconds markdown-it takes for 1,000 renders of an 8.7 KB Japanese text: a yardstick
    for how fast this (shared, sometimes throttled) machine runs right now."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    text = ("東京都と区市町村のCIOが、行政のデジタル化について語り合いました。"
            "ガバメントクラウドへの移行、標準化、テレワーク、人材育成など。\n\n") * 130
    started = time.perf_counter()
    for _ in range(1000):
        md.render(text)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    print(f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
          f"{args.runs} runs per size, search excluded")
    print(f"yardstick: markdown-it, 1,000 renders of 8.7 KB: {machine_speed():.2f} s")
    results = []
    with tempfile.TemporaryDirectory(prefix="cio-bench-") as tmp:
        for size in args.sizes:
            results.append(bench(size, args.runs, Path(tmp)))

    stage_names = list(dict.fromkeys(k for r in results for k in r["stages"]))
    header = ["articles", "pages", "generate s", "median s", "min s", "max s", "ms/article"]
    header += [f"{name} s" for name in stage_names]
    rows = []
    for r in results:
        row = [str(r["articles"]), str(r["pages"]), f"{r['generate']:.2f}", f"{r['median']:.2f}",
               f"{r['min']:.2f}", f"{r['max']:.2f}", f"{1000 * r['median'] / r['size']:.1f}"]
        row += [f"{r['stages'].get(name, 0.0):.2f}" for name in stage_names]
        rows.append(row)
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    print("| " + " | ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
