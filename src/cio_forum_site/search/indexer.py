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
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from cio_forum_site.search.documents import SearchDocument
from cio_forum_site.search.text import KEY_RUN, normalize
from cio_forum_site.stable_pagefind import read as read_pagefind_file

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
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.timings[name] = now - clock
        clock = now

    out = site_dir / bundle
    data_dir = out / "ja"
    keysets = tokenize_all(documents, workers)
    lap("tokenize")

    df: Counter[str] = Counter()  # in how many documents each key is
    for keys in keysets:
        df.update(keys.split(" "))
    df.pop("", None)
    n = len(documents)
    words = {k: c for k, c in df.items() if k[-1] not in (MARKER, EVERY) and PAIR not in k}
    report.vocabulary = len(words)
    stop = sorted(k for k, c in df.items()
                  if n >= STOP_MIN_DOCS and c > STOP_FRACTION * n and k != EVERY)
    report.stop_keys = len(stop)
    with tempfile.TemporaryDirectory(prefix="cio-search-") as scratch:
        pages_dir, texts_dir = Path(scratch) / "pages", Path(scratch) / "texts"
        report.indexed_keys = write_pages(pages_dir, documents, keysets, set(stop))
        lap("pages")
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

_shared: tuple = ()  # (documents, shares), inherited by forked workers


def tokenize_all(documents: Sequence[SearchDocument], workers: int | None = None) -> list[str]:
    """Tokenize every document (on every core when there are many): the index keys of each
    document, space-separated and sorted."""
    global _shared
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or len(documents) < PARALLEL_MIN or "fork" not in mp.get_all_start_methods():
        results = [_tokenize_share(documents, 0, 1)]
    else:
        _shared = (documents, workers)
        try:
            with mp.get_context("fork").Pool(workers) as pool:
                results = pool.map(_tokenize_worker, range(workers))
        finally:
            _shared = ()
    keysets: list[str] = [""] * len(documents)
    for share in results:
        for i, keys in share:
            keysets[i] = keys
    return keysets


def _tokenize_worker(share: int) -> list[tuple[int, str]]:
    documents, shares = _shared
    return _tokenize_share(documents, share, shares)


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


def _tokenize_share(documents: Sequence[SearchDocument], share: int,
                    shares: int) -> list[tuple[int, str]]:
    import fugashi  # imported here: a build without search never loads MeCab

    tagger = fugashi.Tagger("-Owakati")
    known: dict[str, tuple[tuple[str, ...], str, str]] = {}
    out: list[tuple[int, str]] = []
    for i in range(share, len(documents), shares):
        # MeCab treats the line breaks between paragraphs as boundaries.
        tokens = tagger.parse("\n".join(normalize(p) for p in documents[i].paragraphs())).split()
        distinct = set(tokens)
        for token in distinct.difference(known):
            known[token] = token_keys(token)
        keys = set().union(*(known[t][0] for t in distinct))
        for a, b in set(pairwise(tokens)):
            left, right = known[a][2], known[b][1]
            if left and right:
                keys.add(left + PAIR + right)
        keys.add(EVERY)
        out.append((i, " ".join(sorted(keys))))
    return out


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


def write_pages(scratch: Path, documents: Sequence[SearchDocument], keysets: list[str],
                stop: set[str]) -> int:
    """One page per document for Pagefind; returns the number of (page, key) pairs."""
    pairs = 0
    for i, (doc, keys) in enumerate(zip(documents, keysets, strict=True)):
        kept = [k for k in keys.split(" ") if k and k not in stop]
        pairs += len(kept)
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
            f"<main data-pagefind-body>{spans}<p>{' '.join(kept)}</p></main></body></html>"
        )
        folder = scratch / str(i)
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(page, encoding="utf-8")
    return pairs


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


_FRAGMENT_URL = re.compile(rb'"url":"/(\d+)/"')


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
