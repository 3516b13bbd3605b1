"""Build the search bundle: MeCab tokens → Pagefind index, lexicon and article texts.

What lands in ``<site>/pagefind/``:

- a Pagefind index, only what the search page loads (``PUBLISHED``): ``pagefind.js`` (run
  inside our Web Worker, where it never starts a worker of its own) and the WebAssembly,
  from the Pagefind binary (``pagefind.py``); the entry, the meta, index and filter chunks,
  written here as Pagefind writes them (``pagefind_format.py``). No UI bundles, highlighter,
  worker or fragments (the page reads the article texts below instead). There is one page
  per article whose content is the *set* of the article's index keys, separated by spaces:

  - every token MeCab found, as it is: ``人材``, ``育成``, ``ガバメント``;
  - every proper suffix of a token followed by ``MARKER``: ``メントᚠ``, ``ントᚠ``, ``トᚠ``;
  - every pair of adjacent tokens (neither of them all hiragana) joined by ``PAIR``:
    ``人材ᚡ育成``, ``ガバメントᚡクラウド``;
  - ``EVERY``, which every article has (to list articles by filter or by date cheaply);
  - for the ranking: every run of a token of the title, participants, topics (議題) or
    municipalities followed by ``HEAD`` (``真柴ᚣ``), and every run of a token that occurs
    ``MANY`` times or more in the body followed by ``OFTEN`` (``テレワークᚤ``).

  An exact (quoted) Pagefind search for ``x`` finds the articles with the token ``x``; for
  ``xᚠ`` those with a token that ends with ``x``; for ``aᚡb`` those where ``b`` follows
  ``a``; a prefix search for ``x`` those with a token that contains ``x``. Keys in more than
  half of the articles are left out (they would not narrow anything down) and listed in
  the manifest instead. A key in more than ``SHARD_PAGES`` articles is indexed in shards
  (``keyᚥ0``, ``keyᚥ1``, …: ``pagefind_format.py``), listed in the manifest: Pagefind's
  client spends time on the square of a word's pages. Positions are not indexed: at 1,000
  articles of 8,000 characters they would be 5 million, an index several times as large.
  Whether the string really occurs is decided in the browser, against the article's text.
- ``ja/manifest.json.gz``: parameters, the left-out ("stop") keys, the keys in shards and
  how many, the key range of every Pagefind index chunk (a prefix search loads only the
  chunk whose range holds the string, so the worker first loads every chunk a prefix can
  reach), and the Pagefind pages by date, newest first (``order``).
- ``ja/lex/<n>.json.gz``: the lexicon for the browser's segmenter, in buckets by first
  character: every token with a cost (from its frequency), and every proper suffix.
- ``ja/t/<page>.json.gz``: one per article (named after its Pagefind page): URL, title,
  和暦 date, municipalities and the searchable text as paragraphs, for exact matching and
  for excerpts that read as the original Japanese, and who says which paragraphs
  (``turns``, ``speakers``: for excerpts that name the speaker and the 発言者 filter).
- ``ja/yomi/<n>.json.gz``: the readings, in buckets by first character (``readings.py``).

The work per article — its plain text, MeCab, its keys, its text file — is done on every
core by lean workers started from a forkserver (not forks of the build, which would copy
every page of the archive they touch), fed small batches in article order; the keys go
into the index in that order as they are ready. What MeCab made of an article is looked up
in the cache by the article's key before any work is sent out.
Everything is written deterministically (sorted, gzip without time stamps, records in the
same order), so two builds of the same content are byte-identical.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import io
import json
import math
import multiprocessing as mp
import os
import pickle
import re
import shutil
import sys
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, pairwise
from pathlib import Path

from cio_forum_site import caches, mecab
from cio_forum_site.parallel import Background, BackgroundEnded, die_with, workers_for
from cio_forum_site.search import cache, readings
from cio_forum_site.search.documents import SearchDocument, body_turns, speaker_label, speakers
from cio_forum_site.search.pagefind import Client, PagefindError
from cio_forum_site.search.pagefind_format import SHARD, IndexWriter, UnsupportedPagefind
from cio_forum_site.search.text import KEY_RUN, normalize
from cio_forum_site.timing import Laps

_HIRAGANA = re.compile(r"[\u3041-\u309f]+")

MARKER = "\u16a0"  # ᚠ ends every suffix key (runic letters: no Japanese text has them)
PAIR = "\u16a1"  # ᚡ joins the two tokens of a pair key
EVERY = "\u16a2"  # ᚢ: the key every article has
HEAD = "\u16a3"  # ᚣ ends a word of the title, participants, topics or municipalities
OFTEN = "\u16a4"  # ᚤ ends a word found MANY times or more in the body
MANY = 3
FORMAT_VERSION = 1
STOP_FRACTION = 0.5  # a key in more than this share of the articles is not indexed …
STOP_MIN_DOCS = 20  # … once there are at least this many articles
INDEX_CHUNK_SIZE = 4000  # Pagefind's measure of an index chunk (its default: 20,000)
SHARD_PAGES = 500  # a key on more articles than this is indexed in shards of this many
LEXICON_BUCKET_BYTES = 24_000  # aim for lexicon buckets about this big (before gzip)
MAX_BUCKETS = 256
PARALLEL_MIN = 40  # fewer documents than this are tokenized in one process


class SearchBuildError(Exception):
    """Building the search index failed (Pagefind reported an error, or is missing)."""


@dataclass
class SearchReport:
    documents: int = 0
    vocabulary: int = 0  # distinct tokens (runs of letters and digits in MeCab tokens)
    indexed_keys: int = 0  # (article, key) pairs in the index
    stop_keys: int = 0
    lexicon_buckets: int = 0
    indexed_pages: int = 0  # documents indexed in this build (the others were kept)
    text_files: list[str] = field(default_factory=list)  # each document's text, in the bundle
    # each index chunk file in the bundle → the digest of its content (its key)
    index_files: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def build_search(site_dir: Path, documents: Sequence[SearchDocument], *,
                 bundle: str = "pagefind", workers: int | None = None,
                 cache_dir: Path | None = None,
                 texts: dict[int, Path] | None = None,
                 keys: Sequence[str] | None = None,
                 carried: Callable[[str, str], Path | None] | None = None) -> SearchReport:
    """Index ``documents`` into ``site_dir/<bundle>/``, reusing what MeCab made of the same
    documents before when ``cache_dir`` holds it (``keys``: each document's key, see
    ``index_documents``). ``texts`` names, for some documents, the
    article-text file a previous build wrote for exactly that document: it is linked
    (or copied) instead of written again. ``carried(path in the site, key)`` names a
    previous build's file with that key (an index chunk's key is the digest of its
    content, ``SearchReport.index_files``), linked instead of written. Raises
    SearchBuildError when MeCab or Pagefind fails."""
    report = SearchReport(documents=len(documents))
    lap = Laps(report.timings)

    out = site_dir / bundle
    data_dir = out / "ja"
    n = len(documents)
    if n == 0:  # Pagefind refuses to index nothing; the page then says there is nothing
        data_dir.mkdir(parents=True)
        write_json(data_dir / "manifest.json.gz", {"version": FORMAT_VERSION, "documents": 0})
        return report
    texts_dir = data_dir / "t"  # the workers write <i>.json.gz; renamed after Pagefind's pages
    texts_dir.mkdir(parents=True)
    # Pagefind's pages are the documents oldest first: a new article is the next page, and
    # the others keep their numbers (the kept index of the last build is changed, not
    # made anew: index_documents)
    words_job: Background | None = None

    def words_known(words: dict[str, int], known: dict[str, str], kept: bool) -> None:
        """The lexicon and reading buckets, made beside the index files when the kept
        index was changed (the few-changed case, where they take a third of the time;
        a cold build does not fork its memory again)."""
        nonlocal words_job
        if kept and workers_for(2, 2) > 1:
            words_job = later.enter_context(Background(partial(
                write_word_buckets, data_dir, words, known, documents)))

    with contextlib.ExitStack() as later:
        try:
            done = index_documents(documents[::-1], texts_dir, workers, lap, cache_dir,
                                   {n - 1 - i: path for i, path in (texts or {}).items()},
                                   keys[::-1] if keys is not None else None, words_known)
        except (PagefindError, UnsupportedPagefind) as exc:
            raise SearchBuildError(str(exc)) from None
        return _finish_bundle(report, lap, out, documents, done, words_job, carried)


def _finish_bundle(report: SearchReport, lap, out: Path, documents: Sequence[SearchDocument],
                   done: Tokenized, words_job: Background | None,
                   carried: Callable[[str, str], Path | None] | None) -> SearchReport:
    """The bundle's files besides the text files the workers wrote, in ``out``."""
    n = len(documents)
    bundle = out.name
    data_dir = out / "ja"
    texts_dir = data_dir / "t"
    pages = done.pages[::-1]  # each document's Pagefind page
    report.vocabulary = len(done.words)
    report.stop_keys = len(done.stop)
    report.indexed_keys = done.indexed_keys
    report.indexed_pages = done.indexed_pages
    lap("pagefind")  # writing the index, after the last record
    report.index_files = done.digests
    old = {p: carried(f"{bundle}/{p}", d) for p, d in done.digests.items()} if carried else {}
    write_files(out, {p: data for p, data in done.bundle.items() if PUBLISHED.fullmatch(p)},
                {p: path for p, path in old.items() if path is not None})
    for i, name in enumerate(done.pages):
        target = texts_dir / f"{name}.json.gz"
        if i not in done.texts:
            os.replace(texts_dir / f"{i}.json.gz", target)
        elif not _linked(done.texts[i], target):  # e.g. another file system: written
            write_json(target, text_record(documents[n - 1 - i]))
    report.text_files = [f"ja/t/{pages[i]}.json.gz" for i in range(n)]
    counts = None
    if words_job is not None:
        try:
            counts = words_job.result()
        except BackgroundEnded:  # killed (out of memory?): made here instead
            for part in ("lex", "yomi"):
                shutil.rmtree(data_dir / part, ignore_errors=True)
    buckets, reading_buckets = counts or write_word_buckets(data_dir, done.words,
                                                            done.readings, documents)
    report.lexicon_buckets = buckets
    write_json(data_dir / "manifest.json.gz", {
        "version": FORMAT_VERSION,
        "marker": MARKER,
        "pair": PAIR,
        "every": EVERY,
        "head": HEAD,
        "often": OFTEN,
        "documents": n,
        "buckets": buckets,
        "readingBuckets": reading_buckets,
        "stop": [k for k in done.stop if PAIR not in k],
        "stopPairs": [k for k in done.stop if PAIR in k],
        "chunks": done.chunks,
        "shard": SHARD,
        "shards": done.shards,
        # every article's Pagefind page, newest first (archive order among the same date):
        # the order a search starts from, without asking Pagefind to list and sort them all
        "order": [pages[i] for i in sorted(range(n), key=lambda i: documents[i].date_iso,
                                            reverse=True)],
    })
    lap("data")
    return report


# ---- tokenizing ----------------------------------------------------------------------------

# Pagefind's files that search-worker.js loads: pagefind.js, and what pagefind.js fetches.
PUBLISHED = re.compile(r"pagefind\.js|pagefind-entry\.json|wasm\.[\w-]+\.pagefind"
                       r"|pagefind\.[\w-]+\.pf_meta|index/[\w-]+\.pf_index|filter/[\w-]+\.pf_filter")

SAMPLE = 200  # the stop keys are the keys in more than half of the first SAMPLE documents
BATCH = 16  # documents one task gives a worker (MeCab cuts them all before any keys are made)


@dataclass
class Tokenized:
    words: dict[str, int]  # token → number of documents that have it
    stop: list[str]  # keys left out of the index, sorted
    indexed_keys: int  # (document, key) pairs in the index
    readings: dict[str, str]  # word → its reading (readings.py)
    bundle: dict[str, bytes]  # the Pagefind index and client: path in the bundle → content
    pages: list[str]  # each document's Pagefind page
    chunks: list[list[str]]  # the key range [from, to] of every index chunk
    shards: dict[str, int]  # the keys indexed in shards → how many (pagefind_format.py)
    cut: int = 0  # documents MeCab cut in this build (the others came from the cache)
    indexed_pages: int = 0  # pages indexed in this build (the others were in the kept index)
    digests: dict[str, str] = field(default_factory=dict)  # index chunk file → its digest
    # page → the last build's text file of its document, to link under the page's name
    texts: dict[int, Path] = field(default_factory=dict)


def stop_keys(sample: list[str], documents: int) -> list[str]:
    """The keys left out of the index, from the key lists of the sample documents: those in
    more than STOP_FRACTION of them (none while the archive is small). Any choice would be
    correct — the browser treats a left-out key as "could be in any article" — so a sample
    is enough, and records can be indexed while the rest is still being tokenized."""
    if documents < STOP_MIN_DOCS or not sample:
        return []
    df: Counter[str] = Counter()
    for keys in sample:
        df.update(keys.split(" "))
    return sorted(k for k, c in df.items() if c > STOP_FRACTION * len(sample) and k != EVERY)


# One task of a worker: (document index, the document, whether MeCab must cut it, the last
# build's text file to link for it, or None: write it) for some of BATCH consecutive
# documents.
Task = list[tuple[int, SearchDocument, bool, Path | None]]


def index_documents(documents: Sequence[SearchDocument], texts_dir: Path,
                    workers: int | None = None, lap=None, cache_dir: Path | None = None,
                    texts: dict[int, Path] | None = None,
                    keys: Sequence[str] | None = None,
                    words_known: Callable[[dict[str, int], dict[str, str], bool], None]
                    | None = None) -> Tokenized:
    """Tokenize every document (on every core when there are many), write its text into
    ``texts_dir`` and put its record into the index; returns what was learned and the
    bundle. With ``cache_dir``, MeCab only cuts documents it has not cut before
    (``cache.py``), found by ``keys`` (each document's, e.g. ``reuse.document_keys``; by
    default ``cache.document_key``), and the last build's index (``INDEX_FILE``) is changed
    where documents changed or were added instead of made anew (``_pages_to_index_again``;
    the pages are ``documents`` in order, so a new one is the next page).
    ``words_known(words, readings, kept)`` is called once every word and its reading are
    known, before the index files are made (``kept``: the kept index was changed).

    The workers are fresh processes (``_Workers``), not forks of this one: a fork would
    come to hold a copy of every page of the archive it touches (at 10,000 articles, two
    workers held 1.6 GB). Each task sends them only its documents, and they send back
    each document's keys, in order."""
    n = len(documents)
    texts = texts or {}
    cached = cache.load(cache_dir)
    if cache_dir is not None and keys is None:
        keys = [cache.document_key(doc) for doc in documents]
    entries: list[cache.Entry | None] = [cached.get(k) for k in keys] if keys else [None] * n
    known_readings = cache.load(cache_dir, cache.READINGS_FILE)
    kept = caches.load(cache_dir, INDEX_FILE, caches.code_version()) if keys else None
    again = _pages_to_index_again(kept, keys, entries, cached)
    # the work left for the workers, BATCH documents at a time: every document MeCab has
    # not cut, and the text file of every one the last build wrote none for
    batches: list[tuple[range, Task]] = []
    for start in range(0, n, BATCH):
        span = range(start, min(n, start + BATCH))
        # a document MeCab must cut goes to a worker, which links its last text file (or
        # writes it); so does a cached one without a text file to link
        task = [(i, documents[i], True, texts.get(i)) if entries[i] is None else
                (i, documents[i], False, None) for i in span
                if entries[i] is None or i not in texts]
        batches.append((span, task))
    # a cached document's last text file is linked under its page's name once the pages
    # are named (build_search)
    later = {i: texts[i] for i in range(n) if entries[i] is not None and i in texts}
    todo = sum(len(task) for _, task in batches)
    words: Counter[str] = Counter()
    if again is not None:  # the kept index's words, less those of the pages that changed
        assert kept is not None and keys is not None
        words = Counter(kept.words)
        for i in again:
            runs = cache.unpack(cached[kept.keys[i]][1])
            words.subtract(runs.split(" ") if runs else ())
        # the words of pages that changed or are new are counted below
        unchanged = set(range(len(kept.keys))) - set(again)
    used: dict[str, cache.Entry] = {}
    fresh = 0
    writer: IndexWriter | None = None
    stop: list[str] = []
    fed = 0  # documents in the index so far
    unchanged_pages = 0  # of them, those that were in the kept index as they are

    def feed(end: int) -> None:  # documents fed … end - 1 into the index, in order
        nonlocal fed
        while fed < end:
            doc, entry = documents[fed], entries[fed]
            assert entry is not None and writer is not None
            writer.add(f"{doc.url}\0{entry[2]}", cache.unpack(entry[0]), pagefind_filters(doc))
            if cache_dir is None:  # kept only for the next build's cache
                entries[fed] = None
            fed += 1

    with _Workers(texts_dir, _worker_count(workers, todo)) as pool, Client() as client:
        for span, (batch_entries, batch_words) in pool.results(batches):
            for i, entry in batch_entries:
                entries[i] = entry
                fresh += 1
            words.update(batch_words)
            cut = {i for i, _ in batch_entries}
            for i in span:
                if i not in cut and (again is None or i not in unchanged):
                    runs = cache.unpack(entries[i][1])  # from the cache: counted here
                    words.update(runs.split(" ") if runs else ())
            if again is None and writer is None and span.stop >= min(n, SAMPLE):
                stop = stop_keys([cache.unpack(e[0]) for e in entries[:min(n, SAMPLE)]], n)
                writer = IndexWriter(left_out=stop)
            if writer is not None:
                feed(span.stop)
        if lap:
            lap("tokenize")
        unread = [w for w in words if w not in known_readings]
        new_readings = pool.readings(unread) if unread else {}
        version, bundle = client.files()
    words = +words  # without the words no page has any more
    if again is not None:
        assert kept is not None
        stop = kept.stop
        if any(i < SAMPLE for i in again) or len(kept.keys) < min(n, SAMPLE):
            stop = stop_keys([cache.unpack(e[0]) for e in entries[:min(n, SAMPLE)]], n)
        if stop == kept.stop:  # the kept index, changed where pages changed
            writer = kept.writer
            for i in again:
                doc, entry = documents[i], entries[i]
                writer.replace(i, f"{doc.url}\0{entry[2]}", cache.unpack(cached[kept.keys[i]][0]),
                               cache.unpack(entry[0]), pagefind_filters(doc))
            fed = len(kept.keys)
            unchanged_pages = len(kept.keys) - len(again)
        else:
            writer = IndexWriter(left_out=stop)
    if writer is None:
        writer = IndexWriter()
    feed(n)
    if cache_dir is not None and keys is not None:  # kept for the next build
        used = dict(zip(keys, entries, strict=True))
        if used != cached:
            cache.save(cache_dir, used)
    known = {w: r for w in words if (r := new_readings.get(w) or known_readings.get(w))}
    if words_known is not None:
        words_known(dict(words), known, writer is kept.writer if kept else False)
    if new_readings or len(known) != len(known_readings):
        cache.save(cache_dir, known, cache.READINGS_FILE)
    # every record is in: the index files
    files, pages, chunks, shards = writer.files(version, INDEX_CHUNK_SIZE, SHARD_PAGES)
    if cache_dir is not None and keys is not None:
        caches.save(cache_dir, INDEX_FILE, caches.code_version(),
                    _KeptIndex(list(keys), stop, words, writer))
    return Tokenized(dict(words), stop, writer.indexed, known, {**bundle, **files}, pages,
                     chunks, shards, fresh, n - unchanged_pages, writer.digests, later)


INDEX_FILE = "search-index.pickle"  # the last build's index, changed by the next (caches.py)
AGAIN_SHARE = 20  # more than 1 in this many pages changed or added: the index is made anew


def few_changed(changed: int, documents: int) -> bool:
    """Whether ``changed`` of ``documents`` is few enough for the kept index to be changed
    rather than made anew (the build then also makes the bundle beside the pages)."""
    return changed <= max(8, documents // AGAIN_SHARE)


@dataclass
class _KeptIndex:
    """A build's index, kept for the next: the next build indexes again only the pages
    whose document changed, and adds the new ones (a new article is the next page: pages
    are oldest first)."""
    keys: list[str]  # each page's document key, in page order
    stop: list[str]
    words: Counter[str]  # token → pages with it
    writer: IndexWriter


def _pages_to_index_again(kept: _KeptIndex | None, keys: Sequence[str] | None,
                          entries: list, cached: dict) -> list[int] | None:
    """The pages of ``kept`` whose document changed, when the kept index can be changed
    into this build's (documents may be added after its pages, none taken away; the
    old keys of a changed page are in the cache, and every unchanged page's too); None
    when the index is to be made anew."""
    if not isinstance(kept, _KeptIndex) or keys is None or len(keys) < len(kept.keys):
        return None
    again = [i for i, key in enumerate(kept.keys) if keys[i] != key]
    if not few_changed(len(again) + len(keys) - len(kept.keys), len(keys)):
        return None
    if not all(kept.keys[i] in cached for i in again) or \
            any(entries[i] is None for i in range(len(kept.keys)) if keys[i] == kept.keys[i]):
        return None
    return again


def _worker_count(workers: int | None, documents: int) -> int:
    """Worker processes for ``documents`` documents to tokenize: none (this process) when
    there are few of them or one core."""
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    return 0 if workers < 2 or documents < PARALLEL_MIN else workers


def pagefind_filters(doc: SearchDocument) -> dict[str, list[str]]:
    """The filters of a document's Pagefind page."""
    filters = {"municipality": list(doc.municipalities), "fiscal_year": [doc.fiscal_year],
               "kind": [doc.kind], "tag": list(doc.tags), "speaker": speakers(doc.article)}
    return {name: values for name, values in filters.items() if values}


class _Workers:
    """The processes that cut the documents: ``workers`` fresh ones (from the forkserver,
    which imports this module and fugashi once), or this process when ``workers`` is 0.
    ``results`` runs the tasks, in order; ``readings`` reads words."""

    def __init__(self, texts_dir: Path, workers: int):
        self.texts_dir = texts_dir
        self.workers = workers
        self.executor: ProcessPoolExecutor | None = None
        self.inline: _Work | None = None

    def __enter__(self) -> _Workers:
        if self.workers == 0:
            self.inline = _Work(self.texts_dir)
            return self
        context = mp.get_context("forkserver")
        context.set_forkserver_preload(["cio_forum_site.search.indexer", "fugashi"])
        self.executor = ProcessPoolExecutor(self.workers, mp_context=context,
                                            initializer=_start_worker,
                                            initargs=(self.texts_dir, os.getpid()))
        return self

    def __exit__(self, *exc) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)

    def results(self, batches: list[tuple[range, Task]]):
        """(span, (the entries MeCab made, documents per word among them)) for each batch,
        in order."""
        if self.inline is not None:
            for span, task in batches:
                yield span, self.inline.run(task)
            return
        assert self.executor is not None
        tasks = (task for _, task in batches if task)
        pending: deque[Future] = deque()

        def top_up() -> None:  # a few tasks ahead of the one awaited, pickled as they go
            while len(pending) < 2 * self.workers + 2 and (task := next(tasks, None)):
                pending.append(self.executor.submit(_run_task, _TaskPickler.dumps(task)))

        try:
            top_up()
            for span, task in batches:
                if not task:  # every document of the span is cached and its text linked
                    yield span, ([], Counter())
                    continue
                done = pending.popleft().result()
                top_up()
                yield span, done
        except BrokenProcessPool:
            raise SearchBuildError("MeCab で文章を分ける処理が途中で終わりました" + _script_hint()) from None
        except Exception as exc:  # a worker's error, raised again here
            raise SearchBuildError(
                f"MeCab で文章を分けられませんでした: {exc!r}{_script_hint()}") from None

    def readings(self, words: list[str]) -> dict[str, str]:
        """The readings of ``words`` (``readings.read_words``), on every worker."""
        if self.executor is None:
            return readings.read_words(words)
        parts = [words[k::self.workers] for k in range(self.workers)]
        out: dict[str, str] = {}
        try:
            for found in self.executor.map(readings.read_words, parts):
                out.update(found)
        except BrokenProcessPool:
            raise SearchBuildError("MeCab で読みを調べる処理が途中で終わりました") from None
        return out


def _script_hint() -> str:
    """When the build runs from a Python script: the likely cause of a worker's end. A
    worker from the forkserver imports the script again, and a script that calls
    ``build()`` outside ``if __name__ == "__main__":`` then builds again inside it."""
    main = sys.modules.get("__main__")
    if getattr(main, "__spec__", None) is not None or not str(
            getattr(main, "__file__", "")).endswith(".py"):
        return ""  # the command (``cio-forum-site`` or ``python -m``), not a script
    return ("（Python のスクリプトから build() を呼ぶときは、if __name__ == \"__main__\": の"
            "中で呼んでください。MeCab の作業プロセスはスクリプトを読み込み直します）")


class _Work:
    """What a worker (or this process) does with a task: MeCab and keys for the documents
    to cut, and the text file of every document of the task."""

    def __init__(self, texts_dir: Path):
        self.texts_dir = texts_dir
        self.tokenizer = _Tokenizer()

    def run(self, task: Task) -> tuple[list[tuple[int, cache.Entry]], Counter[str]]:
        to_cut = [(i, doc) for i, doc, cut, _ in task if cut]
        made = self.tokenizer.analyse([doc for _, doc in to_cut])
        words: Counter[str] = Counter()
        for _, runs, _ in made:
            if runs:
                words.update(runs.split(" "))
        for i, doc, _, link in task:
            target = self.texts_dir / f"{i}.json.gz"
            if not (link is not None and _linked(link, target)):
                write_json(target, text_record(doc))
        entries = [(i, (cache.pack(keys), cache.pack(runs), text_key))
                   for (i, _), (keys, runs, text_key) in zip(to_cut, made, strict=True)]
        return entries, words


_work: _Work | None = None  # a worker's


def _start_worker(texts_dir: Path, build: int) -> None:
    global _work
    gc.disable()  # nothing here makes reference cycles; collections would only cost time
    die_with(build)  # the forkserver, its parent, outlives the build while workers live
    _work = _Work(texts_dir)


def _run_task(task: bytes):
    assert _work is not None
    return _work.run(_TaskPickler.loads(task))


class _TaskPickler(pickle.Pickler):
    """Pickles a task for a worker with every non-ASCII string as UTF-8 bytes. CPython's
    pickle keeps the UTF-8 form of each string it writes inside the string, for as long as
    the string lives: the build's articles would carry a second copy of their text (240 MB
    at 10,000 articles)."""

    def persistent_id(self, obj):
        if type(obj) is str and not obj.isascii():
            return obj.encode("utf-8", "surrogatepass")
        return None

    @classmethod
    def dumps(cls, obj) -> bytes:
        out = io.BytesIO()
        cls(out, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
        return out.getvalue()

    @staticmethod
    def loads(data: bytes):
        reader = pickle.Unpickler(io.BytesIO(data))
        reader.persistent_load = lambda pid: pid.decode("utf-8", "surrogatepass")
        return reader.load()


def _linked(source: Path, target: Path) -> bool:
    """``source`` (a previous build's file, never written to) also at ``target``."""
    try:
        os.link(source, target)
    except OSError:
        return False
    return True


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
    """MeCab, and what it has learned of each distinct token so far."""

    def __init__(self):
        self._tagger = None
        self.known: dict[str, tuple[str, ...]] = {}  # token → its keys
        self.runs: dict[str, tuple[str, ...]] = {}  # token → its runs of letters and digits
        self.left: dict[str, str] = {}  # token → the run it ends with, if it can pair
        self.right: dict[str, str] = {}  # token → the run it begins with, if it can pair

    @property
    def tagger(self):
        if self._tagger is None:  # only when something is not in the cache
            import fugashi  # imported here: a build without search never loads MeCab

            self._tagger = fugashi.Tagger("-Owakati")
        return self._tagger

    def analyse(self, docs: list[SearchDocument]) -> list[tuple[str, str, str]]:
        """Each document's keys, its words (``keys``) and the key of the text MeCab cut.
        MeCab cuts all the texts before any keys are made: switching less often between
        MeCab's large tables (a 69 MB cost matrix) and Python's objects keeps more of each
        in the processor's caches: at 1,000 articles, tokenizing took 3.8–3.9 s in batches
        of 16, 4.6–5.3 s in batches of 4, 5.3–5.6 s one by one."""
        # MeCab treats the line breaks between paragraphs as boundaries; the head (title,
        # people, topics, municipalities) is cut apart from the body.
        texts = [head_and_body(doc) for doc in docs]
        cut = [(mecab.wakati(self.tagger, head), mecab.wakati(self.tagger, body))
               for head, body in texts]
        return [(*self.keys(c), cache.text_key(f"{head}\x1d{body}"))
                for c, (head, body) in zip(cut, texts, strict=True)]

    def keys(self, cut: tuple[str, str]) -> tuple[str, str]:
        """The index keys of a text as MeCab cut it (its head and its body, tokens separated
        by spaces) and its words (runs of letters and digits), each space-separated, in
        order of first appearance."""
        head, body = cut[0].split(), cut[1].split()
        tokens = head + body
        distinct = dict.fromkeys(tokens)
        known = self.known
        # not distinct.keys() - known.keys(): that walks all of known (30,000 tokens) per text
        for token in [t for t in distinct if t not in known]:
            keys, first, last = token_keys(token)
            self.runs[token] = tuple(k for k in keys if k[-1] != MARKER)
            known[token] = keys
            if first:
                self.right[token] = first
            if last:
                self.left[token] = last
        runs = dict.fromkeys(chain.from_iterable(map(self.runs.__getitem__, distinct)))
        keys = dict.fromkeys(chain.from_iterable(map(known.__getitem__, distinct)))
        left, right = self.left, self.right
        keys.update(dict.fromkeys(left[a] + PAIR + right[b] for a, b in dict.fromkeys(
            pairwise(tokens)) if a in left and b in right))
        keys[EVERY] = None
        keys.update((run + HEAD, None) for token in dict.fromkeys(head)
                    for run in self.runs[token])
        keys.update((run + OFTEN, None) for token, n in Counter(body).items() if n >= MANY
                    for run in self.runs[token])
        return " ".join(keys), " ".join(runs)


def head_and_body(doc: SearchDocument) -> tuple[str, str]:
    """The normalized text MeCab cuts: the head (title, participants, topics,
    municipalities) and the body, paragraphs separated by line breaks."""
    paragraphs = [normalize(p) for p in doc.paragraphs()]
    return "\n".join(paragraphs[:doc.head_size]), "\n".join(paragraphs[doc.head_size:])


def text_record(doc: SearchDocument) -> dict:
    """What the browser needs to check a match and show a result."""
    paragraphs = doc.paragraphs()
    fields = doc.head_size
    return {
        **turns_record(doc),
        "url": doc.url,
        "title": doc.title,
        "date": doc.date_wareki,
        "iso": doc.date_iso,
        "municipalities": list(doc.municipalities),
        "kind": doc.kind,
        "body": fields,  # paragraphs[body:] are the body; before it, title, people, topics
        "text": paragraphs,
    }


def turns_record(doc: SearchDocument) -> dict:
    """Who says what: ``turns`` [[first, end, speaker], …] — body paragraphs
    ``text[first:end]`` are said by ``speakers[speaker]``: [name, label]."""
    people: dict[str, int] = {}
    labels: list[list[str]] = []
    turns: list[list[int]] = []
    at = doc.head_size
    for paragraph, person in body_turns(doc.article):
        if not paragraph.strip():
            continue
        if person is not None:
            if person.name not in people:
                people[person.name] = len(labels)
                labels.append([person.name, speaker_label(person)])
            who = people[person.name]
            if turns and turns[-1][1] == at and turns[-1][2] == who:
                turns[-1][1] = at + 1
            else:
                turns.append([at, at + 1, who])
        at += 1
    return {"turns": turns, "speakers": labels}


# ---- lexicon --------------------------------------------------------------------------------


def write_word_buckets(data_dir: Path, words: dict[str, int], known: dict[str, str],
                       documents: Sequence[SearchDocument]) -> tuple[int, int]:
    """Write the lexicon (``lex/``) and the readings (``yomi/``) in buckets; how many of
    each. ``known``: each word's reading."""
    lexicon = lexicon_buckets(words, len(documents))
    (data_dir / "lex").mkdir()
    for b, bucket in enumerate(lexicon):
        write_json(data_dir / "lex" / f"{b}.json.gz", bucket)
    names = readings.name_readings(
        (p.name, p.kana) for doc in documents for p in doc.article.participants if p.kana)
    yomi = readings.reading_buckets(known, words, names, len(documents))
    (data_dir / "yomi").mkdir()
    for b, bucket in enumerate(yomi):
        write_json(data_dir / "yomi" / f"{b}.json.gz", bucket)
    return len(lexicon), len(yomi)


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
        buckets[ord(w[0]) % count]["words"].append([w, readings.token_cost(words[w], documents)])
    for s in suffixes:
        buckets[ord(s[0]) % count]["suffixes"].append(s)
    return buckets


def write_files(folder: Path, files: dict[str, bytes],
                same: dict[str, Path] | None = None) -> None:
    """Write ``files`` (path in ``folder`` → content) into a new ``folder``; ``same``: a
    file of a previous build with the same content, linked instead (never written to)."""
    same = same or {}
    for path in sorted({str(Path(p).parent) for p in files}):
        (folder / path).mkdir(parents=True, exist_ok=True)
    for path, data in files.items():
        if not (path in same and _linked(same[path], folder / path)):
            (folder / path).write_bytes(data)


def write_json(path: Path, value) -> None:
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    path.write_bytes(gzip.compress(data.encode("utf-8"), compresslevel=6, mtime=0))
