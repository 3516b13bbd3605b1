"""A magazine page's body: its sections (## and ###), and the transcript kept as written.

- ``議題`` followed by ``①…``, ``②…`` lines names the topics: the lines in the body that match
  them become ``##`` headings, and the topics go to the front matter.
- Without a 議題 list, a short heading-like line directly followed by another is a section
  (``##``) with its first sub-heading (``###``); once an article has such pairs, a lone
  heading line is a sub-heading.
- A short line followed by transcript (a speaker line, a ― question, a heading) is a
  heading; one followed by plain prose stays prose and is reported. A line marked with
  ■□●○◆◇▼▽★☆◎ or wholly in 【】 is a ``###`` sub-heading under a ``##``, else a ``##``.
- Every other line becomes a paragraph, except that a speaker line without words keeps its
  first line of words under it. Leading ─ or － in a question become ―.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from cio_forum_site.importer.lines import (
    AGENDA_RE,
    BRACKETED_RE,
    LABEL_MAX,
    MARKED_RE,
    PART_LINK_RE,
    PART_OF_RE,
    QUESTION_FIX_RE,
    QUESTION_MARKS,
    URL_RE,
    Line,
    heading_text,
    is_placeholder,
    marked_heading,
)
from cio_forum_site.importer.result import Notes
from cio_forum_site.importer.speakers import Speakers

_ITEM_RE = re.compile(r"^(?:[①-⑳]|[(（]\s*\d{1,2}\s*[)）]|\d{1,2}\s*[.)、．）:：]|[・●■-])\s*")


@dataclass
class Body:
    paragraphs: list[str]
    topics: list[str]  # the ## headings, in order
    turns: Counter  # label → number of turns


def _key(text: str) -> str:
    """A line or topic without its number and spaces: ①窓口のDX and 1. 窓口の DX match."""
    return re.sub(r"\s+", "", _ITEM_RE.sub("", text.strip()))


def agenda(lines: list[Line], notes: Notes) -> tuple[list[tuple[str, int]], list[Line]]:
    """The topics of a ``議題`` list (①… ②… lines) with their lines, and the lines without
    the list."""
    start = next((i for i, ln in enumerate(lines) if AGENDA_RE.match(ln.norm)), None)
    if start is None:
        return _inline_agenda(lines)
    topics: list[tuple[str, int]] = []
    end = start + 1
    while end < len(lines) and _ITEM_RE.match(lines[end].raw) and _key(lines[end].raw):
        topics.append((_ITEM_RE.sub("", lines[end].raw).strip(), lines[end].no))
        end += 1
    if not topics:
        notes.add("「議題」の後に ①… の行がありませんでした（topics を確かめてください）", lines[start].no)
        return [], lines
    return topics, lines[:start] + lines[end:]


_INLINE_AGENDA_RE = re.compile(r"^[【\[]?(?:議題|テーマ)[】\]]?\s*[:：]?\s*(?=[①-⑳])")


def _inline_agenda(lines: list[Line]) -> tuple[list[tuple[str, int]], list[Line]]:
    """議題：①窓口のオンライン化　②庁内データの活用, on one line."""
    for i, ln in enumerate(lines):
        if m := _INLINE_AGENDA_RE.match(ln.raw):
            items = [t.strip(" 　、,") for t in re.split(r"[①-⑳]", ln.raw[m.end():]) if t.strip(" 　、,")]
            return [(t, ln.no) for t in items], lines[:i] + lines[i + 1:]
    return [], lines


def _topic_of(norm: str, topics: list[str]) -> str | None:
    key = _key(norm)
    if not key:
        return None
    for topic in topics:
        t = _key(topic)
        if key == t or (len(key) >= 4 and len(t) >= 4 and (t in key or key in t)):
            return topic
    return None


class _Sections:
    """Which lines of a body are headings, and at which level."""

    def __init__(self, lines: list[Line], speakers: Speakers, agenda_topics: list[str]):
        self.lines, self.speakers, self.agenda = lines, speakers, agenda_topics
        self.pairs = self._pairs()

    def _pairs(self) -> set[int]:
        """Indexes of section lines: heading-like, directly followed by a heading-like line."""
        if self.agenda:
            return set()
        found = set()
        for i, ln in enumerate(self.lines):
            nxt = i + 1
            while nxt < len(self.lines) and is_placeholder(self.lines[nxt].norm):
                nxt += 1
            if (nxt < len(self.lines) and i - 1 not in found
                    and self.speakers.heading_like(ln.norm) and not is_placeholder(ln.norm)
                    and self.speakers.heading_like(self.lines[nxt].norm)
                    and not PART_LINK_RE.search(ln.norm)):
                found.add(i)
        return found

    def heading(self, i: int, seen_section: bool) -> str | None:
        """``## text`` or ``### text`` if line ``i`` is a heading."""
        ln = self.lines[i]
        if (self.agenda and "。" not in ln.norm and not self.speakers.structural(ln.norm)
                and (topic := _topic_of(ln.norm, self.agenda))):
            return f"## {topic}"
        if i in self.pairs:
            return f"## {ln.raw}"
        if i - 1 in self.pairs or (i - 2 in self.pairs and is_placeholder(self.lines[i - 1].norm)):
            return f"### {ln.raw}"
        if self.speakers.is_heading(self.lines, i):
            return f"{'###' if self.pairs or (self.agenda and seen_section) else '##'} {ln.raw}"
        return None


def _repeated_lists(lines: list[Line], speakers: Speakers, sections: _Sections) -> set[int]:
    """Speaker lines with no words, two or more in a row, naming every participant: the
    participants list pasted into the body again (indexes)."""
    everyone = set(speakers.names.values())
    found: set[int] = set()
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and speakers.speaker(lines[j].norm):
            j += 1
        words_after = (j < len(lines) and not speakers.structural(lines[j].norm)
                       and sections.heading(j, False) is None)
        end = j - 1 if words_after else j
        if end - i >= 2 and everyone and {speakers.speaker(ln.norm) for ln in lines[i:end]} >= everyone:
            found.update(range(i, end))
        i = max(j, i + 1)
    return found


def body(lines: list[Line], speakers: Speakers, agenda_items: list[tuple[str, int]], notes: Notes) -> Body:
    agenda_topics = [topic for topic, _ in agenda_items]
    sections = _Sections(lines, speakers, agenda_topics)
    out = Body([], [], Counter())
    repeated = _repeated_lists(lines, speakers, sections)
    if repeated:
        notes.add(f"参加者の一覧と同じ話者の行（{len(repeated)}行、発言なし）は本文から除きました",
                  lines[min(repeated)].no)
    seen_section = False
    i = 0
    while i < len(lines):
        ln = lines[i]
        norm = ln.norm
        i += 1
        if is_placeholder(norm) or i - 1 in repeated:
            continue
        if PART_LINK_RE.search(norm) or PART_OF_RE.search(norm):
            if i < len(lines) and URL_RE.match(lines[i].norm):
                i += 1
            continue
        if norm.startswith(QUESTION_MARKS) or QUESTION_FIX_RE.match(ln.raw):
            out.paragraphs.append(QUESTION_FIX_RE.sub("―", ln.raw))
            continue
        if label := speakers.speaker(norm):
            out.turns[label] += 1
            nxt = lines[i] if i < len(lines) else None
            if nxt is not None and not speakers.structural(nxt.norm) \
                    and not is_placeholder(nxt.norm) and sections.heading(i, seen_section) is None:
                out.paragraphs.append(f"{ln.raw}\n{nxt.raw}")
                i += 1
            else:
                out.paragraphs.append(ln.raw)
            continue
        if label := speakers.turn(norm):
            out.turns[label] += 1
            out.paragraphs.append(ln.raw)
            continue
        if (text := marked_heading(norm)) is not None:
            raw_text = MARKED_RE.match(ln.raw) or BRACKETED_RE.match(ln.raw)
            text = raw_text.group(1).strip() if raw_text else text
            level = "###" if seen_section else "##"
            if sections.agenda and (topic := _topic_of(norm, sections.agenda)):
                level, text = "##", topic
            out.paragraphs.append(f"{level} {text}")
            if level == "##":
                out.topics.append(text)
            continue
        if (heading := sections.heading(i - 1, seen_section)) is not None:
            out.paragraphs.append(heading)
            if heading.startswith("## "):
                seen_section = True
                out.topics.append(heading[3:])
            continue
        if heading_text(norm) and len(norm) > LABEL_MAX // 2 and not speakers.structural(norm):
            notes.add(f"「{ln.raw}」は見出しか本文か判断できなかったため、本文のままにしました"
                      "（見出しなら行頭に ## を付けてください）", ln.no)
        out.paragraphs.append(ln.raw)
    for topic, line in agenda_items:
        if topic not in out.topics:
            notes.add(f"議題「{topic}」に当たる見出しが本文に見つかりませんでした"
                      "（本文の見出しに ## を付けるか、topics を直してください）", line)
    return out


def first_section(lines: list[Line], speakers: Speakers, agenda_items: list[tuple[str, int]]) -> int:
    """Where the body starts: the first transcript line or heading."""
    sections = _Sections(lines, speakers, [topic for topic, _ in agenda_items])
    for i, ln in enumerate(lines):
        if speakers.structural(ln.norm) or sections.heading(i, False) is not None:
            return i
    return len(lines)
