"""Routes: the site as a list of pages (url, output path, template, context).

One function per page type builds that page's context from the archive; templates only
display it (``render.py``). ``plan_routes`` is the entry point.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cio_forum_site.content.dates import FiscalYear
from cio_forum_site.content.model import Article, Heading, Turn
from cio_forum_site.content.municipalities import KINDS, Municipality, all_municipalities
from cio_forum_site.site.archive import Archive
from cio_forum_site.site.body import LazyBody
from cio_forum_site.site.config import Site
from cio_forum_site.site.people import TOKYO, People, Person, make_people
from cio_forum_site.site.related import related_articles
from cio_forum_site.site.tilemap import tile_map
from cio_forum_site.site.timeline import make_timeline
from cio_forum_site.site.urls import absolute_url

if TYPE_CHECKING:  # Pillow is imported only where photos are processed
    from cio_forum_site.site.images import Picture

RECENT_COUNT = 5  # 直近のバックナンバー
HOME_COUNT = 10
PART_NAMES = {2: ("前半", "後半"), 3: ("前編", "中編", "後編")}


@dataclass(frozen=True)
class Route:
    url: str  # site-absolute, e.g. /articles/0005-kiyose/
    template: str
    context: dict[str, Any]
    # context entries that only a template of their own shows (name → that template): a
    # build may change them in the last build's page instead of rendering it (reuse.py)
    parts: tuple[tuple[str, str], ...] = ()

    @property
    def output_path(self) -> str:
        """Where the page is written, relative to the output folder."""
        path = self.url.lstrip("/")
        return path + "index.html" if path == "" or path.endswith("/") else path


# ---- views: ready-made objects for templates ---------------------------------------------


@dataclass(frozen=True)
class Link:
    text: str
    url: str | None  # None: shown, not linked


@dataclass(frozen=True)
class ArticleCard:
    """An article as it appears in lists."""

    title: str
    url: str
    session_label: str
    kind_label: str
    date_iso: str
    date_wareki: str
    municipalities: tuple[Link, ...]
    summary: str
    image: str | None = None  # the header image's path under content/ (``picture`` filter)
    draft: bool = False  # only in a build with --drafts (serve): shown marked 下書き


@dataclass(frozen=True)
class MunicipalityEntry:
    name: str
    code: str
    url: str | None  # None when not featured yet
    count: int


@dataclass(frozen=True)
class YearGroup:
    label: str  # 令和3年度
    slug: str
    articles: tuple[ArticleCard, ...]


@dataclass(frozen=True)
class Pager:
    current: int
    total: int
    pages: tuple[Link, ...]  # url None for the current page
    previous: str | None
    next: str | None


@dataclass(frozen=True)
class ParticipantRow:
    """A row of an article's participants table; ``url`` is the person's page."""

    name: str
    organization: str
    position: str
    role: str
    url: str | None


@dataclass(frozen=True)
class PersonEntry:
    name: str
    url: str
    affiliation: str  # 所属と肩書 in their latest article
    count: int


@dataclass(frozen=True)
class CareerStep:
    """What a person was, from one 年度 to another, as the articles show it."""

    period: str  # 令和元年度 or 令和元年度〜令和3年度
    organization: str
    title: str  # 肩書・役割: 副町長・CIO


@dataclass(frozen=True)
class PersonArticle:
    """An article on a person's page, with what they were at the time."""

    article: ArticleCard
    organization: str
    title: str


@dataclass(frozen=True)
class RelatedItem:
    """A related article, or a series shown by its first part (``series_note`` says so)."""

    article: ArticleCard
    series_note: str  # 全2回のシリーズ, or ""


def municipality_url(m: Municipality) -> str:
    return f"/municipalities/{m.slug}/"


def municipality_feed_url(m: Municipality) -> str:
    return f"/municipalities/{m.slug}/feed.xml"


# The cards made while the routes are planned: an article is shown on dozens of pages
# (lists, its neighbours', related articles), and its card is the same on each. Keyed by
# the article's identity, kept with the article (so a reused id never finds a stale card),
# emptied when planning starts.
_cards: dict[int, tuple[Article, ArticleCard]] = {}


def card(article: Article) -> ArticleCard:
    kept = _cards.get(id(article))
    if kept is not None and kept[0] is article:
        return kept[1]
    made = _card(article)
    _cards[id(article)] = (article, made)
    return made


def _card(article: Article) -> ArticleCard:
    return ArticleCard(
        title=article.title,
        url=article.url,
        session_label=article.session_label,
        kind_label=article.kind_label,
        date_iso=article.date.isoformat(),
        date_wareki=article.date_wareki,
        municipalities=tuple(Link(m.name, municipality_url(m)) for m in article.municipalities),
        summary=article.summary,
        image=article.image,
        draft=article.draft,
    )


def part_name(part: int, total: int) -> str:
    names = PART_NAMES.get(total)
    return names[part - 1] if names and part <= len(names) else f"第{part}部"


def series_links(archive: Archive, article: Article) -> tuple[str, tuple[Link, ...]] | None:
    """「この記事は全2回の後半です。」 and a link to each other part (None if not archived)."""
    if not article.series or not article.part:
        return None
    siblings = archive.series.get(article.series, ())
    total = max([article.parts or 0, article.part, *(a.part or 0 for a in siblings)])
    by_part = {a.part: a for a in siblings if a.part}
    others = tuple(
        Link(f"{part_name(n, total)}はこちら" if n in by_part else f"{part_name(n, total)}はアーカイブにありません",
             by_part[n].url if n in by_part else None)
        for n in range(1, total + 1) if n != article.part
    )
    return f"この記事は全{total}回の{part_name(article.part, total)}です。", others


# ---- one function per page type ----------------------------------------------------------


def structured_data(article: Article, site: Site, share: Any = None) -> dict[str, Any]:
    """schema.org JSON-LD for an article page: an Article about its municipalities."""
    author = ({"@type": "Person", "name": article.credits.author} if article.credits.author
              else {"@type": "Organization", "name": site.title})
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "description": article.summary,
        "datePublished": (article.published or article.date).isoformat(),
        "inLanguage": site.language,
        "author": author,
        "publisher": {"@type": "Organization", "name": site.title},
    }
    if article.municipalities:
        data["about"] = [{"@type": "AdministrativeArea", "name": m.name,
                          **({"url": absolute_url(site, municipality_url(m))} if site.base_url else {})}
                         for m in article.municipalities]
    if site.base_url:
        data["url"] = data["mainEntityOfPage"] = absolute_url(site, article.url)
        if share:
            data["image"] = absolute_url(site, share.url)
    return data


def participant_rows(people: People | None, article: Article) -> tuple[ParticipantRow, ...]:
    def url(i: int) -> str | None:
        person = people.person(article, i) if people else None
        return person.url if person else None

    return tuple(ParticipantRow(p.name, p.organization, p.position, p.role, url(i))
                 for i, p in enumerate(article.participants))


def related_items(archive: Archive, related: tuple[Article, ...]) -> tuple[RelatedItem, ...]:
    items = []
    for other in related:
        parts = archive.series.get(other.series, ()) if other.series else ()
        if parts:
            total = max([len(parts), *(a.parts or 0 for a in parts)])
            items.append(RelatedItem(card(parts[0]), f"全{total}回のシリーズ"))
        else:
            items.append(RelatedItem(card(other), ""))
    return tuple(items)


def article_page(archive: Archive, article: Article, site: Site | None = None,
                 images: Mapping[str, Picture] | None = None, people: People | None = None,
                 related: tuple[Article, ...] = ()) -> Route:
    site = site or Site()
    images = images or {}
    header = images.get(article.image) if article.image else None
    share = header.share if header else None
    anchors = {h.text: h.anchor for h in article.blocks if isinstance(h, Heading) and h.level == 2}
    newer, older = archive.newer(article), archive.older(article)
    context = {
        "page_title": article.title,
        "description": article.summary,
        "article": card(article),
        "fiscal_year": article.fiscal_year.label,
        "participants": participant_rows(people, article),
        "toc": tuple(Link(topic, f"#{anchors[topic]}" if topic in anchors else None)
                     for topic in article.topics),
        "tags": tuple(archive.tags_of(article)),
        "credits": article.credits,
        "image": article.image if header else None,
        "image_alt": article.image_alt,
        "share_image": absolute_url(site, share.url) if share else None,
        "share_image_size": (share.width, share.height) if share else None,
        "published_iso": (article.published or article.date).isoformat(),
        "structured_data": structured_data(article, site, share),
        "body": LazyBody(article, explicit_index=not site.base_url, images=images),
        "series": series_links(archive, article),
        "newer": card(newer) if newer else None,
        "older": card(older) if older else None,
        "recent": tuple(card(a) for a in archive.recent(RECENT_COUNT, excluding=article)),
        "related": related_items(archive, related),
    }
    return Route(article.url, "article.html", context, parts=(("recent", "_recent.html"),))


def backnumber_pages(archive: Archive, per_page: int) -> list[Route]:
    """全てのバックナンバー: newest first, grouped by 年度, ``per_page`` to a page."""
    articles = archive.articles
    total = max(1, -(-len(articles) // per_page))

    def url(n: int) -> str:
        return "/backnumbers/" if n == 1 else f"/backnumbers/page/{n}/"

    routes = []
    for n in range(1, total + 1):
        chunk = articles[(n - 1) * per_page : n * per_page]
        groups: list[YearGroup] = []
        for article in chunk:
            fy = article.fiscal_year
            if not groups or groups[-1].slug != fy.slug:
                groups.append(YearGroup(fy.label, fy.slug, ()))
            last = groups[-1]
            groups[-1] = YearGroup(last.label, last.slug, (*last.articles, card(article)))
        pager = Pager(
            current=n, total=total,
            pages=tuple(Link(str(i), None if i == n else url(i)) for i in range(1, total + 1)),
            previous=url(n - 1) if n > 1 else None,
            next=url(n + 1) if n < total else None,
        )
        title = "全てのバックナンバー" + (f"（{n}ページ目）" if n > 1 else "")
        routes.append(Route(url(n), "backnumbers.html", {
            "page_title": title,
            "description": f"座談会とインタビューの全{len(articles)}本を新しい順に。",
            "groups": tuple(groups),
            "pager": pager,
            "count": len(articles),
            "years": tuple(Link(fy.label, None) for fy, _ in archive.by_fiscal_year),
        }))
    return routes


def municipalities_page(archive: Archive) -> Route:
    groups = []
    for kind in KINDS:
        entries = tuple(
            MunicipalityEntry(m.name, m.code,
                              municipality_url(m) if archive.by_municipality.get(m.code) else None,
                              len(archive.by_municipality.get(m.code, ())))
            for m in all_municipalities() if m.kind == kind
        )
        groups.append((kind, entries))
    featured = len(archive.municipalities_with_articles())
    counts = {code: len(articles) for code, articles in archive.by_municipality.items()}
    urls = {m.code: municipality_url(m) for m in archive.municipalities_with_articles()}
    return Route("/municipalities/", "municipalities.html", {
        "page_title": "区市町村から探す",
        "description": f"東京都の62区市町村のうち{featured}団体の座談会を掲載しています。",
        "groups": tuple(groups),
        "tile_map": tile_map(counts, urls),
        "featured": featured,
        "total": len(all_municipalities()),
    })


def municipality_pages(archive: Archive) -> list[Route]:
    routes = []
    for m in archive.municipalities_with_articles():
        articles = archive.by_municipality[m.code]
        routes.append(Route(municipality_url(m), "municipality.html", {
            "page_title": f"{m.name}の記事",
            "description": f"{m.name}のCIOが参加した座談会など{len(articles)}本。",
            "municipality": m,
            "feed": municipality_feed_url(m),
            "articles": tuple(card(a) for a in articles),
        }))
    return routes


def topics_page(archive: Archive) -> Route:
    entries = tuple((tag, len(archive.by_tag[tag.key])) for tag in archive.tags)
    return Route("/topics/", "topics.html", {
        "page_title": "テーマから探す",
        "description": "タグごとに記事をまとめています。よく取り上げられるテーマの年度ごとの移り変わりも。",
        "tags": entries,
        "timeline": make_timeline(archive),
    })


def year_groups(articles: tuple[Article, ...]) -> tuple[YearGroup, ...]:
    """Articles (newest first) under their 年度; each group's ``slug`` is its anchor."""
    groups: dict[FiscalYear, list[ArticleCard]] = {}
    for a in articles:
        groups.setdefault(a.fiscal_year, []).append(card(a))
    return tuple(YearGroup(fy.label, fy.slug, tuple(cards)) for fy, cards in groups.items())


def topic_pages(archive: Archive) -> list[Route]:
    return [
        Route(tag.url, "topic.html", {
            "page_title": f"テーマ「{tag.name}」",
            "description": f"「{tag.name}」の記事{len(archive.by_tag[tag.key])}本。",
            "tag": tag,
            "articles": tuple(card(a) for a in archive.by_tag[tag.key]),
            "groups": year_groups(archive.by_tag[tag.key]),
        })
        for tag in archive.tags
    ]


def title_of(position: str, role: str) -> str:
    """肩書と役割: 副町長・CIO."""
    return "・".join(x for x in (position, role) if x)


def affiliation(person: Person) -> str:
    """所属と肩書 in their latest article: 日の出町 副町長・CIO."""
    p = person.latest
    return " ".join(x for x in (p.organization, title_of(p.position, p.role)) if x)


def people_groups(people: People) -> list[tuple[str, tuple[PersonEntry, ...]]]:
    """東京都 and its bureaux first, then the 62 in code order, then other organizations
    by name, then people whose organization is not given; by reading within a group."""
    codes = {m.code: (i, m.name) for i, m in enumerate(all_municipalities())}

    def group(person: Person) -> tuple:
        if person.family == TOKYO:
            return (0, 0, "東京都")
        if person.family in codes:
            return (1, *codes[person.family])
        org = person.latest.organization
        return (2, 0, org) if org else (3, 0, "所属の記載なし")

    grouped: dict[tuple, list[Person]] = {}
    for person in people.persons:
        grouped.setdefault(group(person), []).append(person)
    return [
        (key[2], tuple(
            PersonEntry(p.name, p.url, affiliation(p), len(p.appearances))
            for p in sorted(members, key=lambda p: (p.reading, p.slug))))
        for key, members in sorted(grouped.items())
    ]


def people_page(people: People) -> Route:
    return Route("/people/", "people.html", {
        "page_title": "人物から探す",
        "description": f"座談会とインタビューに登場した{len(people.persons)}人を所属ごとに。",
        "groups": tuple(people_groups(people)),
        "count": len(people.persons),
    })


def career(person: Person) -> tuple[CareerStep, ...]:
    """Each run of articles with the same organization and title, with its 年度."""
    steps: list[tuple[str, str, str, str]] = []  # first 年度, last 年度, organization, title
    for a in person.appearances:
        p, year = a.participant, a.article.fiscal_year.label
        now = (p.organization, title_of(p.position, p.role))
        if steps and steps[-1][2:] == now:
            steps[-1] = (steps[-1][0], year, *now)
        else:
            steps.append((year, year, *now))
    return tuple(CareerStep(first if first == last else f"{first}〜{last}", org, title)
                 for first, last, org, title in steps)


def person_pages(people: People) -> list[Route]:
    return [
        Route(person.url, "person.html", {
            "page_title": person.name,
            "description": f"{person.name}が登場した記事{len(person.appearances)}本。",
            "person": PersonEntry(person.name, person.url, affiliation(person), len(person.appearances)),
            "career": career(person),
            "appearances": tuple(
                PersonArticle(card(a.article), a.participant.organization,
                           title_of(a.participant.position, a.participant.role))
                for a in reversed(person.appearances)),
        })
        for person in people.persons
    ]


def open_data_page(archive: Archive) -> Route:
    """オープンデータ: what the files of ``opendata.py`` hold, with links to them."""
    return Route("/data/", "data.html", {
        "page_title": "オープンデータ",
        "description": "全ての記事の題名・開催日・区市町村・参加者・テーマを JSON と CSV で公開しています。",
        "count": len(archive.articles),
        "files": {"json": "/data/articles.json", "csv": "/data/articles.csv",
                  "schema": "/data/articles.schema.json", "feed": "/feed.json"},
        "feed_count": 20,
    })


def home_page(archive: Archive) -> Route:
    return Route("/", "index.html", {
        "page_title": "",
        "description": "",
        "latest": tuple(card(a) for a in archive.recent(HOME_COUNT)),
        "count": len(archive.articles),
        "featured": len(archive.municipalities_with_articles()),
        "tag_count": len(archive.tags),
    })


def search_page(archive: Archive) -> Route:
    years = tuple(fy.label for fy, _ in archive.by_fiscal_year)
    return Route("/search/", "search.html", {
        "page_title": "記事を検索",
        "description": "座談会の記事を日本語で検索できます。",
        "search": {
            "municipalities": tuple(m.name for m in archive.municipalities_with_articles()),
            "fiscal_years": years,
            "tags": tuple(t.name for t in archive.tags),
            "speakers": speakers_of(archive),
        },
    })


def speakers_of(archive: Archive) -> tuple[str, ...]:
    """Everyone who speaks in some article (the 発言者 filter), by reading when known."""
    people: dict[str, str] = {}
    for article in archive.articles:
        speaking = {turn.speaker for turn in article.blocks if isinstance(turn, Turn)}
        for p in article.participants:
            if p.speaker in speaking:
                people[p.name] = max(people.get(p.name, ""), p.kana)
    return tuple(sorted(people, key=lambda name: (not people[name], people[name], name)))


def accessibility_page() -> Route:
    """アクセシビリティ方針: the conformance target and how the site is tested."""
    return Route("/accessibility/", "accessibility.html", {
        "page_title": "アクセシビリティ方針",
        "description": "このサイトのウェブアクセシビリティの目標（JIS X 8341-3:2016 適合レベルAA）と確認の方法です。",
    })


def not_found_page() -> Route:
    return Route("/404.html", "404.html", {
        "page_title": "ページが見つかりません",
        "description": "",
        # GitHub Pages serves this page for a missing URL at any depth, so relative links
        # would break: with a base URL, link from the site's root path (/cio/static/…).
        "absolute_links": True,
    })


def plan_routes(archive: Archive, site: Site, images: Mapping[str, Picture] | None = None,
                people: People | None = None,
                related: dict[str, tuple[Article, ...]] | None = None) -> list[Route]:
    """Every page of the site; ``images`` are the renditions of the articles' images.
    ``people`` and ``related`` (関連記事 by slug) are made here unless given (the build makes
    them first, to time them)."""
    people = people or make_people(archive)
    related = related_articles(archive, people) if related is None else related
    _cards.clear()
    routes = [
        home_page(archive),
        *(article_page(archive, a, site, images, people, related.get(a.slug, ()))
          for a in archive.articles),
        *backnumber_pages(archive, site.per_page),
        municipalities_page(archive),
        *municipality_pages(archive),
        topics_page(archive),
        *topic_pages(archive),
        people_page(people),
        *person_pages(people),
        open_data_page(archive),
        search_page(archive),
        accessibility_page(),
        not_found_page(),
    ]
    _cards.clear()
    return routes
