"""The facts of a magazine page's header: the meeting date and 第N回 (the date sentence is
kept as the first paragraph), the part of a longer roundtable, and the municipalities."""

from __future__ import annotations

import datetime as dt
import re

from cio_forum_site.importer.dates import era_year, posted_line, seireki_date, wareki_matches
from cio_forum_site.importer.lines import (
    PART_LINK_RE,
    PART_NUMBER_RE,
    PART_OF_RE,
    PART_SLASH_RE,
    PART_TITLE_RE,
    SESSION_RE,
    URL_RE,
    Line,
    is_part_note,
    nfkc,
    number,
)
from cio_forum_site.importer.participants import Person
from cio_forum_site.importer.places import PLACES_RE, Municipality, places_in, suggest
from cio_forum_site.importer.result import Notes

_PART_WORD = {"前半": 1, "前編": 1, "中編": 2}


def header(lines: list[Line], title: str, notes: Notes) -> tuple[list[str], dict]:
    """The intro paragraphs to keep, and the date, session and posting date."""
    info: dict = {"date": None, "session": None, "published": None}
    kept: list[str] = []
    dates: list[tuple[dt.date, Line]] = []
    noted: list[tuple[dt.date, Line]] = []  # from ※ lines: used only if nothing else
    for ln in lines:
        norm = ln.norm
        if posted_line(norm):
            info["published"] = info["published"] or seireki_date(norm)
            continue
        wareki = wareki_matches(norm)
        days = [w[0] for w in wareki] or [d for d in [seireki_date(norm)] if d]
        for day, era, year in wareki:
            if era_year(day) != (era, year):
                notes.add(f"和暦の元号と年が合いません（{day:%Y-%m-%d} は"
                          f"{era_year(day)[0]}です）。開催日を確かめてください", ln.no)
        if norm.startswith("※"):
            noted += [(day, ln) for day in days]
            continue
        if days:  # the date sentence: kept, it is the natural summary
            dates += [(day, ln) for day in days]
            kept.append(ln.raw)
            continue
        if URL_RE.match(norm) or "CIOフォーラム" in norm or "マガジン" in norm or is_part_note(norm):
            continue
        kept.append(ln.raw)
    dates = dates or noted
    if dates:
        info["date"] = dates[0][0]
        info["session"] = session_from(dates[0][1].norm)
        others = sorted({d for d, _ in dates[1:] if d != dates[0][0]})
        if others:
            listed = "、".join(f"{d:%Y-%m-%d}" for d in others)
            notes.add(f"開催日の候補がほかにもあります（{listed}）。最初の "
                      f"{dates[0][0]:%Y-%m-%d} にしました", dates[0][1].no)
    if info["session"] is None:  # 第N回 elsewhere: the title, or a line about the forum
        texts = (title, *(ln.norm for ln in lines))
        info["session"] = next((n for t in texts if (n := session_from(t))), None)
    return kept, info


def session_from(norm: str) -> int | None:
    """第N回 in ``norm``, unless it is a part number (第2回/全3回, 全3回の第2回)."""
    norm = nfkc(norm)
    taken = [m.span() for m in (*PART_OF_RE.finditer(norm), *PART_SLASH_RE.finditer(norm))]
    for m in SESSION_RE.finditer(norm):
        if any(a <= m.start() < b for a, b in taken):
            continue
        if found := number(m.group(1)):
            return found
    return None


def parts(title: str, header: list[Line], body: list[Line]) -> tuple[int | None, int | None]:
    """(part, parts) from, in order of trust: 全2回の後半, 第2回/全3回, （後編）/part2 in the
    title, then links to the other parts (前半はこちら → 後半; part1はこちら → part 2)."""
    title_norm = nfkc(title)
    texts = [title_norm, *(ln.norm for ln in header), *(ln.norm for ln in body)]
    for text in texts:
        if m := PART_OF_RE.search(text):
            total = number(m.group(1))
            word = m.group(2)
            if word in ("後半", "後編"):
                return total, total
            if word in _PART_WORD:
                return _PART_WORD[word], total
            return number(m.group(3) or m.group(4)), total
        if m := PART_SLASH_RE.search(text):
            return number(m.group(1)), number(m.group(2))
    three = "中編" in " ".join(texts)
    if m := PART_TITLE_RE.search(title_norm):
        word = m.group(1) or m.group(2)
        if word in ("後半", "後編"):
            return (3, 3) if three else (2, 2)
        return _PART_WORD[word], 3 if three else 2
    if m := PART_NUMBER_RE.search(title_norm):
        return int(m.group(1)), None
    # Links name the other parts; this article is the first number they leave out.
    linked: set[int] = set()
    by_word = False
    for ln in (*header, *body):
        for m in PART_LINK_RE.finditer(ln.norm):
            word = m.group(1)
            if word in ("後半", "後編"):
                linked.add(3 if three else 2)
            elif word in _PART_WORD:
                linked.add(_PART_WORD[word])
            else:
                linked.add(int(re.sub(r"\D", "", word)))
                continue
            by_word = True
    if not linked:
        return None, None
    part = min(set(range(1, max(linked) + 2)) - linked)
    return part, (3 if three else 2) if by_word else None


def municipalities_of(title: str, title_line: int, people: list[Person], notes: Notes) -> list[Municipality]:
    """The 62's names in the title and the participants' organizations, in code order."""
    found = set(places_in(title))
    for p in people:
        found.update(places_in(p.organization))
    rest = PLACES_RE.sub(" ", nfkc(title))
    for word in re.findall(r"[^\s×x・、と/()区市町村都副]{2,5}[区市町村](?!長)", rest):
        if guess := suggest(word):
            notes.add(f"タイトルの「{word}」は東京都の区市町村にありません（「{guess}」のことですか？）", title_line)
    return sorted(found, key=lambda m: m.code)
