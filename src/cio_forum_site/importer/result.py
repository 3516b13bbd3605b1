"""What an import gives the editor: the front matter and body, the notes to check by hand,
and the file name; and the content file written from it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import yaml

from cio_forum_site.importer.places import Municipality


@dataclass(frozen=True)
class ImportResult:
    front_matter: dict
    body: str  # Markdown, ending with a newline
    undecided: tuple[str, ...]  # notes for the editor, in Japanese, with the blog text's line
    suggested_slug: str


class Notes:
    """The notes of one import, in order, each once: ``source:line: message``."""

    def __init__(self, source: str):
        self.source = source
        self.items: list[str] = []

    def add(self, message: str, line: int = 0) -> None:
        where = f"{self.source}:{line}: " if line else ""
        if where + message not in self.items:
            self.items.append(where + message)


def slug_for(session: int | None, places: list[Municipality], date: dt.date | None) -> str:
    """0005-kiyose, 0018-chuo-minato-shinjuku, or interview-2023-11."""
    if session is not None:
        return "-".join([f"{session:04d}", *(m.slug for m in places)])
    return f"interview-{date:%Y-%m}" if date else "interview"


def guess_date(date: dt.date | None, fallbacks: list[tuple[dt.date | None, str]],
               notes: Notes) -> dt.date | None:
    """A file without a date does not build: the first known fallback (公開日, the day the
    text was saved …; the meeting was before it) is written in its place, and listed."""
    if date is not None:
        return date
    for day, what in fallbacks:
        if day is not None:
            notes.add(f"開催日が見つかりませんでした。仮に、{what}（{day:%Y-%m-%d}）を date に入れました:"
                      " 開催日に直してください")
            return day
    notes.add("開催日が見つかりませんでした（date を YYYY-MM-DD で書いてください）")
    return None


def to_content_file(result: ImportResult) -> str:
    """The article file: YAML front matter (dates unquoted YYYY-MM-DD), then the body."""
    front = yaml.safe_dump(
        result.front_matter, allow_unicode=True, sort_keys=False, width=1000,
        default_flow_style=False,
    )
    return f"---\n{front}---\n\n{result.body}"
