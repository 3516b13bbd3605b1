"""Build the search bundle: MeCab tokens → Pagefind index, lexicon and article texts.

What lands in ``<site>/pagefind/``:

- Pagefind's own files. Pagefind indexes one scratch page per article whose body is the
  *set* of the article's index keys, separated by spaces (the standard binary splits on
  whitespace and does no segmentation of its own):

  - every token MeCab found, as it is: ``人材``, ``育成``, ``ガバメント``;
  - every proper suffix of a token followed by ``MARKER``: ``メントᚠ``, ``ントᚠ``, ``トᚠ``;
  - every pair of adjacent tokens (neither of them all hiragana) joined by ``PAIR``:
    ``人材ᚡ育成``, ``ガバメントᚡクラウド``;
  - ``EVERY``, which every article has (to list articles by filter or by date cheaply).

  An exact (quoted) Pagefind search for ``x`` finds the articles with the token ``x``; for
  ``xᚠ`` those with a token that ends with ``x``; for ``aᚡb`` those where ``b`` follows
  ``a``; a prefix search for ``x`` those with a token that contains ``x``. Keys in more than
  half of the articles are left out (they would not narrow anything down) and listed in
  the manifest instead. Positions are not indexed: at 1,000 articles of 8,000 characters
  they would be 5 million, and Pagefind alone takes longer than the whole indexing budget
  over them. Whether the string really occurs is decided in the browser, against the
  article's text.
- ``ja/manifest.json.gz``: parameters, the left-out ("stop") keys, and the key range of
  every Pagefind index chunk (see ``index_chunks``).
- ``ja/lex/<n>.json.gz``: the lexicon for the browser's segmenter, in buckets by first
  character: every token with a cost (from its frequency), and every proper suffix.
- ``ja/t/<page>.json.gz``: one per article (named after its Pagefind page): URL, title,
  和暦 date, municipalities and the searchable text as paragraphs, for exact matching and
  for excerpts that read as the original Japanese.

Everything is written deterministically (sorted, gzip without time stamps), so two builds
of the same content are byte-identical.
"""

from __future__ import annotations

import gc
import gzip
import html
import json
import math
import multiprocessing as mp
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, pairwise
from pathlib import Path

from cio_forum_site.search.documents import SearchDocument
from cio_forum_site.search.text import KEY_RUN, normalize
from cio_forum_site.stable_pagefind import read as read_pagefind_file
from cio_forum_site.timing import Laps

_HIRAGANA = re.compile(r"[\u3041-\u309f]+")

MARKER = "\u16a0"  # ᚠ ends every suffix key (runic letters: no Japanese text has them)
PAIR = "\u16a1"  # ᚡ joins the two tokens of a pair key
EVERY = "\u16a2"  # ᚢ: the key every article has
FORMAT_VERSION = 1
INDEX_CHUNK_SIZE = 4000  # Pagefind's default is 20000 (entries per index chunk)
STOP_FRACTION = 0.5  # a key in more than this share of the articles is not indexed …
STOP_MIN_DOCS = 20  # … once there are at least this many articles
LEXICON_BUCKET_BYTES = 24_000  # aim for lexicon buckets about this big (before gzip)
MAX_BUCKETS = 256
PARALLEL_MIN = 40  # fewer documents than this are tokenized in one process
PAGEFIND_TIMEOUT = 600


class SearchBuildError(Exception):
    """Building the search index failed (Pagefind reported an error, or is missing)."""


@dataclass
class SearchReport:
    documents: int = 0
    vocabulary: int = 0  # distinct tokens (runs of letters and digits in MeCab tokens)
    indexed_keys: int = 0  # (article, key) pairs given to Pagefind
    stop_keys: int = 0
    lexicon_buckets: int = 0
    bundle_bytes: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def build_search(site_dir: Path, documents: Sequence[SearchDocument], *,
                 bundle: str = "pagefind", workers: int | None = None) -> SearchReport:
    """Index ``documents`` into ``site_dir/<bundle>/``. Raises SearchBuildError when
    Pagefind fails."""
    report = SearchReport(documents=len(documents))
    lap = Laps(report.timings)

    out = site_dir / bundle
    data_dir = out / "ja"
    n = len(documents)
    if n == 0:  # Pagefind refuses to index nothing; the page then says there is nothing
        data_dir.mkdir(parents=True)
        write_json(data_dir / "manifest.json.gz", {"version": FORMAT_VERSION, "documents": 0})
        return report
    with tempfile.TemporaryDirectory(prefix="cio-search-") as scratch:
        pages_dir, texts_dir = Path(scratch) / "pages", Path(scratch) / "texts"
        pages_dir.mkdir()
        done = tokenize_and_write_pages(documents, pages_dir, workers)
        words, stop = done.words, done.stop
        report.vocabulary = len(words)
        report.stop_keys = len(stop)
        report.indexed_keys = done.indexed_keys
        lap("tokenize")
        # Pagefind runs while this process writes the texts and the lexicon.
        pagefind = start_pagefind(pages_dir, out)
        try:
            texts_dir.mkdir()
            for i, doc in enumerate(documents):
                write_json(texts_dir / f"{i}.json.gz", text_record(doc))
            lexicon = lexicon_buckets(words, n)
        finally:
            finish_pagefind(pagefind, out)
        lap("pagefind")

        pages = page_names(out)
        if sorted(pages) != list(range(n)):
            raise SearchBuildError(f"Pagefind が {n} 本中 {len(pages)} 本しか索引にしませんでした")
        (data_dir / "t").mkdir(parents=True)
        for i, name in pages.items():
            shutil.move(texts_dir / f"{i}.json.gz", data_dir / "t" / f"{name}.json.gz")
    (data_dir / "lex").mkdir()
    for b, bucket in enumerate(lexicon):
        write_json(data_dir / "lex" / f"{b}.json.gz", bucket)
    report.lexicon_buckets = len(lexicon)
    write_json(data_dir / "manifest.json.gz", {
        "version": FORMAT_VERSION,
        "marker": MARKER,
        "pair": PAIR,
        "every": EVERY,
        "documents": n,
        "buckets": len(lexicon),
        "stop": [k for k in stop if PAIR not in k],
        "stopPairs": [k for k in stop if PAIR in k],
        "chunks": index_chunks(out),
    })
    lap("data")
    report.bundle_bytes = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    return report


# ---- tokenizing ----------------------------------------------------------------------------

SAMPLE = 200  # the stop keys are the keys in more than half of the first SAMPLE documents


@dataclass
class Tokenized:
    words: dict[str, int]  # token → number of documents that have it
    stop: list[str]  # keys left out of the index, sorted
    indexed_keys: int  # (document, key) pairs written for Pagefind


def stop_keys(sample: list[str], documents: int) -> list[str]:
    """The keys left out of the index, from the key lists of the sample documents: those in
    more than STOP_FRACTION of them (none while the archive is small). Any choice would be
    correct — the browser treats a left-out key as "could be in any article" — so a sample
    is enough, and the pages can be written while the rest is still being tokenized."""
    if documents < STOP_MIN_DOCS or not sample:
        return []
    df: Counter[str] = Counter()
    for keys in sample:
        df.update(keys.split(" "))
    return sorted(k for k, c in df.items() if c > STOP_FRACTION * len(sample) and k != EVERY)


_shared: tuple = ()  # (documents, pages folder, shares), inherited by forked workers


def tokenize_and_write_pages(documents: Sequence[SearchDocument], pages_dir: Path,
                             workers: int | None = None) -> Tokenized:
    """Tokenize every document and write its page for Pagefind (``write_page``), on every
    core when there are many. Each worker takes every ``shares``-th document; once it has
    tokenized its share of the first SAMPLE documents it sends their keys here and waits
    for the stop keys, then writes pages as it goes."""
    global _shared
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    sample_size = min(len(documents), SAMPLE)
    if workers < 2 or len(documents) < PARALLEL_MIN or "fork" not in mp.get_all_start_methods():
        return _tokenize_inline(documents, pages_dir, sample_size)
    context = mp.get_context("fork")
    _shared = (documents, pages_dir, workers, sample_size)
    pipes, processes = [], []
    gc.freeze()  # what the workers inherit stays out of their garbage collections (and COW)
    try:
        for share in range(workers):
            ours, theirs = context.Pipe()
            process = context.Process(target=_worker, args=(share, theirs), daemon=True)
            process.start()
            theirs.close()
            pipes.append(ours)
            processes.append(process)
        sample: list[str] = []
        for pipe in pipes:
            sample += _receive(pipe, "sample")
        stop = stop_keys(sample, len(documents))
        for pipe in pipes:
            pipe.send(stop)
        words: Counter[str] = Counter()
        indexed = 0
        for pipe in pipes:
            share_words, share_indexed = _receive(pipe, "done")
            words.update(share_words)
            indexed += share_indexed
    finally:
        _shared = ()
        gc.unfreeze()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
    return Tokenized(dict(words), stop, indexed)


def _receive(pipe, kind: str):
    try:
        what, value = pipe.recv()
    except EOFError:
        raise SearchBuildError("MeCab で文章を分ける処理が途中で終わりました") from None
    if what == "error":
        raise SearchBuildError(f"MeCab で文章を分けられませんでした:\n{value}")
    assert what == kind, (what, kind)
    return value


def _worker(share: int, pipe) -> None:
    documents, pages_dir, shares, sample_size = _shared
    gc.disable()  # nothing here makes reference cycles; collections would only cost time

    def exchange(sample: list[str]) -> list[str]:
        pipe.send(("sample", sample))
        return pipe.recv()

    try:
        done = _tokenize_share(documents, pages_dir, share, shares, sample_size, exchange)
        pipe.send(("done", (done.words, done.indexed_keys)))
    except BaseException:  # reported by the parent as a SearchBuildError
        import traceback

        pipe.send(("error", traceback.format_exc()))
    finally:
        pipe.close()


def _tokenize_inline(documents: Sequence[SearchDocument], pages_dir: Path,
                     sample_size: int) -> Tokenized:
    stop: list[str] = []

    def exchange(sample: list[str]) -> list[str]:
        stop.extend(stop_keys(sample, len(documents)))
        return stop

    done = _tokenize_share(documents, pages_dir, 0, 1, sample_size, exchange)
    return Tokenized(dict(done.words), stop, done.indexed_keys)


def _tokenize_share(documents: Sequence[SearchDocument], pages_dir: Path, share: int,
                    shares: int, sample_size: int, exchange) -> Tokenized:
    """Tokenize every ``shares``-th document from ``share`` and write its page. The keys of
    its part of the sample go to ``exchange``, which returns the stop keys."""
    tokenizer = _Tokenizer()
    mine = range(share, len(documents), shares)
    sample = {i: tokenizer.keys(documents[i]) for i in mine if i < sample_size}
    stop = set(exchange(list(sample.values())))
    indexed = sum(write_page(pages_dir, i, documents[i], k, stop) for i, k in sample.items())
    tokenizer.leave_out(stop)
    for i in mine:
        if i >= sample_size:
            indexed += write_page(pages_dir, i, documents[i], tokenizer.keys(documents[i]), set())
    return Tokenized(tokenizer.words, sorted(stop), indexed)


def token_keys(token: str) -> tuple[tuple[str, ...], str, str]:
    """The index keys of one MeCab token — each run of letters and digits in it (a token is
    cut at anything else) and every proper suffix of such a run followed by MARKER — and
    the runs it begins and ends with, when those may stand in a pair (letters or digits at
    that edge of the token, and not all hiragana), else "".
    """
    pieces = KEY_RUN.findall(token)
    keys: list[str] = []
    for piece in pieces:
        keys.append(piece)
        keys.extend(piece[j:] + MARKER for j in range(1, len(piece)))
    first = pieces[0] if pieces and token.startswith(pieces[0]) else ""
    last = pieces[-1] if pieces and token.endswith(pieces[-1]) else ""
    first = "" if _HIRAGANA.fullmatch(first) else first
    last = "" if _HIRAGANA.fullmatch(last) else last
    return tuple(keys), first, last


class _Tokenizer:
    """MeCab, and what it has learned of each distinct token so far. Once the stop keys are
    known (``leave_out``), the keys it returns no longer contain them."""

    def __init__(self):
        import fugashi  # imported here: a build without search never loads MeCab

        self.tagger = fugashi.Tagger("-Owakati")
        self.stop: set[str] = set()
        self.known: dict[str, tuple[str, ...]] = {}  # token → its keys (minus stop keys)
        self.runs: dict[str, tuple[str, ...]] = {}  # token → its runs of letters and digits
        self.left: dict[str, str] = {}  # token → the run it ends with, if it can pair
        self.right: dict[str, str] = {}  # token → the run it begins with, if it can pair
        self.words: Counter[str] = Counter()  # run → documents with it (for the lexicon)

    def leave_out(self, stop: set[str]) -> None:
        self.stop = stop
        self.known = {t: tuple(k for k in keys if k not in stop) for t, keys in self.known.items()}

    def keys(self, doc: SearchDocument) -> str:
        """The document's index keys, space-separated, in order of first appearance."""
        # MeCab treats the line breaks between paragraphs as boundaries.
        text = "\n".join(normalize(p) for p in doc.paragraphs())
        tokens = self.tagger.parse(text).split()
        distinct = dict.fromkeys(tokens)
        for token in distinct.keys() - self.known.keys():
            keys, first, last = token_keys(token)
            self.runs[token] = tuple(k for k in keys if k[-1] != MARKER)
            self.known[token] = tuple(k for k in keys if k not in self.stop)
            if first:
                self.right[token] = first
            if last:
                self.left[token] = last
        runs = dict.fromkeys(chain.from_iterable(map(self.runs.__getitem__, distinct)))
        self.words.update(runs.keys())  # each run once per document
        keys = dict.fromkeys(chain.from_iterable(map(self.known.__getitem__, distinct)))
        left, right, stop = self.left, self.right, self.stop
        pairs = (left[a] + PAIR + right[b] for a, b in dict.fromkeys(pairwise(tokens))
                 if a in left and b in right)
        keys.update(dict.fromkeys(p for p in pairs if p not in stop) if stop else
                    dict.fromkeys(pairs))
        keys[EVERY] = None
        return " ".join(keys)


def text_record(doc: SearchDocument) -> dict:
    """What the browser needs to check a match and show a result."""
    paragraphs = doc.paragraphs()
    fields = len(paragraphs) - len([p for p in doc.body_text.split("\n") if p.strip()])
    return {
        "url": doc.url,
        "title": doc.title,
        "date": doc.date_wareki,
        "iso": doc.date_iso,
        "municipalities": list(doc.municipalities),
        "kind": doc.kind,
        "body": fields,  # paragraphs[body:] are the body; before it, title, people, topics
        "text": paragraphs,
    }


# ---- Pagefind -------------------------------------------------------------------------------


def write_page(pages_dir: Path, i: int, doc: SearchDocument, keys: str, stop: set[str]) -> int:
    """The page Pagefind reads for document ``i``; returns how many keys it has."""
    if stop:
        keys = " ".join(k for k in keys.split(" ") if k not in stop)
    meta = [f"title:{doc.title}", f"date:{doc.date_wareki}",
            f"municipalities:{'・'.join(doc.municipalities)}"]
    filters = [f"municipality:{m}" for m in doc.municipalities]
    filters += [f"fiscal_year:{doc.fiscal_year}", f"kind:{doc.kind}"]
    filters += [f"tag:{t}" for t in doc.tags]
    spans = "".join(f'<span data-pagefind-meta="{html.escape(m)}"></span>' for m in meta)
    spans += "".join(f'<span data-pagefind-filter="{html.escape(f)}"></span>' for f in filters)
    spans += f'<span data-pagefind-sort="date:{html.escape(doc.date_iso)}"></span>'
    page = (
        '<!doctype html><html><head><meta charset="utf-8"><title></title></head><body>'
        f"<main data-pagefind-body>{spans}<p>{keys}</p></main></body></html>"
    )
    (pages_dir / f"{i}.html").write_text(page, encoding="utf-8")
    return keys.count(" ") + 1


def pagefind_executable() -> Path:
    """The Pagefind binary from the ``pagefind[bin]`` wheel (never a download)."""
    try:
        import pagefind_bin
    except ImportError as exc:
        raise SearchBuildError(
            "Pagefind が見つかりません: `pip install 'pagefind[bin]'` で入れてください") from exc
    return pagefind_bin.get_executable()


def start_pagefind(site: Path, out: Path) -> subprocess.Popen:
    if out.exists():
        shutil.rmtree(out)
    command = [str(pagefind_executable()), "--site", str(site), "--output-path", str(out)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    env["PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE"] = str(INDEX_CHUNK_SIZE)
    try:
        return subprocess.Popen(  # in the scratch folder: no pagefind.yml of anyone else applies
            command, cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=env)
    except OSError as exc:
        raise SearchBuildError(f"Pagefind を実行できませんでした: {exc}") from exc


def finish_pagefind(process: subprocess.Popen, out: Path) -> None:
    try:
        output, _ = process.communicate(timeout=PAGEFIND_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        process.kill()
        process.communicate()
        raise SearchBuildError(f"Pagefind が {PAGEFIND_TIMEOUT} 秒で終わりませんでした") from exc
    if process.returncode != 0 or not (out / "pagefind-entry.json").exists():
        tail = "\n".join(output.strip().splitlines()[-15:])
        raise SearchBuildError(f"Pagefind が失敗しました (終了コード {process.returncode}):\n{tail}")


def index_chunks(bundle: Path) -> list[list[str]]:
    """[from, to] of every index chunk, in key order, from Pagefind's metadata file. A
    Pagefind prefix search loads only the chunk whose key range holds the search string,
    so extensions that sit in the next chunks would be missed: the worker first loads
    every chunk a prefix can reach, from these ranges."""
    metas = sorted(bundle.glob("pagefind.*.pf_meta"))
    if len(metas) != 1:
        raise SearchBuildError(f"Pagefind の pf_meta が {len(metas)} 個あります（1個のはず）")
    meta = read_pagefind_file(metas[0])
    return [[chunk[0], chunk[1]] for chunk in meta[2]]


_FRAGMENT_URL = re.compile(rb'"url":"/(\d+)\.html"')


def page_names(out: Path) -> dict[int, str]:
    """Document index → Pagefind page (fragment) name, from the fragments Pagefind wrote."""
    names: dict[int, str] = {}
    for path in sorted((out / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        match = _FRAGMENT_URL.search(data)
        if match is None:
            raise SearchBuildError(f"Pagefind の fragment {path.name} に URL がありません")
        names[int(match.group(1))] = path.name.removesuffix(".pf_fragment")
    return names


# ---- lexicon --------------------------------------------------------------------------------


def token_cost(documents_with_it: int, documents: int) -> int:
    """A token's cost for the segmenter: the negative log of the share of documents that
    have it, in hundredths (a token in every document costs 0; the segmenter adds a
    constant per token, so fewer, longer tokens win and frequency breaks ties)."""
    return round(-100 * math.log(documents_with_it / (documents + 1)))


def lexicon_buckets(words: dict[str, int], documents: int) -> list[dict[str, list]]:
    """The lexicon (``words``: token → documents with it) in buckets by first character.
    A bucket has every token that begins with one of its characters, with its cost, and
    every proper suffix of a token that begins with one (for queries that begin inside a
    token)."""
    vocabulary = sorted(words)
    suffixes = sorted({w[j:] for w in vocabulary for j in range(1, len(w))})
    size = sum(len(w.encode()) + 8 for w in vocabulary) + sum(len(s.encode()) + 3 for s in suffixes)
    count = max(1, min(MAX_BUCKETS, math.ceil(size / LEXICON_BUCKET_BYTES)))
    buckets: list[dict[str, list]] = [{"words": [], "suffixes": []} for _ in range(count)]
    for w in vocabulary:
        buckets[ord(w[0]) % count]["words"].append([w, token_cost(words[w], documents)])
    for s in suffixes:
        buckets[ord(s[0]) % count]["suffixes"].append(s)
    return buckets


def write_json(path: Path, value) -> None:
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    path.write_bytes(gzip.compress(data.encode("utf-8"), compresslevel=6, mtime=0))
