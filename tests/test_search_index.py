"""Search at build time: normalization, documents, MeCab keys, and the bundle that the real
Pagefind binary writes (no mocks: real MeCab, real Pagefind)."""

from __future__ import annotations

import dataclasses
import gzip
import json
import marshal
import random
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, TEMPLATES

from cio_forum_site.commands.build import build
from cio_forum_site.search import SearchBuildError, build_search, cache, indexer, pagefind
from cio_forum_site.search.documents import (
    body_turns,
    has_no_markup,
    parsed_plain_text,
    plain_paragraphs,
    plain_text,
    speakers,
)
from cio_forum_site.search.indexer import EVERY, HEAD, MARKER, OFTEN, PAIR, token_keys
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


@pytest.mark.parametrize("markdown", [
    "一行目\n二行目\n\n　字下げした段落\n   \n最後 ",
    "先頭の空白\n  続きの行\n\n\n\n次の段落",
    "行末の全角空白　\n　行頭の全角空白",
])
def test_plain_text_takes_the_shortcut_for_text_without_markup(markdown):
    assert has_no_markup(markdown)
    assert plain_text(markdown) == parsed_plain_text(markdown)


@pytest.mark.parametrize("markdown", [
    "**強調**", "`code`", "[リンク](a.html)", "a &amp; b", "<b>", "~~取消~~", "表|の行",
    "# 見出し", "> 引用", "- 箇条", "1. 番号", "2) 番号", "段落\n===", "    コード", "改行  \n次",
    "バック\\\nスラッシュ", "タブ\tあり",
])
def test_plain_text_parses_anything_that_may_be_markup(markdown):
    assert not has_no_markup(markdown)


def test_the_plain_text_shortcut_agrees_with_markdown_it_on_random_text():
    """Random fragments over an alphabet rich in markup characters: wherever the shortcut
    is taken, it gives what markdown-it gives."""
    rng = random.Random(20261124)
    alphabet = ["あ", "漢", "ア", "a", "1", "。", " ", " ", "  ", "\n", "\n", "\n\n", "　",
                "-", "#", "*", "|", ">", "1.", "=", "[", "&", "\t", "2)", "    ", "\\", "_"]
    shortcuts = 0
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        if has_no_markup(text):
            shortcuts += 1
            assert plain_paragraphs(text) == parsed_plain_text(text), repr(text)
    assert shortcuts > 300  # the comparison really ran on many fragments

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

    assert not (out / "fragment").exists()  # Pagefind's fragments: never loaded, not published
    texts = sorted(p.name.removesuffix(".json.gz") for p in (out / "ja" / "t").iterdir())
    assert len(texts) == 14 and all(name.startswith("unknown_") for name in texts)
    record = next(r for r in map(read_json_gz, (out / "ja" / "t").iterdir())
                  if r["url"] == "articles/0102-musashino/")
    assert record["title"].startswith("武蔵野市CIO") and record["date"] == "令和3年6月8日"
    assert record["municipalities"] == ["武蔵野市"] and record["kind"] == "座談会"
    assert record["text"][record["body"]] == "テレワークの定着"
    assert "Ｗｅｂ会議の仕組み" in "".join(record["text"])  # the text as written, not normalized


def test_the_manifest_lists_every_page_newest_first(bundle):
    """The order a search starts from (the browser does not ask Pagefind to sort them)."""
    out, _ = bundle
    order = read_json_gz(out / "ja" / "manifest.json.gz")["order"]
    texts = {p.name.removesuffix(".json.gz"): read_json_gz(p) for p in (out / "ja" / "t").iterdir()}
    assert sorted(order) == sorted(texts)
    dates = [texts[page]["iso"] for page in order]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) > 10


def test_an_article_is_indexed_by_its_tokens_suffixes_and_pairs():
    doc = next(d for d in fixture_documents() if d.url == "articles/0101-hachioji/")
    [(keys, words, _)] = indexer._Tokenizer().analyse([doc])
    keyset = set(keys.split(" "))
    assert {"ガバメント", "クラウド", "メント" + MARKER, "ガバメント" + PAIR + "クラウド", EVERY,
            "の"} <= keyset
    assert "人材" + PAIR + "の" not in keyset  # no pairs with all-hiragana tokens
    assert {"ガバメント", "クラウド", "の"} <= set(words.split(" "))
    assert not any(MARKER in w or PAIR in w for w in words.split(" "))


def test_words_of_the_head_and_words_said_often_get_ranking_keys():
    """Title, participants, topics and municipalities (the head) weigh more than the body;
    a word said three times or more in the body, more than one said once."""
    doc = next(d for d in fixture_documents() if d.url == "articles/0102-musashino/")
    [(keys, _, _)] = indexer._Tokenizer().analyse([doc])
    keyset = set(keys.split(" "))
    assert {"五十嵐" + HEAD, "テレワーク" + HEAD, "武蔵野" + HEAD, "トラスト" + HEAD} <= keyset
    assert "吉祥寺" in keyset and "吉祥寺" + HEAD not in keyset  # said in the body only
    assert {"テレワーク" + OFTEN, "トラスト" + OFTEN} <= keyset
    assert "吉祥寺" + OFTEN not in keyset


def test_an_articles_pagefind_page_has_its_filters():
    doc = next(d for d in fixture_documents() if d.url == "articles/0102-musashino/")
    assert indexer.pagefind_filters(doc) == {
        "municipality": ["武蔵野市"], "fiscal_year": ["令和3年度"], "kind": ["座談会"],
        "tag": ["テレワーク", "セキュリティ", "働き方改革"],
        "speaker": ["五十嵐 拓真", "真柴 健吾", "薬師寺 航"]}


def records(tmp_path: Path, docs, workers: int, cache_dir: Path | None = None):
    """What the index is made of for ``docs``, and the texts written."""
    texts = tmp_path / f"texts-{workers}-{len(list(tmp_path.iterdir()))}"
    texts.mkdir()
    done = indexer.index_documents(docs, texts, workers=workers, cache_dir=cache_dir)
    return done, {p.name: p.read_bytes() for p in texts.iterdir()}


def test_the_stop_keys_come_from_a_sample_and_do_not_depend_on_the_cores(tmp_path: Path):
    docs = fixture_documents() * 3  # 42 articles
    one, texts_one = records(tmp_path, docs, workers=1)
    two, texts_two = records(tmp_path, docs, workers=3)  # in worker processes
    assert one.stop == two.stop and one.words == two.words and one.indexed_keys == two.indexed_keys
    assert "の" in one.stop
    assert one.bundle == two.bundle  # the same records, in the same order
    assert texts_one == texts_two and len(texts_one) == 42


def test_a_second_build_takes_the_keys_from_the_cache_and_gives_the_same_bundle(tmp_path: Path):
    docs = [dataclasses.replace(d, url=f"{d.url}{i}/") for i, d in enumerate(fixture_documents() * 3)]
    cache_dir = tmp_path / "cache"
    first, texts = records(tmp_path, docs, workers=2, cache_dir=cache_dir)
    assert cache.load(cache_dir) and first.cut == 42  # written by the first build
    second, texts_again = records(tmp_path, docs, workers=2, cache_dir=cache_dir)
    assert second.cut == 0  # MeCab was not needed again
    assert second.bundle == first.bundle and second.words == first.words
    assert texts_again == texts
    docs[5] = dataclasses.replace(docs[5], title=docs[5].title + "（改）")
    third, _ = records(tmp_path, docs, workers=2, cache_dir=cache_dir)
    assert third.cut == 1 and third.pages[5] != first.pages[5]
    assert third.pages[:5] == first.pages[:5] and third.pages[6:] == first.pages[6:]


def test_the_cache_keeps_only_what_the_last_build_used(tmp_path: Path):
    docs = fixture_documents()
    cache_dir = tmp_path / "cache"
    records(tmp_path, docs, workers=1, cache_dir=cache_dir)
    assert len(cache.load(cache_dir)) == 14
    records(tmp_path, docs[:5], workers=1, cache_dir=cache_dir)
    assert len(cache.load(cache_dir)) == 5


def test_a_cache_that_is_broken_or_of_another_version_is_ignored(tmp_path: Path):
    docs = fixture_documents()[:3]
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / cache.FILE_NAME).write_bytes(b"\x00 not a cache")
    done, _ = records(tmp_path, docs, workers=1, cache_dir=cache_dir)
    assert done.indexed_keys > 0 and len(cache.load(cache_dir)) == 3
    (cache_dir / cache.FILE_NAME).write_bytes(marshal.dumps(("fugashi=0.0", {"x": ("a", "b")})))
    assert cache.load(cache_dir) == {}


def test_an_unwritable_cache_does_not_fail_the_build(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    done, _ = records(tmp_path, fixture_documents()[:2], workers=1, cache_dir=blocker / "cache")
    assert done.indexed_keys > 0


def test_keys_in_more_than_half_of_the_articles_are_left_out(tmp_path: Path):
    docs = fixture_documents() * 2  # 28 articles: the stop rule applies from 20
    docs = [dataclasses.replace(d, url=f"{d.url}{i}/") for i, d in enumerate(docs)]
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


def test_a_build_from_the_cache_writes_the_same_bytes_as_one_without(tmp_path: Path):
    a, b, cache_dir = tmp_path / "a", tmp_path / "b", tmp_path / "cache"
    build(CONTENT, TEMPLATES, a, cache_dir=cache_dir)
    assert (cache_dir / cache.FILE_NAME).is_file()
    build(CONTENT, TEMPLATES, b, cache_dir=cache_dir)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_a_pagefind_failure_is_reported(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(pagefind, "pagefind_executable", lambda: Path("/bin/false"))
    with pytest.raises(SearchBuildError, match="Pagefind が途中で終わりました"):
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


# ---- readings ------------------------------------------------------------------------------


def test_words_are_read_by_unidic_in_katakana():
    from cio_forum_site.search.readings import read_words

    got = read_words(["標準", "化", "テレワーク", "人材", "ｻﾃﾗｲﾄ", "dx", "の", "a" * 300_000])
    assert got == {"標準": "ヒョウジュン", "化": "カ", "テレワーク": "テレワーク",
                   "人材": "ジンザイ", "の": "ノ"}  # ｻﾃﾗｲﾄ is never a word (normalized first)
    # a word of 300,000 letters is not read: MeCab only ever gets bounded input


# Words MeCab reads one way at the start of a text and another after "。" (河北: カホク /
# カワキタ), and everyday ones.
CONTEXT_WORDS = ["河北", "清朝", "横道", "正治", "夏生", "梅林", "海馬", "標準", "人材", "宮坂",
                 "国分寺", "テレワーク", "ナイ", "ない", "dx"]


def test_a_words_reading_does_not_depend_on_the_batch_it_is_read_in():
    """A build reads only the words its cache lacks, and each worker its own, so batches
    differ from build to build: the reading must be the word's alone (found by the kill
    test: two clean builds wrote different reading buckets)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from cio_forum_site.search.readings import read_words, tagger

    mecab = tagger()
    alone = {w: read_words([w], mecab).get(w) for w in CONTEXT_WORDS}
    assert read_words(["標準", "河北"], mecab)["河北"] == read_words(["河北"], mecab)["河北"]
    assert alone["ナイ"] == alone["ない"] == "ナイ"  # kana reads as it is written

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.sampled_from(CONTEXT_WORDS), min_size=1, max_size=12, unique=True))
    def same_reading(batch: list[str]) -> None:
        got = read_words(batch, mecab)
        assert got == {w: alone[w] for w in batch if alone[w]}

    same_reading()


def test_kana_front_matter_gives_the_reading_of_a_name_and_its_parts():
    from cio_forum_site.search.readings import name_readings, reading_buckets

    names = name_readings([("久遠寺 玲子", "くおんじ れいこ"), ("山田", "やまだ たろう")])
    assert names == {"久遠寺玲子": "クオンジレイコ", "久遠寺": "クオンジ", "玲子": "レイコ",
                     "山田": "ヤマダタロウ"}
    buckets = reading_buckets({"久遠寺": "クドウテラ", "寺": "テラ"}, {"久遠寺": 3, "寺": 5},
                              names, 10)
    merged = {k: v for b in buckets for k, v in b.items()}
    assert "クドウテラ" not in merged  # the name's reading wins over MeCab's
    assert merged["クオンジ"] == [["久遠寺", 0]] and merged["テラ"] == [["寺", 79]]


def test_kana_must_be_kana(tmp_path):
    from cio_forum_site.content.article import parse_article

    def participant(kana: str):
        text = ("---\ntitle: t\nkind: interview\ndate: 2024-04-01\nparticipants:\n"
                f"  - name: 山田 太郎\n    kana: {kana}\n---\n本文\n")
        return parse_article("content/x.md", text, slug="x")

    article, problems = participant("ﾔﾏﾀﾞ　ﾀﾛｳ")
    assert problems == [] and article.participants[0].kana == "ヤマダ タロウ"
    _, problems = participant("yamada")
    assert len(problems) == 1 and "ひらがなかカタカナ" in problems[0].message


def test_the_speakers_filter_names_everyone_whose_turns_say_something_in_order():
    for doc in fixture_documents():
        said = [p.name for paragraph, p in body_turns(doc.article) if p is not None]
        assert speakers(doc.article) == list(dict.fromkeys(said)), doc.url
    assert any(speakers(doc.article) for doc in fixture_documents())


def test_a_script_that_builds_outside_the_main_guard_is_told_why_the_workers_ended(tmp_path):
    """MeCab's workers come from a forkserver, which imports the calling script again; one
    that calls build() at its top level builds again in every worker. The error says so."""
    from cio_forum_site import synthetic

    synthetic.write(indexer.PARALLEL_MIN + 5, tmp_path / "content")  # enough for workers
    script = tmp_path / "make_site.py"
    script.write_text(
        "from pathlib import Path\n"
        "from cio_forum_site.commands.build import build\n"
        f"build(Path({str(tmp_path / 'content')!r}), Path({str(TEMPLATES)!r}),"
        f" Path({str(tmp_path / 'out')!r}))\n", "utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode != 0
    assert 'if __name__ == "__main__": の中で呼んでください' in done.stderr
