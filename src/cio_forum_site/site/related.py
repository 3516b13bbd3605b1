"""Related articles (関連記事): for each article, up to five others that share its topics,
tags, municipalities and participants and use the same words (TF-IDF over MeCab nouns).

Each article is a vector of features — ``g:`` tag, ``t:`` topic, ``m:`` municipality,
``p:`` person, ``w:`` noun — weighted by inverse document frequency; the facets and the
words are each scaled to half of a unit vector, so the score of a pair is the mean of the
two cosine similarities. It is not quadratic: an article is indexed under its facets and its
``TOP_TERMS`` strongest words only, each posting list keeps its ``POSTING_LIMIT`` strongest
articles, and features in more than half of the articles are left out (they tell nothing
apart). The candidates of an article are the articles on its posting lists.

Deterministic: everything is iterated in archive order and ties go to the newer article.
Parts of the article's own series are never related (the page links them as the series);
several parts of another series count once, as that series. Entry point: ``related_articles``.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import math
import re
import unicodedata
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from cio_forum_site import caches, filecache
from cio_forum_site.content.model import Article, Heading, Prose, Question, Turn
from cio_forum_site.content.slugs import tag_key
from cio_forum_site.parallel import by_share, workers_for
from cio_forum_site.site.archive import Archive
from cio_forum_site.site.people import People

COUNT = 5
TEXT_LIMIT = 1200  # characters of an article's text that MeCab gets (title, topics, summary, body)
TOP_TERMS = 12  # words an article is indexed under
POSTING_LIMIT = 40  # articles kept per feature: its strongest
COMMON_SHARE = 0.5  # a feature in more than this share of the articles is left out …
COMMON_MIN = 20  # … once there are this many articles
PARALLEL_MIN = 400  # fewer articles than this are done in one process (MeCab, the choice)
CACHE_FILE = "related-nouns.bin"  # in the build's cache folder (.cache/)
RESULT_FILE = "related.pickle"  # the last result, by what it is made from (caches.py)
MODEL_FILE = "related-model.pickle"  # what it was made of (``Model``), changed by the next
HALF = math.sqrt(0.5)  # the facets and the words are each this long

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HIRAGANA = re.compile(r"^[\u3041-\u309f\u30fc]+$")

Vector = dict[str, float]


def related_articles(archive: Archive, people: People | None = None, *,
                     cache_dir: Path | None = None,
                     digests: Mapping[str, str] | None = None) -> dict[str, tuple[Article, ...]]:
    """article slug → up to ``COUNT`` related articles, best first. ``cache_dir`` keeps each
    article's nouns for the next build (``CACHE_FILE``): only new and changed texts go
    through MeCab. The whole result is kept too (``RESULT_FILE``), under what it is made
    from: each article's slug, series, facets and the key of its text (``article_text``),
    in archive order; a build whose articles give the same takes it as it is (an edit past
    the start of a body changes none of them). ``digests`` (an article's file → a digest of
    its bytes) lets a build find an unchanged article's text key without making the text."""
    articles = archive.articles
    kept = caches.load(cache_dir, RESULT_FILE, caches.code_version()) if cache_dir else None
    kept = kept if isinstance(kept, dict) else {}
    facets = [facet_features(a, people) for a in articles]
    texts = kept.get("texts")
    keys, texts = text_keys(articles, digests or {}, texts if isinstance(texts, dict) else {})
    inputs = hashlib.blake2b(digest_size=16)
    for article, features, key in zip(articles, facets, keys, strict=True):
        inputs.update("\0".join([article.slug, article.series or "", key, *features, "\n"])
                      .encode())
    if kept.get("inputs") == inputs.hexdigest():
        by_slug = {a.slug: a for a in articles}
        with contextlib.suppress(AttributeError, KeyError, TypeError):
            chosen = kept["related"]
            if chosen.keys() == by_slug.keys():
                return {slug: tuple(by_slug[s] for s in slugs) for slug, slugs in chosen.items()}
    related = _related(archive, facets, keys, cache_dir)
    if cache_dir is not None:
        caches.save(cache_dir, RESULT_FILE, caches.code_version(), {
            "inputs": inputs.hexdigest(), "texts": texts,
            "related": {slug: tuple(a.slug for a in chosen) for slug, chosen in related.items()}})
    return related


def text_keys(articles: Sequence[Article], digests: Mapping[str, str],
              known: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The key of each article's text (``article_text``), and the keys by (the digest of
    the article's file, its summary) for the next build. ``known``: the last build's; the
    summary is part of it because the archive may give an article another summary than
    its file does (articles that open alike)."""
    keys, found = [], {}
    for article in articles:
        digest = digests.get(article.path)
        which = f"{digest}\0{article.summary}" if digest else ""
        key = known.get(which) if which else None
        if key is None:
            key = filecache.text_key(article_text(article))
        keys.append(key)
        if which:
            found[which] = key
    return keys, found


def _related(archive: Archive, facets: list[list[str]], keys: list[str],
             cache_dir: Path | None) -> dict[str, tuple[Article, ...]]:
    articles = archive.articles
    cache_path = cache_dir / CACHE_FILE if cache_dir else None
    version = cache_version()
    cached = filecache.load(cache_path, version)
    words, used = nouns(articles, cached, keys)
    filecache.save(cache_path, version, used)
    model = caches.load(cache_dir, MODEL_FILE, caches.code_version()) if cache_dir else None
    if not (isinstance(model, Model) and model.update(archive, facets, keys, words, cached)):
        model = Model(archive, facets, keys, words)
    if cache_dir is not None:
        caches.save(cache_dir, MODEL_FILE, caches.code_version(), model)
    return {a.slug: tuple(articles[j] for j in model.best[i]) for i, a in enumerate(articles)}


class Model:
    """Everything the related articles of an archive are made of — each article's inputs
    (text key, series, facets) and vector, the documents per feature, every
    feature's articles (in archive order, and its ``POSTING_LIMIT`` strongest) and each
    article's choice — kept (``MODEL_FILE``) so that when a few articles change, only
    what depends on them is made again (``update``), with the same result as made anew."""

    def __init__(self, archive: Archive, facets: list[list[str]], keys: list[str],
                 words: list[Counter]):
        articles = archive.articles
        self.slugs = [a.slug for a in articles]
        self.inputs = _inputs(articles, facets, keys)
        self.df = document_frequencies(facets, words)
        idf = inverse_frequencies(self.df, len(articles))
        self.vectors = [vector(f, w, idf) for f, w in zip(facets, words, strict=True)]
        self.having: dict[str, list[tuple[int, float]]] = {}  # feature → (article, weight)
        for i, v in enumerate(self.vectors):
            for feature, weight in v.items():
                self.having.setdefault(feature, []).append((i, weight))
        self.postings = {f: _strongest(entries) for f, entries in self.having.items()}
        vectors, postings = self.vectors, self.postings

        def share(n: int, shares: int) -> list[tuple[int, ...]]:
            return [_best(archive, i, vectors[i], postings)
                    for i in range(n, len(articles), shares)]

        self.best: list[tuple[int, ...]] = [()] * len(articles)
        shares = workers_for(len(articles), PARALLEL_MIN)
        for n, part in enumerate(by_share(share, shares) if articles else []):
            self.best[n::shares] = part

    def update(self, archive: Archive, facets: list[list[str]], keys: list[str],
               words: list[Counter], nouns_by_key: dict[str, tuple]) -> bool:
        """Change the model into the one ``Model(archive, …)`` would make, when the archive
        has the same articles in the same order and only a few of them changed (and no
        series): the vectors of the articles with a feature whose frequency changed, the
        feature lists they are on, and the choice of every article on a feature list that
        changed. ``nouns_by_key``: the nouns cache as the last build left it (the words of
        a changed article's old text). False (and the model as it was) otherwise."""
        articles = archive.articles
        n = len(articles)
        inputs = _inputs(articles, facets, keys)
        if [a.slug for a in articles] != self.slugs:
            return False
        changed = [i for i in range(n) if inputs[i] != self.inputs[i]]
        if len(changed) > max(8, n // 10) or any(
                inputs[i][1] != self.inputs[i][1] or self.inputs[i][0] not in nouns_by_key
                for i in changed):
            return False
        touched: set[str] = set()
        for i in changed:
            old_words = Counter(dict(zip(*nouns_by_key[self.inputs[i][0]], strict=True)))
            old, new = _features(self.inputs[i][2], old_words), _features(facets[i], words[i])
            self.df.subtract(old)
            self.df.update(new)
            touched.update(old.keys() ^ new.keys())
            touched.update(f for f in old.keys() & new.keys() if old[f] != new[f])
            self.inputs[i] = inputs[i]
        for feature in touched:
            if self.df[feature] <= 0:
                del self.df[feature]
        idf = inverse_frequencies(self.df, n)
        # the articles with a feature whose frequency changed: their vectors may change
        touched_words = {f[2:] for f in touched if f.startswith("w:")}
        again = set(changed) | {i for i in range(n) if not touched_words.isdisjoint(words[i])
                                or not touched.isdisjoint(facets[i])}
        moved: set[str] = set()  # features whose article lists changed
        remade: set[int] = set()
        for i in sorted(again):
            made = vector(facets[i], words[i], idf)
            if list(made.items()) == list(self.vectors[i].items()):
                continue
            for feature, weight in self.vectors[i].items():
                entries = self.having[feature]
                del entries[bisect_left(entries, (i, weight))]
                if not entries:
                    del self.having[feature]
            for feature, weight in made.items():
                insort(self.having.setdefault(feature, []), (i, weight))
            moved.update(self.vectors[i].keys() | made.keys())
            self.vectors[i] = made
            remade.add(i)
        chosen_again = set(remade)
        for feature in moved:
            strongest = _strongest(self.having.get(feature, []))
            if strongest != self.postings.get(feature, []):
                chosen_again.update(j for j, _ in self.having.get(feature, ()))
                chosen_again.update(j for j, _ in self.postings.get(feature, ()))
            if strongest:
                self.postings[feature] = strongest
            else:
                self.postings.pop(feature, None)
        # an article whose vector changed chose again; so does every article that has a
        # feature whose list of articles changed (its candidates' scores may have)
        for i in sorted(chosen_again):
            self.best[i] = _best(archive, i, self.vectors[i], self.postings)
        return True


def _inputs(articles: Sequence[Article], facets: list[list[str]],
            keys: list[str]) -> list[tuple[str, str, tuple[str, ...]]]:
    """What each article brings: its text key, its series and its facets."""
    return [(key, a.series or "", tuple(f))
            for a, f, key in zip(articles, facets, keys, strict=True)]


def _features(facets: Sequence[str], words: Counter) -> Counter:
    """The features an article has (each counted once, as the document frequencies do)."""
    return Counter([*facets, *("w:" + word for word in words)])


def _strongest(entries: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """A feature's list as candidates are read from it: its ``POSTING_LIMIT`` strongest
    articles (newer first on ties) when it has more, else all in archive order."""
    if len(entries) <= POSTING_LIMIT:
        return list(entries)
    return sorted(entries, key=lambda e: (-e[1], e[0]))[:POSTING_LIMIT]


# ---- the words: MeCab nouns of a bounded text -----------------------------------------------


def article_text(article: Article) -> str:
    """What the words are taken from: title, topics, summary and the start of the body,
    at most ``TEXT_LIMIT`` characters, one paragraph a line."""
    lines = [article.title, *article.topics, article.summary]
    length = sum(map(len, lines))
    for block in article.blocks:
        if length >= TEXT_LIMIT:
            break
        if isinstance(block, Heading):
            lines.append(block.text)
        elif isinstance(block, Prose | Question | Turn):
            lines.append(_LINK.sub(r"\1", block.markdown[:TEXT_LIMIT]))
        length += len(lines[-1]) + 1
    text = unicodedata.normalize("NFKC", "\n".join(lines)[:TEXT_LIMIT]).lower()
    return text[:TEXT_LIMIT]


# MeCab writes only what is needed: a line per token, "surface <tab> pos2" (a plain format
# instead of unidic-lite's own, which writes eight fields; in unidic 普通名詞 and 固有名詞
# are kinds of 名詞 only), and the nouns are picked out of it by one regular expression.
_FORMAT = r'-O "" -F"%m\t%f[1]\n" -U"%m\t%f[1]\n" -E"\n"'
_NOUN_LINE = re.compile(r"^([^\t\n]{2,})\t(?:普通|固有)名詞$", re.MULTILINE)


@cache
def _tagger():
    import fugashi

    return fugashi.Tagger(_FORMAT)


def text_nouns(text: str) -> Counter:
    """Common and proper nouns of two characters or more, not all hiragana, counted."""
    output = _tagger().parse(text[:TEXT_LIMIT].replace("\t", " "))
    return Counter(w for w in _NOUN_LINE.findall(output) if not _HIRAGANA.match(w))


def cache_version() -> str:
    return filecache.version(("fugashi", "unidic-lite"), (Path(__file__),))


def nouns(articles: Sequence[Article], cached: dict[str, tuple] | None = None,
          keys: Sequence[str] | None = None) -> tuple[list[Counter], dict[str, tuple]]:
    """Each article's nouns — from ``cached`` (text key → (words, counts)) where the text is
    the same, else cut by MeCab on every core when there are many — and the entries used.
    ``keys``: each article's text key, when known."""
    cached = cached or {}
    if keys is None:
        keys = [filecache.text_key(article_text(a)) for a in articles]
    todo = [i for i, key in enumerate(keys) if key not in cached]

    def share(n: int, shares: int) -> list[tuple]:
        """The entries of every ``shares``-th article MeCab must cut."""
        return [_entry(text_nouns(article_text(articles[i]))) for i in todo[n::shares]]

    shares = workers_for(len(todo), PARALLEL_MIN)
    made: dict[str, tuple] = {}
    for n, part in enumerate(by_share(share, shares) if todo else []):
        for i, entry in zip(todo[n::shares], part, strict=True):
            made[keys[i]] = entry
    used = {k: made[k] if k in made else cached[k] for k in keys}
    return [Counter(dict(zip(*used[k], strict=True))) for k in keys], used


def _entry(found: Counter) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """A Counter as marshal can keep it, in a fixed order."""
    items = sorted(found.items())
    return tuple(w for w, _ in items), tuple(c for _, c in items)


# ---- vectors and the inverted index -------------------------------------------------------


def facet_features(article: Article, people: People | None) -> list[str]:
    features = [f"g:{tag_key(t)}" for t in article.tags]
    features += [f"t:{tag_key(t)}" for t in article.topics]
    features += [f"m:{m.code}" for m in article.municipalities]
    for i, p in enumerate(article.participants):
        person = people.person(article, i) if people else None
        features.append(f"p:{person.slug if person else p.name}")
    return list(dict.fromkeys(features))


def document_frequencies(facets: list[list[str]], words: list[Counter]) -> Counter:
    df: Counter = Counter()
    for f, w in zip(facets, words, strict=True):
        df.update(f)
        df.update("w:" + word for word in w)
    return df


def inverse_frequencies(df: Counter, n: int) -> dict[str, float]:
    """Each feature's IDF; none for features in more than ``COMMON_SHARE`` of ``n``
    articles (once there are ``COMMON_MIN``)."""
    if n >= COMMON_MIN:
        return {k: math.log((1 + n) / (1 + v)) + 1 for k, v in df.items()
                if v <= COMMON_SHARE * n}
    return {k: math.log((1 + n) / (1 + v)) + 1 for k, v in df.items()}


def vector(facets: list[str], words: Counter, idf: dict[str, float]) -> Vector:
    """An article's vector: its facets and its ``TOP_TERMS`` strongest words."""
    facet_part = {k: idf[k] for k in facets if k in idf}
    word_part = {k: (1 + math.log(c)) * idf[k] for k, c in (("w:" + x, c) for x, c in words.items())
                 if k in idf}
    top = heapq.nsmallest(TOP_TERMS, word_part.items(), key=lambda kv: (-kv[1], kv[0]))
    return {**_scaled(facet_part), **_scaled(dict(top))}


def _scaled(part: Vector) -> Vector:
    norm = math.sqrt(sum(v * v for v in part.values()))
    return {k: v * HALF / norm for k, v in part.items()} if norm else {}


def _best(archive: Archive, i: int, vector: Vector,
          postings: dict[str, list[tuple[int, float]]]) -> tuple[int, ...]:
    """The indices of article ``i``'s related articles, best first."""
    scores: dict[int, float] = {}
    get = scores.get
    for feature, weight in vector.items():
        for j, other in postings[feature]:
            scores[j] = get(j, 0.0) + weight * other
    article = archive.articles[i]
    # The order is by score rounded to 12 places (so that sums made in another order tie),
    # then newer first. Only the strongest few candidates can be chosen: those within a
    # hair of the SHORTLIST-th strongest score are ordered exactly; all of them only when
    # the shortlist runs out (the article's own series skipped).
    shortlist = scores
    if len(scores) > SHORTLIST:
        floor = heapq.nlargest(SHORTLIST, scores.values())[-1] - 1e-9
        shortlist = {j: s for j, s in scores.items() if s >= floor}
    chosen = _choose(archive, article, shortlist)
    if len(chosen) < COUNT and len(shortlist) < len(scores):
        chosen = _choose(archive, article, scores)
    return tuple(chosen)


SHORTLIST = 4 * COUNT  # candidates ordered exactly before the rest are looked at


def _choose(archive: Archive, article: Article, scores: dict[int, float]) -> list[int]:
    chosen: list[int] = []
    series_seen = {article.series} if article.series else set()
    for _, j in sorted((-round(s, 12), j) for j, s in scores.items()):
        candidate = archive.articles[j]
        if candidate is article or (candidate.series and candidate.series in series_seen):
            continue
        if candidate.series:
            series_seen.add(candidate.series)
        chosen.append(j)
        if len(chosen) == COUNT:
            break
    return chosen
