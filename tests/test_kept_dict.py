"""A cache kept as a whole and the changes since (``caches.KeptDict``): a build that changes
one entry of many writes that entry, not the whole; the value read back is the value saved."""

from __future__ import annotations

from pathlib import Path

from cio_forum_site.caches import KeptDict


def test_a_few_changes_are_kept_beside_the_whole_and_read_back_with_it(tmp_path: Path):
    value = {f"記事{i}": ("digest", i) for i in range(100)}
    KeptDict(tmp_path, "articles.pickle", "v1").save(value)
    whole = tmp_path / "articles.pickle"
    written = whole.stat().st_mtime_ns, whole.stat().st_ino

    cache = KeptDict(tmp_path, "articles.pickle", "v1")
    value = cache.load()
    value["記事3"] = ("changed", 3)
    del value["記事4"]
    value["記事new"] = ("new", 100)
    cache.save(value)
    assert (whole.stat().st_mtime_ns, whole.stat().st_ino) == written  # not written again
    assert (tmp_path / "articles.pickle.changes").is_file()
    assert KeptDict(tmp_path, "articles.pickle", "v1").load() == value


def test_many_changes_make_a_new_whole_and_another_version_reads_nothing(tmp_path: Path):
    cache = KeptDict(tmp_path, "articles.pickle", "v1")
    cache.save({i: i for i in range(100)})
    value = {i: -i for i in range(100)}
    cache.save(value)
    assert not (tmp_path / "articles.pickle.changes").exists()
    assert KeptDict(tmp_path, "articles.pickle", "v1").load() == value
    assert KeptDict(tmp_path, "articles.pickle", "v2").load() == {}


def test_changes_made_against_another_whole_are_not_applied(tmp_path: Path):
    first = KeptDict(tmp_path, "c.pickle", "v1")
    first.save({i: i for i in range(100)})
    second = KeptDict(tmp_path, "c.pickle", "v1")
    second.load()
    second.save({**{i: i for i in range(100)}, 1: "one"})  # changes against the first whole
    KeptDict(tmp_path, "c.pickle", "v1").save({i: 2 * i for i in range(100)})  # a new whole
    assert KeptDict(tmp_path, "c.pickle", "v1").load() == {i: 2 * i for i in range(100)}


def test_a_broken_or_missing_folder_is_an_empty_cache(tmp_path: Path):
    (tmp_path / "c.pickle").write_bytes(b"broken")
    assert KeptDict(tmp_path, "c.pickle", "v1").load() == {}
    assert KeptDict(None, "c.pickle", "v1").load() == {}
    KeptDict(None, "c.pickle", "v1").save({1: 1})  # nowhere to keep it: nothing happens
