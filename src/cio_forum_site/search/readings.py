"""読み: how the archive's words are read, so that a query in kana finds them.

Every run of letters and digits of the archive (the words of the lexicon) gets its reading
from unidic-lite (fugashi, ``feature.kana``, field 17), in katakana: 宮坂 → ミヤサカ, 標準 →
ヒョウジュン, テレワーク → テレワーク. A word is read on its own: MeCab cuts a batch of words,
separated by "。" (one before the first and after the last too: every word has the same
neighbours, so its reading never depends on its batch), and a word's reading is the readings of its pieces joined (a piece MeCab
does not know has a reading only if it is kana itself). A participant's ``kana:`` wins over
MeCab for the parts of their name (family and given name): 真柴 is read as the article says.

The browser gets the readings as buckets by the reading's first character
(``reading_buckets``): reading → the words read so, most frequent first. A query part in
kana is cut into readings of whole words (``search-core.js``, ``readingAlternatives``), so a
reading that starts or ends inside a word's reading never matches.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import cache

from cio_forum_site.search.text import normalize, to_katakana

SEPARATOR = "。"  # between the words of a batch: always a token of its own, never in a word
BATCH_CHARS = 2000  # MeCab gets at most BATCH_CHARS + LONGEST characters at once
LONGEST = 50  # longer words are not read (nobody types them in kana): MeCab's input stays small
READING_BUCKET_BYTES = 24_000
MAX_BUCKETS = 128
_KANA = re.compile(r"[\u30a1-\u30fa\u30fc]+")


def tagger():
    """A MeCab tagger whose output is ``surface<TAB>kana `` per token (kana may be empty)."""
    import fugashi
    import unidic_lite

    folder = unidic_lite.DICDIR
    return fugashi.GenericTagger(
        f'-r "{folder}/mecabrc" -d "{folder}" -O "" '
        r"-F '%m\t%f[17]\s' -U '%m\t\s' -E '\n'")


def read_words(words: Iterable[str], mecab=None) -> dict[str, str]:
    """The reading (katakana) of each word that has one."""
    mecab = mecab or tagger()
    out: dict[str, str] = {}
    batch: list[str] = []
    size = 0
    for word in words:
        if len(word) > LONGEST:
            continue
        if _KANA.fullmatch(as_written := to_katakana(word)):  # kana reads as it is written
            out[word] = as_written
            continue
        batch.append(word)
        size += len(word) + 1
        if size >= BATCH_CHARS:
            out.update(_read_batch(batch, mecab))
            batch, size = [], 0
    if batch:
        out.update(_read_batch(batch, mecab))
    return out


def _read_batch(words: list[str], mecab) -> dict[str, str]:
    """Every word between two separators, as in ``_read_one``: MeCab's reading of a word
    depends on what stands beside it (河北 is カホク at the start of a text, カワキタ after
    "。"), so each word gets the same neighbours whatever batch it is in, and a build reads
    it as every other build does."""
    groups = _groups(mecab.parse(SEPARATOR + SEPARATOR.join(words) + SEPARATOR))
    if len(groups) != len(words) + 2 or groups[0] or groups[-1]:
        # MeCab cut across a separator: read them one by one
        return {w: r for w in words if (r := _reading(_read_one(w, mecab), w))}
    out: dict[str, str] = {}
    for word, pieces in zip(words, groups[1:-1], strict=True):
        if reading := _reading(pieces, word):
            out[word] = reading
    return out


def _groups(output: str) -> list[list[tuple[str, str]]]:
    """MeCab's (surface, kana) pieces, in groups between separators."""
    groups: list[list[tuple[str, str]]] = [[]]
    for item in output.split(" "):
        surface, _, kana = item.partition("\t")
        if surface == SEPARATOR:
            groups.append([])
        elif surface.strip():
            groups[-1].append((surface.strip(), kana))
    return groups


def _read_one(word: str, mecab) -> list[tuple[str, str]]:
    groups = _groups(mecab.parse(SEPARATOR + word + SEPARATOR))
    return [piece for group in groups for piece in group]


def _reading(pieces: list[tuple[str, str]], word: str) -> str:
    """The word's reading from its pieces, or "" when a piece has none."""
    if "".join(s for s, _ in pieces) != word:
        return ""
    out = []
    for surface, kana in pieces:
        kana = kana or to_katakana(surface)
        if not _KANA.fullmatch(kana):
            return ""
        out.append(kana)
    return "".join(out)


def name_readings(people: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Written form → reading from participants' ``kana:``: the whole name, and its family
    and given name when the name and the reading have as many parts."""
    out: dict[str, str] = {}
    for name, kana in people:
        names, readings = name.split(), kana.split()
        if not names or not readings:
            continue
        out[normalize("".join(names))] = to_katakana("".join(readings))
        if len(names) == len(readings) > 1:
            for written, reading in zip(names, readings, strict=True):
                out[normalize(written)] = to_katakana(reading)
    return {w: r for w, r in out.items() if w and _KANA.fullmatch(r)}


@cache  # few distinct counts: each cost is worked out once
def token_cost(documents_with_it: int, documents: int) -> int:
    """A token's cost for the segmenter: the negative log of the share of documents that
    have it, in hundredths (a token in every document costs 0; the segmenter adds a
    constant per token, so fewer, longer tokens win and frequency breaks ties)."""
    return round(-100 * math.log(max(documents_with_it, 1) / (documents + 1)))


def reading_buckets(readings: dict[str, str], words: dict[str, int], names: dict[str, str],
                    documents: int) -> list[dict[str, list]]:
    """Reading → [[written, cost], …] (cheapest first), in buckets by the reading's first
    character. ``readings``: word → MeCab's reading; ``words``: word → documents with it;
    ``names``: written → reading from ``kana:`` (cost 0; MeCab's reading of such a word is
    dropped)."""
    by_reading: dict[str, dict[str, int]] = {}
    for word, reading in readings.items():
        if word in names or word not in words:
            continue
        by_reading.setdefault(reading, {})[word] = token_cost(words[word], documents)
    for written, reading in names.items():
        by_reading.setdefault(reading, {})[written] = 0
    size = sum(len(r.encode()) + sum(len(w.encode()) + 8 for w in ws)
               for r, ws in by_reading.items())
    count = max(1, min(MAX_BUCKETS, math.ceil(size / READING_BUCKET_BYTES)))
    buckets: list[dict[str, list]] = [{} for _ in range(count)]
    for reading in sorted(by_reading):
        written = by_reading[reading]
        entries = sorted(written.items(), key=lambda e: (e[1], e[0])) if len(written) > 1 \
            else written.items()
        buckets[ord(reading[0]) % count][reading] = [[w, c] for w, c in entries]
    return buckets
