"""Drafts: ``draft: true`` keeps an article out of everything `build` publishes — its page,
the lists, the feeds, the sitemap and the search index — unless --drafts is given; `new`
writes drafts; a second `new` for the same meeting warns."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, TEMPLATES, page, text_of

from cio_forum_site.cli import main
from cio_forum_site.content.article import parse_article

DRAFT = "0103-mitaka-fuchu"
DRAFT_TITLE = "三鷹市・府中市CIO×都CIO座談会"


@pytest.fixture
def site(tmp_path: Path, monkeypatch) -> Path:
    """The fixture archive with one article made a draft; commands run from the site."""
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "archive", root)
    draft = root / "content" / f"{DRAFT}.md"
    draft.write_text(draft.read_text("utf-8").replace("---\n", "---\ndraft: true\n", 1), "utf-8")
    (root / "site.toml").write_text('base_url = "https://example.org/cio/"\n', "utf-8")
    monkeypatch.chdir(root)
    return root


def every_text(out: Path) -> str:
    """Every published file as text (gzip opened), to look for a draft anywhere."""
    texts = []
    for file in sorted(p for p in out.rglob("*") if p.is_file()):
        data = file.read_bytes()
        if file.suffix == ".gz":
            data = gzip.decompress(data)
        texts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(texts)


def search_urls(out: Path) -> set[str]:
    return {json.loads(gzip.decompress(t.read_bytes()))["url"]
            for t in (out / "pagefind" / "ja" / "t").glob("*.json.gz")}


def test_the_draft_field_is_true_or_false():
    head = "---\ntitle: 題\nkind: interview\ndate: 2022-05-10\n"
    article, errors = parse_article("content/x.md", head + "draft: true\n---\n本文。\n")
    assert errors == [] and article.draft
    article, errors = parse_article("content/x.md", head + "---\n本文。\n")
    assert errors == [] and not article.draft
    _, errors = parse_article("content/x.md", head + "draft: 下書き\n---\n本文。\n")
    assert [(e.line, e.message) for e in errors] == [
        (5, "`draft` は true（下書き: 公開しない）か false です（「下書き」になっています）")]


def test_a_draft_is_absent_from_the_build_feeds_sitemap_lists_and_search(site: Path, capsys):
    assert main(["build", "--templates", str(TEMPLATES)]) == 0
    assert "下書き1本は除きました" in capsys.readouterr().out
    out = site / "build"
    assert not (out / "articles" / DRAFT).exists()
    everything = every_text(out)
    assert DRAFT not in everything and DRAFT_TITLE not in everything
    assert not (out / "municipalities" / "fuchu").exists()  # its only article was the draft
    assert search_urls(out) and all(DRAFT not in url for url in search_urls(out))


def test_with_drafts_the_draft_is_everywhere_and_marked(site: Path, tmp_path: Path):
    out = tmp_path / "with-drafts"
    assert main(["build", "--templates", str(TEMPLATES), "--drafts", "--out", str(out), "-q"]) == 0
    article = page(out, f"/articles/{DRAFT}/")
    assert text_of(article.find(".//h1")) == DRAFT_TITLE
    assert "下書きです" in text_of(article.find_class("draft-note")[0])
    home = page(out, "/")
    marked = [text_of(card) for card in home.find_class("card") if card.find_class("badge-draft")]
    assert len(marked) == 1 and DRAFT_TITLE in marked[0]
    assert DRAFT in (out / "feed.xml").read_text("utf-8")
    assert any(DRAFT in url for url in search_urls(out))


def test_new_writes_a_draft_and_check_counts_it(site: Path, capsys):
    assert main(["new", "--municipality", "清瀬市", "--date", "2024-05-20", "--title", "題"]) == 0
    capsys.readouterr()
    text = (site / "content" / "0104-kiyose.md").read_text("utf-8")
    article, errors = parse_article("content/0104-kiyose.md", text)
    assert errors == [] and article.draft
    main(["check"])
    out, err = capsys.readouterr()
    assert "0104-kiyose.md" not in out  # an unfinished draft is not warned about
    assert "下書き（draft: true）が2本あります" in err


def test_an_empty_published_article_is_warned_about(site: Path, capsys):
    main(["new", "--municipality", "清瀬市", "--date", "2024-05-20", "--title", "題"])
    file = site / "content" / "0104-kiyose.md"
    file.write_text(file.read_text("utf-8").replace("draft: true", "draft: false"), "utf-8")
    capsys.readouterr()
    assert main(["check"]) == 0  # warnings only
    warned = [line for line in capsys.readouterr().out.splitlines() if "0104-kiyose.md" in line]
    assert [line.split(": ", 2)[2].split(":")[0] for line in warned] == [
        "座談会の参加者（participants）がありません", "議題（topics）がありません", "本文がありません"]


def test_new_twice_for_the_same_meeting_warns(site: Path, capsys):
    assert main(["new", "--municipality", "清瀬市", "--date", "2024-05-20"]) == 0
    capsys.readouterr()
    assert main(["new", "--municipality", "清瀬市", "--date", "2024-05-20"]) == 0
    out, err = capsys.readouterr()
    assert out == "content/0105-kiyose.md\n"
    assert "警告: 同じ開催日（2024-05-20）と区市町村の記事が content/0104-kiyose.md にもあります" in err
    assert main(["new", "--municipality", "清瀬市", "--date", "2024-05-21"]) == 0
    assert "警告" not in capsys.readouterr().err  # another day, another meeting
