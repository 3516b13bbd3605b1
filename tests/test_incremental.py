"""Incremental builds: a build with the cache of the last one makes the same bytes as a
clean build, makes again only what changed, and a broken cache only makes it slower."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import TEMPLATES, page, text_of

from cio_forum_site import synthetic
from cio_forum_site.commands.build import build
from cio_forum_site.errors import BuildFailed
from cio_forum_site.search import indexer

N = 45  # ≥ STOP_MIN_DOCS, with lists long enough to have a second page


def files_of(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def inodes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*") if p.is_file()}


def clean_build(content: Path, out: Path) -> dict[str, bytes]:
    shutil.rmtree(out, ignore_errors=True)
    build(content, TEMPLATES, out, cache_dir=None)
    return files_of(out)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    synthetic.write(N, content)
    return content


def article_file(content: Path, k: int) -> Path:
    return sorted(content.glob("0*.md"))[k]


def append_paragraph(file: Path, words: str) -> None:
    """A new paragraph in the last speaker turn of the article (its summary unchanged)."""
    text = file.read_text("utf-8")
    cut = text.rindex("\n\n")
    file.write_text(text[:cut] + f"\n\n{words}" + text[cut:], "utf-8")


def add_newest(content: Path) -> Path:
    """A new article, dated after every other, made from one of the others."""
    text = article_file(content, 3).read_text("utf-8")
    text = re.sub(r"^(published|series|part|parts): .*\n", "", text, flags=re.M)
    text = re.sub(r"^session: .*$", "session: 999", text, count=1, flags=re.M)
    text = re.sub(r"^date: .*$", "date: 2026-03-31", text, count=1, flags=re.M)
    added = content / "0999-added.md"
    added.write_text(text, "utf-8")
    return added


def test_a_warm_build_is_byte_identical_to_a_clean_one(archive: Path, tmp_path: Path,
                                                       monkeypatch):
    # the stop keys from fewer articles than there are, so that adding one keeps them (and
    # the last build's index is changed, not made anew)
    monkeypatch.setattr(indexer, "SAMPLE", 20)
    out, cache = tmp_path / "build", tmp_path / "cache"
    first = build(archive, TEMPLATES, out, cache_dir=cache)
    assert first.rendered == first.pages
    warm = build(archive, TEMPLATES, out, cache_dir=cache)  # nothing changed
    assert warm.rendered == 0
    assert files_of(out) == clean_build(archive, tmp_path / "clean")

    append_paragraph(article_file(archive, 10), "追記です。段落を一つ足しました。")
    edited = build(archive, TEMPLATES, out, cache_dir=cache)
    assert edited.rendered == 1
    assert edited.indexed == 1  # the last build's index, changed where the article changed
    assert files_of(out) == clean_build(archive, tmp_path / "clean")

    added = add_newest(archive)  # every article page lists it among the latest
    report = build(archive, TEMPLATES, out, cache_dir=cache)
    assert report.indexed == 1
    # article pages whose related articles stayed: the last build's, the latest changed
    assert report.patched > 0
    assert files_of(out) == clean_build(archive, tmp_path / "clean")
    added.unlink()
    build(archive, TEMPLATES, out, cache_dir=cache)
    assert files_of(out) == clean_build(archive, tmp_path / "clean")


def test_an_edit_remakes_exactly_the_pages_that_show_it(archive: Path, tmp_path: Path):
    out, cache = tmp_path / "build", tmp_path / "cache"
    build(archive, TEMPLATES, out, cache_dir=cache)
    before_bytes, before_inodes = files_of(out), inodes(out)

    file = article_file(archive, 20)
    slug = file.stem
    old_title = next(line for line in file.read_text("utf-8").split("\n")
                     if line.startswith("title: "))
    file.write_text(file.read_text("utf-8").replace(old_title, "title: 書き換えた題名の記事", 1),
                    "utf-8")
    append_paragraph(file, "書き換えのあとの新しい段落です。")
    build(archive, TEMPLATES, out, cache_dir=cache)

    after_bytes, after_inodes = files_of(out), inodes(out)
    remade = {p for p in after_inodes if after_inodes[p] != before_inodes.get(p)
              and not p.startswith(("pagefind/", ".cio-forum-site"))}
    differ = {p for p in after_bytes if after_bytes[p] != before_bytes.get(p)
              and not p.startswith("pagefind/")}
    assert remade == differ  # nothing made again that came out the same
    assert f"articles/{slug}/index.html" in remade
    assert len(remade) < len([p for p in after_bytes if p.endswith(".html")]) / 2
    doc = page(out, f"/articles/{slug}/")
    assert text_of(doc.find(".//h1")) == "書き換えた題名の記事"
    assert "書き換えのあとの新しい段落です。" in text_of(doc.find(".//main"))
    assert files_of(out) == clean_build(archive, tmp_path / "clean")


def test_a_broken_cache_or_a_touched_output_only_slows_a_build(archive: Path, tmp_path: Path):
    out, cache = tmp_path / "build", tmp_path / "cache"
    build(archive, TEMPLATES, out, cache_dir=cache)
    clean = clean_build(archive, tmp_path / "clean")
    kept = sorted(cache.iterdir())
    names = {p.name for p in kept}
    assert {"articles.pickle", "search-keys.bin"} <= names
    assert len([n for n in names if n.startswith("output-")]) == 1

    for damage in (b"", b"garbage", None):
        for file in kept:
            data = file.read_bytes()
            file.write_bytes(data[: len(data) // 2] if damage is None else damage)
        report = build(archive, TEMPLATES, out, cache_dir=cache)
        assert report.rendered == report.pages, damage
        assert files_of(out) == clean, damage

    # A page changed by hand in the output is made again, not carried over.
    home = out / "index.html"
    home.write_bytes(home.read_bytes().replace(b"<main", b"<main data-x", 1))
    report = build(archive, TEMPLATES, out, cache_dir=cache)
    assert report.rendered == 1
    (out / "stray.html").write_text("not ours")  # a file nobody made: the output is remade
    build(archive, TEMPLATES, out, cache_dir=cache)
    assert files_of(out) == clean


def test_an_edit_keeps_the_other_articles_search_texts(archive: Path, tmp_path: Path):
    out, cache = tmp_path / "build", tmp_path / "cache"
    build(archive, TEMPLATES, out, cache_dir=cache)
    texts = sorted((out / "pagefind" / "ja" / "t").iterdir())
    before = {p.stat().st_ino for p in texts}
    append_paragraph(article_file(archive, 5), "検索の本文だけが変わります。")
    build(archive, TEMPLATES, out, cache_dir=cache)
    after = {p.stat().st_ino for p in (out / "pagefind" / "ja" / "t").iterdir()}
    assert len(after) == len(texts) and len(after - before) == 1  # the edited article's
    assert files_of(out) == clean_build(archive, tmp_path / "clean")


OPENING = "このフォーラムは、都と区市町村のCIOが集まり、行政のデジタル化を語り合う場です。"


def roundtable(session: int, place: str, day: str, own: str) -> str:
    return (f"---\ntitle: 第{session}回 架空の座談会\nsession: {session}\ndate: {day}\n"
            f"municipalities: [{place}]\n---\n\n{OPENING}\n\n{own}\n")


def test_articles_opening_with_the_same_paragraph_build_warm_as_clean(tmp_path: Path):
    """The archive gives such articles a summary of their own (copies of the articles):
    their pages are keyed all the same, and a warm build is the clean one."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "0001-ome.md").write_text(
        roundtable(1, "青梅市", "2024-05-10", "青梅市では窓口の予約を始めました。"), "utf-8")
    (content / "0002-fussa.md").write_text(
        roundtable(2, "福生市", "2024-06-11", "福生市では職員の研修を見直しました。"), "utf-8")
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, TEMPLATES, out, cache_dir=cache, search=False)
    first = files_of(out)
    build(content, TEMPLATES, out, cache_dir=cache, search=False)
    assert files_of(out) == first
    home = first["index.html"].decode("utf-8")
    assert "窓口の予約" in home and "職員の研修" in home
    shutil.rmtree(out)
    build(content, TEMPLATES, out, cache_dir=None, search=False)
    assert files_of(out) == first


def _change_site_title(site: Path, content: Path, templates: Path) -> dict:
    (site / "site.toml").write_text('title = "書き換えたサイト名のアーカイブ"\n', "utf-8")
    return {}


def _change_template(site: Path, content: Path, templates: Path) -> dict:
    base = templates / "base.html"
    base.write_text(base.read_text("utf-8").replace("<main", "<main data-edited", 1), "utf-8")
    return {}


def _add_static_file(site: Path, content: Path, templates: Path) -> dict:
    (templates / "static" / "extra.txt").write_text("テーマに足したファイル", "utf-8")
    return {}


def _add_published_file(site: Path, content: Path, templates: Path) -> dict:
    (content / "files").mkdir()
    (content / "files" / "handout.txt").write_text("配布資料", "utf-8")
    return {}


def _replace_image(site: Path, content: Path, templates: Path) -> dict:
    from PIL import Image

    Image.new("RGB", (640, 400), (30, 90, 160)).save(content / "images" / "hinode.png")
    return {}


def _base_url(site: Path, content: Path, templates: Path) -> dict:
    return {"base_url": "https://example.org/cio/"}


def _drafts(site: Path, content: Path, templates: Path) -> dict:
    file = content / "0101-hinode.md"
    file.write_text(file.read_text("utf-8").replace("---\n", "---\ndraft: true\n", 1), "utf-8")
    return {"drafts": True}


def _no_search(site: Path, content: Path, templates: Path) -> dict:
    return {"search": False}


@pytest.mark.parametrize("change", [
    _change_site_title, _change_template, _add_static_file, _add_published_file,
    _replace_image, _base_url, _drafts, _no_search])
def test_a_build_of_the_same_inputs_does_nothing_and_any_input_that_changes_is_seen(
        change, archive_copy: Path, tmp_path: Path):
    """A build that reads exactly what the last one read leaves the output as it is, and
    says what it holds; a change to any input — site.toml, a template, a static file, a
    file or image under content/, an option — makes the build that a clean one makes."""
    site, content = tmp_path, archive_copy
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (site / "site.toml").write_text("", "utf-8")
    out, cache = tmp_path / "build", tmp_path / "cache"
    first = build(content, templates, out, cache_dir=cache, site_file=site / "site.toml")
    before = files_of(out), inodes(out)
    again = build(content, templates, out, cache_dir=cache, site_file=site / "site.toml")
    assert (files_of(out), inodes(out)) == before
    assert (again.articles, again.pages, again.images, again.rendered) == \
        (first.articles, first.pages, first.images, 0)

    options = change(site, content, templates)
    build(content, templates, out, cache_dir=cache, site_file=site / "site.toml", **options)
    clean = tmp_path / "clean"
    build(content, templates, clean, cache_dir=None, site_file=site / "site.toml", **options)
    assert files_of(out) == files_of(clean)
    assert files_of(out) != before[0]


def test_the_previews_own_folder_is_changed_where_pages_changed_and_left_alone_on_failure(
        archive: Path, tmp_path: Path):
    """``patch=True`` (the preview's output folder, which no one else reads while it
    changes): new and changed files are moved in, files no page makes are removed with their
    folders, the others are not touched; a failed build changes nothing."""
    out, cache = tmp_path / "preview", tmp_path / "cache"
    build(archive, TEMPLATES, out, cache_dir=cache, search=False, patch=True)
    before = inodes(out)
    edited, gone = article_file(archive, 7), article_file(archive, 8)
    append_paragraph(edited, "プレビューで確かめる段落です。")
    gone.unlink()
    build(archive, TEMPLATES, out, cache_dir=cache, search=False, patch=True)
    shutil.rmtree(tmp_path / "clean", ignore_errors=True)
    build(archive, TEMPLATES, tmp_path / "clean", cache_dir=None, search=False)
    assert files_of(out) == files_of(tmp_path / "clean")
    assert not (out / "articles" / gone.stem).exists()
    after = inodes(out)
    assert after[f"articles/{edited.stem}/index.html"] != before[f"articles/{edited.stem}/index.html"]
    kept = [p for p in after if p in before and after[p] == before[p]]
    assert len(kept) > len(after) / 2  # carried where they were, not linked anew

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "article.html").write_text("{% extends 'base.html' %}{% block main %}{{ no_such_thing }}{% endblock %}", "utf-8")
    append_paragraph(edited, "テンプレートが壊れているので、この段落は出ません。")
    snapshot = files_of(out)
    with pytest.raises(BuildFailed):
        build(archive, templates, out, cache_dir=cache, search=False, patch=True)
    assert files_of(out) == snapshot
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []


def test_the_replaced_output_is_the_next_builds_stage_and_never_written_into(
        archive: Path, tmp_path: Path):
    """The output a build replaces is kept in the cache folder (the spare) and the next
    build makes its output there: the spare's files still as recorded stay where they can,
    the others go; files of the current output, which the spare's may be links to, are
    never written into."""
    out, cache = tmp_path / "build", tmp_path / "cache"
    build(archive, TEMPLATES, out, cache_dir=cache)
    append_paragraph(article_file(archive, 5), "一つ目の追記です。")
    build(archive, TEMPLATES, out, cache_dir=cache)
    spares = list(cache.glob("*.spare"))
    assert len(spares) == 1  # the first build's output
    spare, second = spares[0], files_of(out)
    assert (spare / "index.html").stat().st_ino == (out / "index.html").stat().st_ino

    (spare / "about.html").write_text("nobody made this")
    (spare / "topics" / "index.html").unlink()  # a link to the output's: not written into
    (spare / "topics" / "index.html").write_bytes(b"changed by hand")
    gone = article_file(archive, 7)
    gone_page = f"articles/{gone.stem}/index.html"
    assert gone_page in second
    gone.unlink()
    append_paragraph(article_file(archive, 5), "二つ目の追記です。")
    report = build(archive, TEMPLATES, out, cache_dir=cache)

    assert report.rendered < report.pages
    assert files_of(out) == clean_build(archive, tmp_path / "clean")
    assert files_of(spare) == second  # the second build's output, now the spare, as it was
    assert not list(tmp_path.glob(".build.*"))


def test_a_stage_made_from_the_spare_takes_what_each_path_now_is(tmp_path: Path):
    """A file where the build makes a folder, and a folder where it makes a file."""
    from cio_forum_site.output import SpareStage, files_under

    spare = tmp_path / "spare"
    (spare / "a").mkdir(parents=True)
    (spare / "a" / "b").write_text("was a file")
    (spare / "c").mkdir()
    (spare / "c" / "index.html").write_text("was in a folder")
    (spare / "kept.txt").write_text("kept")
    (spare / "old.txt").write_text("not made again")
    recorded = {}
    for relative, path in files_under(spare):
        st = Path(path).stat()
        recorded[relative] = (st.st_ino, st.st_size, st.st_mtime_ns)

    stage = SpareStage(spare, recorded)
    stage.write_text("a/b/index.html", "now a folder")
    stage.write_text("c", "now a file")
    stage.link_file(spare / "kept.txt", "kept.txt")  # already there: left alone
    stage.finish()
    from cio_forum_site.output import finish_removals

    finish_removals()
    assert {r: Path(p).read_text() for r, p in files_under(spare)} == {
        "a/b/index.html": "now a folder", "c": "now a file", "kept.txt": "kept"}
    assert recorded["kept.txt"][0] == (spare / "kept.txt").stat().st_ino
    assert not list(tmp_path.glob("spare-trash*"))


def test_a_part_is_changed_in_place_only_when_no_other_template_shows_it(
        archive: Path, tmp_path: Path):
    """直近のバックナンバー (``recent``) is a part of the article pages (``Route.parts``): a site
    template that shows ``recent`` elsewhere too makes every such page rendered again."""
    templates = tmp_path / "templates"
    templates.mkdir()
    theme = Path(__file__).resolve().parent.parent / "src/cio_forum_site/theme/article.html"
    (templates / "article.html").write_text(theme.read_text("utf-8").replace(
        "{% block main %}", "{% block main %}<p class=\"count\">{{ recent|length }}件</p>", 1),
        "utf-8")
    out, cache = tmp_path / "build", tmp_path / "cache"
    build(archive, templates, out, cache_dir=cache)
    add_newest(archive)
    report = build(archive, templates, out, cache_dir=cache)
    assert report.patched == 0 and report.rendered > N
    shutil.rmtree(tmp_path / "clean", ignore_errors=True)
    build(archive, templates, tmp_path / "clean", cache_dir=None)
    assert files_of(out) == files_of(tmp_path / "clean")


def test_an_output_no_record_describes_is_not_kept_as_the_spare(archive: Path, tmp_path: Path):
    out, cache = tmp_path / "build", tmp_path / "cache"
    build(archive, TEMPLATES, out, cache_dir=None)  # no record of this output
    build(archive, TEMPLATES, out, cache_dir=cache)
    assert not list(cache.glob("*.spare"))  # deleted: nothing could say what is in it
    append_paragraph(article_file(archive, 2), "追記です。")
    build(archive, TEMPLATES, out, cache_dir=cache)
    assert len(list(cache.glob("*.spare"))) == 1  # the recorded one
    assert files_of(out) == clean_build(archive, tmp_path / "clean")
