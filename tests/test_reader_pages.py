"""What readers see, beyond the accessibility checks: summaries worth reading, the sides of a
dialogue, card order, the tile map of Tokyo, the footer and the accessibility policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, TEMPLATES, page, text_of

from cio_forum_site.commands.build import build
from cio_forum_site.content.article import parse_article
from cio_forum_site.content.municipalities import all_municipalities, find
from cio_forum_site.site.archive import make_archive
from cio_forum_site.site.config import load_site
from cio_forum_site.site.tilemap import layout, parse_layout, tile_map

FORUM = "東京都・区市町村CIOフォーラムは、都と区市町村のCIOが集まる場です。"


def article(slug: str, body: str, summary: str = ""):
    text = (f"---\ntitle: {slug}\nsession: {ord(slug)}\ndate: 2021-05-10\nmunicipalities: [清瀬市]\n"
            f"participants:\n  - name: 森 花子\n    organization: 清瀬市\n    role: CIO\n"
            f"  - name: 林 太郎\n    organization: 東京都\n    role: CIO\n"
            + (f"summary: {summary}\n" if summary else "") + f"---\n\n{body}\n")
    parsed, errors = parse_article(f"content/{slug}.md", text)
    assert errors == [] and parsed is not None
    return parsed


# ---- summaries -------------------------------------------------------------------------------


def test_a_summary_is_never_the_interviewers_question():
    a = article("a", "― 清瀬市ではどのような取り組みをされていますか。\n\n森：窓口の予約を始めました。")
    assert a.summary == "窓口の予約を始めました。"


def test_a_paragraph_that_opens_every_article_is_not_their_summary():
    a = article("a", f"{FORUM}\n\n清瀬市の窓口の話です。")
    b = article("b", f"{FORUM}\n\n― 何から始めましたか。\n\n森：職員の研修からです。")
    c = article("c", f"{FORUM}\n\n本文です。", summary="編集部が書いた要約です。")
    archive = make_archive([a, b, c])
    assert {x.slug: x.summary for x in archive.articles} == {
        "a": "清瀬市の窓口の話です。", "b": "職員の研修からです。", "c": "編集部が書いた要約です。"}


def test_a_lone_article_keeps_its_first_paragraph():
    archive = make_archive([article("a", f"{FORUM}\n\n清瀬市の窓口の話です。")])
    assert archive.articles[0].summary == FORUM


# ---- the tile map -----------------------------------------------------------------------------


def test_the_layout_places_all_62_municipalities_once_on_distinct_squares():
    grid = layout()
    assert set(grid.places) == {m.name for m in all_municipalities()}
    assert len(set(grid.places.values())) == 62


@pytest.mark.parametrize("change, message", [
    ("  千代田区: [11, 2]\n", "missing"),  # 千代田区 dropped below
    ("  千代田区: [11, 2]\n  港区x: [0, 9]\n", "unknown"),
])
def test_a_broken_layout_is_refused(change: str, message: str):
    text = (Path(__file__).parent.parent / "src/cio_forum_site/data/tile_map.yaml").read_text("utf-8")
    broken = text.replace("  千代田区: [11, 2]\n", change.replace("  千代田区: [11, 2]\n", "") if message == "missing"
                          else change)
    with pytest.raises(ValueError, match=message):
        parse_layout(broken)


def test_tiles_are_shaded_by_count_and_linked_only_when_there_are_articles():
    kiyose, chiyoda = find("清瀬市").code, find("千代田区").code
    tiles = {t.name: t for t in tile_map({kiyose: 1, chiyoda: 5}, {kiyose: "/m/kiyose/", chiyoda: "/m/c/"}).tiles}
    assert (tiles["清瀬市"].level, tiles["清瀬市"].url, tiles["清瀬市"].label) == (1, "/m/kiyose/", "清瀬")
    assert (tiles["千代田区"].level, tiles["千代田区"].label) == (3, "千代田")
    assert (tiles["青梅市"].level, tiles["青梅市"].url) == (0, None)


# ---- built pages ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reader")
    (root / "site.toml").write_text('publisher = "架空区 広報課"\ncontact_url = "mailto:cio@example.org"\n'
                                    'contact_text = "マガジンへのお問い合わせ"\n', "utf-8")
    out = root / "build"
    build(FIXTURES / "archive" / "content", TEMPLATES, out, search=False, site=load_site(root / "site.toml")[0])
    return out


def test_each_turn_shows_its_side_as_a_label_and_a_class(site: Path):
    doc = page(site, "/articles/0101-hinode/")
    turns = [(t.get("class"), text_of(t.find_class("turn-side")[0])) for t in doc.find_class("turn")]
    assert turns == [("turn turn-municipality", "日の出町"), ("turn turn-tokyo", "東京都")]


def test_card_titles_come_before_the_municipality_links(site: Path):
    card = page(site, "/").find_class("card")[0]
    assert [e.get("class") for e in card] == ["card-title", "card-meta", "card-summary"]


def test_card_titles_are_one_level_below_the_heading_above_them(site: Path):
    # a theme's page groups its articles under their 年度 (h2, the timeline's anchors): cards are h3
    for url, level in [("/municipalities/hinode/", "h2"), ("/topics/madoguchi/", "h3"), ("/", "h3"),
                       ("/backnumbers/", "h3")]:
        assert {e.tag for e in page(site, url).find_class("card-title")} == {level}, url


def test_the_municipalities_page_has_a_tile_map_and_the_list_below(site: Path):
    doc = page(site, "/municipalities/")
    svg = doc.xpath("//figure[@class='tile-map']/svg")[0]
    links = svg.xpath(".//a")
    assert sorted(a.findtext("title") for a in links) == ["三鷹市（1本）", "府中市（1本）", "日の出町（2本）"]
    assert len(svg.xpath(".//g[@class='tile n0']")) == 59
    muted = doc.xpath("//ul[@class='muni-list']/li[@class='muted']")
    assert len(muted) == 59 and all(text_of(li).endswith("記事なし") for li in muted)


def test_the_footer_comes_from_site_toml_and_links_the_accessibility_policy(site: Path):
    footer = page(site, "/").xpath("//footer")[0]
    assert "発行: 架空区 広報課" in text_of(footer)
    assert "© 架空区 広報課" in text_of(footer)
    links = {text_of(a): a.get("href") for a in footer.iter("a")}
    assert links["マガジンへのお問い合わせ"] == "mailto:cio@example.org"
    assert links["アクセシビリティ方針"] == "accessibility/index.html"
    policy = text_of(page(site, "/accessibility/"))
    assert "JIS X 8341-3:2016" in policy and "適合レベルAA" in policy and "axe-core" in policy


def test_the_participants_table_has_a_caption(site: Path):
    table = page(site, "/articles/0101-hinode/").xpath("//section[@class='participants']//table")[0]
    assert "敬称略" in text_of(table.find("caption"))
