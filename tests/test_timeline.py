"""The topic timeline on /topics/: an SVG bar chart per theme, drawn at build time, each bar
linking to that theme's articles of that 年度, with the same figures as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, TEMPLATES, page, text_of

from cio_forum_site.commands.build import build

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("timeline") / "build"
    build(FIXTURES / "people" / "content", TEMPLATES, out, search=False)
    return out


def charts(doc):
    return doc.find_class("timeline-chart")


def test_the_most_frequent_themes_have_a_chart_with_every_year(site: Path):
    doc = page(site, "/topics/")
    captions = [text_of(f.find("figcaption")) for f in charts(doc)]
    # DX推進 (ＤＸ推進 is the same theme) is in 3 articles; 人材育成, 窓口, データ活用 in 2
    assert captions[0] == "DX推進（全3本）"
    assert set(captions[1:4]) == {"人材育成（全2本）", "窓口（全2本）", "データ活用（全2本）"}
    svg = charts(doc)[0].find(".//svg")
    assert svg is not None and svg.get("role") == "group"
    assert svg.get("aria-labelledby") == charts(doc)[0].find("figcaption").get("id")
    axis = [text_of(t) for t in svg.iter("text") if t.get("class") == "axis"]
    assert axis == ["令和元", "令和2", "令和3", "令和4", "令和5"]  # 2019–2023年度, empty years too


def test_bars_link_to_the_themes_articles_of_that_year(site: Path):
    doc = page(site, "/topics/")
    chart = next(f for f in charts(doc) if text_of(f.find("figcaption")).startswith("窓口"))
    bars = [(a.get("aria-label"), a.get("href")) for a in chart.iter("a") if a.get("aria-label")]
    assert [label for label, _ in bars] == ["令和元年度: 1本", "令和3年度: 1本"]
    target = bars[1][1]
    assert target.endswith("index.html#fy2021")
    topic = page(site, "/topics/" + target.split("#")[0].removesuffix("index.html"))
    section = topic.get_element_by_id("fy2021")
    assert text_of(section) == "令和3年度"
    titles = [text_of(a) for a in section.getparent().findall(".//h3/a")]
    assert titles == ["清瀬市の窓口改革、その後"]


def test_bar_heights_share_one_scale(site: Path):
    doc = page(site, "/topics/")
    heights = {}
    for f in charts(doc):
        for a in f.iter("a"):
            if a.get("aria-label"):
                rect = next(a.iter("rect"))
                heights.setdefault(int(text_of(next(t for t in a.iter("text")))), set()).add(int(rect.get("height")))
    # 人材育成 in 令和元年度 (the two parts of one roundtable) is the busiest: full height
    assert heights == {1: {40}, 2: {80}}


def test_the_figures_are_also_a_table(site: Path):
    doc = page(site, "/topics/")
    table = doc.find_class("timeline-table")[0].find(".//table")
    head = [text_of(th) for th in table.findall(".//thead//th")]
    assert head == ["テーマ", "令和元年度", "令和2年度", "令和3年度", "令和4年度", "令和5年度"]
    rows = {text_of(r.find("th")): [text_of(td) for td in r.findall("td")] for r in table.findall(".//tbody/tr")}
    assert rows["DX推進"] == ["0", "0", "1", "1", "1"]
    assert rows["窓口"] == ["1", "0", "1", "0", "0"]


def test_headings_do_not_skip_a_level(site: Path):
    for url in ("/topics/", "/people/", "/people/houjou-shinya/", "/articles/p03-kiyose/"):
        levels = [int(h.tag[1]) for h in page(site, url).iter("h1", "h2", "h3", "h4", "h5", "h6")]
        assert levels[0] == 1
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), (url, levels)
