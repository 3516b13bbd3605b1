"""Open data (オープンデータ): every article's facts as ``/data/articles.json`` and
``/data/articles.csv``, the JSON's schema beside them, and a JSON Feed (``/feed.json``)
beside the Atom feed. Files, not pages: bytes, the same for the same archive.
Entry point: ``open_data_files``.

The JSON follows ``data/articles.schema.json`` (in this package; published as
``/data/articles.schema.json``). The CSV is UTF-8 with a byte order mark (so that Excel reads
it as UTF-8), one row per article, several values in one cell separated by `` | ``.
"""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from typing import Any

from cio_forum_site.content.model import Article
from cio_forum_site.site.archive import Archive
from cio_forum_site.site.config import Site
from cio_forum_site.site.people import People
from cio_forum_site.site.publish import FEED_COUNT, feed_id, timestamp
from cio_forum_site.site.urls import absolute_url, relative_url

JSON_PATH = "data/articles.json"
CSV_PATH = "data/articles.csv"
SCHEMA_PATH = "data/articles.schema.json"
FEED_PATH = "feed.json"
OPEN_DATA_PATHS = (JSON_PATH, CSV_PATH, SCHEMA_PATH, FEED_PATH)
FORMAT_VERSION = 1
JSON_FEED = "https://jsonfeed.org/version/1.1"
SEPARATOR = " | "
CSV_COLUMNS = (
    "slug", "url", "title", "kind", "session", "date", "published", "fiscal_year",
    "municipality_codes", "municipalities", "participants", "topics", "tags",
    "series", "part", "parts", "summary",
)


def schema() -> bytes:
    return resources.files("cio_forum_site").joinpath("data/articles.schema.json").read_bytes()


def open_data_files(archive: Archive, site: Site, people: People | None) -> dict[str, bytes]:
    """Output path → bytes."""
    records = [article_record(archive, a, site, people) for a in archive.articles]
    head = {"$schema": "articles.schema.json", "version": FORMAT_VERSION, "site": site.title}
    return {
        JSON_PATH: _json_document(head, "articles", records),
        CSV_PATH: articles_csv(records),
        SCHEMA_PATH: schema(),
        FEED_PATH: _json(json_feed(archive, site)),
    }


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _json_document(head: dict[str, Any], key: str, items: list[dict[str, Any]]) -> bytes:
    """``head`` with ``items`` under ``key``, the head's fields one per line and each item
    on a line of its own (a diff of two versions shows the articles that changed). Made by
    Python's C encoder: with ``indent`` it is pure Python, 0.1–0.2 s for 1,000 records."""
    lines = [f" {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
             for k, v in head.items()]
    listed = ",\n".join("  " + json.dumps(item, ensure_ascii=False) for item in items)
    lines.append(f" {json.dumps(key, ensure_ascii=False)}: " +
                 (f"[\n{listed}\n ]" if items else "[]"))
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode("utf-8")


def article_record(archive: Archive, a: Article, site: Site, people: People | None) -> dict[str, Any]:
    def person(i: int) -> str | None:
        found = people.person(a, i) if people else None
        return found.slug if found else None

    return {
        "slug": a.slug,
        "path": a.url,
        "url": absolute_url(site, a.url),
        "title": a.title,
        "kind": a.kind,
        "session": a.session,
        "date": a.date.isoformat(),
        "date_wareki": a.date_wareki,
        "published": a.published.isoformat() if a.published else None,
        "fiscal_year": a.fiscal_year.start_year,
        "fiscal_year_label": a.fiscal_year.label,
        "municipalities": [{"code": m.code, "name": m.name, "kind": m.kind} for m in a.municipalities],
        "participants": [
            {"name": p.name, "organization": p.organization, "position": p.position,
             "role": p.role, "person": person(i)}
            for i, p in enumerate(a.participants)
        ],
        "topics": list(a.topics),
        "tags": [t.name for t in archive.tags_of(a)],
        "series": {"id": a.series, "part": a.part, "parts": a.parts} if a.series else None,
        "summary": a.summary,
    }


def articles_csv(records: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in records:
        series = r["series"] or {}
        writer.writerow([
            r["slug"], r["url"] or r["path"], r["title"], r["kind"], r["session"] or "",
            r["date"], r["published"] or "", r["fiscal_year"],
            SEPARATOR.join(m["code"] for m in r["municipalities"]),
            SEPARATOR.join(m["name"] for m in r["municipalities"]),
            SEPARATOR.join(_participant(p) for p in r["participants"]),
            SEPARATOR.join(r["topics"]), SEPARATOR.join(r["tags"]),
            series.get("id") or "", series.get("part") or "", series.get("parts") or "",
            r["summary"],
        ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _participant(p: dict[str, Any]) -> str:
    """山田 太郎（清瀬市 副市長・CIO）."""
    title = "・".join(x for x in (p["position"], p["role"]) if x)
    where = " ".join(x for x in (p["organization"], title) if x)
    return f"{p['name']}（{where}）" if where else p["name"]


def json_feed(archive: Archive, site: Site) -> dict[str, Any]:
    """JSON Feed 1.1 of the latest articles, as the Atom feed (``publish.py``)."""

    def link(path: str) -> str:
        return absolute_url(site, path) or relative_url(path, "/" + FEED_PATH)

    feed: dict[str, Any] = {
        "version": JSON_FEED,
        "title": site.title,
        "description": site.description,
        "language": site.language,
        "authors": [{"name": site.title}],
        "items": [],
    }
    if site.base_url:
        feed["home_page_url"] = absolute_url(site, "/")
        feed["feed_url"] = absolute_url(site, "/" + FEED_PATH)
    for a in archive.articles[:FEED_COUNT]:
        item: dict[str, Any] = {
            "id": feed_id(site, a.url),
            "url": link(a.url),
            "title": a.title,
            "content_text": a.summary or a.title,
            "summary": a.summary,
            "date_published": timestamp(a.published or a.date),
            "tags": [*(m.name for m in a.municipalities), *(t.name for t in archive.tags_of(a))],
        }
        if a.credits.author:
            item["authors"] = [{"name": a.credits.author}]
        if a.image and site.base_url:
            item["image"] = absolute_url(site, f"/{a.image}")
        feed["items"].append(item)
    return feed
