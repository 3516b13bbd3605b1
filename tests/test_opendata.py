"""Open data: /data/articles.json (valid against the schema in the repository), the same
facts as CSV, and a JSON Feed 1.1 beside the Atom feed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from conftest import FIXTURES, ROOT, TEMPLATES, page

from cio_forum_site.commands.build import build

SCHEMA = ROOT / "src" / "cio_forum_site" / "data" / "articles.schema.json"


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("opendata")
    plain, hosted = base / "plain", base / "hosted"
    build(FIXTURES / "people" / "content", TEMPLATES, plain, search=False)
    build(FIXTURES / "people" / "content", TEMPLATES, hosted, search=False,
          base_url="https://example.org/cio/")
    return {"plain": plain, "hosted": hosted}


def load(site: Path, path: str):
    return json.loads((site / path).read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", ["plain", "hosted"])
def test_articles_json_is_valid_against_the_schema_in_the_repository(sites, kind):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = load(sites[kind], "data/articles.json")
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    assert (sites[kind] / "data/articles.schema.json").read_bytes() == SCHEMA.read_bytes()


def test_the_schema_rejects_what_it_should():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    bad = {"version": 1, "site": "x", "articles": [{"slug": "a"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_articles_json_has_every_articles_facts(sites):
    data = load(sites["hosted"], "data/articles.json")
    by_slug = {a["slug"]: a for a in data["articles"]}
    assert [a["slug"] for a in data["articles"]][:2] == ["p06-mitaka", "p05-interview"]  # newest first
    assert len(by_slug) == 6
    p01 = by_slug["p01-kiyose"]
    assert p01["url"] == "https://example.org/cio/articles/p01-kiyose/"
    assert p01["session"] == 201 and p01["date"] == "2019-06-10" and p01["fiscal_year"] == 2019
    assert p01["fiscal_year_label"] == "令和元年度"
    assert p01["municipalities"] == [{"code": "13221", "name": "清瀬市", "kind": "市"}]
    assert p01["participants"][0] == {"name": "北条 信也", "organization": "清瀬市", "position": "企画部長",
                                      "role": "CIO補佐官", "person": "houjou-shinya"}
    assert p01["topics"] == ["窓口の予約制"] and p01["tags"] == ["窓口", "人材育成"]
    assert p01["series"] == {"id": "kiyose-2019", "part": 1, "parts": 2}
    assert by_slug["p03-kiyose"]["tags"] == ["窓口", "DX推進"]  # ＤＸ推進 as the site names it
    assert by_slug["p05-interview"]["session"] is None and by_slug["p05-interview"]["kind"] == "interview"
    assert load(sites["plain"], "data/articles.json")["articles"][0]["url"] is None


def test_articles_csv_has_the_same_facts(sites):
    raw = (sites["plain"] / "data/articles.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 6
    row = next(r for r in rows if r["slug"] == "p03-kiyose")
    assert row["url"] == "/articles/p03-kiyose/"
    assert row["municipality_codes"] == "13221" and row["municipalities"] == "清瀬市"
    assert row["participants"] == "北条 信也（清瀬市 副市長・CIO） | 白鳥 恵（東京都 副知事・CIO）"
    assert row["tags"] == "窓口 | DX推進" and row["session"] == "203" and row["fiscal_year"] == "2021"


def test_json_feed_1_1_beside_the_atom_feed(sites):
    feed = load(sites["hosted"], "feed.json")
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "https://example.org/cio/feed.json"
    assert feed["home_page_url"] == "https://example.org/cio/"
    items = feed["items"]
    assert [i["id"] for i in items][0] == "https://example.org/cio/articles/p06-mitaka/"
    for item in items:
        assert item["id"] and item["url"].startswith("https://example.org/cio/articles/")
        assert item["content_text"] and item["date_published"].endswith("+09:00")
    assert items[0]["tags"] == ["三鷹市", "データ活用", "DX推進"]
    plain = load(sites["plain"], "feed.json")
    assert plain["items"][0]["url"] == "articles/p06-mitaka/" and "feed_url" not in plain
    head = page(sites["plain"], "/")
    links = head.xpath('//link[@rel="alternate"][@type="application/feed+json"]')
    assert [link.get("href") for link in links] == ["feed.json"]


def test_the_same_archive_gives_the_same_bytes(sites, tmp_path):
    again = tmp_path / "again"
    build(FIXTURES / "people" / "content", TEMPLATES, again, search=False)
    for path in ("data/articles.json", "data/articles.csv", "feed.json"):
        assert (again / path).read_bytes() == (sites["plain"] / path).read_bytes(), path


def test_the_document_is_the_json_of_the_whole_with_one_item_per_line():
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from cio_forum_site.site.opendata import _json_document

    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | \
        st.floats(allow_nan=False, allow_infinity=False)
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=8)
    records = st.lists(st.dictionaries(st.text(max_size=5), values, max_size=4), max_size=4)

    @settings(max_examples=300, deadline=None)
    @given(records)
    def check(items):
        head = {"$schema": "articles.schema.json", "version": 1, "site": "架空の\nサイト"}
        text = _json_document(head, "articles", items).decode("utf-8")
        assert json.loads(text) == {**head, "articles": items}
        assert text.endswith("\n}\n")
        lines = text.split("\n")  # not splitlines(): U+0085 and U+2028 are no breaks in JSON
        if items:  # the items one per line, between the list's brackets
            at = lines.index(' "articles": [')
            assert [json.loads(line.strip().removesuffix(",")) for line in
                    lines[at + 1:at + 1 + len(items)]] == items
            assert lines[at + 1 + len(items)] == " ]"

    check()
