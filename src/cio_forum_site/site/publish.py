"""Routes for readers' feed readers and for search engines: Atom feeds, sitemap.xml, robots.txt.

They are routes like any page (templates ``feed.xml``, ``sitemap.xml``, ``robots.txt``), built
from the archive and the site settings. Every URL in them is absolute when the site has a base
URL. Without one, feeds link relative to the feed's own address (RFC 4287 resolves them against
the document), and the sitemap — which must list absolute URLs — is not written.

Dates are the articles' own (``published``, else the day it was held), at midnight in Tokyo;
nothing depends on when the build ran.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from cio_forum_site.content.model import Article
from cio_forum_site.site.archive import Archive
from cio_forum_site.site.config import Site
from cio_forum_site.site.pages import Route, municipality_feed_url, municipality_url
from cio_forum_site.site.urls import absolute_url, relative_url

FEED_COUNT = 20  # entries per feed: the latest articles
TOKYO = dt.timezone(dt.timedelta(hours=9))


@dataclass(frozen=True)
class FeedEntry:
    title: str
    link: str
    id: str
    published: str  # RFC 3339
    updated: str
    summary: str
    author: str  # 執筆; "" → the feed's author
    categories: tuple[str, ...]  # municipality names


@dataclass(frozen=True)
class Feed:
    title: str
    subtitle: str
    self_link: str
    alternate: str  # the HTML page the feed follows
    id: str
    updated: str
    author: str
    entries: tuple[FeedEntry, ...]


def timestamp(day: dt.date) -> str:
    """A date as an RFC 3339 time: midnight in Tokyo (2021-10-15T00:00:00+09:00)."""
    return dt.datetime.combine(day, dt.time(), TOKYO).isoformat()


def no_articles_time() -> str:
    """``updated`` of a feed with no entries: SOURCE_DATE_EPOCH if set, else the Unix epoch —
    never the wall clock, so two builds are identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "0")
    seconds = int(epoch) if epoch.isdigit() else 0
    return dt.datetime.fromtimestamp(seconds, dt.UTC).astimezone(TOKYO).isoformat()


def feed_id(site: Site, path: str) -> str:
    """A permanent id: the absolute URL, or (without a base URL) a URN from the path."""
    return absolute_url(site, path) or "urn:cio-forum-site:" + (path.strip("/").replace("/", ":") or "home")


def feed_route(site: Site, url: str, title: str, subtitle: str, page: str,
               articles: tuple[Article, ...]) -> Route:
    """One Atom feed at ``url`` with the latest ``FEED_COUNT`` of ``articles`` (newest first)."""

    def link(path: str) -> str:
        return absolute_url(site, path) or relative_url(path, url)

    entries = tuple(
        FeedEntry(
            title=a.title,
            link=link(a.url),
            id=feed_id(site, a.url),
            published=timestamp(a.published or a.date),
            updated=timestamp(a.published or a.date),
            summary=a.summary,
            author=a.credits.author,
            categories=tuple(m.name for m in a.municipalities),
        )
        for a in articles[:FEED_COUNT]
    )
    feed = Feed(
        title=title, subtitle=subtitle, self_link=link(url), alternate=link(page),
        id=feed_id(site, url),
        updated=max((e.updated for e in entries), default=None) or no_articles_time(),
        author=site.title, entries=entries,
    )
    return Route(url, "feed.xml", {"feed": feed})


def feed_pages(archive: Archive, site: Site) -> list[Route]:
    """/feed.xml (the whole archive) and one feed per municipality with articles."""
    routes = [feed_route(site, "/feed.xml", site.title, site.description, "/", archive.articles)]
    for m in archive.municipalities_with_articles():
        routes.append(feed_route(
            site, municipality_feed_url(m), f"{m.name}の記事 | {site.title}",
            f"{m.name}のCIOが参加した座談会などの新着記事です。", municipality_url(m),
            archive.by_municipality[m.code],
        ))
    return routes


def sitemap_page(site: Site, pages: list[Route]) -> Route:
    """Every HTML page but the 404 page, as absolute URLs (sitemaps.org requires them)."""
    urls = tuple(absolute_url(site, r.url) for r in pages
                 if r.output_path.endswith(".html") and r.url != "/404.html")
    return Route("/sitemap.xml", "sitemap.xml", {"urls": urls})


def robots_page(site: Site) -> Route:
    return Route("/robots.txt", "robots.txt", {"sitemap": absolute_url(site, "/sitemap.xml")})


def publishing_routes(archive: Archive, site: Site, pages: list[Route]) -> list[Route]:
    """Feeds, robots.txt and (with a base URL) sitemap.xml for the site made of ``pages``."""
    routes = [*feed_pages(archive, site), robots_page(site)]
    if site.base_url:
        routes.append(sitemap_page(site, pages))
    return routes
