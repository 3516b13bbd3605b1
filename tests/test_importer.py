"""The blog-text importer: facts extracted from each fixture, the body it writes, and the
notes it leaves for the editor."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml
from conftest import FIXTURES

from cio_forum_site.importer.parse import (
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
        },
        # 【】 lines with no plain heading before them are the headings themselves
        "headings": ["## データ活用の現状", "## これからの連携"],
        "undecided": [],
    },
}


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
    "※", "見出し画像", "画像", "写真", "image.png", "はこちら", "https://", "参加者", "敬称略",
    "執筆", "編集：", "編集:", "バックナンバー", "この記事が気に入ったら", "スキ", "チップ",
    "#窓口", "#島", "━", "全2回", "全3回", "別の記事",
]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_boilerplate_is_removed(name):
    body = _import(name).body
    for text in BOILERPLATE:
        assert text not in body, text
    assert not re.search(r"^\d+$", body, re.MULTILINE)  # the like counter


INTROS = {
    "kiyose_part2": "令和３年１０月１５日に、「第５回 区市町村CIOフォーラム座談会」として、",
    "meguro_setagaya_gannen": "令和元年11月8日に、第12回の座談会として、",
    "hachioji_heisei_zenpen": "平成30年7月20日、八王子市役所にて第2回の座談会を開きました。",
    "aogashima_interview": "令和五年十一月二日、青ケ島村の浜野CIOに、",
    "hinode_no_date": "今回は、日の出町の取り組みを中心にお話を伺いました。",
    "minato_chuo_shinjuku": "令和4年5月20日に、「第１８回 区市町村CIOフォーラム座談会」として、",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
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


def test_posting_date_is_not_taken_for_the_meeting_date():
    text = "タイトル\n2024年1月10日 09:00\n参加者（敬称略）\n清瀬市CIO：清瀬市副市長 森下 啓介\n"
    result = parse_blog_text(text)
    assert result.front_matter["date"] is None
    assert result.front_matter["published"] == dt.date(2024, 1, 10)
    assert any("開催日が見つかりませんでした" in note for note in result.undecided)


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
