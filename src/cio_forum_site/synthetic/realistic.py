"""A realistic vocabulary for the synthetic archive (benchmarks only).

The toy vocabulary gives about 1,000 distinct MeCab tokens whatever the archive's size;
real prose keeps growing (tens of thousands at 1,000 articles), and index size, lexicon
size and Pagefind's time and memory grow with it. With ``vocabulary="realistic"`` most
noun slots of the sentence templates (``{kanji}``, ``{thing}``, ``{concept}``,
``{activity}``, ``{group}``) take a word drawn from wordfreq's Japanese list instead: words
written in kanji or katakana only (noun-like), drawn with a weight that falls with the
word's frequency rank. wordfreq is the ``bench`` extra (``pip install -e '.[bench]'``); its
list is data inside the package, so nothing is downloaded and the same version gives the
same archive.
"""

from __future__ import annotations

import itertools
import random
import re
from functools import cache

from cio_forum_site.content.municipalities import all_municipalities
from cio_forum_site.synthetic.people import FAMILY_NAMES, TOKYO_CIOS

LIST_SIZE = 60_000  # the most frequent words of wordfreq's Japanese list that are read
SWAPPED = ("kanji", "thing", "concept", "activity", "group")  # slots that take drawn words
SWAP_SHARE = 0.8  # of those slots
EXPONENT = 0.6  # a word's weight is 1 / (rank + OFFSET) ** EXPONENT (1.0 would be Zipf's law)
OFFSET = 50
_NOUN_LIKE = re.compile(r"[\u4e00-\u9fff\u30a1-\u30fa\u30fc々]{2,}")


class MissingWordfreq(Exception):
    """wordfreq is not installed (it is the ``bench`` extra)."""


@cache
def noun_like_words() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The noun-like words of wordfreq's Japanese list, most frequent first, and their
    cumulative weights. Names that could be mistaken for a speaker label (the family names
    of the cast) or for a municipality are left out."""
    try:
        from wordfreq import top_n_list
    except ImportError as exc:
        raise MissingWordfreq(
            "the realistic vocabulary needs wordfreq: pip install -e '.[bench]'") from exc
    taken = {*FAMILY_NAMES, *(family for _, family, _ in TOKYO_CIOS)}
    taken.update(m.name for m in all_municipalities())
    words = tuple(w for w in top_n_list("ja", LIST_SIZE) if _NOUN_LIKE.fullmatch(w)
                  and w not in taken and not any(w.startswith(t) for t in FAMILY_NAMES))
    weights = (1 / (rank + OFFSET) ** EXPONENT for rank in range(len(words)))
    return words, tuple(itertools.accumulate(weights))


class RealisticWords:
    """Draws the words of one article body, from its own random stream (so the toy
    choices, and with them the shape of the article, stay those of the toy archive)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words, self.cumulative = noun_like_words()

    def swap(self, slot: str) -> str | None:
        """A drawn word for ``slot``, or None to keep the toy word."""
        if slot not in SWAPPED or self.rng.random() >= SWAP_SHARE:
            return None
        return self.rng.choices(self.words, cum_weights=self.cumulative)[0]

