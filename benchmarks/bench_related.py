"""Related articles (関連記事) at scale: time and memory, and their share of the build.

    .venv/bin/python -m cio_forum_site.synthetic 10000 /tmp/syn10k    # once
    .venv/bin/python benchmarks/bench_related.py /tmp/syn10k [--scales 2500 5000] [--search]

Over an existing synthetic archive (``cio_forum_site.synthetic``), in one process:

1. **Related articles alone**, with an empty cache: people, MeCab nouns (on every core, as in
   the build), TF-IDF and the inverted index — wall time, and the peak resident size of this
   process before and after (the archive loaded) and of its forked MeCab workers (getrusage;
   a worker's includes the archive it inherits).
2. **Scaling**: the same on the newest N articles for each of ``--scales``, to show that it
   grows linearly, not quadratically.
3. **The build**: the real in-process build (``commands.build.build``, no cache; without
   search unless ``--search``) into a fresh folder; its ``related`` stage is the same work,
   timed inside the same build, so its share is measured under the same machine load as
   everything else. A build without search is the smaller denominator: a share under 10% of
   it is under 10% of a build with search.

The machine is shared; the yardstick of ``bench_build.py`` is printed for comparison.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from bench_build import machine_speed

from cio_forum_site.commands.build import build
from cio_forum_site.content.files import load_archive
from cio_forum_site.site.archive import make_archive
from cio_forum_site.site.people import make_people
from cio_forum_site.site.related import related_articles

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "src" / "cio_forum_site" / "theme"


def say(text: str) -> None:
    print(text, flush=True)


def max_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KB on Linux


def related_seconds(articles: list) -> float:
    archive = make_archive(articles)
    started = time.perf_counter()
    related_articles(archive, make_people(archive))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("content", type=Path, help="a synthetic archive (python -m cio_forum_site.synthetic N DIR)")
    parser.add_argument("--scales", type=int, nargs="*", default=[2_500, 5_000])
    parser.add_argument("--search", action="store_true", help="include the search stage in the build")
    args = parser.parse_args(argv)

    say(f"yardstick: markdown-it, 1,000 renders of 8.7 KB: {machine_speed():.2f} s "
        "(about 1.8–2 s when the machine is idle)")
    articles, problems = load_archive(args.content)
    assert not problems, problems[:3]
    n = len(articles)
    loaded = max_rss_mb()
    seconds = related_seconds(articles)
    say(f"related articles at {n:,}: {seconds:.1f} s; peak RSS {loaded:.0f} MB with the archive "
        f"loaded, {max_rss_mb():.0f} MB after; largest forked worker {max_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB")

    say("| articles | related s | ms per article |")
    say("|---:|---:|---:|")
    newest_first = sorted(articles, key=lambda a: a.sort_key(), reverse=True)
    for size in [*args.scales, n]:
        s = seconds if size == n else related_seconds(newest_first[:size])
        say(f"| {size:,} | {s:.1f} | {1000 * s / size:.2f} |")
    del articles, newest_first

    with tempfile.TemporaryDirectory(prefix="cio-related-") as tmp:
        started = time.perf_counter()
        report = build(args.content, TEMPLATES, Path(tmp) / "out", search=args.search, cache_dir=None)
        total = time.perf_counter() - started
    stages = "  ".join(f"{k} {v:.1f} s" for k, v in report.timings.items())
    say(f"build of {n:,} articles ({'with' if args.search else 'without'} search, {report.pages:,} pages): "
        f"{total:.1f} s — {stages}")
    say(f"related: {report.timings['related']:.1f} s = {100 * report.timings['related'] / total:.1f}% of the build")
    return 0


if __name__ == "__main__":
    sys.exit(main())
