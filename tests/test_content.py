"""The loader: parse_article on string literals, and load_archive on fixture folders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import FIXTURES

from cio_forum_site.content.article import parse_article
from cio_forum_site.content.files import load_archive
from cio_forum_site.errors import ContentError

GOOD = """---
title: 架空の座談会
session: 7
date: 2021-10-15
municipalities: [清瀬市]
participants:
  - name: 山田 太郎
    organization: 清瀬市
    position: 副市長
    role: CIO
  - name: 佐藤 花子
    organization: 東京都
    role: CIO
---

最初の段落です。*強調*もあります。

## 一つ目の議題

山田：はい。
"""


def messages(text: str) -> list[str]:
    _, errors = parse_article("a.md", text)
    return [str(e) for e in errors]


def test_a_valid_article_becomes_an_article_with_defaults():
    article, errors = parse_article("content/0007-x.md", GOOD)
    assert errors == []
    assert article.slug == "0007-x"
    assert article.kind == "roundtable"
    assert article.session == 7
    assert article.date == dt.date(2021, 10, 15)
    assert [m.name for m in article.municipalities] == ["清瀬市"]
    assert [p.speaker for p in article.participants] == ["山田", "佐藤"]
    assert article.topics == ("一つ目の議題",)
    assert article.summary == "最初の段落です。強調もあります。"
    assert article.fiscal_year.label == "令和3年度"


UNCLOSED = ("front matter の YAML: 閉じ括弧 `]` がありません: `[` で始めたリストは同じ行のうちに `]` で"
            "閉じてください（項目は `,` で区切ります。例: tags: [窓口, DX推進]）")


def test_malformed_yaml_is_reported_in_japanese_at_the_one_place_to_fix():
    text = "---\ntitle: a\nsession: [1\ndate: 2021-01-01\n---\n"
    assert messages(text) == [f"a.md:3:10: エラー: {UNCLOSED}"]  # the unclosed [


@pytest.mark.parametrize(("yaml_text", "where", "words"), [
    ("title: DX: 次の一歩", "2:10", "ここに `:` は書けません"),
    ('title: "閉じない', "2:8", "引用符が閉じられていません"),
    ("credits: {author: 山田", "2:10", "閉じ括弧 `}` がありません"),
    ("tags:\n\t- 窓口", "3:1", "字下げにタブは使えません"),
    ("title: @山田", "2:8", "この文字では値を始められません"),
    ('title: !!bool "x"', "2:8", "`!!bool` として読めません"),
    ("session: " + "1" * 5_000, "2:10", "数が長すぎて読めません"),
    ("tags: " + "[" * 2_000, "2:", "入れ子が深すぎます"),
])
def test_yaml_errors_say_what_to_do_in_japanese(yaml_text, where, words):
    (shown,) = messages(f"---\n{yaml_text}\n---\n本文\n")
    assert shown.startswith(f"a.md:{where}") and words in shown, shown
    assert "while" not in shown and "expected" not in shown


def test_front_matter_never_closed():
    assert messages("---\ntitle: a\n\n本文\n") == [
        "a.md:1:0: エラー: front matter が閉じられていません: 1行目の `---` に対応する `---` の行がありません"
    ]


def test_a_file_without_front_matter():
    assert messages("# 見出し\n") == [
        "a.md:1:0: エラー: front matter がありません: ファイルの1行目を `---` にして、YAML の項目を書いてください"
    ]


def test_missing_required_fields_are_each_reported():
    assert messages("---\nkind: roundtable\n---\n") == [
        "a.md:1:0: エラー: 必須項目 `title` がありません",
        "a.md:1:0: エラー: 必須項目 `session` がありません（座談会には第何回かを書きます）",
        "a.md:1:0: エラー: 必須項目 `date` がありません",
        "a.md:1:0: エラー: 必須項目 `municipalities` がありません（座談会には区市町村を1つ以上書きます）",
    ]


def test_a_value_of_the_wrong_type_names_the_field_and_the_value():
    text = GOOD.replace("session: 7", "session: 第七回").replace("title: 架空の座談会", "title: [a, b]")
    assert messages(text) == [
        "a.md:2:0: エラー: `title` は文字列で書いてください（リスト になっています）",
        "a.md:3:0: エラー: `session` は1以上の整数で書いてください（「第七回」 になっています）",
    ]


def test_a_date_that_is_not_a_date():
    assert messages(GOOD.replace("2021-10-15", "2021-13-01")) == [
        "a.md:4:0: エラー: `date` が日付になっていません: 「2021-13-01」（2021-10-15 のように、実在する日を YYYY-MM-DD で書いてください）"
    ]


def test_an_unknown_municipality_gets_a_suggestion():
    assert messages(GOOD.replace("[清瀬市]", "[国分時市]")) == [
        "a.md:5:0: エラー: 「国分時市」は東京都の区市町村にありません。「国分寺市」のことですか？"
    ]


def test_tokyo_itself_is_not_a_municipality():
    assert messages(GOOD.replace("[清瀬市]", "[東京都]")) == [
        "a.md:5:0: エラー: 東京都は区市町村ではありません: `municipalities` から外し、参加者の `organization` に書いてください"
    ]


def test_width_variants_of_a_municipality_name_are_the_same():
    article, errors = parse_article("a.md", GOOD.replace("[清瀬市]", "[青ケ島村]"))
    assert errors == []
    assert article.municipalities[0].name == "青ヶ島村"


def test_an_unknown_field_is_an_error_with_a_suggestion():
    assert messages(GOOD.replace("municipalities:", "municipality:")) == [
        "a.md:5:0: エラー: 知らない項目 `municipality` です。`municipalities` のことですか？",
        "a.md:1:0: エラー: 必須項目 `municipalities` がありません（座談会には区市町村を1つ以上書きます）",
    ]


def test_two_participants_with_the_same_label_must_be_told_apart():
    text = GOOD.replace("佐藤 花子", "山田 花子")
    assert messages(text) == [
        "a.md:11:0: エラー: 話者ラベル「山田」が1人目の参加者と重なっています: どちらかに `speaker` を書いて区別してください"
    ]


def test_an_interview_needs_no_session_or_municipality():
    text = "---\ntitle: 聞く\nkind: interview\ndate: 2023-11-01\n---\n本文\n"
    article, errors = parse_article("a.md", text)
    assert errors == []
    assert article.session is None and article.municipalities == ()


def test_a_byte_order_mark_and_windows_line_ends_are_accepted():
    article, errors = parse_article("a.md", "\ufeff" + GOOD.replace("\n", "\r\n"))
    assert errors == [] and article.title == "架空の座談会"


def test_every_problem_in_every_file_is_reported_in_one_run():
    _, errors = load_archive(FIXTURES / "broken", base=FIXTURES / "broken")
    shown = [str(e) for e in sorted(errors)]
    assert shown == [
        f"01-malformed-yaml.md:5:17: エラー: {UNCLOSED}",
        "02-unclosed.md:1:0: エラー: front matter が閉じられていません: 1行目の `---` に対応する `---` の行がありません",
        "03-missing-title.md:1:0: エラー: 必須項目 `title` がありません",
        "04-wrong-type.md:3:0: エラー: `session` は1以上の整数で書いてください（「第五回」 になっています）",
        "05-bad-date.md:4:0: エラー: `date` が日付になっていません: 「2021-02-30」（2021-10-15 のように、実在する日を YYYY-MM-DD で書いてください）",
        "06-unknown-municipality.md:7:0: エラー: 「国分時市」は東京都の区市町村にありません。「国分寺市」のことですか？",
        "08-duplicate-b.md:3:0: エラー: 第207回は 07-duplicate-a.md でも使われています: 回の番号は記事ごとに変えてください",
        "09-shift-jis.md:2:0: エラー: UTF-8 のテキストではありません。Shift_JIS で保存されているようです。文字コードを UTF-8 にして保存し直してください",
    ]


def test_a_missing_image_is_reported(tmp_path: Path):
    (tmp_path / "0007-x.md").write_text(GOOD.replace("title:", "image: images/none.png\ntitle:"), "utf-8")
    _, errors = load_archive(tmp_path)
    assert [(e.line, e.message) for e in errors] == [
        (2, "画像「images/none.png」が見つかりません（content/ からの相対パスで書いてください）")
    ]


def test_errors_are_values_with_path_and_line():
    error = ContentError("content/a.md", 3, "メッセージ")
    assert str(error) == "content/a.md:3:0: エラー: メッセージ"


def test_a_required_field_left_empty_is_reported_at_its_own_line():
    assert messages(GOOD.replace("date: 2021-10-15", "date:")) == ["a.md:4:0: エラー: 必須項目 `date` が空です"]


def test_a_roundtable_with_an_empty_municipality_list_is_told_so_alongside_other_errors():
    text = GOOD.replace("[清瀬市]", "[]").replace("session: 7", "session: 0")
    assert messages(text) == [
        "a.md:3:0: エラー: `session` は1以上の整数で書いてください（「0」 になっています）",
        "a.md:5:0: エラー: 座談会には `municipalities` を1つ以上書いてください",
    ]
