"""Search at build time: normalization, documents, MeCab keys, and the bundle that the real
Pagefind binary writes (no mocks: real MeCab, real Pagefind)."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, TEMPLATES

from cio_forum_site.build import build
from cio_forum_site.search import SearchBuildError, build_search, indexer
from cio_forum_site.search.indexer import EVERY, MARKER, PAIR, token_keys
from cio_forum_site.search.text import contains_all, normalize, query_parts

sys.path.insert(0, str(FIXTURES / "search"))
from harness import CONTENT, fixture_documents  # noqa: E402


def read_json_gz(path: Path):
    return json.loads(gzip.decompress(path.read_bytes()))


# ---- normalization ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("ＤＸ推進", "dx推進"),  # full-width letters, upper case
    ("DX推進", "dx推進"),
    ("ｶﾞﾊﾞﾒﾝﾄｸﾗｳﾄﾞ", "ガバメントクラウド"),  # half-width katakana, voiced marks composed
    ("５Ｇ", "5g"),
    ("山田 太郎", "山田太郎"),  # no spaces between Japanese words …
    ("山田　太郎", "山田太郎"),  # … of either width
    ("ＤＸ 推進", "dx推進"),
    ("Microsoft  Teams", "microsoft teams"),  # one space between Latin words
    ("Ｗｅｂ 会議", "web会議"),
    (" 前後の空白 ", "前後の空白"),
    ("㈱と①", "(株)と1"),  # compatibility characters
    ("AI-OCR", "ai-ocr"),
])
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(("query", "parts"), [
    ("ガバメントクラウド", ["ガバメントクラウド"]),
    ("テレワーク セキュリティ", ["テレワーク", "セキュリティ"]),
    ("人材育成　研修", ["人材育成", "研修"]),  # a full-width space separates too
    ("ＡＩ－ＯＣＲ", ["ai", "ocr"]),  # so does punctuation
    ("DX dx ＤＸ", ["dx"]),  # width and case never matter
    ("  ", []),
    ("「新幹線」", ["新幹線"]),
])
def test_query_parts(query, parts):
    assert query_parts(query) == parts


def test_a_match_is_every_part_somewhere_in_the_article():
    paragraphs = [normalize("武蔵野市のテレワーク"), normalize("ゼロトラストへの転換")]
    assert contains_all(paragraphs, query_parts("武蔵野市 ゼロトラスト"))
    assert contains_all(paragraphs, query_parts("蔵野"))  # inside a word
    assert not contains_all(paragraphs, query_parts("テレワークゼロ"))  # across paragraphs
    assert not contains_all(paragraphs, query_parts("新幹線"))


# ---- documents ---------------------------------------------------------------------------


def test_documents_carry_the_searchable_text_of_each_article():
    docs = {d.url: d for d in fixture_documents()}
    doc = docs["articles/0102-musashino/"]
    assert doc.title.startswith("武蔵野市CIO×都CIOの座談会")
    assert doc.date_iso == "2021-06-08" and doc.date_wareki == "令和3年6月8日"
    assert doc.fiscal_year == "令和3年度" and doc.kind == "座談会"
    assert doc.municipalities == ("武蔵野市",)
    assert doc.tags == ("テレワーク", "セキュリティ", "働き方改革")
    assert "五十嵐 拓真 武蔵野市 総合政策部長 CIO" in doc.participants
    assert doc.topics == ("テレワークの定着", "ゼロトラストへの転換")
    body = doc.body_text.split("\n")
    assert body[0] == "テレワークの定着"  # a heading
    assert body[1] == "五十嵐 拓真"  # the speaker of a turn, by name …
    assert body[2].startswith("武蔵野市では、感染症への対応")  # … then what they said
    assert "― 在宅勤務が広がると、セキュリティの考え方も変わりますか。" in body  # a question
    assert not any(line.startswith("##") for line in body)
    paragraphs = doc.paragraphs()
    assert paragraphs[0] == doc.title and "武蔵野市" in paragraphs
    interview = docs["articles/0111-interview-cio-2024/"]
    assert interview.kind == "インタビュー" and interview.municipalities == ()


# ---- keys --------------------------------------------------------------------------------------


def test_a_token_is_indexed_with_its_suffixes_and_its_edges_for_pairs():
    keys, first, last = token_keys("ガバメント")
    assert keys == ("ガバメント", "バメント" + MARKER, "メント" + MARKER, "ント" + MARKER,
                    "ト" + MARKER)
    assert (first, last) == ("ガバメント", "ガバメント")
    assert token_keys("の") == (("の",), "", "")  # all hiragana: not in pairs
    assert token_keys("、") == ((), "", "")  # punctuation: no key
    keys, first, last = token_keys("c++")  # cut at what is not a letter or digit
    assert keys == ("c",) and (first, last) == ("c", "")


# ---- the bundle ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> tuple[Path, object]:
    site = tmp_path_factory.mktemp("site")
    report = build_search(site, fixture_documents())
    return site / "pagefind", report


def test_the_bundle_has_pagefind_the_lexicon_and_a_text_per_article(bundle):
    out, report = bundle
    assert report.documents == 14 and report.vocabulary > 500
    assert (out / "pagefind.js").is_file() and (out / "pagefind-entry.json").is_file()
    entry = json.loads((out / "pagefind-entry.json").read_text())
    assert entry["version"] == "1.5.2" and list(entry["languages"]) == ["unknown"]
    manifest = read_json_gz(out / "ja" / "manifest.json.gz")
    assert (manifest["marker"], manifest["pair"], manifest["every"]) == (MARKER, PAIR, EVERY)
    assert manifest["stop"] == [] and manifest["stopPairs"] == []  # 14 articles: none left out
    assert manifest["chunks"] and all(len(c) == 2 for c in manifest["chunks"])
    buckets = sorted((out / "ja" / "lex").iterdir())
    assert len(buckets) == manifest["buckets"] == report.lexicon_buckets
    words = {}
    for path in buckets:
        words.update(dict(read_json_gz(path)["words"]))
    assert {"ガバメント", "クラウド", "人材", "育成", "薬師寺", "dx"} <= set(words)
    assert words["ガバメント"] > words["市"] >= 0  # rarer tokens cost more

    fragments = sorted(p.name.removesuffix(".pf_fragment") for p in (out / "fragment").iterdir())
    texts = sorted(p.name.removesuffix(".json.gz") for p in (out / "ja" / "t").iterdir())
    assert texts == fragments and len(texts) == 14
    record = next(r for r in map(read_json_gz, (out / "ja" / "t").iterdir())
                  if r["url"] == "articles/0102-musashino/")
    assert record["title"].startswith("武蔵野市CIO") and record["date"] == "令和3年6月8日"
    assert record["municipalities"] == ["武蔵野市"] and record["kind"] == "座談会"
    assert record["text"][record["body"]] == "テレワークの定着"
    assert "Ｗｅｂ会議の仕組み" in "".join(record["text"])  # the text as written, not normalized


def test_pagefind_gets_tokens_suffixes_pairs_and_metadata(tmp_path: Path):
    """The scratch page Pagefind reads for one article (``write_page``)."""
    doc = next(d for d in fixture_documents() if d.url == "articles/0101-hachioji/")
    keys = indexer._Tokenizer().keys(doc)
    indexer.write_page(tmp_path, 0, doc, keys, stop={"の"})
    page = (tmp_path / "0.html").read_text()
    keyset = set(keys.split(" "))
    assert {"ガバメント", "クラウド", "メント" + MARKER, "ガバメント" + PAIR + "クラウド", EVERY,
            "の"} <= keyset
    assert "人材" + PAIR + "の" not in keyset  # no pairs with all-hiragana tokens
    assert f"<p>{keys.replace(' の ', ' ')}</p>" in page  # a stop key is left out
    for attribute in ('data-pagefind-meta="title:', 'data-pagefind-meta="date:令和',
                      'data-pagefind-meta="municipalities:', 'data-pagefind-filter="municipality:',
                      'data-pagefind-filter="fiscal_year:', 'data-pagefind-filter="kind:',
                      'data-pagefind-filter="tag:', 'data-pagefind-sort="date:'):
        assert attribute in page


def test_the_stop_keys_come_from_a_sample_and_do_not_depend_on_the_cores(tmp_path: Path):
    docs = fixture_documents() * 3  # 42 articles
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = indexer.tokenize_and_write_pages(docs, tmp_path / "one", workers=1)
    two = indexer.tokenize_and_write_pages(docs, tmp_path / "two", workers=3)  # forked
    assert one.stop == two.stop and one.words == two.words and one.indexed_keys == two.indexed_keys
    assert "の" in one.stop
    for i in range(len(docs)):
        page = f"{i}.html"
        assert (tmp_path / "one" / page).read_bytes() == (tmp_path / "two" / page).read_bytes()


def test_keys_in_more_than_half_of_the_articles_are_left_out(tmp_path: Path):
    docs = fixture_documents() * 2  # 28 articles: the stop rule applies from 20
    docs = [type(d)(**{**d.__dict__, "url": f"{d.url}{i}/"}) for i, d in enumerate(docs)]
    build_search(tmp_path, docs)
    manifest = read_json_gz(tmp_path / "pagefind" / "ja" / "manifest.json.gz")
    assert "の" in manifest["stop"] and "都" in manifest["stop"]  # in every article
    assert "ガバメント" not in manifest["stop"]  # in 4 of 28
    assert all(PAIR in k for k in manifest["stopPairs"]) and EVERY not in manifest["stop"]


def test_two_builds_write_the_same_bytes(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    build(CONTENT, TEMPLATES, a)
    build(CONTENT, TEMPLATES, b)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    assert any(p.parts[:2] == ("pagefind", "ja") for p in files_a)
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_a_pagefind_failure_is_reported(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(indexer, "pagefind_executable", lambda: Path("/bin/false"))
    with pytest.raises(SearchBuildError, match="Pagefind が失敗しました"):
        build_search(tmp_path, fixture_documents()[:2])


def test_the_build_indexes_the_sample_archive(tmp_path: Path):
    report = build(ROOT / "content", TEMPLATES, tmp_path / "out")
    assert report.timings["search"] > 0
    assert (tmp_path / "out" / "pagefind" / "ja" / "manifest.json.gz").is_file()


def test_an_archive_without_articles_builds(tmp_path: Path):
    (tmp_path / "content").mkdir()
    build(tmp_path / "content", TEMPLATES, tmp_path / "out")
    manifest = read_json_gz(tmp_path / "out" / "pagefind" / "ja" / "manifest.json.gz")
    assert manifest["documents"] == 0
    assert 'data-search-empty="true"' in (tmp_path / "out" / "search" / "index.html").read_text()
