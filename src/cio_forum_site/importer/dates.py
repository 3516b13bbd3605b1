"""Dates in blog text: 和暦 (令和3年10月15日, 令和元年, kanji digits), 西暦, posting dates, and
the month a page states its facts for (※ 記載内容は2024年2月時点のものです)."""

from __future__ import annotations

import datetime as dt
import re

from cio_forum_site.content.dates import ERAS, era_year
from cio_forum_site.importer.lines import NUM, nfkc, number

__all__ = [
    "era_year", "month_of_record", "parse_wareki_date", "posted_line", "seireki_date",
    "wareki_matches",
]

_ERA_START = {name: start.year for start, name in ERAS}
_WAREKI_RE = re.compile(rf"(令和|平成|昭和)\s*({NUM}|元)\s*年\s*({NUM})\s*月\s*({NUM})\s*日")
_SEIREKI_RE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})"
)
# A line that is only a 西暦 date (and time) is the blog's posting date, not the meeting's.
_POSTED_RE = re.compile(
    rf"^(?:{_SEIREKI_RE.pattern})(?:\s*\(?[月火水木金土日]?\)?\s*\d{{1,2}}:\d{{2}})?\s*$"
)
_RECORD_RE = re.compile(
    rf"記載(?:内容|の内容)?は\s*(?:(\d{{4}})|(令和|平成)\s*({NUM}|元))\s*年\s*({NUM})\s*月\s*時点"
)


def wareki_matches(text: str) -> list[tuple[dt.date, str, int]]:
    """(date, era, year in era) of every 和暦 date in ``text`` that exists."""
    found = []
    for m in _WAREKI_RE.finditer(nfkc(text)):
        era, year_text = m.group(1), m.group(2)
        year = 1 if year_text == "元" else number(year_text)
        month, day = number(m.group(3)), number(m.group(4))
        if not year or month is None or day is None:
            continue
        try:
            found.append((dt.date(_ERA_START[era] + year - 1, month, day), era, year))
        except ValueError:
            continue
    return found


def parse_wareki_date(text: str) -> dt.date | None:
    """The first 和暦 date in ``text`` (令和3年10月15日, 令和元年, 平成, full-width or kanji
    digits), or None. The era is not checked against the day: 平成31年5月1日 is 2019-05-01."""
    found = wareki_matches(text)
    return found[0][0] if found else None


def seireki_date(text: str) -> dt.date | None:
    for m in _SEIREKI_RE.finditer(nfkc(text)):
        y, mo, d = (int(g) for g in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
        try:
            return dt.date(y, mo, d)
        except ValueError:
            continue
    return None


def posted_line(norm: str) -> bool:
    """A line that is only a 西暦 date, perhaps with a time: when the blog posted it."""
    return bool(_POSTED_RE.match(norm))


def month_of_record(norm: str) -> dt.date | None:
    """The first day of the month in 記載内容はYYYY年M月時点のものです (or 令和6年2月時点)."""
    m = _RECORD_RE.search(norm)
    if not m:
        return None
    if m.group(1):
        year = int(m.group(1))
    else:
        in_era = 1 if m.group(3) == "元" else number(m.group(3))
        if not in_era:
            return None
        year = _ERA_START[m.group(2)] + in_era - 1
    month = number(m.group(4))
    try:
        return dt.date(year, month or 0, 1)
    except ValueError:
        return None
