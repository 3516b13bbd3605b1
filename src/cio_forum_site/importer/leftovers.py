"""Image placeholders and the blog platform's leftovers, dropped wherever they stand:
``見出し画像``, ``画像2``, lines that only name a picture (…スクショ, …写真), like/follow/support
lines, ``公開日:``/``最新更新日:`` lines (公開日 gives ``published``), and ``直近のバックナンバー``
/ ``全てのバックナンバー`` with the list of other articles after them. Past the credits
(執筆・編集), a back-number list or a support line ends the article: the rest is the
platform's (other articles' titles and excerpts)."""

from __future__ import annotations

import datetime as dt
import re

from cio_forum_site.importer.dates import posted_line, seireki_date, wareki_matches
from cio_forum_site.importer.lines import (
    AGENDA_RE,
    COLON_RE,
    CREDIT_RE,
    PARTICIPANTS_RE,
    QUESTION_MARKS,
    URL_RE,
    Line,
    header_date,
    is_back_numbers,
    is_placeholder,
    is_platform,
)

# What a line in a list of other articles looks like.
_ARTICLE_WORDS = re.compile(r"座談会|インタビュー|CIO|第\s*\d+\s*回|フォーラム|対談|バックナンバー|マガジン")
_BULLET_RE = re.compile(r"^[・\-*●]\s*")
_SUPPORT_RE = re.compile(r"^この記事が気に入ったら|^.{0,20}サポートをしてみませんか\??$")


def _credit_line(norm: str) -> bool:
    return all(CREDIT_RE.match(p.strip()) for p in re.split(r"[/|]", norm))


def _transcript_like(norm: str) -> bool:
    m = COLON_RE.match(norm)
    return bool((m and m.group(2)) or norm.startswith(QUESTION_MARKS))


def _list_item(norm: str, nxt: str) -> bool:
    """A line of a list of other articles: a title (no 。), its link or date. A short line
    right before transcript is a heading of this article, not a title, unless it names an
    article (第N回, 座談会, CIO …)."""
    if URL_RE.match(norm) or posted_line(norm) or is_platform(norm) or is_placeholder(norm):
        return True
    if ("。" in norm or len(norm) > 80 or _transcript_like(norm) or PARTICIPANTS_RE.match(norm)
            or AGENDA_RE.match(norm)):
        return False
    return bool(_ARTICLE_WORDS.search(norm) or _BULLET_RE.match(norm)) or not _transcript_like(nxt)


def drop_leftovers(lines: list[Line]) -> tuple[list[Line], dt.date | None]:
    """The lines without placeholders and platform text, and the 公開日 if a line gives it."""
    credited = max((i for i, ln in enumerate(lines) if _credit_line(ln.norm)), default=None)
    published: dt.date | None = None
    kept: list[Line] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        i += 1
        ending = is_back_numbers(ln.norm) or _SUPPORT_RE.search(ln.norm)
        if ending and credited is not None and i - 1 > credited:
            break
        if is_back_numbers(ln.norm):
            while i < len(lines) and _list_item(lines[i].norm, lines[i + 1].norm if i + 1 < len(lines) else ""):
                i += 1
            continue
        if (date_line := header_date(ln.norm)) is not None:
            if date_line[0] != "最新更新日" and date_line[0] != "更新日" and published is None:
                found = wareki_matches(date_line[1])
                published = found[0][0] if found else seireki_date(date_line[1])
            continue
        if is_placeholder(ln.norm) or is_platform(ln.norm) or _SUPPORT_RE.search(ln.norm):
            continue
        kept.append(ln)
    return kept, published
