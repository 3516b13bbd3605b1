"""Stage 2 — the archive as a whole: indexes by municipality, 年度, series and tag.

Pure: takes validated articles, does no I/O.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from cio_forum_site.content.dates import FiscalYear
from cio_forum_site.content.model import Article
from cio_forum_site.content.municipalities import Municipality, all_municipalities
from cio_forum_site.content.slugs import slugify, tag_key


@dataclass(frozen=True)
class Tag:
    key: str  # width- and case-folded
    name: str  # as editors write it most often
    slug: str

    @property
    def url(self) -> str:
        return f"/topics/{self.slug}/"


@dataclass(frozen=True)
class Archive:
    articles: tuple[Article, ...]  # newest first
    by_slug: dict[str, Article] = field(repr=False)
    by_municipality: dict[str, tuple[Article, ...]] = field(repr=False)  # code → newest first
    by_fiscal_year: tuple[tuple[FiscalYear, tuple[Article, ...]], ...] = field(repr=False)
    series: dict[str, tuple[Article, ...]] = field(repr=False)  # id → by part
    tags: tuple[Tag, ...] = field(repr=False)  # by name
    by_tag: dict[str, tuple[Article, ...]] = field(repr=False)  # tag key → newest first
    tag_of: dict[str, Tag] = field(repr=False)  # tag key → Tag
    position: dict[str, int] = field(repr=False)  # slug → index in ``articles``

    def newer(self, article: Article) -> Article | None:
        """The next article by date (次の記事)."""
        i = self.position[article.slug]
        return self.articles[i - 1] if i > 0 else None

    def older(self, article: Article) -> Article | None:
        """The previous article by date (前の記事)."""
        i = self.position[article.slug]
        return self.articles[i + 1] if i + 1 < len(self.articles) else None

    def recent(self, n: int, *, excluding: Article | None = None) -> tuple[Article, ...]:
        found: list[Article] = []
        for a in self.articles:
            if len(found) == n:
                break
            if a is not excluding:
                found.append(a)
        return tuple(found)

    def tags_of(self, article: Article) -> tuple[Tag, ...]:
        return tuple(self.tag_of[tag_key(t)] for t in dict.fromkeys(article.tags))

    def municipalities_with_articles(self) -> tuple[Municipality, ...]:
        return tuple(m for m in all_municipalities() if self.by_municipality.get(m.code))


def distinct_summaries(articles: list[Article]) -> list[Article]:
    """An article whose summary was taken from its body and recurs in other articles (the
    magazine opens every roundtable with the same paragraph about the forum) gets its first
    paragraph that does not: every page would otherwise carry the same description."""
    seen = Counter(text for a in articles for text in set(a.summary_choices))
    return [
        replace(a, summary=next((t for t in a.summary_choices if seen[t] == 1), a.summary))
        if a.summary_choices and seen[a.summary] > 1 else a
        for a in articles
    ]


def make_archive(articles: list[Article]) -> Archive:
    newest = tuple(sorted(distinct_summaries(articles), key=Article.sort_key, reverse=True))
    by_municipality: dict[str, list[Article]] = defaultdict(list)
    by_year: dict[FiscalYear, list[Article]] = defaultdict(list)
    series: dict[str, list[Article]] = defaultdict(list)
    by_tag: dict[str, list[Article]] = defaultdict(list)
    spellings: dict[str, Counter] = defaultdict(Counter)
    for article in newest:
        for m in article.municipalities:
            by_municipality[m.code].append(article)
        by_year[article.fiscal_year].append(article)
        if article.series:
            series[article.series].append(article)
        keys: set[str] = set()  # ＤＸ推進 and DX推進 in one article count once
        for tag in dict.fromkeys(article.tags):
            key = tag_key(tag)
            if key not in keys:
                keys.add(key)
                by_tag[key].append(article)
            spellings[key][tag] += 1
    tags = _tags(spellings)
    return Archive(
        articles=newest,
        by_slug={a.slug: a for a in newest},
        by_municipality={k: tuple(v) for k, v in by_municipality.items()},
        by_fiscal_year=tuple((fy, tuple(v)) for fy, v in sorted(by_year.items(), reverse=True)),
        series={k: tuple(sorted(v, key=lambda a: (a.part or 0, a.sort_key()))) for k, v in series.items()},
        tags=tuple(sorted(tags.values(), key=lambda t: (t.key, t.slug))),
        by_tag={k: tuple(v) for k, v in by_tag.items()},
        tag_of=tags,
        position={a.slug: i for i, a in enumerate(newest)},
    )


def _tags(spellings: dict[str, Counter]) -> dict[str, Tag]:
    """One Tag per folded key, with a unique slug (a numeric suffix on collision)."""
    tags: dict[str, Tag] = {}
    used: set[str] = set()
    for key in sorted(spellings):
        name = min(spellings[key].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        base = slugify(key)
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        tags[key] = Tag(key=key, name=name, slug=slug)
    return tags
