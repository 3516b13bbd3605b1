"""MeCab only ever gets bounded input.

MeCab (fugashi 1.x) crashes the whole process with a segmentation fault on one long string
(200,000 ASCII letters; about 5 MB of ordinary Japanese), so every caller hands it
``pieces(text)``: the text cut at line breaks into pieces of at most ``PIECE`` characters,
a longer line cut after the last space or punctuation mark that fits (else at ``PIECE``).
MeCab treats a line break as a space (a word boundary), so cutting at line breaks changes
nothing; a line of more than ``PIECE`` characters is rare in prose.

``wakati(tagger, text)`` and ``words(tagger, text)`` are the two ways the site calls
MeCab: its tokens as one space-separated string (search), or its word objects (slugs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

PIECE = 4_000  # characters MeCab gets at once; it has handled 100,000 ASCII letters here
# Where a long line may be cut without cutting a word: after a space or punctuation.
_BREAK = re.compile(r"[\s\u3000、。，．,.!?！？」』）)・:：;；]")


def pieces(text: str, limit: int = PIECE) -> Iterator[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at line breaks when it can,
    else after a space or punctuation mark, else at ``limit``; "".join(pieces) == text."""
    start = 0
    while len(text) - start > limit:
        end = text.rfind("\n", start, start + limit) + 1
        if end <= start:
            window = text[start:start + limit]
            breaks = [m.end() for m in _BREAK.finditer(window, limit // 2)]
            end = start + (breaks[-1] if breaks else limit)
        yield text[start:end]
        start = end
    if start < len(text) or not text:
        yield text[start:]


def wakati(tagger, text: str) -> str:
    """What ``fugashi.Tagger("-Owakati").parse(text)`` gives, piece by piece."""
    return " ".join(tagger.parse(piece).strip() for piece in pieces(text))


def words(tagger, text: str) -> list:
    """The words of ``text`` (``fugashi.Tagger()(text)``), piece by piece."""
    return [word for piece in pieces(text) for word in tagger(piece)]
