"""People pages: who took part, recognised across articles, with what they were at the time."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, TEMPLATES, page, text_of

from cio_forum_site.commands.build import build
from cio_forum_site.content.article import parse_article
from cio_forum_site.content.slugs import name_slug
from cio_forum_site.site.archive import make_archive
from cio_forum_site.site.people import make_people, name_key, organization_family

PEOPLE = FIXTURES / "people" / "content"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("people") / "build"
    build(PEOPLE, TEMPLATES, out, search=False)
    return out


def article(slug: str, date: str, participants: str, municipality: str = "清瀬市"):
    text = f"---\ntitle: 記事{slug}\nkind: interview\ndate: {date}\nmunicipalities: [{municipality}]\nparticipants:\n{participants}---\n\n本文です。\n"
    found, problems = parse_article(f"content/{slug}.md", text)
    assert problems == [], problems
    return found


def test_names_are_the_same_whatever_the_spaces_and_width():
    assert name_key("山田 太郎") == name_key("山田　太郎") == name_key("山田太郎")
    assert name_key("ＡＢＣ 花子") == name_key("abc花子")


def test_organization_families():
    assert organization_family("東京都") == organization_family("東京都デジタルサービス局") == "tokyo"
    assert organization_family("清瀬市") == organization_family("清瀬市役所") == "13221"
    assert organization_family("株式会社サンプル") == "株式会社サンプル"
    assert organization_family("") == ""


def test_slugs_are_ascii_from_the_reading():
    assert name_slug("もりかわ けいすけ") == "morikawa-keisuke"
    assert name_slug("アズマ サクラ") == "azuma-sakura"


def test_the_same_name_in_another_family_is_another_person():
    a = article("a", "2020-05-01", "  - {name: 山田 太郎, organization: 清瀬市}\n")
    b = article("b", "2021-05-01", "  - {name: 山田　太郎, organization: 清瀬市役所}\n")
    c = article("c", "2022-05-01", "  - {name: 山田 太郎, organization: 日野市}\n", "日野市")
    people = make_people(make_archive([a, b, c]))
    assert [(p.slug, len(p.appearances)) for p in people.persons] == [("yamada-tarou", 2), ("yamada-tarou-2", 1)]
    assert people.person(c, 0).slug == "yamada-tarou-2"


def test_person_overrides_and_an_unmarked_entry_joins_the_only_person_of_its_name():
    a = article("a", "2020-05-01", "  - {name: 山田 太郎, organization: 清瀬市, person: yamada-t}\n")
    b = article("b", "2021-05-01", "  - {name: 山田 太郎, organization: 清瀬市}\n")
    c = article("c", "2022-05-01", "  - {name: 山田 太郎, organization: 東京都, person: yamada-t}\n", "日野市")
    people = make_people(make_archive([a, b, c]))
    assert [(p.slug, p.family, len(p.appearances)) for p in people.persons] == [("yamada-t", "tokyo", 3)]


def test_two_marked_people_of_one_name_stay_apart():
    a = article("a", "2020-05-01", "  - {name: 山田 太郎, organization: 清瀬市, person: yamada-a}\n")
    b = article("b", "2021-05-01", "  - {name: 山田 太郎, organization: 清瀬市, person: yamada-b}\n")
    people = make_people(make_archive([a, b]))
    assert [p.slug for p in people.persons] == ["yamada-a", "yamada-b"]


def test_person_and_kana_are_checked():
    text = ("---\ntitle: t\nkind: interview\ndate: 2020-05-01\nparticipants:\n"
            "  - {name: 山田 太郎, person: Yamada Taro, kana: yamada}\n---\n本文\n")
    _, problems = parse_article("content/x.md", text)
    messages = [p.message for p in problems]
    assert any("`person`" in m and "英小文字" in m for m in messages), messages
    assert any("`kana`" in m and "ひらがな" in m for m in messages), messages


def test_people_index_groups_tokyo_first_then_municipalities_in_code_order(site: Path):
    doc = page(site, "/people/")
    headings = [text_of(h) for h in doc.findall(".//main//h2")]
    assert headings == ["東京都", "三鷹市", "日野市", "清瀬市"]  # 13204, 13212, 13221
    tokyo = doc.findall(".//main//section")[0]
    entries = {text_of(a): a.getparent() for a in tokyo.findall(".//a")}
    assert set(entries) == {"白鳥 恵"}
    assert text_of(entries["白鳥 恵"].find_class("count")[0]) == "5本"
    mitaka = doc.findall(".//main//section")[1]
    assert [text_of(a) for a in mitaka.findall(".//a")] == ["東 さくら"]  # moved: grouped where she is now


def test_a_person_page_shows_positions_over_time(site: Path):
    doc = page(site, "/people/houjou-shinya/")
    assert text_of(doc.find(".//h1")) == "北条 信也"
    steps = [text_of(li) for li in doc.find_class("career-list")[0].findall("li")]
    assert steps == ["令和元年度 清瀬市 企画部長・CIO補佐官", "令和3年度 清瀬市 副市長・CIO"]
    items = doc.find_class("person-articles")[0].findall(".//li")
    assert [(li.find(".//time").get("datetime"), text_of(li.find("h3")), text_of(li.find_class("person-then")[0]))
            for li in items] == [
        ("2021-05-20", "清瀬市の窓口改革、その後", "当時: 清瀬市 副市長・CIO"),
        ("2019-06-10", "清瀬市CIO×都CIO座談会（後半）", "当時: 清瀬市 企画部長・CIO補佐官"),
        ("2019-06-10", "清瀬市CIO×都CIO座談会（前半）", "当時: 清瀬市 企画部長・CIO補佐官"),
    ]
    assert items[0].find(".//h3/a").get("href") == "../../articles/p03-kiyose/index.html"


def test_one_person_across_organizations_by_person_and_kana(site: Path):
    doc = page(site, "/people/azuma-sakura/")
    steps = [text_of(li) for li in doc.find_class("career-list")[0].findall("li")]
    assert steps == ["令和5年度 東京都デジタルサービス局 データ利活用担当課長", "令和5年度 三鷹市 副市長・CIO"]


def test_participant_tables_link_to_people_pages(site: Path):
    doc = page(site, "/articles/p04-hino/")
    links = [(text_of(a), a.get("href")) for a in doc.find_class("participants")[0].findall(".//a")]
    assert links == [("北条 信也", "../../people/houjou-shinya-2/index.html"),
                     ("白鳥 恵", "../../people/hakuchou-megumi/index.html")]
