"""`cio-forum-site new`: a file to start from, named and numbered for the editor."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import TEMPLATES, internal_references, page, text_of

from cio_forum_site.cli import main
from cio_forum_site.commands.build import build
from cio_forum_site.commands.new import find_municipalities, new_article_text
from cio_forum_site.content.article import parse_article
from cio_forum_site.content.files import read_article


@pytest.fixture
def workdir(archive_copy: Path, monkeypatch) -> Path:
    """The fixture archive (sessions 101–103) in content/; commands run from its parent."""
    monkeypatch.chdir(archive_copy.parent)
    return archive_copy.parent


def new(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["new", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_new_writes_the_next_session_named_after_the_municipality_and_prints_the_path(workdir, capsys):
    code, out, _ = new(capsys, "--municipality", "清瀬市", "--date", "2024-05-20")
    assert (code, out) == (0, "content/0104-kiyose.md\n")
    article, errors = read_article(workdir / "content" / "0104-kiyose.md")
    assert errors == []
    assert (article.session, article.date, [m.name for m in article.municipalities]) == (
        104, dt.date(2024, 5, 20), ["清瀬市"])
    assert article.title == "清瀬市CIO×都CIOの座談会"


def test_two_municipalities_make_a_two_part_name(workdir, capsys):
    _, out, _ = new(capsys, "--municipality", "武蔵野市", "--municipality", "立川市",
                    "--title", "セキュリティと利便性: 二市の工夫", "--date", "2024-01-09")
    assert out == "content/0104-musashino-tachikawa.md\n"
    article, errors = read_article(workdir / "content" / "0104-musashino-tachikawa.md")
    assert errors == []
    assert [m.name for m in article.municipalities] == ["武蔵野市", "立川市"]
    assert article.title == "セキュリティと利便性: 二市の工夫"


def test_new_then_build_gives_a_valid_site_with_the_new_article(workdir, capsys, tmp_path):
    new(capsys, "--municipality", "清瀬市", "--date", "2024-05-20", "--title", "清瀬市の新しい座談会")
    written = workdir / "content" / "0104-kiyose.md"
    assert build(workdir / "content", TEMPLATES, tmp_path / "draft", search=False).articles == 4
    written.write_text(written.read_text("utf-8").replace("draft: true", "# (公開)"), "utf-8")
    out = tmp_path / "site"
    report = build(workdir / "content", TEMPLATES, out, search=False)
    assert report.articles == 5
    assert text_of(page(out, "/articles/0104-kiyose/").find(".//h1")) == "清瀬市の新しい座談会"
    home = text_of(page(out, "/"))
    assert "清瀬市の新しい座談会" in home
    assert [(p, link) for p, link, file in internal_references(out) if not file.is_file()] == []


def test_the_next_number_follows_the_highest_in_use_even_in_a_broken_file(workdir, capsys):
    (workdir / "content" / "0150-draft.md").write_text("---\ntitle: 書きかけ\nsession: 150\n", "utf-8")
    (workdir / "content" / "idea.md").write_text("---\nsession: 170\n---\n", "utf-8")
    _, out, _ = new(capsys, "--municipality", "清瀬市")
    assert out == "content/0171-kiyose.md\n"


def test_new_never_overwrites_it_takes_the_next_number(workdir, capsys):
    new(capsys, "--municipality", "清瀬市")
    first = (workdir / "content" / "0104-kiyose.md").read_text("utf-8")
    _, out, _ = new(capsys, "--municipality", "清瀬市")
    assert out == "content/0105-kiyose.md\n"
    assert (workdir / "content" / "0104-kiyose.md").read_text("utf-8") == first


def test_a_path_that_is_taken_is_refused(workdir, capsys):
    (workdir / "content" / "0104-kiyose.md").mkdir()  # not an article, but the name is taken
    code, out, err = new(capsys, "--municipality", "清瀬市")
    assert (code, out) == (2, "")
    assert err == "エラー: content/0104-kiyose.md はもうあるため、書きませんでした\n"


def test_an_unknown_municipality_is_refused_with_a_suggestion(workdir, capsys):
    code, out, err = new(capsys, "--municipality", "清瀬巿")  # 巿 (U+5DFF), not 市
    assert (code, out) == (2, "")
    assert err == "エラー: 「清瀬巿」は東京都の区市町村にありません。「清瀬市」のことですか？\n"
    assert sorted(p.name for p in (workdir / "content").glob("*.md")) == [
        "0101-hinode.md", "0102-hinode.md", "0103-mitaka-fuchu.md", "interview-2020-04.md"]


def test_tokyo_itself_is_refused_as_a_municipality(workdir, capsys):
    code, _, err = new(capsys, "--municipality", "東京都")
    assert code == 2 and err.startswith("エラー: 東京都は区市町村ではありません")


def test_a_date_that_does_not_exist_is_refused(workdir, capsys):
    code, _, err = new(capsys, "--municipality", "清瀬市", "--date", "2024-02-30")
    assert code == 2
    assert err == ("エラー: --date「2024-02-30」は日付になっていません: 2024-05-20 のように、"
                   "実在する日を YYYY-MM-DD で書いてください\n")


def test_a_missing_content_folder_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = new(capsys, "--municipality", "清瀬市")
    assert code == 2 and f"記事のフォルダ {tmp_path.resolve() / 'content'} がありません" in err
    assert "site.toml が見つからないため" in err


def test_what_the_flags_did_not_give_is_left_for_check_to_ask_for(workdir, capsys):
    _, out, _ = new(capsys)
    assert out == "content/0104.md\n"
    _, errors = read_article(workdir / "content" / "0104.md")
    assert [e.message for e in errors] == [
        "必須項目 `title` が空です", "必須項目 `date` が空です",
        "座談会には `municipalities` を1つ以上書いてください",
    ]


def test_the_skeleton_is_valid_once_filled_in_and_its_comments_are_not_content():
    text = new_article_text(31, find_municipalities(["清瀬市"]), date=dt.date(2023, 2, 14))
    article, errors = parse_article("content/0031-kiyose.md", text)
    assert errors == []
    assert (article.participants, article.tags, article.series, article.summary) == ((), (), None, "")
    assert text.startswith("---\n") and text.endswith("---\n")


@pytest.mark.parametrize("title", ["題名: コロン入り", "#1 の座談会", "「かぎ括弧」で始まる", "'引用符'", "yes"])
def test_any_title_is_written_so_that_it_reads_back_the_same(title: str):
    text = new_article_text(31, find_municipalities(["清瀬市"]), date=dt.date(2023, 2, 14), title=title)
    article, errors = parse_article("content/0031-kiyose.md", text)
    assert errors == [] and article.title == title
