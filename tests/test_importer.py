"""The blog-text importer: facts extracted from each fixture, the body it writes, and the
notes it leaves for the editor."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml
from conftest import FIXTURES

from cio_forum_site.importer import (
    ImportResult,
    parse_blog_text,
    parse_wareki_date,
    to_content_file,
)

IMPORT = FIXTURES / "import"

TOKYO_CIO = {"name": "宮田 直子", "organization": "東京都", "role": "CIO", "speaker": "宮田"}
CREDITS = {"author": "桜井 亮", "editor": "小野寺 結衣"}

# Per fixture: the whole front matter (keys in the format doc's order), the slug, the body's
# headings, and a fragment of every expected `undecided` note.
EXPECTED = {
    "kiyose_part2": {
        "slug": "0005-kiyose",
        "front_matter": {
            "title": "清瀬市CIO×都CIOの座談会（後半）",
            "kind": "roundtable",
            "session": 5,  # 第５回, full-width
            "date": dt.date(2021, 10, 15),  # 令和３年１０月１５日
            "municipalities": ["清瀬市"],
            "participants": [
                {"name": "森下 啓介", "organization": "清瀬市", "position": "副市長",
                 "role": "CIO", "speaker": "森下"},
                TOKYO_CIO,
                {"name": "久保田 早苗", "organization": "清瀬市", "position": "企画部長",
                 "speaker": "久保田"},
            ],
            "topics": ["業務標準化への対応", "デジタル人材の育成"],  # the ## headings
            "series": "kiyose-2021",
            "part": 2,  # 全2回の後半
            "parts": 2,
            "credits": CREDITS,
        },
        "headings": ["## 業務標準化への対応", "## デジタル人材の育成"],
        "undecided": ["全2回の記事の1つです"],
    },
    "meguro_setagaya_gannen": {
        "slug": "0012-meguro-setagaya",
        "front_matter": {
            "title": "目黒区CIO・世田谷区CIO×都CIO 座談会 第1回/全3回",
            "kind": "roundtable",
            "session": 12,  # not the 第1回 of 第1回/全3回
            "date": dt.date(2019, 11, 8),  # 令和元年
            "municipalities": ["目黒区", "世田谷区"],  # code order
            "participants": [
                {"name": "長谷部 修", "organization": "目黒区", "position": "副区長",
                 "role": "CIO", "speaker": "長谷部"},
                {"name": "真壁 ゆかり", "organization": "世田谷区", "position": "副区長",
                 "role": "CIO", "speaker": "真壁"},
                {"name": "藤堂 誠", "organization": "東京都デジタルサービス局",
                 "position": "戦略部長", "speaker": "藤堂"},
            ],
            "topics": ["窓口サービスのデジタル化", "職員の働き方"],  # the ## headings
            "tags": ["窓口DX", "書かない窓口"],
            "series": "meguro-setagaya-2019",
            "part": 1,
            "parts": 3,
            "credits": CREDITS,
        },
        "headings": ["## 窓口サービスのデジタル化", "### 申請の入り口を一つに", "### 書かない窓口",
                     "## 職員の働き方"],
        "undecided": ["全3回の記事の1つです"],
    },
    "hachioji_heisei_zenpen": {
        "slug": "0002-hachioji",
        "front_matter": {
            "title": "第2回 八王子市CIO×東京都CIO座談会（前編）",
            "kind": "roundtable",
            "session": 2,
            "date": dt.date(2018, 7, 20),  # 平成30年
            "published": dt.date(2018, 8, 1),  # the bare posting-date line
            "municipalities": ["八王子市"],
            "participants": [
                # 大河内健 without the space: the transcript's 大河内(八王子市) splits it
                {"name": "大河内 健", "organization": "八王子市", "position": "情報管理部長",
                 "role": "CIO", "speaker": "大河内"},
                TOKYO_CIO,
            ],
            "topics": ["セキュリティ対策の現状", "これからの庁内ネットワーク"],  # the ## headings
            "series": "hachioji-2018",
            "part": 1,  # （前編）, and 後編はこちら at the end
            "parts": 2,
            "credits": {"author": "桜井 亮"},
        },
        "headings": ["## セキュリティ対策の現状", "## これからの庁内ネットワーク"],
        "undecided": ["全2回の記事の1つです"],
    },
    "aogashima_interview": {
        "slug": "interview-2023-11",
        "front_matter": {
            "title": "青ケ島村CIOインタビュー　島のデジタル化を支える",
            "kind": "interview",
            "date": dt.date(2023, 11, 2),  # 令和五年十一月二日
            "published": dt.date(2024, 1, 10),
            "municipalities": ["青ヶ島村"],  # written 青ケ島村
            "participants": [
                {"name": "浜野 克己", "organization": "青ヶ島村", "position": "総務課長",
                 "role": "CIO", "speaker": "浜野"},
                {"name": "杉本 真帆", "organization": "東京都デジタルサービス局",
                 "position": "広報担当", "speaker": "杉本"},
            ],
            "topics": ["島ならではの課題", "これからの取り組み"],  # the ## headings
            "tags": ["島しょ", "インタビュー"],
            "credits": CREDITS,
        },
        "headings": ["## 島ならではの課題", "## これからの取り組み"],
        "undecided": [],
    },
    "hinode_no_date": {
        "slug": "0009-hinode",
        "front_matter": {
            "title": "第9回 日ノ出町CIO×都CIOの座談会 part2",
            "kind": "roundtable",
            "session": 9,
            "date": None,
            "municipalities": ["日の出町"],
            "participants": [
                {"name": "青柳 仁", "organization": "日の出町", "position": "副町長",
                 "role": "CIO", "speaker": "青柳"},
                TOKYO_CIO,
            ],
            "topics": ["観光とデジタル"],  # the ## headings
            "series": "hinode",
            "part": 2,  # part2 in the title
        },
        "headings": ["## 観光とデジタル"],
        "undecided": [
            "開催日が見つかりませんでした",
            "hinode_no_date.txt:14: 「地域の担い手と一緒に進める」は見出しか本文か判断できなかった",
            "タイトルの「日ノ出町」は東京都の区市町村にありません（「日の出町」のことですか？）",
            "全何回かが分かりませんでした",
            "何回かに分けた記事の1つです",
        ],
    },
    "minato_chuo_shinjuku": {
        "slug": "0018-chuo-minato-shinjuku",
        "front_matter": {
            "title": "【座談会】港区・中央区・新宿区のＣＩＯと語る データ活用のこれから",
            "kind": "roundtable",
            "session": 18,
            "date": dt.date(2022, 5, 20),
            "municipalities": ["中央区", "港区", "新宿区"],
            "participants": [
                {"name": "白石 拓海", "organization": "港区", "position": "情報政策監",
                 "role": "CIO", "speaker": "白石"},
                {"name": "國枝 美和", "organization": "中央区", "position": "副区長",
                 "role": "CIO", "speaker": "國枝"},
                {"name": "レイノルズ 咲", "organization": "新宿区", "role": "CIO補佐官",
                 "speaker": "レイノルズ"},
                TOKYO_CIO,
            ],
            "topics": ["データ活用の現状", "これからの連携"],  # the ## headings
        },
        # 【】 lines with no plain heading before them are the headings themselves
        "headings": ["## データ活用の現状", "## これからの連携"],
        "undecided": [],
    },
    # Shape 1: no participants list; each speaker introduced on the first turn as
    # ROLE：FAMILY（以下「LABEL」）, then the bare label.
    "musashino_introduced": {
        "slug": "0021-musashino",
        "front_matter": {
            "title": "第21回 武蔵野市CIO×都CIO座談会",
            "kind": "roundtable",
            "session": 21,
            "date": dt.date(2023, 6, 12),
            "municipalities": ["武蔵野市"],
            "participants": [
                {"name": "野々村", "organization": "武蔵野市", "role": "CIO", "speaker": "野々村"},
                {"name": "宮田", "organization": "東京都", "role": "CIO", "speaker": "宮田"},
                {"name": "早乙女", "organization": "武蔵野市", "position": "デジタル推進課長",
                 "speaker": "早乙女"},
            ],
            "topics": ["窓口の手続きを見直す"],
        },
        "headings": ["## 窓口の手続きを見直す"],
        "undecided": [],
    },
    "kunitachi_introduced_ascii": {  # ASCII colon and brackets; names with and without a space
        "slug": "0022-kunitachi",
        "front_matter": {
            "title": "国立市CIO×都CIOの座談会 第22回",
            "kind": "roundtable",
            "session": 22,
            "date": dt.date(2023, 9, 4),
            "municipalities": ["国立市"],
            "participants": [
                {"name": "佐々木 一郎", "organization": "国立市", "role": "CIO", "speaker": "佐々木"},
                # 宮田直子 without the space: the label 宮田 tells the family name
                {"name": "宮田 直子", "organization": "東京都", "role": "CIO", "speaker": "宮田"},
                {"name": "湊 健吾", "organization": "東京都デジタルサービス局", "position": "局長",
                 "speaker": "湊"},
            ],
            "topics": ["学校と地域をつなぐ"],
        },
        "headings": ["## 学校と地域をつなぐ"],
        "undecided": [],
    },
    # Shape 2: the organization inside the label of a participant line.
    "kiyose_label_org": {
        "slug": "0023-kiyose",
        "front_matter": {
            "title": "第23回 清瀬市CIO×都CIO座談会",
            "kind": "roundtable",
            "session": 23,
            "date": dt.date(2023, 11, 20),
            "municipalities": ["清瀬市"],
            "participants": [
                {"name": "南沢 志保", "organization": "清瀬市", "position": "総務部長", "speaker": "南沢"},
                {"name": "北条 拓也", "organization": "東京都デジタルサービス局",
                 "position": "デジタル戦略部長", "speaker": "北条"},
                {"name": "宮田 直子", "organization": "東京都", "role": "CIO", "speaker": "宮田"},
            ],
            "topics": ["職員の端末を入れ替える"],
        },
        "headings": ["## 職員の端末を入れ替える"],
        "undecided": [],
    },
    "hino_label_org_ascii": {  # ASCII colon; names written without the space
        "slug": "0024-hino",
        "front_matter": {
            "title": "第24回 日野市CIO×都CIO座談会",
            "kind": "roundtable",
            "session": 24,
            "date": dt.date(2024, 1, 16),
            "municipalities": ["日野市"],
            "participants": [
                {"name": "大久保 誠", "organization": "日野市", "position": "副市長", "speaker": "大久保"},
                {"name": "相沢 美穂", "organization": "日野市", "position": "企画部長", "speaker": "相沢"},
                {"name": "白井 亮", "organization": "東京都総務局", "position": "行政改革推進部長",
                 "speaker": "白井"},
                {"name": "宮田 直子", "organization": "東京都", "role": "CIO", "speaker": "宮田"},
            ],
            "topics": ["データで進める市政"],
        },
        "headings": ["## データで進める市政"],
        "undecided": [],
    },
    # Shape 3: a 議題 list names the topics; without one, heading pairs are sections.
    "ome_agenda": {
        "slug": "0025-ome",
        "front_matter": {
            "title": "第25回 青梅市CIO×都CIO座談会",
            "kind": "roundtable",
            "session": 25,
            "date": dt.date(2024, 1, 25),
            "municipalities": ["青梅市"],
            "participants": [
                {"name": "岩城 真一", "organization": "青梅市", "position": "副市長", "role": "CIO",
                 "speaker": "岩城"},
                TOKYO_CIO,
            ],
            "topics": ["窓口のオンライン化", "庁内データの活用"],
        },
        "headings": ["## 窓口のオンライン化", "## 庁内データの活用", "### 地図で見る人口の動き"],
        "undecided": [],
    },
    "tama_sections_ascii": {
        "slug": "0026-tama",
        "front_matter": {
            "title": "第26回 多摩市CIO×都CIO座談会",
            "kind": "roundtable",
            "session": 26,
            "date": dt.date(2024, 3, 8),
            "municipalities": ["多摩市"],
            "participants": [
                {"name": "榊原 紀子", "organization": "多摩市", "position": "副市長", "role": "CIO",
                 "speaker": "榊原"},
                TOKYO_CIO,
            ],
            "topics": ["職員の力を引き出す", "地域とつながる"],
        },
        "headings": ["## 職員の力を引き出す", "### 若手が手を挙げる仕組み", "### 現場の声を集める",
                     "## 地域とつながる", "### オープンデータの使い道"],
        "undecided": [],
    },
    # Shape 4: placeholders and platform leftovers, wherever they stand.
    "machida_leftovers": {
        "slug": "0027-machida",
        "front_matter": {
            "title": "第27回 町田市CIO×都CIO座談会",
            "kind": "roundtable",
            "session": 27,
            "date": dt.date(2024, 5, 14),
            "published": dt.date(2024, 6, 3),  # 公開日：, not 最新更新日：
            "municipalities": ["町田市"],
            "participants": [
                {"name": "大和田 聡", "organization": "町田市", "position": "副市長", "role": "CIO",
                 "speaker": "大和田"},
                TOKYO_CIO,
            ],
            "topics": ["子育ての手続き", "職員の学び"],
        },
        "headings": ["## 子育ての手続き", "## 職員の学び"],
        "undecided": [],
    },
    "hamura_leftovers_ascii": {
        "slug": "0028-hamura",
        "front_matter": {
            "title": "第28回 羽村市CIO×都CIO座談会",
            "kind": "roundtable",
            "session": 28,
            "date": dt.date(2024, 7, 9),
            "published": dt.date(2024, 8, 2),
            "municipalities": ["羽村市"],
            "participants": [
                {"name": "石黒 一馬", "organization": "羽村市", "position": "副市長", "role": "CIO",
                 "speaker": "石黒"},
                TOKYO_CIO,
            ],
            "topics": ["防災とデジタル"],
            "credits": {"author": "桜井 亮"},
        },
        "headings": ["## 防災とデジタル"],
        "undecided": [],
    },
    # Shape 5: the Tokyo government's interview pages.
    "tokyo_interview_ict": {
        "slug": "interview-2024-02",
        "front_matter": {
            "title": "都庁のICT職に聞く　現場から変える仕事の進め方",
            "kind": "interview",
            "date": dt.date(2024, 2, 1),  # ※ 記載内容は2024年2月時点のものです
            "published": dt.date(2024, 3, 15),
            "municipalities": [],
            "participants": [
                # position from the biography's first sentence …
                {"name": "吉永", "organization": "東京都デジタルサービス局", "position": "主任",
                 "speaker": "吉永"},
                # … or, when it names none, the 職種 of the profile line
                {"name": "小田切", "organization": "東京都総務局", "position": "ICT職",
                 "speaker": "小田切"},
            ],
            "topics": ["仕事のやりがい"],
            "tags": ["デジタル人材", "働き方", "インタビュー"],
        },
        "headings": ["## 仕事のやりがい"],
        "undecided": ["tokyo_interview_ict.txt:20: 開催日は月までしか分かりません"],
    },
    "tokyo_interview_ascii": {  # ASCII brackets and colon; a name with a space, one without
        "slug": "interview-2023-10",
        "front_matter": {
            "title": "区と都で作る窓口アプリ　二人の担当者に聞く",
            "kind": "interview",
            "date": dt.date(2023, 10, 1),
            "municipalities": ["港区"],
            "participants": [
                {"name": "片桐 遥", "organization": "東京都デジタルサービス局",
                 "position": "アプリ開発担当課長代理", "speaker": "片桐"},
                {"name": "三浦 拓海", "organization": "港区", "position": "主事", "speaker": "三浦"},
            ],
            "tags": ["共同開発", "窓口DX"],
        },
        "headings": [],
        "undecided": ["tokyo_interview_ascii.txt:15: 開催日は月までしか分かりません"],
    },
}
INTERVIEW_PAGES = ["tokyo_interview_ict", "tokyo_interview_ascii"]
MAGAZINE_PAGES = sorted(set(EXPECTED) - set(INTERVIEW_PAGES))


def _import(name: str) -> ImportResult:
    path = IMPORT / f"{name}.txt"
    return parse_blog_text(path.read_text("utf-8"), path.name)


def _headings(body: str) -> list[str]:
    return [line for line in body.split("\n") if line.startswith("#")]


def test_every_fixture_has_expectations():
    assert sorted(p.stem for p in IMPORT.glob("*.txt")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_front_matter_field_by_field(name):
    expected = EXPECTED[name]["front_matter"]
    fm = _import(name).front_matter
    assert list(fm) == list(expected)  # the format doc's order, nothing extra
    for key, value in expected.items():
        assert fm[key] == value, key


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_participants_field_by_field(name):
    expected = EXPECTED[name]["front_matter"]["participants"]
    got = _import(name).front_matter["participants"]
    assert len(got) == len(expected)
    for person, want in zip(got, expected, strict=True):
        for key in ("name", "organization", "position", "role", "speaker"):
            assert person.get(key) == want.get(key), (want["name"], key)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_suggested_slug(name):
    assert _import(name).suggested_slug == EXPECTED[name]["slug"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_headings(name):
    assert _headings(_import(name).body) == EXPECTED[name]["headings"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_undecided(name):
    notes = _import(name).undecided
    wanted = EXPECTED[name]["undecided"]
    assert len(notes) == len(wanted), notes
    for fragment in wanted:
        assert any(fragment in note for note in notes), (fragment, notes)


BOILERPLATE = [
    "見出し画像", "画像", "写真", "スクショ", "image.png", "はこちら", "https://", "参加者", "敬称略",
    "執筆", "編集：", "編集:", "バックナンバー", "この記事が気に入ったら", "サポート", "スキ", "チップ",
    "フォロー", "公開日", "更新日", "議題", "#窓口", "#島", "━", "全2回", "全3回", "別の記事",
    "ほかの記事", "多摩市CIO×都CIO座談会", "日野市CIO×都CIO座談会",
]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_boilerplate_is_removed(name):
    body = _import(name).body
    for text in BOILERPLATE:
        assert text not in body, text
    assert not re.search(r"^\d+$", body, re.MULTILINE)  # the like counter
    # ※ notes about the magazine go; an interview page's 記載内容は…時点 stays, for readers
    assert [line for line in body.split("\n") if "※" in line] == (
        [line for line in body.split("\n") if "記載内容は" in line] if name in INTERVIEW_PAGES else [])


INTROS = {
    "kiyose_part2": "令和３年１０月１５日に、「第５回 区市町村CIOフォーラム座談会」として、",
    "meguro_setagaya_gannen": "令和元年11月8日に、第12回の座談会として、",
    "hachioji_heisei_zenpen": "平成30年7月20日、八王子市役所にて第2回の座談会を開きました。",
    "aogashima_interview": "令和五年十一月二日、青ケ島村の浜野CIOに、",
    "hinode_no_date": "今回は、日の出町の取り組みを中心にお話を伺いました。",
    "minato_chuo_shinjuku": "令和4年5月20日に、「第１８回 区市町村CIOフォーラム座談会」として、",
    "musashino_introduced": "令和5年6月12日に、武蔵野市役所で第21回の座談会を開きました。",
    "kunitachi_introduced_ascii": "令和5年9月4日、第22回の座談会を国立市で開きました。",
    "kiyose_label_org": "令和5年11月20日に第23回の座談会を開き、",
    "hino_label_org_ascii": "令和6年1月16日、日野市役所で第24回の座談会を開きました。",
    "ome_agenda": "令和6年1月25日に、第25回の座談会を青梅市で開きました。",
    "tama_sections_ascii": "令和6年3月8日に第26回の座談会を開きました。",
    "machida_leftovers": "令和6年5月14日に、第27回の座談会を町田市役所で開きました。",
    "hamura_leftovers_ascii": "令和6年7月9日に第28回の座談会を開きました。",
}


@pytest.mark.parametrize("name", MAGAZINE_PAGES)
def test_intro_is_kept_as_the_first_paragraph(name):
    """The date sentence stays: it is what the site shows as the default summary."""
    paragraphs = _import(name).body.split("\n\n")
    assert paragraphs[0].startswith(INTROS[name])
    assert paragraphs[1].startswith("## ")


def test_speaker_lines_keep_their_words_and_lines_become_paragraphs():
    body = _import("kiyose_part2").body
    paragraphs = body.rstrip("\n").split("\n\n")
    assert "森下\n標準化の期限に向けて、庁内に横断的なチームを作りました。" in body
    # two blog lines of one speaker: two paragraphs, the second still in the turn
    assert "久保田\n現場では、手順書が部署ごとにばらばらだったことが分かりました。" in paragraphs
    assert "まずはそこをそろえるところからです。" in paragraphs
    assert "宮田：都としては、" in body  # form 4 as written, full-width colon
    assert "― 職員の皆さんの反応はいかがでしたか。" in paragraphs


def test_transcript_forms_are_kept_as_written():
    body = _import("meguro_setagaya_gannen").body
    assert "目黒区CIO:長谷部（以下「長谷部」）\n区民の皆さんが" in body  # form 3
    assert "真壁（世田谷区）\n世田谷区では" in body  # form 2
    assert "真壁(世田谷区)\n窓口の職員が" in body  # form 2, ASCII brackets
    assert "\n\n藤堂:書かない窓口の取り組みは" in body  # form 4, ASCII colon
    body = _import("minato_chuo_shinjuku").body
    assert "港区ＣＩＯ：白石\n各課が" in body and "都CIO：宮田\n区をまたいだ" in body


def test_question_dashes_are_made_recognisable():
    body = _import("hachioji_heisei_zenpen").body
    assert "― 見直しで特に苦労した点は何でしたか。" in body
    assert "─" not in body


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_content_file_round_trips(name):
    result = _import(name)
    text = to_content_file(result)
    assert text.startswith("---\n")
    front, sep, body = text[4:].partition("---\n\n")
    assert sep and body == result.body
    assert yaml.safe_load(front) == result.front_matter
    date = result.front_matter["date"]
    expected = f"date: {date:%Y-%m-%d}" if date else "date: null"
    assert expected in front.split("\n")  # unquoted


def test_missing_date_is_reported_not_guessed():
    result = _import("hinode_no_date")
    assert result.front_matter["date"] is None
    assert "開催日が見つかりませんでした（date を YYYY-MM-DD で書いてください）" in result.undecided


def test_posting_date_is_not_taken_for_the_meeting_date_but_stands_in_as_a_listed_guess():
    text = "タイトル\n2024年1月10日 09:00\n参加者（敬称略）\n清瀬市CIO：清瀬市副市長 森下 啓介\n"
    result = parse_blog_text(text)
    assert result.front_matter["published"] == dt.date(2024, 1, 10)
    assert result.front_matter["date"] == dt.date(2024, 1, 10)  # a guess, so that the file builds
    assert ("開催日が見つかりませんでした。仮に、公開日（2024-01-10）を date に入れました: 開催日に直してください"
            in result.undecided)


def test_with_no_date_at_all_the_day_the_text_was_saved_stands_in():
    text = "第3回 清瀬市の座談会\n参加者（敬称略）\n清瀬市CIO：清瀬市副市長 森下 啓介\n"
    result = parse_blog_text(text, saved=dt.date(2025, 6, 30))
    assert result.front_matter["date"] == dt.date(2025, 6, 30)
    assert any("仮に、テキストを保存した日（2025-06-30）を date に入れました" in n for n in result.undecided)


@pytest.mark.parametrize("text, day", [
    ("令和3年10月15日に", dt.date(2021, 10, 15)),
    ("令和３年１０月１５日", dt.date(2021, 10, 15)),
    ("令和元年5月1日", dt.date(2019, 5, 1)),
    ("平成30年7月20日、", dt.date(2018, 7, 20)),
    ("平成元年1月8日", dt.date(1989, 1, 8)),
    ("令和五年十一月二日", dt.date(2023, 11, 2)),
    ("令和 4 年 5 月 20 日", dt.date(2022, 5, 20)),
    ("令和2年2月30日", None),
    ("2021年10月15日", None),
    ("", None),
])
def test_parse_wareki_date(text, day):
    assert parse_wareki_date(text) == day


def test_wrong_era_and_second_date_are_reported():
    text = ("架空の座談会\n令和元年4月1日に第3回の座談会を開きました。令和元年6月1日にも集まりました。\n"
            "参加者（敬称略）\n清瀬市CIO：清瀬市副市長 森下 啓介\n")
    result = parse_blog_text(text, "x.txt")
    assert result.front_matter["date"] == dt.date(2019, 4, 1)
    assert any(n.startswith("x.txt:2: 和暦の元号と年が合いません") for n in result.undecided)
    assert any("開催日の候補がほかにもあります（2019-06-01）" in n for n in result.undecided)


def test_unknown_municipality_in_organization_is_reported():
    text = ("架空市CIOの座談会\n令和3年10月15日に第7回の座談会を開きました。\n参加者（敬称略）\n"
            "架空市CIO：架空市副市長 山田 太郎\n")
    result = parse_blog_text(text, "x.txt")
    person = result.front_matter["participants"][0]
    assert (person["organization"], person["position"]) == ("架空市", "副市長")
    assert result.front_matter["municipalities"] == []
    assert any("「架空市」は東京都の区市町村にありません" in n for n in result.undecided)
    assert any("区市町村が見つかりませんでした" in n for n in result.undecided)


def test_labels_used_in_the_transcript_win_over_the_family_name():
    text = ("第3回 清瀬市の座談会\n令和3年10月15日に開きました。\n参加者（敬称略）\n"
            "清瀬市CIO：清瀬市副市長 森下 啓介\n最初の話題\n司会\nそれでは始めます\n"
            "森下CIO\nよろしくお願いします。\n司会\n取り組みを教えてください\n"
            "森下CIO\n庁内の体制を見直しました。\n")
    result = parse_blog_text(text)
    assert result.front_matter["participants"][0]["speaker"] == "森下CIO"
    assert _headings(result.body) == ["## 最初の話題"]
    assert "森下CIO\n庁内の体制を見直しました。" in result.body
    assert any("発言者「司会」が参加者の一覧にありません" in n for n in result.undecided)


def test_interview_without_the_word_is_flagged():
    result = parse_blog_text("清瀬市の取り組み\n令和3年10月15日に伺いました。\n")
    assert result.front_matter["kind"] == "interview"
    assert result.suggested_slug == "interview-2021-10"
    assert any("インタビュー（kind: interview）として" in n for n in result.undecided)


@pytest.mark.parametrize("text", ["", "\n\n", "見出し画像\n画像\n"])
def test_empty_input_is_reported_not_raised(text):
    result = parse_blog_text(text)
    assert "タイトルが見つかりませんでした" in result.undecided
    assert yaml.safe_load(to_content_file(result)[4:].partition("---\n")[0])["title"] == ""


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_imported_fixture_parses_as_an_article(name):
    from cio_forum_site.content.article import parse_article
    from cio_forum_site.content.model import Turn

    result = _import(name)
    article, errors = parse_article(f"content/{result.suggested_slug}.md", to_content_file(result))
    if result.front_matter["date"] is None:  # the editor has to fill it in
        assert [e.message for e in errors] == ["必須項目 `date` が空です"]
        return
    assert errors == []
    assert article.suspect_labels == ()
    assert article.topics == tuple(h.split(" ", 1)[1] for h in EXPECTED[name]["headings"]
                                   if h.startswith("## "))
    speakers = {b.speaker for b in article.blocks if isinstance(b, Turn)}
    people = {p["speaker"] for p in result.front_matter["participants"]}
    assert speakers <= people and speakers


@pytest.mark.parametrize("note, part, parts", [
    ("この記事は全2回の後半です。前半はこちら", 2, 2),
    ("全3回の第2回です", 2, 3),
    ("第3回/全3回", 3, 3),
    ("前半はこちら", 2, 2),
    ("後編はこちら", 1, 2),
    ("前編はこちら\n中編はこちら", 3, 3),
    ("part1はこちら", 2, None),
    ("part2はこちら", 1, None),
])
def test_part_notes(note, part, parts):
    result = parse_blog_text(f"清瀬市の座談会\n令和3年10月15日に第5回の座談会を開きました。\n{note}\n")
    assert (result.front_matter.get("part"), result.front_matter.get("parts")) == (part, parts)
    assert result.front_matter["series"] == "kiyose-2021"
    assert result.front_matter["session"] == 5
    assert "こちら" not in result.body and "全3回" not in result.body


# ---- shape 1: participants introduced only in the transcript

def test_introduced_speakers_make_every_turn():
    result = _import("musashino_introduced")
    body = result.body
    assert "武蔵野市CIO：野々村（以下「野々村」）\n本日はよろしくお願いします。" in body
    assert "野々村\n件数の多い転入と転出の手続きからです。" in body
    assert not any("参加者の一覧" in n for n in result.undecided)


def test_an_introduction_with_no_place_in_its_role_is_reported():
    text = ("第30回 府中市CIO×都CIO座談会\n令和6年4月1日に第30回の座談会を開きました。\n"
            "府中市CIO：森 大地（以下「森」）\nよろしくお願いします。\n"
            "司会：編集部（以下「編集部」）\n始めましょう。\n")
    result = parse_blog_text(text, "x.txt")
    people = result.front_matter["participants"]
    assert people[0] == {"name": "森 大地", "organization": "府中市", "role": "CIO", "speaker": "森"}
    assert people[1] == {"name": "編集部", "speaker": "編集部"}
    assert "x.txt:5: 参加者「編集部」の所属（organization）が分かりませんでした" in result.undecided


# ---- shape 3: 議題

def test_an_agenda_item_with_no_heading_in_the_body_is_reported():
    text = ("第31回 調布市CIO×都CIO座談会\n令和6年4月2日に第31回の座談会を開きました。\n議題\n"
            "①窓口の改善\n②人材の育成\n参加者（敬称略）\n調布市CIO：調布市副市長 森 大地\n"
            "窓口の改善\n森：窓口の待ち時間を半分にしました。\n")
    result = parse_blog_text(text, "x.txt")
    assert result.front_matter["topics"] == ["窓口の改善", "人材の育成"]
    assert _headings(result.body) == ["## 窓口の改善"]
    assert any("議題「人材の育成」に当たる見出しが本文に見つかりませんでした" in n for n in result.undecided)


# ---- shape 5: the Tokyo government's interview pages

def test_interview_page_questions_answers_and_lead():
    paragraphs = _import("tokyo_interview_ict").body.rstrip("\n").split("\n\n")
    assert paragraphs[0].startswith("東京都では、デジタルの力で行政サービスを良くするために")
    assert "― 都庁を選んだきっかけを教えてください" in paragraphs
    assert "― いちばん手応えを感じるのはどんなときですか。" in paragraphs
    assert "吉永：区市町村の方から、作業が楽になったと言ってもらえたときです。" in paragraphs
    # a second paragraph of an answer stays prose, inside the turn
    assert "一人ではできない規模の仕事を、チームで進められるのも面白さです。" in paragraphs
    assert not any(p.startswith(("- ", "吉永（", "小田切（")) for p in paragraphs)  # tags, profiles
    assert not any("2019年に入都" in p for p in paragraphs)  # biographies go to participants


def test_interview_page_without_a_month_gets_a_listed_guess():
    text = ("都庁の仕事を聞く\n- 人材\n二人に聞きました。\n"
            "吉永（デジタルサービス局／ICT職）\n2019年に入都。\n"
            "仕事は楽しいですか\n吉永：はい、とても。\n")
    result = parse_blog_text(text, "x.txt", saved=dt.date(2024, 5, 7))
    assert result.front_matter["kind"] == "interview"
    assert result.front_matter["date"] == dt.date(2024, 5, 7)
    assert any("仮に、テキストを保存した日（2024-05-07）" in n for n in result.undecided)


def test_a_magazine_transcript_with_slashed_notes_is_not_taken_for_an_interview_page():
    text = ("第32回 清瀬市CIO×都CIO座談会\n令和6年5月1日に第32回の座談会を開きました。\n"
            "森下（清瀬市／副市長）\n標準化を進めています。\n宮田（東京都／CIO）\nよろしくお願いします。\n"
            "森下（清瀬市／副市長）\n次は人材です。\n")
    result = parse_blog_text(text)
    assert result.front_matter["kind"] == "roundtable" and result.front_matter["session"] == 32


@pytest.mark.parametrize("line", [
    "宮田：都として区市町村をサポートしてください。", "宮田：サポートをしてみませんかと声をかけました。"])
def test_words_about_support_in_a_turn_are_kept(line):
    text = ("第33回 清瀬市の座談会\n令和6年5月2日に第33回の座談会を開きました。\n参加者（敬称略）\n"
            f"都CIO：東京都CIO 宮田 直子\n話題\n{line}\n")
    assert line in parse_blog_text(text).body


def test_a_back_number_list_in_the_middle_goes_up_to_this_articles_next_heading():
    text = ("第34回 府中市CIO×都CIO座談会\n令和6年6月1日に第34回の座談会を開きました。\n参加者（敬称略）\n"
            "府中市CIO：府中市副市長 森 大地\n窓口の話\n森：窓口を見直しました。\n"
            "直近のバックナンバー\n都庁のICT職に聞く\n島のデジタル化\n"
            "人材の話\n森：研修を増やしました。\n")
    result = parse_blog_text(text)
    assert _headings(result.body) == ["## 窓口の話", "## 人材の話"]
    assert "ICT職" not in result.body and "島の" not in result.body


def test_interview_page_q_lines_and_marked_headings():
    text = ("都庁の仕事を聞く\n- 人材\n二人に聞きました。\n吉永（デジタルサービス局／ICT職）\n2019年に入都。\n"
            "■入都のきっかけ\nQ1. 都庁を選んだ理由は？\n吉永：仕組みから変えたかったからです。\n"
            "QRコードの申請は、どう広げますか。\n吉永：窓口に案内を置きます。\n"
            "※ 記載内容は2024年2月時点のものです\n")
    paragraphs = parse_blog_text(text).body.split("\n\n")
    assert "## 入都のきっかけ" in paragraphs
    assert "― 都庁を選んだ理由は？" in paragraphs  # as written
    assert "― QRコードの申請は、どう広げますか。" in paragraphs


def test_a_participants_list_without_its_heading_is_read_as_one():
    text = ("第35回 府中市CIO×都CIO座談会\n令和6年6月3日に第35回の座談会を開きました。\n"
            "府中市CIO：府中市副市長 森 大地\n都CIO：東京都CIO 宮田 直子\n"
            "窓口の話\n森：窓口を見直しました。\n宮田：そうですね。\n")
    result = parse_blog_text(text)
    assert [p["name"] for p in result.front_matter["participants"]] == ["森 大地", "宮田 直子"]
    assert "副市長" not in result.body
    assert not any("参加者の一覧" in n for n in result.undecided)


def test_the_participants_pasted_again_into_the_body_are_left_out_and_listed():
    text = ("第36回 府中市CIO×都CIO座談会\n令和6年6月4日に第36回の座談会を開きました。\n参加者（敬称略）\n"
            "府中市CIO：府中市副市長 森 大地\n都CIO：東京都CIO 宮田 直子\n"
            "府中市CIO：森\n都CIO：宮田\n窓口の話\n森：窓口を見直しました。\n宮田\nそうですね。\n")
    result = parse_blog_text(text, "x.txt")
    assert "府中市CIO：森" not in result.body and "都CIO：宮田" not in result.body
    assert "宮田\nそうですね。" in result.body
    assert "x.txt:6: 参加者の一覧と同じ話者の行（2行、発言なし）は本文から除きました" in result.undecided


def test_an_introduction_may_have_a_comma():
    text = ("第37回 府中市CIO×都CIO座談会\n令和6年6月5日に第37回の座談会を開きました。\n"
            "府中市CIO：森 大地（以下、「森」）\nよろしくお願いします。\n森\n始めましょう。\n")
    people = parse_blog_text(text).front_matter["participants"]
    assert people == [{"name": "森 大地", "organization": "府中市", "role": "CIO", "speaker": "森"}]


def test_an_agenda_on_one_line():
    text = ("第38回 府中市CIO×都CIO座談会\n令和6年6月6日に第38回の座談会を開きました。\n"
            "議題：①窓口の改善　②人材の育成\n参加者（敬称略）\n府中市CIO：府中市副市長 森 大地\n"
            "②人材の育成\n森：研修を増やしました。\n")
    result = parse_blog_text(text)
    assert result.front_matter["topics"] == ["窓口の改善", "人材の育成"]
    assert _headings(result.body) == ["## 人材の育成"]


def test_a_roundtable_naming_no_municipality_in_title_or_participants_gets_a_listed_guess():
    text = ("第39回 多摩地域の座談会\n令和6年6月7日に第39回の座談会を開きました。\n参加者（敬称略）\n"
            "都CIO：東京都CIO 宮田 直子\n窓口の話\n宮田：小金井市と国分寺市の例を紹介します。\n"
            "宮田：小金井市では、窓口の予約が始まりました。\n")
    result = parse_blog_text(text, "x.txt")
    assert result.front_matter["municipalities"] == ["小金井市"]
    assert result.suggested_slug == "0039-koganei"
    assert any(n.startswith("x.txt:6: 題名にも参加者の所属にも区市町村がないため、本文に多く出てくる「小金井市」を仮に")
               for n in result.undecided)


def test_two_participants_with_one_family_name_get_labels_that_build():
    from cio_forum_site.content.article import parse_article

    text = ("第40回 港区CIO×都CIO座談会\n令和6年6月8日に第40回の座談会を開きました。\n参加者（敬称略）\n"
            "港区CIO：港区副区長 宮田 一郎\n都CIO：東京都CIO 宮田 直子\n窓口の話\n"
            "宮田一郎：港区の例です。\n宮田直子：都の例です。\n")
    result = parse_blog_text(text, "x.txt")
    assert [p["speaker"] for p in result.front_matter["participants"]] == ["宮田一郎", "宮田直子"]
    assert len(result.undecided) == 2
    assert all(n.split(": ", 1)[1].startswith("話者ラベル「宮田」が2人以上の参加者と同じため") for n in result.undecided)
    assert "\n\n宮田一郎：港区の例です。" in result.body
    article, errors = parse_article("content/0040-minato.md", to_content_file(result))
    assert errors == []
