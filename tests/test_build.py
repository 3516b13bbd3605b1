"""End to end: build fixture archives and read the produced HTML (parsed, not grepped)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, TEMPLATES, internal_references, page, text_of
from PIL import Image

from cio_forum_site.commands.build import build
from cio_forum_site.errors import BuildFailed
from cio_forum_site.output import OutputRefused


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "build"
    build(FIXTURES / "archive" / "content", TEMPLATES, out, search=False)
    return out


def test_every_page_type_is_built(site: Path):
    for path in [
        "index.html", "404.html", "search/index.html", "backnumbers/index.html",
        "municipalities/index.html", "municipalities/hinode/index.html",
        "municipalities/mitaka/index.html", "municipalities/fuchu/index.html",
        "topics/index.html", "articles/0101-hinode/index.html",
        "articles/interview-2020-04/index.html",
    ]:
        assert (site / path).is_file(), path
    # the header image as renditions (site/images.py), not the original
    assert sorted(p.name.split(".")[-1] for p in (site / "images").glob("hinode-*")) == ["jpg", "png", "png", "webp", "webp"]
    assert not (site / "images" / "hinode.png").exists()
    assert [p.name for p in (site / "static").glob("style.*.css")] != []  # fingerprinted


def test_every_internal_link_resolves_to_a_file(site: Path):
    refs = internal_references(site)
    assert len(refs) > 100
    assert [(page_, link) for page_, link, file in refs if not file.is_file()] == []


def test_pages_are_japanese_with_landmarks(site: Path):
    doc = page(site, "/articles/0101-hinode/")
    assert doc.get("lang") == "ja"
    for landmark in ("header", "nav", "main", "footer"):
        assert doc.findall(f".//{landmark}"), landmark


def test_article_page_shows_session_wareki_date_and_municipalities(site: Path):
    doc = page(site, "/articles/0102-hinode/")
    assert text_of(doc.find(".//h1")) == "日の出町CIO×都CIO座談会（後半）"
    time = doc.find(".//time")
    assert time.get("datetime") == "2019-05-01" and time.text == "令和元年5月1日"
    meta = text_of(doc.find_class("article-meta")[0])
    assert "第102回" in meta and "令和元年度" in meta
    links = doc.find_class("article-places")[0].findall(".//a")
    assert [(a.text, a.get("href")) for a in links] == [("日の出町", "../../municipalities/hinode/index.html")]


def test_speaker_turns_carry_data_speaker_with_name_and_organization(site: Path):
    doc = page(site, "/articles/0102-hinode/")
    turns = doc.find_class("turn")
    assert [t.get("data-speaker") for t in turns] == ["森川", "青木", "森川", "青木"]
    assert text_of(turns[0].find_class("turn-speaker")[0]) == "日の出町 森川 啓介 副町長・CIO"  # the side first (its label), then name and position
    assert text_of(turns[2].find_class("turn-speech")[0]) == "人が少ない町ほど、一人が担う仕事が広くなります。"
    assert text_of(doc.find_class("question")[0]) == "― 今後の課題は何でしょうか。"


def test_a_participant_label_with_a_note_is_told_apart(site: Path):
    doc = page(site, "/articles/0103-mitaka-fuchu/")
    assert [t.get("data-speaker") for t in doc.find_class("turn")] == ["石井", "石井（府中）", "青木"]


def test_participants_table_and_topics_as_table_of_contents(site: Path):
    doc = page(site, "/articles/0102-hinode/")
    rows = doc.find_class("participants")[0].findall(".//tbody/tr")
    cells = [[text_of(c) for c in r] for r in rows]
    assert cells == [["森川 啓介", "日の出町", "副町長・CIO"], ["青木 早苗", "東京都", "CIO"]]
    toc = doc.find_class("toc")[0].findall(".//a")
    assert [(a.text, a.get("href")) for a in toc] == [("職員の育成", "#h1"), ("これから", "#h2")]
    assert doc.get_element_by_id("h1").text == "職員の育成"


def test_series_navigation_links_the_other_part(site: Path):
    second = page(site, "/articles/0102-hinode/").find_class("series-note")[0]
    assert text_of(second) == "この記事は全2回の後半です。前半はこちら"
    assert second.find(".//a").get("href") == "../0101-hinode/index.html"
    first = page(site, "/articles/0101-hinode/").find_class("series-note")[0]
    assert text_of(first) == "この記事は全2回の前半です。後半はこちら"


def test_a_missing_part_is_named_but_not_linked(tmp_path: Path, archive_copy: Path):
    (archive_copy / "0101-hinode.md").unlink()
    build(archive_copy, TEMPLATES, tmp_path / "out", search=False)
    note = page(tmp_path / "out", "/articles/0102-hinode/").find_class("series-note")[0]
    assert text_of(note) == "この記事は全2回の後半です。前半はアーカイブにありません"
    assert note.find(".//a") is None


def test_previous_and_next_by_date_and_recent_back_numbers(site: Path):
    doc = page(site, "/articles/0102-hinode/")
    nav = doc.find_class("prev-next")[0]
    assert nav.find_class("prev")[0].get("href") == "../0101-hinode/index.html"
    assert nav.find_class("next")[0].get("href") == "../0103-mitaka-fuchu/index.html"
    recent = [a.get("href") for a in doc.find_class("recent")[0].findall(".//h3/a")]
    assert recent == [
        "../interview-2020-04/index.html", "../0103-mitaka-fuchu/index.html",
        "../0101-hinode/index.html",
    ]


def test_back_numbers_are_newest_first_grouped_by_fiscal_year(site: Path):
    doc = page(site, "/backnumbers/")
    groups = doc.find_class("year-group")
    assert [g.find(".//h2").text for g in groups] == ["令和2年度", "令和元年度"]
    # 2019-04-26 was still 平成31年, but its fiscal year is 令和元年度.
    assert [a.text for a in groups[1].findall(".//h3/a")] == [
        "三鷹市・府中市CIO×都CIO座談会", "日の出町CIO×都CIO座談会（後半）",
        "日の出町CIO×都CIO座談会（前半）",
    ]
    assert page(site, "/articles/0101-hinode/").find(".//time").text == "平成31年4月26日"


def test_municipalities_page_lists_all_62_in_code_order_with_muted_ones(site: Path):
    doc = page(site, "/municipalities/")
    groups = doc.find_class("muni-group")
    assert [g.find(".//h2").text for g in groups] == ["特別区", "市", "町", "村"]
    items = [li for g in groups for li in g.findall(".//li")]
    assert len(items) == 62
    names = [text_of(li) for li in items]
    assert names[0] == "千代田区記事なし" and names[-1] == "小笠原村記事なし"
    town = next(li for li in groups[2].findall(".//li") if "日の出町" in text_of(li))
    assert text_of(town) == "日の出町2本" and town.find(".//a") is not None
    muted = [li for li in items if "muted" in li.get("class", "")]
    assert len(muted) == 62 - 3


def test_municipality_page_lists_its_articles(site: Path):
    doc = page(site, "/municipalities/hinode/")
    assert [a.text for a in doc.findall(".//h2/a")] == [
        "日の出町CIO×都CIO座談会（後半）", "日の出町CIO×都CIO座談会（前半）"
    ]


def test_tags_that_differ_only_by_width_are_one_topic(site: Path):
    doc = page(site, "/topics/")
    names = [text_of(a) for a in doc.find_class("tag-cloud")[0].findall(".//a")]
    assert "DX推進2" in names and not any(n.startswith("ＤＸ") for n in names)
    topic = page(site, "/topics/dx-suishin/")
    assert len(topic.find_class("card-title")) == 2  # under their 年度 (h2), as h3


def test_raw_html_in_markdown_is_not_passed_through(tmp_path: Path, archive_copy: Path):
    file = archive_copy / "0103-mitaka-fuchu.md"
    file.write_text(file.read_text("utf-8") + "\n<script>alert(1)</script>\n", "utf-8")
    build(archive_copy, TEMPLATES, tmp_path / "out", search=False)
    doc = page(tmp_path / "out", "/articles/0103-mitaka-fuchu/")
    assert doc.find_class("article-body")[0].findall(".//script") == []


def test_back_numbers_paginate_twenty_to_a_page(tmp_path: Path):
    content = tmp_path / "content"
    content.mkdir()
    for n in range(1, 46):
        month = (n % 12) + 1
        (content / f"{n:04d}-kiyose.md").write_text(
            f"---\ntitle: 第{n}回の記事\nsession: {n}\ndate: 2021-{month:02d}-{(n % 27) + 1:02d}\n"
            "municipalities: [清瀬市]\n---\n本文。\n", "utf-8")
    out = tmp_path / "out"
    build(content, TEMPLATES, out, search=False)
    counts = [len(page(out, url).find_class("card")) for url in
              ("/backnumbers/", "/backnumbers/page/2/", "/backnumbers/page/3/")]
    assert counts == [20, 20, 5]
    assert not (out / "backnumbers/page/4").exists()
    assert [(a.text, a.get("href")) for a in page(out, "/backnumbers/page/2/").find_class("pager")[0].findall(".//ol//a")] == [
        ("1", "../../index.html"), ("3", "../3/index.html")
    ]
    assert [f for *_, f in internal_references(out) if not f.is_file()] == []


def test_a_failed_build_leaves_the_previous_output_untouched(tmp_path: Path):
    out = tmp_path / "build"
    build(FIXTURES / "archive" / "content", TEMPLATES, out, search=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(BuildFailed) as failed:
        build(FIXTURES / "broken", TEMPLATES, out, search=False)
    assert len(failed.value.errors) == 8
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_a_template_typo_fails_the_build_at_its_line(tmp_path: Path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    topic = templates / "topic.html"
    topic.write_text(topic.read_text("utf-8").replace("{{ tag.name }}</h1>", "{{ tag.nmae }}</h1>"), "utf-8")
    with pytest.raises(BuildFailed) as failed:
        build(FIXTURES / "archive" / "content", templates, tmp_path / "out", search=False)
    [error] = failed.value.errors
    assert error.path.endswith("topic.html") and error.line == 5
    assert "nmae" in error.message
    assert not (tmp_path / "out").exists()


def test_an_output_folder_that_is_not_ours_is_never_replaced(tmp_path: Path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("大事なメモ", "utf-8")
    with pytest.raises(OutputRefused):
        build(FIXTURES / "archive" / "content", TEMPLATES, out, search=False)
    assert (out / "notes.txt").read_text("utf-8") == "大事なメモ"


def test_the_cli_prints_every_problem_and_a_count_and_exits_1(tmp_path: Path):
    out = tmp_path / "build"
    result = subprocess.run(
        [sys.executable, "-m", "cio_forum_site", "build", "--no-search", "--content",
         str(FIXTURES / "broken"), "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 9 and "Traceback" not in result.stderr
    assert lines[0].startswith("tests/fixtures/broken/01-malformed-yaml.md:5:17: エラー: ")
    assert lines[-1] == "8件の問題があります。直してからもう一度実行してください。"
    assert not out.exists()


def test_the_sample_archive_builds_every_page_with_every_link_resolving(tmp_path: Path):
    out = tmp_path / "build"
    report = build(ROOT / "content", TEMPLATES, out, search=False)
    assert report.articles == 5
    slugs = sorted(p.stem for p in (ROOT / "content").glob("*.md"))
    for slug in slugs:
        doc = page(out, f"/articles/{slug}/")
        assert doc.find(".//time").get("datetime")
    assert (out / "municipalities/kokubunji/index.html").is_file()
    assert [(p, link) for p, link, file in internal_references(out) if not file.is_file()] == []


def test_links_and_images_in_a_body_work_under_any_base_path(tmp_path: Path, archive_copy: Path):
    Image.new("RGB", (300, 200), "navy").save(archive_copy / "images" / "chart.png")
    file = archive_copy / "0103-mitaka-fuchu.md"
    file.write_text(file.read_text("utf-8") + "\n[前半の記事](/articles/0101-hinode/)と"
                    "[外部](https://example.org/)。\n\n![図](images/chart.png)\n", "utf-8")
    build(archive_copy, TEMPLATES, tmp_path / "out", search=False)
    body = page(tmp_path / "out", "/articles/0103-mitaka-fuchu/").find_class("article-body")[0]
    assert [a.get("href") for a in body.findall(".//a")] == ["../0101-hinode/index.html", "https://example.org/"]
    src = body.find(".//img").get("src")
    assert src.startswith("../../images/chart-300w.") and src.endswith(".png")
    assert (tmp_path / "out" / "articles/0103-mitaka-fuchu" / src).is_file()


def test_without_a_base_url_folder_links_name_index_html_for_file_urls(site: Path):
    """A browser shows a folder as a listing under file://, so links name the file."""
    hrefs = [a.get("href") for a in page(site, "/articles/0102-hinode/").iter("a")]
    internal = [h for h in hrefs if not h.startswith(("#", "http"))]
    assert internal and all("." in h.split("#")[0].rsplit("/", 1)[-1] for h in internal)


def test_with_a_base_url_links_stay_clean(tmp_path: Path):
    from cio_forum_site.site.config import Site

    out = tmp_path / "out"
    build(FIXTURES / "archive" / "content", TEMPLATES, out, search=False,
          site=Site(base_url="https://example.org/cio/"))
    nav = page(out, "/articles/0102-hinode/").find_class("prev-next")[0]
    assert nav.find_class("prev")[0].get("href") == "../0101-hinode/"


def test_without_a_templates_folder_the_default_theme_builds_the_site(tmp_path: Path):
    out = tmp_path / "out"
    build(FIXTURES / "archive" / "content", tmp_path / "no-templates", out, search=False)
    assert (out / "index.html").is_file()
    assert any((out / "static").glob("style.*.css"))


def test_a_site_template_or_static_file_overrides_the_theme_file_by_file(tmp_path: Path):
    own = tmp_path / "templates"
    (own / "static").mkdir(parents=True)
    (own / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>上書きした404</h1>{% endblock %}', "utf-8")
    (own / "static" / "style.css").write_text("body { color: #111; }\n", "utf-8")
    out = tmp_path / "out"
    build(FIXTURES / "archive" / "content", own, out, search=False)
    assert "上書きした404" in (out / "404.html").read_text("utf-8")
    [css] = (out / "static").glob("style.*.css")
    assert css.read_text("utf-8") == "body { color: #111; }\n"
    assert any((out / "static").glob("search.*.js"))  # the rest still from the theme
    assert "上書きした404" not in (out / "index.html").read_text("utf-8")
