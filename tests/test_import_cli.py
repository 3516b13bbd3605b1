"""`cio-forum-site import FILE...`: blog text files → content files that build.

The parser has its own tests (test_importer.py); these check the command: what it writes
and where, what it tells the editor, that it never overwrites, and that every imported
fixture builds, with the facts read back from the written file field by field.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

from cio_forum_site.cli import main
from cio_forum_site.content.files import read_article
from cio_forum_site.content.model import Turn
from cio_forum_site.importer import parse_blog_text

IMPORT = FIXTURES / "import"
TOKYO_CIO = ("宮田 直子", "東京都", "", "CIO", "宮田")
CREDITS = ("桜井 亮", "小野寺 結衣")

# Per fixture: the file written, and the facts of the article read back from it.
EXPECTED = {
    "kiyose_part2": {
        "file": "0005-kiyose.md",
        "title": "清瀬市CIO×都CIOの座談会（後半）", "kind": "roundtable", "session": 5,
        "date": dt.date(2021, 10, 15), "published": None, "municipalities": ["清瀬市"],
        "participants": [("森下 啓介", "清瀬市", "副市長", "CIO", "森下"), TOKYO_CIO,
                         ("久保田 早苗", "清瀬市", "企画部長", "", "久保田")],
        "tags": [], "series": ("kiyose-2021", 2, 2), "credits": CREDITS,
        "topics": ["業務標準化への対応", "デジタル人材の育成"],
        "speakers": ["森下", "宮田", "久保田", "森下", "宮田", "森下"],
    },
    "meguro_setagaya_gannen": {
        "file": "0012-meguro-setagaya.md",
        "title": "目黒区CIO・世田谷区CIO×都CIO 座談会 第1回/全3回", "kind": "roundtable",
        "session": 12, "date": dt.date(2019, 11, 8), "published": None,
        "municipalities": ["目黒区", "世田谷区"],
        "participants": [("長谷部 修", "目黒区", "副区長", "CIO", "長谷部"),
                         ("真壁 ゆかり", "世田谷区", "副区長", "CIO", "真壁"),
                         ("藤堂 誠", "東京都デジタルサービス局", "戦略部長", "", "藤堂")],
        "tags": ["窓口DX", "書かない窓口"], "series": ("meguro-setagaya-2019", 1, 3),
        "credits": CREDITS, "topics": ["窓口サービスのデジタル化", "職員の働き方"],
        "speakers": ["長谷部", "真壁", "藤堂", "長谷部", "真壁", "藤堂"],
    },
    "minato_chuo_shinjuku": {
        "file": "0018-chuo-minato-shinjuku.md",
        "title": "【座談会】港区・中央区・新宿区のＣＩＯと語る データ活用のこれから",
        "kind": "roundtable", "session": 18, "date": dt.date(2022, 5, 20), "published": None,
        "municipalities": ["中央区", "港区", "新宿区"],
        "participants": [("白石 拓海", "港区", "情報政策監", "CIO", "白石"),
                         ("國枝 美和", "中央区", "副区長", "CIO", "國枝"),
                         ("レイノルズ 咲", "新宿区", "", "CIO補佐官", "レイノルズ"), TOKYO_CIO],
        "tags": [], "series": (None, None, None), "credits": ("", ""),
        "topics": ["データ活用の現状", "これからの連携"],
        "speakers": ["白石", "國枝", "レイノルズ", "宮田", "白石"],
    },
    "hachioji_heisei_zenpen": {
        "file": "0002-hachioji.md",
        "title": "第2回 八王子市CIO×東京都CIO座談会（前編）", "kind": "roundtable", "session": 2,
        "date": dt.date(2018, 7, 20), "published": dt.date(2018, 8, 1),
        "municipalities": ["八王子市"],
        "participants": [("大河内 健", "八王子市", "情報管理部長", "CIO", "大河内"), TOKYO_CIO],
        "tags": [], "series": ("hachioji-2018", 1, 2), "credits": ("桜井 亮", ""),
        "topics": ["セキュリティ対策の現状", "これからの庁内ネットワーク"],
        "speakers": ["大河内", "宮田", "大河内", "宮田", "大河内"],
    },
    "aogashima_interview": {
        "file": "interview-2023-11.md",
        "title": "青ケ島村CIOインタビュー　島のデジタル化を支える", "kind": "interview",
        "session": None, "date": dt.date(2023, 11, 2), "published": dt.date(2024, 1, 10),
        "municipalities": ["青ヶ島村"],
        "participants": [("浜野 克己", "青ヶ島村", "総務課長", "CIO", "浜野"),
                         ("杉本 真帆", "東京都デジタルサービス局", "広報担当", "", "杉本")],
        "tags": ["島しょ", "インタビュー"], "series": (None, None, None), "credits": CREDITS,
        "topics": ["島ならではの課題", "これからの取り組み"],
        "speakers": ["浜野", "浜野", "浜野"],
    },
    "hinode_no_date": {  # no date in the text: the day it was saved stands in (see below)
        "file": "0009-hinode.md",
        "title": "第9回 日ノ出町CIO×都CIOの座談会 part2", "kind": "roundtable", "session": 9,
        "date": dt.date(2020, 2, 14), "published": None, "municipalities": ["日の出町"],
        "participants": [("青柳 仁", "日の出町", "副町長", "CIO", "青柳"), TOKYO_CIO],
        "tags": [], "series": ("hinode", 2, None), "credits": ("", ""),
        "topics": ["観光とデジタル"],
        "speakers": ["青柳", "宮田", "青柳"],
    },
}
# The fixtures of each shape of page (their front matter is checked field by field in
# test_importer.py; here, that the written file says the same, and who speaks in turn).
SHAPES = {
    "musashino_introduced": ("0021-musashino.md", ["野々村", "宮田", "野々村", "宮田", "早乙女", "野々村"]),
    "kunitachi_introduced_ascii": ("0022-kunitachi.md", ["佐々木", "宮田", "佐々木", "湊", "宮田"]),
    "kiyose_label_org": ("0023-kiyose.md", ["南沢", "北条", "宮田"]),
    "hino_label_org_ascii": ("0024-hino.md", ["大久保", "相沢", "白井", "宮田"]),
    "ome_agenda": ("0025-ome.md", ["岩城", "宮田", "岩城", "岩城", "宮田", "岩城"]),
    "tama_sections_ascii": ("0026-tama.md", ["榊原", "宮田", "榊原", "宮田", "榊原"]),
    "machida_leftovers": ("0027-machida.md", ["大和田", "宮田", "大和田"]),
    "hamura_leftovers_ascii": ("0028-hamura.md", ["石黒", "宮田", "石黒"]),
    "tokyo_interview_ict": ("interview-2024-02.md", ["吉永", "小田切", "吉永", "小田切"]),
    "tokyo_interview_ascii": ("interview-2023-10.md", ["片桐", "三浦", "片桐", "三浦"]),
}
SAVED = dt.datetime(2020, 2, 14, 12, 0).timestamp()  # when the fixtures were "saved"


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    """An editor's folder with an empty content/; commands run from there."""
    (tmp_path / "content").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_import(capsys, *files: Path | str) -> tuple[int, str, str]:
    code = main(["import", *map(str, files)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    """Every fixture, saved on 2020-02-14, imported into one content folder as it comes."""
    root = tmp_path_factory.mktemp("imported")
    (root / "content").mkdir()
    (root / "blog").mkdir()
    for file in sorted(IMPORT.glob("*.txt")):
        shutil.copy(file, root / "blog" / file.name)
        os.utime(root / "blog" / file.name, (SAVED, SAVED))
    files = sorted((root / "blog").glob("*.txt"))
    result = subprocess.run([sys.executable, "-m", "cio_forum_site", "import", *map(str, files)],
                            cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr  # every file as imported builds
    return root / "content"


def test_every_fixture_is_written_under_its_suggested_name(imported: Path):
    assert sorted(p.name for p in imported.glob("*.md")) == sorted(
        [e["file"] for e in EXPECTED.values()] + [file for file, _ in SHAPES.values()])
    assert sorted(p.stem for p in IMPORT.glob("*.txt")) == sorted([*EXPECTED, *SHAPES])


def test_the_imported_folder_builds_without_errors(imported: Path, tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "cio_forum_site", "build", "--content", str(imported),
                             "--out", str(tmp_path / "build"), "--no-search", "--quiet"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    for file in [e["file"] for e in EXPECTED.values()] + [file for file, _ in SHAPES.values()]:
        slug = file.removesuffix(".md")
        assert (tmp_path / "build" / "articles" / slug / "index.html").is_file()


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_each_shape_is_read_back_from_the_written_file(imported: Path, name: str):
    file, speakers = SHAPES[name]
    text = (IMPORT / f"{name}.txt").read_text("utf-8")
    parsed = parse_blog_text(text, name, saved=dt.date(2020, 2, 14)).front_matter
    article, errors = read_article(imported / file)
    assert errors == []
    assert (article.title, article.kind, article.session, article.date, article.published) == (
        parsed["title"], parsed["kind"], parsed.get("session"), parsed["date"], parsed.get("published"))
    assert [m.name for m in article.municipalities] == parsed["municipalities"]
    assert [{k: v for k, v in vars(p).items() if v} for p in article.participants] == parsed["participants"]
    assert list(article.topics) == parsed.get("topics", [])
    assert list(article.tags) == parsed.get("tags", [])
    assert [b.speaker for b in article.blocks if isinstance(b, Turn)] == speakers
    assert all(b.markdown.strip() for b in article.blocks if isinstance(b, Turn))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_facts_are_read_back_from_the_written_file_field_by_field(imported: Path, name: str):
    expected = EXPECTED[name]
    article, errors = read_article(imported / expected["file"])
    assert errors == []
    assert article.title == expected["title"]
    assert article.kind == expected["kind"]
    assert article.session == expected["session"]
    assert article.date == expected["date"]
    assert article.published == expected["published"]
    assert [m.name for m in article.municipalities] == expected["municipalities"]
    assert [(p.name, p.organization, p.position, p.role, p.speaker)
            for p in article.participants] == expected["participants"]
    assert list(article.tags) == expected["tags"]
    assert (article.series, article.part, article.parts) == expected["series"]
    assert (article.credits.author, article.credits.editor) == expected["credits"]
    assert list(article.topics) == expected["topics"]
    assert [b.speaker for b in article.blocks if isinstance(b, Turn)] == expected["speakers"]


def test_each_file_written_is_printed_with_the_notes_to_check(workdir, capsys):
    code, out, err = run_import(capsys, IMPORT / "kiyose_part2.txt")
    assert out.splitlines() == [
        f"{IMPORT / 'kiyose_part2.txt'} → content/0005-kiyose.md",
        "  確認してください: 全2回の記事の1つです。series「kiyose-2021」がほかの回の記事と同じか、"
        "session（第N回）が記事ごとに違う番号になっているか確かめてください",
    ]
    assert err == "書き出したファイルを確かめてから、cio-forum-site check で確認してください。\n"
    assert code == 0


def test_notes_with_a_line_point_into_the_blog_text(workdir, capsys):
    shutil.copy(IMPORT / "hinode_no_date.txt", workdir / "hinode.txt")
    _, out, _ = run_import(capsys, "hinode.txt")
    assert ("  確認してください: hinode.txt:14: 「地域の担い手と一緒に進める」は見出しか本文か判断できなかった"
            "ため、本文のままにしました（見出しなら行頭に ## を付けてください）") in out.splitlines()


def test_a_missing_date_is_guessed_from_the_day_the_text_was_saved_and_listed(workdir, capsys):
    shutil.copy(IMPORT / "hinode_no_date.txt", workdir / "hinode.txt")
    os.utime(workdir / "hinode.txt", (SAVED, SAVED))
    code, out, err = run_import(capsys, "hinode.txt")
    assert ("  確認してください: 開催日が見つかりませんでした。仮に、テキストを保存した日（2020-02-14）を date に"
            "入れました: 開催日に直してください") in out.splitlines()
    assert "date: 2020-02-14" in (workdir / "content" / "0009-hinode.md").read_text("utf-8").split("\n")
    assert code == 0


def test_what_the_build_will_refuse_is_reported_at_once_with_exit_1(workdir, capsys):
    (workdir / "content" / "0009-other.md").write_text(
        "---\ntitle: 別の記事\nsession: 9\ndate: 2020-01-01\nmunicipalities: [日の出町]\n---\n", "utf-8")
    code, out, err = run_import(capsys, IMPORT / "hinode_no_date.txt")
    assert ("content/0009-other.md:3:0: エラー: 第9回は content/0009-hinode.md でも使われています: "
            "回の番号は記事ごとに変えてください") in err.splitlines()
    assert (workdir / "content" / "0009-hinode.md").is_file()  # written, to be finished by hand
    assert code == 1


def test_an_existing_file_is_never_overwritten(workdir, capsys):
    target = workdir / "content" / "0005-kiyose.md"
    target.write_text("編集者が書いた記事\n", "utf-8")
    code, out, err = run_import(capsys, IMPORT / "kiyose_part2.txt")
    assert target.read_text("utf-8") == "編集者が書いた記事\n"
    assert out == ""
    assert err.splitlines()[0] == (
        f"エラー: content/0005-kiyose.md はもうあるため、書きませんでした（{IMPORT / 'kiyose_part2.txt'}）: "
        "同じ記事なら読み込みは不要です。別の記事なら、今あるファイルの名前を変えてからもう一度実行してください")
    assert code == 2


def test_a_session_number_already_used_by_another_file_is_reported(workdir, capsys):
    run_import(capsys, IMPORT / "kiyose_part2.txt")
    (workdir / "content" / "0005-kiyose.md").rename(workdir / "content" / "0005-kiyose-kouhan.md")
    code, _, err = run_import(capsys, IMPORT / "kiyose_part2.txt")
    assert ("content/0005-kiyose.md:4:0: エラー: 第5回は content/0005-kiyose-kouhan.md でも使われています: "
            "回の番号は記事ごとに変えてください") in err.splitlines()
    assert code == 1


def test_a_file_not_in_utf8_is_a_clear_error_and_the_others_are_imported(workdir, capsys):
    text = (IMPORT / "kiyose_part2.txt").read_text("utf-8")
    (workdir / "sjis.txt").write_bytes(text.encode("cp932"))
    code, out, err = run_import(capsys, "sjis.txt", IMPORT / "aogashima_interview.txt")
    assert err.splitlines()[0] == ("sjis.txt:1:0: エラー: UTF-8 のテキストではありません。Shift_JIS で保存されているようです。"
                                   "文字コードを UTF-8 にして保存し直してください")
    assert "content/interview-2023-11.md" in out
    assert code == 1


def test_a_missing_file_is_a_clear_error(workdir, capsys):
    code, out, err = run_import(capsys, "nowhere.txt")
    assert (out, err.splitlines(), code) == ("", ["nowhere.txt:0:0: エラー: ファイルがありません"], 1)


def test_a_missing_content_folder_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_import(capsys, IMPORT / "kiyose_part2.txt")
    assert err.startswith(f"エラー: 記事のフォルダ {tmp_path.resolve() / 'content'} がありません: ")
    assert code == 2


def test_two_interviews_of_the_same_month_are_both_written(workdir, capsys):
    page = (IMPORT / "tokyo_interview_ict.txt").read_text("utf-8")
    (workdir / "a.txt").write_text(page, "utf-8")
    (workdir / "b.txt").write_text(page.replace("都庁のICT職に聞く", "都庁の事務職に聞く"), "utf-8")
    code, out, err = run_import(capsys, "a.txt", "b.txt", "a.txt")
    assert sorted(p.name for p in (workdir / "content").iterdir()) == [
        "interview-2024-02-2.md", "interview-2024-02.md"]
    assert "  確認してください: 同じ月のインタビュー content/interview-2024-02.md があるため、interview-2024-02-2.md にしました" in out.splitlines()
    assert "content/interview-2024-02.md はもうあるため、書きませんでした（a.txt）" in err  # a.txt again: the same article
    assert code == 2
