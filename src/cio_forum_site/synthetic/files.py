"""A deterministic synthetic archive, for tests and benchmarks.

    python -m cio_forum_site.synthetic N OUT

writes N plausible article files (see docs/content-format.md) into the directory OUT
(``--vocabulary realistic``: words by real frequency, see ``realistic.py``).
The same N always gives byte-identical files: every random choice comes from
``random.Random`` with a fixed seed, and nothing depends on the clock or on set order.

Everything here is invented: the people are fictional (family and given names drawn from
lists), and the transcripts are composed from sentence templates and word lists. Only the
62 municipalities are real. The bodies use all four speaker-line forms of the spec, in
full-width and ASCII punctuation, and interviewer questions on lines beginning with ―.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import unicodedata
from pathlib import Path

from cio_forum_site.synthetic.frontmatter import article_fields, front_matter
from cio_forum_site.synthetic.plan import SEED, plan_events
from cio_forum_site.synthetic.realistic import MissingWordfreq, RealisticWords
from cio_forum_site.synthetic.transcript import Writer

TARGET_CHARS = 8000  # body length, give or take 600


VOCABULARIES = ("toy", "realistic")


def generate(n: int, vocabulary: str = "toy") -> dict[str, str]:
    """``n`` article files: file name → text. Pure: the same ``n`` gives the same result.
    ``vocabulary="realistic"`` swaps most noun slots for words drawn by real frequency
    (``realistic.py``; needs wordfreq); the archive keeps the same shape."""
    if n < 0:
        raise ValueError("n must be ≥ 0")
    if vocabulary not in VOCABULARIES:
        raise ValueError(f"vocabulary must be one of {VOCABULARIES}")
    rng = random.Random(SEED)
    events = plan_events(n, rng)
    files: dict[str, str] = {}
    session = 0
    interview_no = 0
    series_ids: set[str] = set()
    for event_no, event in enumerate(events):
        erng = random.Random(SEED * 1_000_003 + event_no)
        slugs = "-".join(m.slug for m in event.munis)
        series = None
        if event.parts > 1:
            base = f"{event.munis[0].slug}-{event.date.year}"
            series, suffix = base, 2
            while series in series_ids:
                series, suffix = f"{base}-{suffix}", suffix + 1
            series_ids.add(series)
        published = event.date + dt.timedelta(days=erng.randint(14, 35))
        for part in range(1, event.parts + 1):
            topic_rows = event.topics[part - 1]
            topics = [t[0] for t in topic_rows]
            if event.kind == "roundtable":
                session += 1
                filename = f"{session:04d}-{slugs}.md"
            else:
                interview_no += 1
                filename = f"interview-{interview_no:03d}-{slugs or 'tokyo'}.md"
            words = None
            if vocabulary == "realistic":
                words = RealisticWords(random.Random(SEED * 2_000_003 + len(files)))
            writer = Writer(erng, event, topics, last=part == event.parts, words=words)
            body = writer.body(TARGET_CHARS + erng.randint(-600, 600))
            fields = article_fields(erng, event, topics, topic_rows, session, part, series, published)
            text = front_matter(fields) + "\n" + body
            files[filename] = unicodedata.normalize("NFC", text)
            published += dt.timedelta(days=erng.randint(7, 21))
    return files


def write(n: int, out_dir: Path | str, vocabulary: str = "toy") -> list[Path]:
    """Write ``generate(n, vocabulary)`` into ``out_dir`` (created; must be empty).
    Never overwrites."""
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} exists and is not an empty directory")
    files = generate(n, vocabulary)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = out / name
        with path.open("x", encoding="utf-8", newline="\n") as f:
            f.write(text)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cio_forum_site.synthetic",
        description="Write N deterministic synthetic article files into OUT.",
    )
    parser.add_argument("n", metavar="N", type=int, help="number of articles")
    parser.add_argument("out", metavar="OUT", type=Path, help="output directory (new or empty)")
    parser.add_argument("--vocabulary", choices=VOCABULARIES, default="toy",
                        help="toy (default: a few hundred words) or realistic (words by real "
                             "frequency, from wordfreq: pip install -e '.[bench]')")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must be ≥ 0")
    try:
        written = write(args.n, args.out, args.vocabulary)
    except FileExistsError as e:
        print(f"synthetic: refusing to write: {e}", file=sys.stderr)
        return 2
    except MissingWordfreq as e:
        print(f"synthetic: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} articles to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
