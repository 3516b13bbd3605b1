"""Pagefind's index, written here: the files Pagefind 1.5's own JavaScript reads to search.

Pagefind's binary, given one record per article, holds every record in memory (over 2 GB
at 10,000 articles), indexes each record as it comes and re-indexes all of them in every
build. Its index is simple, though (Pagefind's ``src/index``), so this module writes the
same files from the keys as they come, with far less memory, and the binary only gives
its client (``pagefind.js`` and the WebAssembly, ``pagefind.client_files``):

- ``pagefind.<hash>.pf_meta``: [version, pages [[page hash, word count]], index chunks
  [[from, to, hash]], filters [[name, hash]], sorts [], meta fields []];
- ``index/<hash>.pf_index``: [[word, pages, variants]] in word order, where pages are
  [[page number − the previous one, locations, []]] and variants [[form, pages]] (a word
  with diacritics is indexed without them, its own form a variant of that word);
- ``filter/<hash>.pf_filter``: [filter, [[value, [page numbers]]]];
- ``pagefind-entry.json``: the version and, for the one language (``unknown``), the meta
  file's hash and the number of pages.

A key found on very many pages can be split into shards (``files(shard_pages=…)``):
``key`` + ``SHARD`` + 0, 1, … each with up to ``shard_pages`` of its pages, in page order.
Pagefind's client compares every page of a word with every other of its entries when it
searches for it, so one search for a word on *n* pages costs about *n*²: at 10,000
articles, 190 ms for the word every article has, 7 ms for one on 1,244 pages. The caller
then searches each shard (``indexer.py`` lists them in the manifest).

Each file is gzip of ``pagefind_dcd`` and CBOR (``bundle.py``). A record's content is its
keys separated by spaces; each key is a word with Pagefind's weight 1. A key becomes
Pagefind's word as Pagefind makes it (``pagefind_word``): letters and digits, lower case,
diacritics apart. Where Pagefind notes the position of each word in the page (locations
``[-25, position, next − position, …]``), every position here is 0 (``[-25, 0, 0, …]``,
one per key): nothing the search worker asks of Pagefind depends on positions (it looks a
key up and takes the pages; it never searches for phrases), a position of 0 takes one
byte instead of up to three, and a page's entries stay the same when keys come or go
before them, so an edited article changes the entries of its changed keys only.
``tests/test_pagefind_format.py`` compares every file, decoded, with what the Pagefind
binary makes of the same records, positions aside (where the chunks differ, see
``IndexWriter._chunks``, the same words in the same order, cut elsewhere).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import unicodedata
import zlib
from array import array
from bisect import bisect_left, bisect_right, insort
from collections.abc import Container, Iterable, Sequence
from itertools import pairwise

from cio_forum_site.parallel import by_share, workers_for
from cio_forum_site.search.bundle import SIGNATURE, _head, encode

LANGUAGE = "unknown"  # no stemming: the keys are MeCab's tokens, used as they are
SUPPORTED = ("1.5.",)  # Pagefind versions whose index this module writes
# Pagefind's "include characters" (word symbols kept in words), as its entry lists them
INCLUDE_CHARACTERS = ("_", "\u203f", "\u2040", "\u2054", "\ufe33", "\ufe34", "\ufe4d",
                      "\ufe4e", "\ufe4f", "\uff3f")
PARALLEL_MIN_FORMS = 20_000  # fewer words than this are encoded in one process
SHARD = "\u16a5"  # ᚥ between a key and its shard's number (runic: no text has it)
DEFAULT_WEIGHT = 24  # Pagefind's weight 1.0 (× 24)
_LOCS_HEAD = encode(-DEFAULT_WEIGHT - 1)  # a page's locations start with the weight
_ONE_LOC = b"\x82" + _LOCS_HEAD  # the locations of a word found once on a page: 2 items
_SMALL: list[bytes] = []  # CBOR of small unsigned integers (``_small``)


# IndexWriter.slots of a key left out, and of one that is no word (compared by identity)
_LEFT_OUT = object()
_NO_WORD = object()
_MARKS = (_LEFT_OUT, _NO_WORD)


class UnsupportedPagefind(Exception):
    """Pagefind's client is of a version whose index this module does not write."""


def pagefind_word(key: str) -> tuple[str, str | None]:
    """(the word Pagefind indexes ``key`` under, the key's own form when that differs
    only by diacritics, else None): letters, digits and Pagefind's word symbols, in lower
    case; without combining marks (after NFD) when it is not ASCII."""
    if key.isalnum() and key == key.lower() and unicodedata.is_normalized("NFD", key):
        return key, None  # the common case, at once: nothing to drop, lower or take apart
    chars = []
    for c in key:
        if c.isalnum() or c in INCLUDE_CHARACTERS:
            chars.append(c.lower() if c.isupper() else c)
    word = "".join(chars)
    if not word or word.isascii():
        return word, None
    plain = "".join(c for c in unicodedata.normalize("NFD", word)
                    if not unicodedata.category(c).startswith("M"))
    return (plain, word) if plain != word else (word, None)


class IndexWriter:
    """Pages go in (``add``, in page order; ``replace`` indexes a page again); Pagefind's
    files come out (``files``). A writer kept after ``files`` (pickled, between builds)
    makes the next ``files`` anew only where pages changed: the index chunks whose words
    all kept their entries are the same files, and the entries of the words no page
    changed are taken from the chunks they were in."""

    def __init__(self, left_out: Iterable[str] = ()) -> None:
        """``left_out``: keys that are not indexed (nor counted) when a page has them."""
        # key → the postings of the form it is indexed under, or _LEFT_OUT, or _NO_WORD
        self.slots: dict[str, array | object] = dict.fromkeys(left_out, _LEFT_OUT)
        self.indexed = 0  # (page, key) pairs in the index
        # form → the page of each key indexed under it (4 bytes each, not Python ints), in
        # page order; a form no page has any more keeps an empty one
        self.postings: dict[str, array] = {}
        self.word_of: dict[str, str] = {}  # form → the word it is indexed under
        self.pages: list[tuple[str, int]] = []  # (seed of the page's hash, word count)
        self.filters: dict[str, dict[str, list[int]]] = {}
        # the index chunks of the last ``files``: first word → (its words, where each
        # word's entry begins in the file and where the last ends, the file's digest, the
        # file); and the postings changed since (by id), whose words' entries are made anew
        self._chunk_files: dict[str, tuple[tuple[str, ...], array, str, bytes]] = {}
        self._changed: set[int] = set()
        # each index chunk file of the last ``files`` → the digest of its content
        self.digests: dict[str, str] = {}

    def __getstate__(self) -> dict:
        """The writer as plain lists: each posting as bytes, each slot as the number of
        its posting (or of a marker, which is compared by identity) — a third of the time
        of pickling the objects."""
        number = {id(posting): n for n, posting in enumerate(self.postings.values())}
        number.update({id(_LEFT_OUT): -1, id(_NO_WORD): -2})
        return {"forms": list(self.postings), "words": list(self.word_of.values()),
                "postings": [posting.tobytes() for posting in self.postings.values()],
                "slots": {key: number[id(slot)] for key, slot in self.slots.items()},
                "indexed": self.indexed, "pages": self.pages, "filters": self.filters,
                "chunk_files": self._chunk_files}

    def __setstate__(self, state: dict) -> None:
        postings = []
        for data in state["postings"]:
            postings.append(array("I"))
            postings[-1].frombytes(data)
        by_number = {-1: _LEFT_OUT, -2: _NO_WORD, **dict(enumerate(postings))}
        self.postings = dict(zip(state["forms"], postings, strict=True))
        self.word_of = dict(zip(state["forms"], state["words"], strict=True))
        self.slots = {key: by_number[n] for key, n in state["slots"].items()}
        self.indexed, self.pages, self.filters = state["indexed"], state["pages"], state["filters"]
        self._chunk_files = state["chunk_files"]
        self._changed = set()
        self.digests = {}

    def add(self, seed: str, keys: str, filters: dict[str, Sequence[str]]) -> int:
        """Index the next page: its keys (space-separated) and filter values; ``seed``
        (unique per page) names it. Returns its page number."""
        page = len(self.pages)
        slots = self.slots
        position = 0
        for key in keys.split(" ") if keys else ():
            posting = slots.get(key)
            if posting is None:
                posting = slots[key] = self._slot(key)
            elif posting is _LEFT_OUT:
                continue
            if posting is not _NO_WORD:
                posting.append(page)
            position += 1
        self.pages.append((seed, position))
        self.indexed += position
        for name, values in filters.items():
            by_value = self.filters.setdefault(name, {})
            for value in values:
                by_value.setdefault(value, []).append(page)
        if self._chunk_files:  # a page added to a kept index: its words' entries change
            self._changed.update(id(slots[k]) for k in keys.split(" ") if keys)
        return page

    def replace(self, page: int, seed: str, old_keys: str, keys: str,
                filters: dict[str, Sequence[str]]) -> None:
        """Index page ``page`` again, as if it had been added with ``seed``, ``keys`` and
        ``filters`` (``old_keys``: the keys it was added with)."""
        before, _ = self._entries(old_keys)
        after, position = self._entries(keys)
        for posting_id in before.keys() | after.keys():
            had, has = before.get(posting_id), after.get(posting_id)
            count = has[1] if has else 0
            if had and had[1] == count:
                continue  # the same entries: the word's entry stays as it was
            posting = (has or had)[0]
            start, end = bisect_left(posting, page), bisect_right(posting, page)
            posting[start:end] = array("I", [page] * count)
            self._changed.add(posting_id)
        self.indexed += position - self.pages[page][1]
        self.pages[page] = (seed, position)
        for name, by_value in list(self.filters.items()):
            for value, pages in list(by_value.items()):
                if (at := bisect_left(pages, page)) < len(pages) and pages[at] == page:
                    del pages[at]
                    if not pages:
                        del by_value[value]
            if not by_value:
                del self.filters[name]
        for name, values in filters.items():
            by_value = self.filters.setdefault(name, {})
            for value in values:
                insort(by_value.setdefault(value, []), page)

    def _entries(self, keys: str) -> tuple[dict[int, tuple[array, int]], int]:
        """The entries a page with ``keys`` has: id of a posting → (the posting, how many of
        the keys are indexed under it); and the page's word count."""
        entries: dict[int, tuple[array, int]] = {}
        position = 0
        for key in keys.split(" ") if keys else ():
            posting = self.slots.get(key)
            if posting is None:
                posting = self.slots[key] = self._slot(key)
            elif posting is _LEFT_OUT:
                continue
            if isinstance(posting, array):
                entry = entries.get(id(posting))
                entries[id(posting)] = (posting, entry[1] + 1 if entry else 1)
            position += 1
        return entries, position

    def _slot(self, key: str) -> array | object:
        """The postings a key not seen before adds to."""
        word, variant = pagefind_word(key)
        form = variant or word
        if not form:
            return _NO_WORD
        posting = self.postings.get(form)
        if posting is None:
            posting = self.postings[form] = array("I")
            self.word_of[form] = word
        return posting

    def page_hashes(self) -> list[str]:
        """Each page's name (``unknown_`` and 7 or more hex digits of a hash of its seed,
        longer where two would be the same), in page order."""
        names: list[str] = []
        taken: set[str] = set()
        for seed, _ in self.pages:
            names.append(_name(taken, "{}", hashlib.sha1(seed.encode("utf-8")).hexdigest()))
            taken.add(names[-1])
        return names

    def files(self, version: str, chunk_size: int, shard_pages: int = 0
              ) -> tuple[dict[str, bytes], list[str], list[list[str]], dict[str, int]]:
        """(path in the bundle → content, the page hashes, the [from, to] key range of
        every index chunk, the keys split into shards → how many) for Pagefind
        ``version``, with index chunks of about ``chunk_size`` entries (Pagefind's
        measure: per page of a word, its locations and one) and, when ``shard_pages`` is
        given, every key on more pages than that split into shards of that many pages."""
        if not version.startswith(SUPPORTED):
            raise UnsupportedPagefind(
                f"Pagefind {version} の索引の形には対応していません（対応: 1.5 系）")
        postings, word_of, shards = self._sharded(shard_pages)
        files: dict[str, bytes] = {}
        chunks = []
        self.digests = {}
        for words, _, digest, blob in self._chunks(chunk_size, postings, word_of):
            chunks.append([words[0], words[-1], _name(files, "index/{}.pf_index", digest)])
            files[f"index/{chunks[-1][2]}.pf_index"] = blob
            self.digests[f"index/{chunks[-1][2]}.pf_index"] = digest
        _trim_ranges(chunks)
        filters = [[name, _store(files, "filter/{}.pf_filter", encode(
                        [name, [[value, pages] for value, pages in sorted(values.items())]]))]
                   for name, values in sorted(self.filters.items())]
        hashes = self.page_hashes()
        pages = [[h, count] for h, (_, count) in zip(hashes, self.pages, strict=True)]
        meta_hash = _store(files, "pagefind.{}.pf_meta",
                           encode([version, pages, chunks, filters, [], []]), length=15)
        entry = {"version": version,
                 "languages": {LANGUAGE: {"hash": meta_hash, "wasm": None,
                                          "page_count": len(self.pages)}},
                 "include_characters": list(INCLUDE_CHARACTERS)}
        files["pagefind-entry.json"] = json.dumps(
            entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return files, hashes, [chunk[:2] for chunk in chunks], shards

    def _sharded(self, shard_pages: int
                 ) -> tuple[dict[str, array], dict[str, str], dict[str, int]]:
        """The postings (none empty) and their words with every form on more than
        ``shard_pages`` pages split into shards (form ``fᚥk`` of word ``wᚥk``); and each
        key whose form was split → the number of shards."""
        postings = {form: posting for form, posting in self.postings.items() if posting}
        word_of = {form: self.word_of[form] for form in postings}
        if not shard_pages:
            return postings, word_of, {}
        split: dict[int, int] = {}  # id of a posting that was split → its shards
        for form, posting in list(postings.items()):
            if len(posting) <= shard_pages:
                continue
            parts = _shards(posting, shard_pages)
            if len(parts) < 2:
                continue
            word = word_of.pop(form)
            del postings[form]
            for k, part in enumerate(parts):
                postings[f"{form}{SHARD}{k}"] = part
                word_of[f"{form}{SHARD}{k}"] = f"{word}{SHARD}{k}"
            split[id(posting)] = len(parts)
        # the keys as the pages had them (a slot is its form's posting)
        shards = {key: split[id(slot)] for key, slot in self.slots.items() if id(slot) in split}
        return postings, word_of, shards

    def _chunks(self, chunk_size: int, postings: dict[str, array], word_of: dict[str, str]
                ) -> list[tuple[tuple[str, ...], array, str, bytes]]:
        """(the words, where each word's entry begins in the file and where the last
        ends, the digest of its CBOR, the file) of each index chunk, in word order.

        Words are added to a chunk until its size (Pagefind's measure, ``_entries_size``,
        of a word's pages and those of its variants) reaches ``chunk_size`` × 5/4, or
        × 3/4 at a word that ends chunks (``_ends_chunk``, by the word alone). Pagefind
        cuts at ``chunk_size`` exactly, and counts only the pages of a word's own form; the
        two differences: in Japanese every word with a voiced kana (ガ, じ, …) is a variant,
        and Pagefind's measure made chunks of 12,000 such words, 265 KB to download, at
        10,000 articles; and where a chunk ends depends on the words around it, not on
        every word before it, so that a change in one chunk leaves the next ones as they
        were (with Pagefind's cuts, one more page for one word moved every later cut).

        A chunk of the last ``files`` whose words all kept their entries is taken as it is;
        in the others, only the entries of changed words are made (on every core when
        there are many)."""
        by_word: dict[str, list[str]] = {}  # word → its variant forms
        for form in postings:
            word = word_of[form]
            variants = by_word.setdefault(word, [])
            if form != word:
                variants.append(form)
        words = sorted(by_word)
        bounds: list[tuple[int, int]] = []
        start = size = 0
        least, most = chunk_size * 3 // 4, chunk_size * 5 // 4
        for i, word in enumerate(words):
            normal = postings.get(word)
            if normal:
                size += _entries_size(normal)
            for form in by_word[word]:
                size += _entries_size(postings[form])
            if size >= most or (size >= least and _ends_chunk(word)):
                bounds.append((start, i + 1))
                start, size = i + 1, 0
        if start < len(words):
            bounds.append((start, len(words)))

        kept = self._chunk_files
        # the words whose entries are as the kept chunks have them: none of their forms
        # (or of the form their shard was cut from) changed
        changed = {self.word_of[f] for f, p in self.postings.items() if id(p) in self._changed}
        made: dict[int, tuple[tuple[str, ...], array, str, bytes]] = {}
        todo: list[int] = []
        for k, (first, end) in enumerate(bounds):
            chunk = tuple(words[first:end])
            old = kept.get(chunk[0])
            if old is not None and old[0] == chunk and _unchanged(chunk, changed):
                made[k] = old
            else:
                todo.append(k)
        firsts = sorted(kept)  # the kept chunks' first words

        def encode_share(share: int, shares: int) -> list[tuple[array, str, bytes]]:
            out = []
            opened: dict[str, bytes] = {}  # kept chunks, unzipped
            for k in todo[share::shares]:
                first, end = bounds[k]
                parts = []
                for word in words[first:end]:
                    # an unchanged word's entry, from the kept chunk that has it
                    c = bisect_right(firsts, word) - 1 if _unchanged((word,), changed) else -1
                    old_words = kept[firsts[c]][0] if c >= 0 else ()
                    j = bisect_left(old_words, word)
                    if j < len(old_words) and old_words[j] == word:
                        data = opened.get(firsts[c])
                        if data is None:
                            data = opened[firsts[c]] = gzip.decompress(kept[firsts[c]][3])
                        offsets = kept[firsts[c]][1]
                        parts.append(data[offsets[j]:offsets[j + 1]])
                        continue
                    variants = sorted(by_word[word], key=lambda f: (postings[f][0], f))
                    parts.append(_word_entry(word, postings.get(word),
                                             [(f, postings[f]) for f in variants]))
                head = b"\x81" + _head(4, len(parts))  # a chunk is [words]
                offsets = array("I", [len(SIGNATURE) + len(head)])
                for part in parts:
                    offsets.append(offsets[-1] + len(part))
                cbor = head + b"".join(parts)
                out.append((offsets, hashlib.sha256(cbor).hexdigest(), _gzip(cbor)))
            return out

        shares = workers_for(sum(bounds[k][1] - bounds[k][0] for k in todo), PARALLEL_MIN_FORMS)
        encoded = by_share(encode_share, shares)
        for n, k in enumerate(todo):
            first, end = bounds[k]
            made[k] = (tuple(words[first:end]), *encoded[n % shares][n // shares])
        self._chunk_files = {made[k][0][0]: made[k] for k in range(len(bounds))}
        self._changed = set()
        return [made[k] for k in range(len(bounds))]


CHUNK_ENDS = 32  # one word in about this many ends a chunk (once it is 3/4 full)


def _ends_chunk(word: str) -> bool:
    """Whether a chunk 3/4 full ends at ``word``: a hash of the word alone decides."""
    return zlib.crc32(word.encode("utf-8")) % CHUNK_ENDS == 0


def _unchanged(words: Sequence[str], changed: set[str]) -> bool:
    """None of ``words`` (nor the word a shard was cut from) is in ``changed``."""
    return changed.isdisjoint(words) and not any(
        SHARD in w and w.partition(SHARD)[0] in changed for w in words)


def _shards(posting: array, per: int) -> list[array]:
    """A word's postings cut into runs of ``per`` pages (a page's entries stay together)."""
    if len(set(posting)) == len(posting):  # one entry per page: cut by count
        return [posting[j:j + per] for j in range(0, len(posting), per)]
    cuts, seen, last = [0], 0, None
    for j, page in enumerate(posting):
        if page != last:
            if seen == per:
                cuts.append(j)
                seen = 0
            seen, last = seen + 1, page
    cuts.append(len(posting))
    return [posting[a:b] for a, b in pairwise(cuts)]


def _small() -> list[bytes]:
    """_SMALL for every n < 65536 (made when first needed: not for a build without search)."""
    if not _SMALL:  # CBOR: 0–23 in the head byte, then a one- or two-byte argument
        _SMALL.extend(bytes((n,)) for n in range(24))
        _SMALL.extend(b"\x18" + bytes((n,)) for n in range(24, 256))
        _SMALL.extend(b"\x19" + n.to_bytes(2, "big") for n in range(256, 1 << 16))
    return _SMALL


def _uint(n: int) -> bytes:
    return _small()[n] if n < 65536 else _head(0, n)


def _entries_size(posting: array) -> int:
    """Pagefind's size of a word's pages: per page, its locations (the weight and one per
    key) and one."""
    return len(posting) + 2 * len(set(posting))


_STEP: list[bytes] = []  # b"\x83" and the CBOR of n (a page entry up to its locations)
_AT_0 = _ONE_LOC + _head(0, 0) + b"\x80"  # the locations of one key (at 0), the entry's end


def _steps() -> list[bytes]:
    """_STEP for every n < 65536 (made when first needed)."""
    if not _STEP:
        _STEP.extend(b"\x83" + s for s in _small())
    return _STEP


def _pages(posting: array) -> bytes:
    """CBOR of a word's pages: [[page − previous page, locations, []], …], the locations
    of a page [weight, 0, 0, …] with a 0 for each of its keys."""
    deltas = [posting[0], *map(int.__sub__, posting[1:], posting)]
    if 0 not in deltas[1:]:  # one key per page (as in every build's records)
        if posting[-1] < 65536:  # from a table, without a loop
            step = _steps()
            return _head(4, len(deltas)) + _AT_0.join(map(step.__getitem__, deltas)) + _AT_0
        parts = [b"\x83" + _uint(d) + _AT_0 for d in deltas]
        return _head(4, len(parts)) + b"".join(parts)
    out = []
    last_page = 0
    j = 0
    while j < len(posting):  # a page where two keys are one word: a location for each
        page = posting[j]
        keys = 1
        j += 1
        while j < len(posting) and posting[j] == page:
            keys += 1
            j += 1
        out.append(b"\x83" + _uint(page - last_page) + _head(4, keys + 1) + _LOCS_HEAD
                   + _head(0, 0) * keys + b"\x80")
        last_page = page
    return _head(4, len(out)) + b"".join(out)


def _word_entry(word: str, normal: array | None, variants: list[tuple[str, array]]) -> bytes:
    data = word.encode("utf-8")
    out = b"\x83" + _head(3, len(data)) + data + (_pages(normal) if normal else b"\x80")
    out += _head(4, len(variants))
    for form, posting in variants:
        data = form.encode("utf-8")
        out += b"\x82" + _head(3, len(data)) + data + _pages(posting)
    return out


def _gzip(cbor: bytes) -> bytes:
    """A file as Pagefind stores it. Level 5, not 6: at 1,000 articles the index chunks
    take 0.56 s of gzip instead of 0.90 s, for 0.9 % more bytes."""
    return gzip.compress(SIGNATURE + cbor, 5, mtime=0)


def _name(taken: Container[str], pattern: str, digest: str, length: int = 7) -> str:
    """A name for a file under ``pattern`` from the hex ``digest`` of its content
    (``unknown_`` and ``length`` or more of its digits, as many as make the path one that
    is not ``taken``)."""
    while pattern.format(f"{LANGUAGE}_{digest[:length]}") in taken and length < len(digest):
        length += 1
    return f"{LANGUAGE}_{digest[:length]}"


def _store(files: dict[str, bytes], pattern: str, cbor: bytes, length: int = 7) -> str:
    """Put a file (``cbor``) into ``files`` under ``pattern``, named after its content;
    returns the name."""
    name = _name(files, pattern, hashlib.sha256(cbor).hexdigest(), length)
    files[pattern.format(name)] = _gzip(cbor)
    return name


def _trim_ranges(chunks: list[list[str]]) -> None:
    """Shorten each boundary between chunks to the shortest prefixes that still tell the
    two apart (Pagefind's ``chunk_meta``); a range never ends before it starts."""
    for first, second in zip(chunks, chunks[1:], strict=False):
        a, b = first[1], second[0]
        common = 0
        for x, y in zip(a, b, strict=False):
            if x != y:
                break
            common += 1
        if a[:common + 1] >= first[0]:
            first[1] = a[:common + 1]
        second[0] = b[:common + 1]
