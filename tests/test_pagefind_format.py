"""The index this project writes is, file by file once decoded, the index the Pagefind
binary makes of the same records (``search/pagefind_format.py``): the same words, pages,
locations, variants, chunk ranges and filters. Only the files' names (hashes of their
content) differ, and the pages' names, which name the article texts."""

from __future__ import annotations

import json
import pickle
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cio_forum_site.search import documents as search_documents
from cio_forum_site.search.bundle import parse
from cio_forum_site.search.indexer import EVERY, MARKER, _Tokenizer, pagefind_filters
from cio_forum_site.search.pagefind import PagefindService
from cio_forum_site.search.pagefind_format import (
    SHARD,
    IndexWriter,
    UnsupportedPagefind,
    pagefind_word,
)
from cio_forum_site.search.text import KEY_RUN, normalize

Record = tuple[str, dict[str, list[str]]]  # keys (space-separated), filters


def without_positions(pages: list) -> list:
    """A word's pages with every location but the weight 0 (ours are: pagefind_format.py)."""
    return [[delta, [locations[0], *[0] * (len(locations) - 1)], rest]
            for delta, locations, rest in pages]


def index_chunk(data: bytes, name: str) -> list:
    """An index chunk, decoded, its words' positions set aside."""
    (words,) = parse(data, name)
    return [[[word, without_positions(pages),
              [[form, without_positions(forms)] for form, forms in variants]]
             for word, pages, variants in words]]


def decoded(files: dict[str, bytes]) -> dict:
    """Everything Pagefind's client reads, decoded, by what it means rather than by name
    (the positions of words in pages aside: ours are all 0, and nothing reads them)."""
    entry = json.loads(files["pagefind-entry.json"])
    language = entry["languages"]["unknown"]
    version, pages, chunks, filters, sorts, fields = parse(
        files[f"pagefind.{language['hash']}.pf_meta"], "pf_meta")
    return {
        "entry": (entry["version"], language["wasm"], language["page_count"],
                  entry["include_characters"]),
        "version": version,
        "word counts": [count for _, count in pages],
        "chunks": [(start, end, index_chunk(files[f"index/{name}.pf_index"], name))
                   for start, end, name in chunks],
        "filters": [(name, sorted(parse(files[f"filter/{h}.pf_filter"], h)[1]))
                    for name, h in sorted(filters)],
        "sorts": sorts,
        "meta fields": fields,
    }


def by_pagefind(records: list[Record], chunk_size: int) -> dict[str, bytes]:
    with PagefindService(chunk_size=chunk_size) as service:
        for i, (keys, filters) in enumerate(records):
            service.add_record(f"/{i}.html", keys, meta={}, filters=filters, sort={})
        return service.files()


def by_us(records: list[Record], version: str, chunk_size: int, shard_pages: int = 0
          ) -> tuple[dict[str, bytes], dict[str, int]]:
    writer = IndexWriter()
    for i, (keys, filters) in enumerate(records):
        writer.add(f"/{i}.html", keys, filters)
    files, _, _, shards = writer.files(version, chunk_size, shard_pages)
    return files, shards


def assert_same_index(records: list[Record], chunk_size: int, shard_pages: int = 0) -> None:
    """Our index of ``records`` is the binary's; with ``shard_pages``, it is the binary's
    index of the records in which every key on more pages than that is named after its
    shard (``keyᚥ0`` on its first ``shard_pages`` pages, ``keyᚥ1`` on the next …)."""
    theirs = decoded(by_pagefind(in_shards(records, shard_pages)[0], chunk_size))
    files, shards = by_us(records, theirs["version"], chunk_size, shard_pages)
    ours = decoded(files)
    for part in theirs:
        if part == "chunks":  # the same words in the same order, cut elsewhere
            # (pagefind_format.IndexWriter._chunks)
            assert words_of(ours) == words_of(theirs)
            assert_chunk_ranges_hold(ours["chunks"])
        else:
            assert ours[part] == theirs[part], part
    assert shards == in_shards(records, shard_pages)[1]


def words_of(index: dict) -> list:
    """Every word of the index, in order, across its chunks."""
    return [word for _, _, (words,) in index["chunks"] for word in words]


def assert_chunk_ranges_hold(chunks: list) -> None:
    """Each word lies in the key range of its own chunk and before the next chunk's, as
    Pagefind's client finds a word's chunk."""
    for k, (start, _, (words,)) in enumerate(chunks):
        following = chunks[k + 1][0] if k + 1 < len(chunks) else None
        for word, _, _ in words:
            assert start <= word and (following is None or word < following), (word, k)


def in_shards(records: list[Record], per: int) -> tuple[list[Record], dict[str, int]]:
    """The records with each key whose word (as Pagefind makes it) is on more than ``per``
    pages named after its shard, and those keys → their shards."""
    if not per:
        return records, {}
    pages_of: dict[str, list[int]] = {}  # form → the pages that have it
    for i, (keys, _) in enumerate(records):
        for key in keys.split(" ") if keys else ():
            word, variant = pagefind_word(key)
            pages = pages_of.setdefault(variant or word, [])
            if (variant or word) and (not pages or pages[-1] != i):
                pages.append(i)
    out, shards = [], {}
    for i, (keys, filters) in enumerate(records):
        named = []
        for key in keys.split(" ") if keys else ():
            word, variant = pagefind_word(key)
            pages = pages_of[variant or word]
            if (variant or word) and len(pages) > per:
                named.append(f"{key}{SHARD}{pages.index(i) // per}")
                shards[key] = -(-len(pages) // per)
            else:
                named.append(key)
        out.append((" ".join(named), filters))
    return out, shards


@pytest.fixture(scope="module")
def archive_records() -> list[Record]:
    """The fixture archive's articles as the build gives them to the index."""
    from conftest import FIXTURES

    from cio_forum_site.content.files import load_archive
    from cio_forum_site.site.archive import make_archive

    articles, errors = load_archive(FIXTURES / "archive" / "content")
    assert not errors
    docs = search_documents(make_archive(articles))
    tokenizer = _Tokenizer()
    return [(keys, pagefind_filters(doc))
            for doc, (keys, _, _) in zip(docs, tokenizer.analyse(docs), strict=True)]


@pytest.mark.parametrize("chunk_size", [4000, 60])
def test_the_archive_is_indexed_as_pagefind_indexes_it(archive_records, chunk_size):
    assert_same_index(archive_records, chunk_size)


# Keys as the build makes them: runs of letters and digits of normalized text, some with
# a marker, and the key every article has; letters with diacritics, kana with (han)dakuten, wide and narrow forms, Greek,
# Cyrillic, Hangul, digits of other scripts.
ALPHABET = ("abcdeéèêëçñøåæß" "ABCÉÅΣΛЖДѢ" "0123456789٣१" "αβγжд" "がぎぐパピかきくはひ"
            "ガギパポカキハヒヴ" "東京都区市町村" "한국어" "ＤＸｶﾞ①Ⅻ")


@st.composite
def records(draw) -> list[Record]:
    count = draw(st.integers(1, 12))
    out = []
    for _ in range(count):
        text = draw(st.text(st.sampled_from(ALPHABET + " "), max_size=80))
        runs = KEY_RUN.findall(normalize(text))
        keys = list(dict.fromkeys([*runs, *(r + MARKER for r in runs[:3]), EVERY]))
        if runs and draw(st.booleans()):  # two keys of one word in a page (not the build's)
            first = runs[0][0].upper() if runs[0][0].isascii() else runs[0][0]
            keys.append(draw(st.sampled_from([runs[0], first + runs[0][1:]])))
        filters = {"kind": [draw(st.sampled_from(["座談会", "インタビュー"]))]}
        if draw(st.booleans()):
            filters["municipality"] = draw(st.lists(st.sampled_from(["八王子市", "三鷹市", "日野市"]),
                                                    unique=True, min_size=1, max_size=2))
        out.append((" ".join(keys), filters))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records(), st.sampled_from([5, 40, 4000]))
def test_any_keys_are_indexed_as_pagefind_indexes_them(records, chunk_size):
    assert_same_index(records, chunk_size)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records(), st.sampled_from([5, 4000]), st.sampled_from([1, 2, 3]))
def test_keys_on_many_pages_are_indexed_in_shards_as_pagefind_indexes_such_keys(
        records, chunk_size, shard_pages):
    assert_same_index(records, chunk_size, shard_pages)


def test_words_only_in_variant_forms_count_in_the_size_of_a_chunk():
    # がN is a variant of かN (pagefind_word): Pagefind's own chunks count such a word as
    # empty and put all 30 in one chunk
    records = [(f"が{i} x", {}) for i in range(30)]
    theirs = decoded(by_pagefind(records, 8))
    ours = decoded(by_us(records, theirs["version"], 8)[0])
    def largest(index: dict) -> int:
        return max(len(words) for _, _, (words,) in index["chunks"])

    # words of 1 page (size 3 each): a chunk of 8 ends by size 10 (8 × 5/4)
    assert largest(theirs) == 30 and largest(ours) <= 4
    assert words_of(ours) == words_of(theirs)
    assert_chunk_ranges_hold(ours["chunks"])


def test_a_key_on_more_pages_than_a_shard_holds_is_split_in_page_order():
    records = [("都 区" if i % 2 else "都", {}) for i in range(7)]
    _, shards = by_us(records, "1.5.2", 4000, shard_pages=3)
    assert shards == {"都": 3}  # 区 is on pages 1, 3, 5: one shard, kept whole
    assert in_shards(records, 3)[0][:4] == [("都ᚥ0", {}), ("都ᚥ0 区", {}), ("都ᚥ0", {}),
                                            ("都ᚥ1 区", {})]
    assert_same_index(records, 4000, shard_pages=3)


def test_a_word_with_diacritics_is_a_variant_of_the_word_without():
    assert pagefind_word("ガバメント") == ("カハメント", "ガバメント")
    assert pagefind_word("テレワーク") == ("テレワーク", None)
    assert pagefind_word("café") == ("cafe", "café")
    assert pagefind_word("dx") == ("dx", None)


def test_another_pagefind_version_is_refused_not_misread():
    writer = IndexWriter()
    writer.add("/0.html", "x", {})
    with pytest.raises(UnsupportedPagefind, match="1.5"):
        writer.files("2.0.0", 4000)


def test_pages_are_named_apart_even_when_their_hashes_begin_alike():
    writer = IndexWriter()
    seeds = [f"/{i}.html" for i in range(3000)]
    random.Random(1).shuffle(seeds)
    for seed in seeds:
        writer.add(seed, "x", {})
    names = writer.page_hashes()
    assert len(set(names)) == len(names) == 3000
    assert all(name.startswith("unknown_") and len(name) >= 15 for name in names)


@st.composite
def edits(draw) -> tuple[list[Record], list[tuple[int, Record]]]:
    """Records, then changes to them: (page, its new record) or (-1, a record added)."""
    first = draw(records())
    more = draw(records())
    changes = [(draw(st.integers(-1, len(first) - 1)), record) for record in more[:6]]
    return first, changes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits(), st.sampled_from([5, 40, 4000]), st.sampled_from([0, 2]))
def test_an_index_kept_between_builds_and_changed_is_the_index_made_anew(
        edits, chunk_size, shard_pages):
    first, changes = edits
    kept = IndexWriter(left_out=["区"])
    for i, (keys, filters) in enumerate(first):
        kept.add(f"/{i}.html", keys, filters)
    kept.files("1.5.2", chunk_size, shard_pages)
    now = list(first)
    for page, record in changes:
        kept = pickle.loads(pickle.dumps(kept))  # as the next build finds it
        if page < 0:
            kept.add(f"/{len(now)}.html", *record)
            now.append(record)
        else:
            kept.replace(page, f"/{page}.html", now[page][0], *record)
            now[page] = record
        fresh = IndexWriter(left_out=["区"])
        for i, (keys, filters) in enumerate(now):
            fresh.add(f"/{i}.html", keys, filters)
        assert kept.files("1.5.2", chunk_size, shard_pages) == \
            fresh.files("1.5.2", chunk_size, shard_pages)
        assert kept.indexed == fresh.indexed


def test_every_key_is_at_position_0_so_keys_before_it_do_not_change_its_entry():
    def entries(records: list[str]) -> dict[str, list]:
        writer = IndexWriter()
        for i, keys in enumerate(records):
            writer.add(f"/{i}.html", keys, {})
        files, _, _, _ = writer.files("1.5.2", 4000)
        (chunk,) = [parse(data, path)[0] for path, data in files.items()
                    if path.startswith("index/")]
        return {word: [pages, variants] for word, pages, variants in chunk}

    before = entries(["都 区 DX dx", "区"])  # two keys of the word dx: two locations
    assert before == {"dx": [[[0, [-25, 0, 0], []]], []],
                      "区": [[[0, [-25, 0], []], [1, [-25, 0], []]], []],
                      "都": [[[0, [-25, 0], []]], []]}
    after = entries(["新 都 区 DX dx", "区"])  # a key more, before the others
    assert {word: entry for word, entry in after.items() if word != "新"} == before


def test_a_chunk_ends_where_its_words_say_so_a_change_leaves_the_later_chunks_as_they_were():
    words = [f"w{i:04d}" for i in range(3000)]
    records = [(" ".join(words[k::3]), {}) for k in range(3)]

    def chunks(records: list[Record]) -> list[bytes]:
        files, _ = by_us(records, "1.5.2", 60)
        return [data for path, data in sorted(files.items()) if path.startswith("index/")]

    before = chunks(records)
    records[1] = (records[1][0] + " w0000", {})  # the first word: on one page more
    after = chunks(records)
    assert len(before) > 40 and abs(len(after) - len(before)) <= 1
    assert len(set(after) - set(before)) <= 4  # with cuts at a size alone: every chunk


def test_the_table_of_small_numbers_is_their_cbor():
    from cio_forum_site.search.bundle import _head
    from cio_forum_site.search.pagefind_format import _small

    assert _small() == [_head(0, n) for n in range(1 << 16)]
