"""ASCII slugs for Japanese words (tags), from MeCab's reading: 人材育成 → jinzai-ikusei."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache

from cio_forum_site import mecab

SLUG_LIMIT = 80  # characters: a folder name, far below the 255 bytes a file system allows

_ROMAJI = {}
_BASE = (
    "ア a イ i ウ u エ e オ o カ ka キ ki ク ku ケ ke コ ko サ sa シ shi ス su セ se ソ so "
    "タ ta チ chi ツ tsu テ te ト to ナ na ニ ni ヌ nu ネ ne ノ no ハ ha ヒ hi フ fu ヘ he ホ ho "
    "マ ma ミ mi ム mu メ me モ mo ヤ ya ユ yu ヨ yo ラ ra リ ri ル ru レ re ロ ro ワ wa ヰ i "
    "ヱ e ヲ o ン n ガ ga ギ gi グ gu ゲ ge ゴ go ザ za ジ ji ズ zu ゼ ze ゾ zo ダ da ヂ ji ヅ zu "
    "デ de ド do バ ba ビ bi ブ bu ベ be ボ bo パ pa ピ pi プ pu ペ pe ポ po ヴ vu "
    "ァ a ィ i ゥ u ェ e ォ o ャ ya ュ yu ョ yo ヮ wa ヵ ka ヶ ke"
).split()
_ROMAJI.update(zip(_BASE[::2], _BASE[1::2], strict=True))
_DIGRAPHS = {"ャ": "a", "ュ": "u", "ョ": "o"}
_SMALL_VOWELS = {"ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o"}


def kana_to_romaji(kana: str) -> str:
    """Katakana (or hiragana) to Hepburn-style ASCII; long vowels are not doubled."""
    kana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in kana)
    out: list[str] = []
    double_next = False
    for ch in kana:
        if ch == "ッ":
            double_next = True
            continue
        if ch == "ー":
            continue
        if out and ch in _DIGRAPHS and out[-1].endswith("i") and len(out[-1]) > 1:
            stem = out[-1][:-1]
            out[-1] = stem + ("" if stem in ("sh", "ch", "j") else "y") + _DIGRAPHS[ch]
            continue
        if out and ch in _SMALL_VOWELS and len(out[-1]) > 1:
            out[-1] = out[-1][:-1] + _SMALL_VOWELS[ch]
            continue
        roman = _ROMAJI.get(ch)
        if roman is None:
            roman = ch if ch.isascii() else ""
        if double_next and roman:
            roman = ("t" if roman.startswith("ch") else roman[0]) + roman
            double_next = False
        out.append(roman)
    return "".join(out)


@cache
def _tagger():
    import fugashi

    return fugashi.Tagger()


def slugify(text: str) -> str:
    """A stable, readable ASCII slug of at most SLUG_LIMIT characters; words become
    hyphen-separated romaji (a longer one is cut and ends with a hash of the whole text)."""
    norm = unicodedata.normalize("NFKC", text).lower()
    parts: list[str] = []
    for word in mecab.words(_tagger(), norm):
        surface = word.surface
        if surface.isascii():
            piece = surface
        else:
            kana = getattr(word.feature, "kana", None) or ""
            piece = kana_to_romaji(kana if kana and kana != "*" else surface)
        piece = re.sub(r"[^a-z0-9]+", "-", piece.lower()).strip("-")
        if piece:
            parts.append(piece)
    slug = re.sub(r"-{2,}", "-", "-".join(parts)).strip("-") or "tag"
    if len(slug) > SLUG_LIMIT:
        digest = hashlib.blake2b(norm.encode("utf-8"), digest_size=4).hexdigest()
        slug = slug[: SLUG_LIMIT - len(digest) - 1].rstrip("-") + "-" + digest
    return slug


def tag_key(tag: str) -> str:
    """Tags that differ only by width or case (ＤＸ推進 / DX推進 / dx推進) are one tag."""
    return unicodedata.normalize("NFKC", tag).casefold().strip()


NAME_LIMIT = 40  # MeCab gets at most this many characters of a name


def reading(name: str) -> str:
    """The reading of a person's name in katakana, as MeCab guesses it, one word per
    space-separated part: 森川 啓介 → モリカワ ケイスケ (a guess: ``kana:`` overrides it)."""
    parts = []
    for part in unicodedata.normalize("NFKC", name)[:NAME_LIMIT].split():
        kana = []
        for word in _tagger()(part):
            guess = getattr(word.feature, "kana", None) or ""
            kana.append(guess if guess and guess != "*" else word.surface)
        parts.append("".join(kana))
    return " ".join(parts)


def name_slug(kana: str) -> str:
    """An ASCII slug from a reading, one word per part: モリカワ ケイスケ → morikawa-keisuke."""
    parts = (re.sub(r"[^a-z0-9]+", "", kana_to_romaji(p).lower()) for p in kana.split())
    return "-".join(p for p in parts if p)
