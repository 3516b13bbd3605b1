"""Related articles (関連記事): shared facets and words, never the article itself or its series."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, TEMPLATES, page, text_of

from cio_forum_site.commands.build import build
from cio_forum_site.content.article import parse_article
from cio_forum_site.content.files import load_archive
from cio_forum_site.site import related as related_module
from cio_forum_site.site.archive import make_archive
from cio_forum_site.site.people import make_people
from cio_forum_site.site.related import related_articles, text_nouns
from cio_forum_site.synthetic import generate

PEOPLE = FIXTURES / "people" / "content"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("related") / "build"
    build(PEOPLE, TEMPLATES, out, search=False)
    return out


def related_slugs(content: Path) -> dict[str, list[str]]:
    articles, problems = load_archive(content)
    assert problems == []
    archive = make_archive(articles)
    return {k: [a.slug for a in v] for k, v in related_articles(archive, make_people(archive)).items()}


def test_nouns_are_common_and_proper_nouns_of_two_characters_or_more():
    found = text_nouns("窓口の予約システムを清瀬市で導入することにした。")
    assert {"窓口", "予約", "システム", "清瀬"} <= set(found)
    assert "こと" not in found and "を" not in found


def test_mecab_gets_bounded_text():
    body = "\n\n".join("窓口の予約システムについて話しました。" * 40 for _ in range(100))
    text = f"---\ntitle: 長い記事\nkind: interview\ndate: 2020-05-01\n---\n\n{body}\n"
    article, problems = parse_article("content/long.md", text)
    assert problems == []
    assert len(related_module.article_text(article)) == related_module.TEXT_LIMIT < len(body)


def test_never_the_article_itself_nor_a_part_of_its_own_series():
    related = related_slugs(PEOPLE)
    for slug, others in related.items():
        assert slug not in others
        assert len(others) <= 5
    assert "p02-kiyose" not in related["p01-kiyose"] and "p01-kiyose" not in related["p02-kiyose"]


def test_the_closest_article_comes_first_and_a_series_counts_once():
    related = related_slugs(PEOPLE)
    # p03 shares 清瀬市, 窓口, 北条 and the words 予約・窓口・共同調達 with the kiyose-2019 series
    assert related["p03-kiyose"][0] in ("p01-kiyose", "p02-kiyose")
    assert not {"p01-kiyose", "p02-kiyose"} <= set(related["p03-kiyose"])


def test_the_same_archive_gives_the_same_result():
    assert related_slugs(PEOPLE) == related_slugs(PEOPLE)


def test_an_article_page_shows_related_articles_and_a_series_as_the_series(site: Path):
    doc = page(site, "/articles/p03-kiyose/")
    section = doc.find_class("related")[0]
    assert text_of(section.find("h2")) == "関連記事"
    items = section.findall(".//li")
    assert 1 <= len(items) <= 5
    first = items[0]
    assert first.find(".//h3/a").get("href") == "../p01-kiyose/index.html"  # the series' first part
    assert text_of(first.find_class("related-note")[0]) == "全2回のシリーズ"
    hrefs = [a.get("href") for a in section.findall(".//h3/a")]
    assert "./index.html" not in hrefs and "../p03-kiyose/index.html" not in hrefs
    assert len(hrefs) == len(set(hrefs))


def test_a_part_of_a_series_shows_neither_itself_nor_its_other_part(site: Path):
    doc = page(site, "/articles/p01-kiyose/")
    hrefs = [a.get("href") for a in doc.find_class("related")[0].findall(".//h3/a")]
    assert hrefs and not {"./index.html", "../p01-kiyose/index.html", "../p02-kiyose/index.html"} & set(hrefs)


def test_related_articles_on_a_synthetic_archive_are_deterministic_and_bounded(tmp_path: Path):
    for name, text in generate(120).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    first, second = related_slugs(tmp_path), related_slugs(tmp_path)
    assert first == second
    assert sum(1 for v in first.values() if v) > 100
    assert all(len(v) <= 5 for v in first.values())


def test_one_process_and_every_core_choose_the_same_related_articles(tmp_path: Path, monkeypatch):
    """From PARALLEL_MIN articles up, the nouns and the choice are made on every core; the
    choice looks at a shortlist of the strongest candidates first. Neither changes a result:
    compared with one process and with every candidate sorted (SHORTLIST beyond any count)."""
    for name, text in generate(160).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(related_module, "PARALLEL_MIN", 1)
    parallel = related_slugs(tmp_path)
    monkeypatch.setattr(related_module, "PARALLEL_MIN", 10**9)
    monkeypatch.setattr(related_module, "SHORTLIST", 10**9)
    assert related_slugs(tmp_path) == parallel
    assert sum(1 for v in parallel.values() if len(v) == 5) > 100


def test_a_cached_build_is_byte_identical_and_mecab_is_skipped_for_unchanged_texts(tmp_path, monkeypatch):
    content, cache = tmp_path / "content", tmp_path / ".cache"
    shutil.copytree(PEOPLE, content)
    clean = tmp_path / "clean"
    build(content, TEMPLATES, clean, search=False, cache_dir=None)
    first = tmp_path / "first"
    build(content, TEMPLATES, first, search=False, cache_dir=cache)
    assert (cache / related_module.CACHE_FILE).is_file()

    cut: list[str] = []
    real = related_module.text_nouns
    monkeypatch.setattr(related_module, "text_nouns", lambda text: cut.append(text) or real(text))
    edited = content / "p04-hino.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("端末の更新", "庁内端末の更新"), encoding="utf-8")
    second = tmp_path / "second"
    build(content, TEMPLATES, second, search=False, cache_dir=cache)
    assert len(cut) == 1 and "庁内端末" in cut[0]  # only the edited article went through MeCab
    edited.write_text(edited.read_text(encoding="utf-8").replace("庁内端末の更新", "端末の更新"), encoding="utf-8")
    third = tmp_path / "third"
    build(content, TEMPLATES, third, search=False, cache_dir=cache)
    assert files(third) == files(clean) == files(first)


def test_a_build_of_the_same_files_takes_the_related_articles_the_last_one_chose(tmp_path, monkeypatch):
    content, cache = tmp_path / "content", tmp_path / ".cache"
    shutil.copytree(PEOPLE, content)
    first = tmp_path / "first"
    build(content, TEMPLATES, first, search=False, cache_dir=cache)
    assert (cache / related_module.RESULT_FILE).is_file()
    edited = content / "p04-hino.md"
    original = edited.read_text(encoding="utf-8")

    made: list[int] = []
    real = related_module._related
    monkeypatch.setattr(related_module, "_related", lambda *a: made.append(1) or real(*a))
    second = tmp_path / "second"
    build(content, TEMPLATES, second, search=False, cache_dir=cache)
    assert made == [] and files(second) == files(first)  # nothing changed: nothing chosen again

    edited.write_text(original.replace("端末の更新", "庁内端末の更新"), encoding="utf-8")
    build(content, TEMPLATES, tmp_path / "third", search=False, cache_dir=cache)
    assert made == [1]  # one file changed: chosen again
    edited.write_text(original, encoding="utf-8")
    (cache / related_module.RESULT_FILE).write_bytes(b"broken")
    fourth = tmp_path / "fourth"
    build(content, TEMPLATES, fourth, search=False, cache_dir=cache)
    assert made == [1, 1] and files(fourth) == files(first)  # a broken one is no cache


def test_a_broken_cache_is_an_empty_cache(tmp_path):
    cache = tmp_path / ".cache"
    cache.mkdir()
    (cache / related_module.CACHE_FILE).write_bytes(b"not a cache")
    out = tmp_path / "out"
    build(PEOPLE, TEMPLATES, out, search=False, cache_dir=cache)
    assert (out / "articles" / "p03-kiyose" / "index.html").is_file()


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_an_edit_past_the_start_of_a_body_keeps_the_related_articles_without_choosing(
        tmp_path, monkeypatch):
    """What the related articles are made of is each article's slug, series, facets and the
    start of its text (``TEXT_LIMIT`` characters): a paragraph added at the end of a long
    article changes none of it."""
    content, cache = tmp_path / "content", tmp_path / ".cache"
    shutil.copytree(PEOPLE, content)
    edited = content / "p04-hino.md"
    filler = "".join(f"\n\n段落{k}。庁内の端末を順に入れ替える計画を説明しました。" for k in range(60))
    edited.write_text(edited.read_text(encoding="utf-8").rstrip("\n") + filler + "\n",
                      encoding="utf-8")
    build(content, TEMPLATES, tmp_path / "first", search=False, cache_dir=cache)

    made: list[int] = []
    real = related_module._related
    monkeypatch.setattr(related_module, "_related", lambda *a: made.append(1) or real(*a))
    edited.write_text(edited.read_text(encoding="utf-8") + "\n最後に一言、付け加えました。\n",
                      encoding="utf-8")
    second = tmp_path / "second"
    build(content, TEMPLATES, second, search=False, cache_dir=cache)
    assert made == []
    assert "最後に一言" in text_of(page(second, "/articles/p04-hino/").find(".//main"))
    clean = tmp_path / "clean"
    build(content, TEMPLATES, clean, search=False, cache_dir=None)
    assert files(second) == files(clean)

    made.clear()
    edited.write_text(edited.read_text(encoding="utf-8").replace("title: ", "title: 改題 ", 1),
                      encoding="utf-8")
    build(content, TEMPLATES, tmp_path / "third", search=False, cache_dir=cache)
    assert made == [1]  # the title is part of the text: chosen again


def test_a_model_changed_where_articles_changed_chooses_as_one_made_anew(tmp_path: Path):
    """``Model.update``: a few articles with other words or facets; the vectors, feature
    lists and choices are those of a model made from scratch (the floats bit for bit)."""
    import pickle
    import random
    from collections import Counter

    from cio_forum_site.site.related import Model, facet_features

    for name, text in generate(150).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    articles, _ = load_archive(tmp_path)
    archive = make_archive(articles)
    people = make_people(archive)
    facets = [facet_features(a, people) for a in archive.articles]
    rng = random.Random(7)
    vocabulary = [f"語{k}" for k in range(400)]

    def words_of() -> Counter:  # a few words in about a third of the articles: their
        # lists of articles are longer than POSTING_LIMIT, and cut
        found = Counter({rng.choice(vocabulary[:rng.choice([40, 400])]): rng.randint(1, 4)
                         for _ in range(rng.randint(0, 30))})
        found.update({word: rng.randint(1, 3) for word in ("行政", "窓口", "研修")
                      if rng.random() < 0.35})
        return found

    words = [words_of() for _ in archive.articles]
    keys = [f"text-{i}" for i in range(len(words))]
    model = Model(archive, facets, keys, words)
    for round_ in range(12):
        # the nouns cache as the last build left it: each text key → (words, counts)
        nouns_by_key = {k: related_module._entry(w) for k, w in zip(keys, words, strict=True)}
        for i in rng.sample(range(len(words)), rng.randint(1, 6)):
            words[i] = words_of()
            keys[i] = f"text-{i}-{round_}"
            if rng.random() < 0.3:
                facets[i] = [*facets[i], rng.choice(["g:新しい話題", "t:窓口", "m:13101"])]
        kept = pickle.loads(pickle.dumps(model))  # as the next build finds it
        assert kept.update(archive, facets, keys, words, nouns_by_key)
        anew = Model(archive, facets, keys, words)
        assert kept.vectors == anew.vectors and kept.postings == anew.postings
        assert kept.best == anew.best, round_
        model = kept
    assert not model.update(archive, facets, [f"other-{i}" for i in range(len(keys))], words,
                            nouns_by_key)
