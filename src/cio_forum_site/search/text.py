"""What search means by "the same text": normalization, query parts and index keys.

These rules are mirrored exactly in ``theme/static/search-core.js``; the tests compare
the two on the same strings.

- ``normalize``: NFKC, lower case, then whitespace: a run of whitespace becomes one space
  when it stands between two letters or digits of a space-separated script (Latin, Greek,
  Cyrillic, digits) — "microsoft teams" — and disappears everywhere else, because Japanese
  does not separate words with spaces ("山田 太郎" is "山田太郎", "ＤＸ 推進" is "dx推進").
- ``query_parts``: a query is split at whitespace (half- or full-width) and at anything that
  is not a letter or a digit (punctuation, symbols); every part must be found.
- ``key_pieces``: a MeCab token becomes index keys the same way: its runs of letters and
  digits.
"""

from __future__ import annotations

import re
import unicodedata

# Letters and digits of scripts that separate words with spaces (after lower-casing).
_SPACED = "0-9a-z\u00b5\u00df-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u04ff"
# Whitespace, spelled out so that JavaScript's \\s and Python's \\s cannot disagree.
WHITESPACE = "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_WS_RUN = re.compile(f"[{WHITESPACE}]+")
_WS_DROP = re.compile(rf"(?<![{_SPACED}]) | (?![{_SPACED}])")
# A run of letters and digits ([^\W_] is \w without the underscore).
KEY_RUN = re.compile(r"[^\W_]+")


def normalize(text: str) -> str:
    """The form in which text is searched: NFKC, lower case, no spaces between Japanese."""
    s = unicodedata.normalize("NFKC", text).lower()
    if " " in s or not s.isprintable():
        s = _WS_RUN.sub(" ", s)
        s = _WS_DROP.sub("", s)
    return s


def query_parts(query: str) -> list[str]:
    """The parts of a query that must all be present, in order of appearance, unique."""
    return list(dict.fromkeys(KEY_RUN.findall(normalize_query(query))))


def normalize_query(query: str) -> str:
    """A query is normalized like text, except that every space separates parts."""
    return unicodedata.normalize("NFKC", query).lower()


def key_pieces(token: str) -> list[str]:
    """The index keys of one MeCab token: its runs of letters and digits."""
    return KEY_RUN.findall(token)


_HIRAGANA = {c: c + 0x60 for c in range(0x3041, 0x3097)}
KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]+")  # hiragana, katakana, ー


def to_katakana(text: str) -> str:
    """Hiragana as katakana (readings are compared in katakana)."""
    return text.translate(_HIRAGANA)


def contains_all(paragraphs: list[str], parts: list[str]) -> bool:
    """The definition of a match: every part occurs in some normalized paragraph."""
    return all(any(part in p for p in paragraphs) for part in parts)
