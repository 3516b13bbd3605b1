"""Municipalities and organizations in blog text: the 62's names (ケ/ヶ alike), 東京都 and its
bureaus, and where an organization ends and a position begins (清瀬市総務部長 → 清瀬市, 総務部長)."""

from __future__ import annotations

import re

from cio_forum_site.content import municipalities
from cio_forum_site.importer.lines import ROLE_RE, nfkc

Municipality = municipalities.Municipality


def _place_pattern() -> re.Pattern:
    names = set()
    for m in municipalities.all_municipalities():
        names.add(m.name)
        names.add(m.name.replace("ヶ", "ケ"))
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


PLACES_RE = _place_pattern()
# 東京都 and a bureau of it: 東京都デジタルサービス局, 東京都総務局 (not 東京都CIO).
_BUREAU_RE = re.compile(r"^東京都\s*([^\s局]{1,12}?(?:局|本部|庁))")
_UNKNOWN_PLACE_RE = re.compile(r"^([^区市町村都\s]{2,5}[区市町村])(?!長)")


def places_in(text: str) -> list[Municipality]:
    """The municipalities named in ``text``, longest name first where names overlap."""
    found = (municipalities.find(m.group(0)) for m in PLACES_RE.finditer(nfkc(text)))
    return [m for m in found if m is not None]


def split_place(token: str) -> tuple[str, str] | None:
    """(organization, rest) when ``token`` starts with a municipality, 東京都 or one of its
    bureaus: 清瀬市総務部長 → (清瀬市, 総務部長); 東京都デジタルサービス局長 →
    (東京都デジタルサービス局, 局長); 東京都CIO → (東京都, CIO)."""
    token = token.strip()
    if m := _BUREAU_RE.match(token):
        rest = token[m.end():].strip()
        if rest == "長":  # デジタルサービス局長: the head of the bureau
            rest = m.group(1)[-1] + "長"
        return f"東京都{m.group(1)}", rest
    if token.startswith("東京都"):
        return "東京都", token[3:].strip()
    if token.startswith("都") and ROLE_RE.fullmatch(token[1:]):  # 都CIO
        return "東京都", token[1:]
    m = PLACES_RE.match(token)
    if m:
        place = municipalities.find(m.group(0))
        return (place.name if place else m.group(0)), token[m.end():].strip()
    return None


def unknown_place(token: str) -> tuple[str, str | None, str] | None:
    """(name, suggestion, rest) for an organization shaped like a 区市町村 that is none of
    the 62 (架空市副市長 → 架空市, None, 副市長)."""
    m = _UNKNOWN_PLACE_RE.match(token)
    if not m:
        return None
    return m.group(1), municipalities.suggest(m.group(1)), token[m.end():]


def suggest(name: str) -> str | None:
    return municipalities.suggest(name)


def label_place(label: str) -> str | None:
    """The organization a participant's label names: 清瀬市CIO → 清瀬市, 都CIO → 東京都."""
    base = ROLE_RE.sub("", label).strip()
    if base == "都":
        return "東京都"
    split = split_place(base or label)
    return split[0] if split else None
