"""Who speaks on which line: the labels of a transcript, and the lines they make
structural (speaker lines, questions, marked headings), which tell a heading from prose."""

from __future__ import annotations

import re
from collections import Counter

from cio_forum_site.importer.dates import seireki_date, wareki_matches
from cio_forum_site.importer.lines import (
    COLON_RE,
    INTERJECTIONS,
    LABEL_MAX,
    NOTE_RE,
    QUESTION_FIX_RE,
    QUESTION_MARKS,
    Line,
    has_punct,
    heading_text,
    intro_label,
    is_placeholder,
    marked_heading,
)
from cio_forum_site.importer.participants import Person
from cio_forum_site.importer.result import Notes


class Speakers:
    """The labels of one transcript, and what they make of each line."""

    def __init__(self, lines: list[Line], people: list[Person], notes: Notes):
        self.labels: set[str] = set()
        self.names: dict[str, str] = {}  # full name without spaces → label
        self._collect(lines, people, notes)

    def _collect(self, lines: list[Line], people: list[Person], notes: Notes) -> None:
        """Speaker labels: the participants' family names, labels a transcript introduces
        (以下「山田」), and short lines that recur (a heading occurs once; a speaker often)."""
        candidates: set[str] = set()
        for ln in lines:
            if intro := intro_label(ln.norm):
                candidates.add(intro)
            if m := COLON_RE.match(ln.norm):
                candidates.add(m.group(1).strip())
            if m := NOTE_RE.match(ln.norm):
                candidates.add(m.group(1).strip())
            if len(ln.norm) <= LABEL_MAX and not has_punct(ln.norm):
                candidates.add(ln.norm)
        for p in people:  # 山田太郎 without the space: the transcript's label tells the family
            if not p.speaker:
                prefix = max((c for c in candidates if p.name.startswith(c) and c != p.name),
                             key=len, default=None)
                if prefix:
                    p.name, p.speaker = f"{prefix} {p.name[len(prefix):]}", prefix
                else:
                    p.speaker = p.name
                    notes.add(f"参加者「{p.name}」の姓と名を分けられませんでした"
                              "（name を「姓 名」に直し、speaker を確かめてください）", p.line)
        self.labels = {p.speaker for p in people}
        self.labels |= {x for ln in lines if (x := intro_label(ln.norm))}
        self.names = {p.name.replace(" ", ""): p.speaker for p in people}
        counts = Counter(
            ln.norm for ln in lines
            if len(ln.norm) <= LABEL_MAX and heading_text(ln.norm)
            and ln.norm not in INTERJECTIONS
            and marked_heading(ln.norm) is None and self.speaker(ln.norm) is None
        )
        for label, count in counts.items():
            if count < 2:
                continue
            self.labels.add(label)
            owner = next((p for p in people if label.startswith(p.speaker)), None)
            if owner is not None and not any(self.speaker(ln.norm) == owner.speaker for ln in lines):
                owner.speaker = label
            elif owner is None:
                first = next(ln.no for ln in lines if ln.norm == label)
                notes.add(f"発言者「{label}」が参加者の一覧にありません（participants に加えるか、"
                          "本文の名前を直してください）", first)

    def speaker(self, norm: str) -> str | None:
        """The label if ``norm`` is a speaker line with no words after it (forms 1–3)."""
        if intro := intro_label(norm):
            return intro
        if label := self.who(norm):
            return label
        if (m := COLON_RE.match(norm)) and m.group(2):
            return self.who(m.group(2))
        return None

    def label(self, text: str) -> str | None:
        """The label ``text`` names: a label, or a participant's full name."""
        text = text.strip()
        if text in self.labels:
            return text
        return self.names.get(re.sub(r"\s+", "", text))

    def who(self, text: str) -> str | None:
        """A label alone or with a note in brackets: 山田 / 山田（清瀬市）."""
        if label := self.label(text):
            return label
        m = NOTE_RE.match(text)
        return self.label(m.group(1)) if m else None

    def turn(self, norm: str) -> str | None:
        """The label if ``norm`` is a speaker line with words after the colon (form 4)."""
        m = COLON_RE.match(norm)
        if not m or not m.group(2):
            return None
        return self.who(m.group(1))

    def structural(self, norm: str, loose: bool = False) -> bool:
        """Transcript or structure. ``loose`` also takes any short ``X：words`` line for a
        speaker (司会：…): enough to tell that a line above it is a heading, not to end the
        header, where 日時：… lines are common."""
        if norm.startswith(QUESTION_MARKS) or QUESTION_FIX_RE.match(norm):
            return True
        if self.speaker(norm) or self.turn(norm) or marked_heading(norm):
            return True
        m = COLON_RE.match(norm)
        return bool(
            loose and m and m.group(2) and len(m.group(1)) <= 12 and not has_punct(m.group(1))
            and not wareki_matches(norm) and not seireki_date(norm)
        )

    def heading_like(self, norm: str) -> bool:
        """Could be a heading: short, not a sentence, not a speaker or other structure."""
        return heading_text(norm) and not self.speaker(norm) and not self.structural(norm)

    def is_heading(self, lines: list[Line], i: int) -> bool:
        """A heading-like line followed by transcript (or by a heading of its own)."""
        if not self.heading_like(lines[i].norm):
            return False
        nxt = next_content(lines, i)
        return nxt is not None and self.structural(nxt.norm, loose=True)

    def first_structural(self, lines: list[Line]) -> int:
        for i, ln in enumerate(lines):
            if self.structural(ln.norm) or self.is_heading(lines, i):
                return i
        return len(lines)


def next_content(lines: list[Line], i: int) -> Line | None:
    return next((ln for ln in lines[i + 1:] if not is_placeholder(ln.norm)), None)
