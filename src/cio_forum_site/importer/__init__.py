"""Blog text → content file: the pure parser behind the ``import`` command.

Entry points: ``parse_blog_text(text)`` → ``ImportResult``; ``to_content_file(result)`` → text.

One module per shape of page: ``magazine`` (the magazine's own blog pages: roundtables and
interviews, with or without a participants list) and ``interview_page`` (the Tokyo
government's interview pages: 公開日, tags as ``- TAG`` lines, profiles, 記載内容は…時点).
Both read lines through ``lines`` (the shared line classifier) and ``leftovers``.
"""

from __future__ import annotations

import datetime as dt

from cio_forum_site.importer.dates import parse_wareki_date
from cio_forum_site.importer.interview_page import is_interview_page, parse_interview_page
from cio_forum_site.importer.lines import read_lines
from cio_forum_site.importer.magazine import parse_magazine_page
from cio_forum_site.importer.result import ImportResult, to_content_file

__all__ = ["ImportResult", "parse_blog_text", "parse_wareki_date", "to_content_file"]


def parse_blog_text(text: str, source: str = "<text>", saved: dt.date | None = None) -> ImportResult:
    """Read an article saved as plain text; never raises for odd input, it reports it.
    ``saved`` (the day the text was saved) stands in for a date the text does not give."""
    if is_interview_page(read_lines(text)):
        return parse_interview_page(text, source, saved)
    return parse_magazine_page(text, source, saved)
