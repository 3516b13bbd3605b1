"""`cio-forum-site check`: the build's errors plus warnings, each at its path:line:col.

tests/fixtures/check_warnings/content/ holds one problem of each kind in 0301-hamura.md
and a clean article, 0302-ome.md, whose links, image and speakers are all right.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

from cio_forum_site.cli import main
from cio_forum_site.commands.check import check_archive_warnings
from cio_forum_site.content.article import parse_article

CASE = FIXTURES / "check_warnings"
HAMURA = "content/0301-hamura.md"

MISSING_PART = (f"{HAMURA}:19:7: 警告: シリーズ「hamura-2022」の前半（part: 1、全2回）の記事がありません: "
                "その回の記事を加えるか、series・part・parts を確かめてください")
TAG_WIDTH = (f"{HAMURA}:17:8: 警告: タグ「ＤＸ推進」と「DX推進」（content/0302-ome.md）は全角・半角や"
             "大文字・小文字だけが違います: 「DX推進」にそろえてください")
UNKNOWN_LABEL = (f"{HAMURA}:30:1: 警告: 「高田：補足すると、予約の仕組みも試しています。」は話者の行のようですが、"
                 "参加者に「高田」がいません: participants に加えるか、名前を確かめてください")
SILENT = (f"{HAMURA}:14:11: 警告: 参加者「村上 誠」の発言が本文にありません（話者の行は「村上」と書きます）: "
          "本文の話者の行を確かめるか、参加者から外してください")
MISSING_IMAGE = (f"{HAMURA}:32:10: 警告: 画像「images/uketsuke.png」が見つかりません: "
                 "content/images/uketsuke.png にファイルを置くか、content/ からのパスを確かめてください")
MISSING_PAGE = (f"{HAMURA}:34:14: 警告: リンク先「/articles/0300-hamura/」のページがありません: "
                "URL を確かめてください")


def check(*args: str) -> tuple[int, str, str]:
    """Run `cio-forum-site check` in the current folder: (exit code, stdout, stderr)."""
    result = subprocess.run([sys.executable, "-m", "cio_forum_site", "check", *args],
                            capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout, result.stderr


@pytest.fixture
def in_case(monkeypatch) -> Path:
    monkeypatch.chdir(CASE)
    return CASE


def warnings_in(capsys, *args: str) -> list[str]:
    main(["check", "--content", "content", *args])
    return capsys.readouterr().out.splitlines()


def test_a_series_with_a_missing_part_is_warned_at_the_part_line(in_case, capsys):
    assert MISSING_PART in warnings_in(capsys)


def test_tags_that_differ_only_by_width_or_case_are_warned_at_the_tag(in_case, capsys):
    assert TAG_WIDTH in warnings_in(capsys)


def test_a_speaker_line_naming_no_participant_is_warned_at_that_line(in_case, capsys):
    assert UNKNOWN_LABEL in warnings_in(capsys)


def test_a_participant_who_never_speaks_is_warned_at_their_name(in_case, capsys):
    assert SILENT in warnings_in(capsys)


def test_an_image_that_is_not_there_is_warned_at_the_image(in_case, capsys):
    assert MISSING_IMAGE in warnings_in(capsys)


def test_an_internal_link_to_no_page_is_warned_at_the_link(in_case, capsys):
    assert MISSING_PAGE in warnings_in(capsys)


def test_text_output_is_every_problem_once_in_file_order(in_case):
    code, out, err = check()
    assert out.splitlines() == [SILENT, TAG_WIDTH, MISSING_PART, UNKNOWN_LABEL, MISSING_IMAGE, MISSING_PAGE]
    assert err == "エラー 0件、警告 6件（2本の記事を確かめました）\n"
    assert code == 0


def test_json_output_is_a_list_with_the_same_fields(in_case):
    code, out, _ = check("--format", "json")
    rows = json.loads(out)
    assert rows[0] == {
        "path": HAMURA, "line": 14, "col": 11, "severity": "warning",
        "message": "参加者「村上 誠」の発言が本文にありません（話者の行は「村上」と書きます）: "
                   "本文の話者の行を確かめるか、参加者から外してください",
    }
    words = {"error": "エラー", "warning": "警告"}
    text = [f"{r['path']}:{r['line']}:{r['col']}: {words[r['severity']]}: {r['message']}" for r in rows]
    assert text == [SILENT, TAG_WIDTH, MISSING_PART, UNKNOWN_LABEL, MISSING_IMAGE, MISSING_PAGE]
    assert code == 0


def test_existing_links_images_anchors_and_external_links_are_not_warned(in_case, capsys):
    assert not [line for line in warnings_in(capsys) if "0302-ome.md" in line.split(":")[0]]


def test_an_error_exits_1_and_is_reported_with_the_warnings_in_one_run(tmp_path, monkeypatch):
    shutil.copytree(CASE / "content", tmp_path / "content")
    ome = tmp_path / "content" / "0302-ome.md"
    ome.write_text(ome.read_text("utf-8").replace("municipalities: [青梅市]", "municipalities: [青海市]"), "utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = check()
    lines = out.splitlines()
    assert ("content/0302-ome.md:5:18: エラー: 「青海市」は東京都の区市町村にありません。"
            "「青梅市」のことですか？") in lines
    assert SILENT in lines and MISSING_PAGE in lines
    assert err.startswith("エラー 1件、警告")
    assert code == 1


def test_json_output_carries_the_severity_of_errors(tmp_path, monkeypatch):
    shutil.copytree(CASE / "content", tmp_path / "content")
    (tmp_path / "content" / "0303-broken.md").write_text("---\ntitle: 壊れた記事\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = check("--format", "json")
    errors = [r for r in json.loads(out) if r["severity"] == "error"]
    assert errors == [{"path": "content/0303-broken.md", "line": 1, "col": 1, "severity": "error",
                       "message": "front matter が閉じられていません: 1行目の `---` に対応する `---` の行がありません"}]
    assert code == 1


def test_a_clean_folder_says_so_and_exits_0(tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "archive" / "content", tmp_path / "content")
    hinode = tmp_path / "content" / "0101-hinode.md"  # one spelling of the tag
    hinode.write_text(hinode.read_text("utf-8").replace("ＤＸ推進", "DX推進"), "utf-8")
    monkeypatch.chdir(tmp_path)
    assert check() == (0, "", "問題はありません（4本の記事を確かめました）\n")


def test_a_missing_content_folder_is_an_error_naming_the_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = check("--content", "nowhere")
    assert (code, out) == (1, "")
    assert f"記事のフォルダ {tmp_path.resolve() / 'nowhere'} がありません" in err


# ---- the warnings as a pure function -----------------------------------------------------

ROUNDTABLE = """---
title: 架空市CIO×都CIO座談会
session: 9
date: 2022-05-10
municipalities: [清瀬市]
topics: [業務の標準化]
participants:
  - name: 山田 太郎
    organization: 清瀬市
    role: CIO
  - name: 佐藤 花子
    organization: 東京都
    role: CIO
---

{body}
"""


def warnings_for(body: str, tmp_path: Path) -> list[str]:
    text = ROUNDTABLE.format(body=body)
    article, errors = parse_article("content/0009-x.md", text)
    assert errors == []
    found = check_archive_warnings([article], tmp_path, sources={"content/0009-x.md": text})
    return [f"{w.line}:{w.col}: {w.message}" for w in found]


def test_a_misspelt_speaker_is_pointed_to_the_participant_it_resembles(tmp_path):
    assert warnings_for("山田：はい。\n\n山口：そう思います。\n\n佐藤：ええ。", tmp_path) == [
        "18:1: 「山口：そう思います。」は話者の行のようですが、参加者に「山口」がいません: 「山田」（山田 太郎）のことですか？",
    ]


def test_a_roundtable_written_as_a_report_has_no_silent_participants(tmp_path):
    assert warnings_for("## 議題\n\n座談会では標準化について話し合った。", tmp_path) == []


def test_a_role_and_colon_before_an_unknown_name_names_that_person(tmp_path):
    assert warnings_for("山田：はい。\n\n佐藤：ええ。\n\n架空市CIO：鈴木\nよろしくお願いします。", tmp_path) == [
        "20:1: 「架空市CIO：鈴木」は話者の行のようですが、参加者に「鈴木」がいません: participants に加えるか、名前を確かめてください",
    ]


def test_links_inside_code_are_not_checked(tmp_path):
    body = "山田：`[例](/nowhere/)` と書きます。\n\n```\n![例](images/none.png)\n```\n\n佐藤：はい。"
    assert warnings_for(body, tmp_path) == []


def test_a_link_to_an_article_file_is_shown_its_page_address(tmp_path):
    (tmp_path / "0009-x.md").write_text("", "utf-8")
    assert warnings_for("山田：[前の記事](0009-x.md)をご覧ください。\n\n佐藤：はい。", tmp_path) == [
        "16:11: リンク「0009-x.md」は記事のファイルを指しています: サイトでは /articles/0009-x/ と書いてください",
    ]


def test_notes_and_captions_shaped_like_labels_are_not_speakers(tmp_path):
    assert warnings_for("山田：はい。\n\n例：申請の電子化\n\n写真（架空市提供）\n\n佐藤：ええ。", tmp_path) == []


def test_a_published_article_left_empty_is_warned_about_body_participants_and_topics(tmp_path):
    text = ("---\ntitle: 架空市CIO×都CIO座談会\nsession: 9\ndate: 2022-05-10\n"
            "municipalities: [清瀬市]\nparticipants: []\ntopics: []\n---\n")
    article, errors = parse_article("content/0009-x.md", text)
    assert errors == []
    found = check_archive_warnings([article], tmp_path, sources={"content/0009-x.md": text})
    assert [(w.line, w.col, w.message.split(":")[0]) for w in found] == [
        (9, 1, "本文がありません"),
        (6, 15, "座談会の参加者（participants）がありません"),
        (7, 9, "議題（topics）がありません"),
    ]
    assert all("draft: true" in w.message for w in found)


def test_a_draft_is_not_warned_about_being_empty(tmp_path):
    text = ("---\ntitle: 架空市CIO×都CIO座談会\ndraft: true\nsession: 9\ndate: 2022-05-10\n"
            "municipalities: [清瀬市]\n---\n")
    article, errors = parse_article("content/0009-x.md", text)
    assert errors == [] and article.draft
    assert check_archive_warnings([article], tmp_path, sources={"content/0009-x.md": text}) == []


def test_an_interviewer_label_is_shown_how_questions_are_written(tmp_path):
    assert warnings_for("聞き手：課題は何ですか。\n\n山田：人材です。\n\n佐藤：ええ。", tmp_path) == [
        "16:1: 「聞き手：課題は何ですか。」は話者の行のようですが、参加者に「聞き手」がいません: "
        "聞き手の質問は、行の初めを ― にして書いてください（例: ― 今後の課題は何でしょうか。）",
    ]
