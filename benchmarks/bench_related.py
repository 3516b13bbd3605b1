"""Related articles (関連記事) at scale: time and memory, and their share of the build.

    .venv/bin/python benchmarks/bench_related.py [--size 10000] [--scales 2500 5000] [--no-search]

Generates the synthetic archive (cio_forum_site.synthetic) of ``--size`` articles once, then:

1. **The build**: one real in-process build (``commands.build.build``, search included unless
   ``--no-search``) into a fresh folder, with its stage timings; the ``related`` stage is
   people + MeCab nouns + TF-IDF + the inverted index, timed inside the same build, so its
   share is measured under the same machine load as the rest.
2. **Scaling**: ``related_articles`` alone on the first N articles for each of ``--scales``
   and ``--size`` (wall time; MeCab runs on every core as in the build), to show it grows
   linearly rather than quadratically.
3. **Memory**: at ``--size``, in a fresh process: the peak of Python allocations while the
   related articles are computed (tracemalloc, in a separate run, as it slows Python down),
   and peak resident sizes (getrusage) of the process and of its forked MeCab workers.

The machine is shared; the yardstick of ``bench_build.py`` is printed for comparison.
"""

from __future__ import annotations

import argparse
import gc
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench_build import machine_speed

from cio_forum_site import synthetic
from cio_forum_site.commands.build import build
from cio_forum_site.content.files import load_archive
from cio_forum_site.site.archive import make_archive
from cio_forum_site.site.people import make_people
from cio_forum_site.site.related import related_articles

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "src" / "cio_forum_site" / "theme"


def timed_build(content: Path, out: Path, search: bool) -> tuple[float, dict[str, float], int]:
    started = time.perf_counter()
    report = build(content, TEMPLATES, out, search=search, cache_dir=None)
    return time.perf_counter() - started, report.timings, report.pages


def related_time(articles: list, n: int) -> float:
    archive = make_archive(articles[:n])
    started = time.perf_counter()
    related_articles(archive, make_people(archive))
    return time.perf_counter() - started


def related_memory(content: Path) -> None:
    """In a fresh process (``--memory CONTENT``): the peak of Python allocations while the
    related articles are computed, and the peak resident size of this process and of its
    forked workers (the MeCab workers inherit the loaded archive, so theirs includes it)."""
    articles, _ = load_archive(content)
    archive = make_archive(articles)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    gc.collect()
    tracemalloc.start()
    related_articles(archive, make_people(archive))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"memory at {len(articles):,}: Python allocations peak {peak / 2**20:.0f} MB "
          f"(tracemalloc); process peak RSS {before:.0f} MB with the archive loaded, "
          f"{after:.0f} MB after; largest worker peak RSS {children:.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--scales", type=int, nargs="*", default=[2_500, 5_000])
    parser.add_argument("--no-search", action="store_true")
    parser.add_argument("--memory", type=Path, help=argparse.SUPPRESS)  # the fresh process
    args = parser.parse_args(argv)
    if args.memory:
        related_memory(args.memory)
        return 0

    print(f"yardstick: markdown-it, 1,000 renders of 8.7 KB: {machine_speed():.2f} s")
    with tempfile.TemporaryDirectory(prefix="cio-related-") as tmp:
        content = Path(tmp) / "content"
        started = time.perf_counter()
        synthetic.write(args.size, content)
        print(f"generated {args.size} articles in {time.perf_counter() - started:.1f} s")

        total, timings, pages = timed_build(content, Path(tmp) / "out", not args.no_search)
        stages = "  ".join(f"{k} {v:.1f} s" for k, v in timings.items())
        print(f"build ({'no search' if args.no_search else 'with search'}, {pages} pages): "
              f"{total:.1f} s — {stages}")
        print(f"related: {timings['related']:.1f} s = {100 * timings['related'] / total:.1f}% of the build")

        articles, problems = load_archive(content)
        assert not problems, problems[:3]
        print("| articles | related s | µs per article |")
        print("|---:|---:|---:|")
        for n in [*args.scales, args.size]:
            seconds = related_time(articles, n)
            print(f"| {n:,} | {seconds:.2f} | {1e6 * seconds / n:.0f} |")
        del articles
        subprocess.run([sys.executable, __file__, "--memory", str(content)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
