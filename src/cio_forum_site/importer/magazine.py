"""The magazine's own pages (the blog): a roundtable or interview saved as plain text.

Top to bottom: placeholders and platform text go (``leftovers``); the first line is the
title; credits (執筆者：/編集：) and ``#hashtag`` lines are facts, not body; a ``議題`` list
gives the topics; ``参加者（敬称略）`` gives the participants (or, without it, the speakers the
transcript introduces); the header before the first heading or speaker turn gives the date,
第N回 and the intro paragraph (``facts``); the rest is the body (``sections``).

No 第N回 means ``kind: interview``. The slug is ``0005-kiyose`` (or ``interview-2023-11``); a
part of a longer roundtable gets ``series`` ``kiyose-2021`` and keeps the plain slug, because
every article, part or not, has a session number of its own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from cio_forum_site.importer import facts, participants, sections
from cio_forum_site.importer.leftovers import drop_leftovers
from cio_forum_site.importer.lines import CREDIT_RE, HASHTAGS_RE, Line, read_lines
from cio_forum_site.importer.participants import Person
from cio_forum_site.importer.places import places_in
from cio_forum_site.importer.result import ImportResult, Notes, guess_date, slug_for
from cio_forum_site.importer.speakers import Speakers

_INTERVIEWERS = {"聞き手", "インタビュアー", "司会", "進行"}


def parse_magazine_page(text: str, source: str, saved: dt.date | None = None) -> ImportResult:
    notes = Notes(source)
    lines, published = drop_leftovers(read_lines(text))
    title = re.sub(r"\s*[|｜]\s*note\s*$", "", lines[0].raw) if lines else ""
    if not title:
        notes.add("タイトルが見つかりませんでした")
    rest = lines[1:]
    credits, rest = _credits(rest, notes)
    tags, rest = _tags(rest)
    agenda, rest = sections.agenda(rest, notes)
    people, rest = participants.participant_list(rest, notes)
    if not people:
        people = participants.introduced(rest, notes)
        if not people:
            notes.add("参加者の一覧（参加者（敬称略））が見つかりませんでした")
    speakers = Speakers(rest, people, notes)
    if _distinct_speakers(people, notes):
        speakers = Speakers(rest, people, Notes(source))  # its notes were made above

    start = sections.first_section(rest, speakers, agenda)
    head, body_lines = rest[:start], rest[start:]
    intro, info = facts.header(head, title, notes)
    body = sections.body(body_lines, speakers, agenda, notes)
    _check_speakers(people, body.turns, notes)

    part, parts = facts.parts(title, head, body_lines)
    session = info["session"]
    places = facts.municipalities_of(title, lines[0].no if lines else 0, people, notes)
    date = guess_date(info["date"], [(published or info["published"], "公開日"),
                                     (saved, "テキストを保存した日")], notes)
    kind = "roundtable" if session is not None else "interview"
    if session is None and "インタビュー" not in title:
        notes.add("第N回（session）が見つからないため、インタビュー（kind: interview）として"
                  "読み込みました。座談会なら session を書いてください")
    if kind == "roundtable" and not places:
        places = _places_in_text(rest, notes)
    slug = slug_for(session, places, date)
    held = info["date"]  # not a guessed date: the series would carry the guess's year
    series = "-".join([*(m.slug for m in places), *([str(held.year)] if held else [])]) or slug
    if part is not None:
        if parts is None:
            notes.add(f"この記事は part {part} ですが、全何回かが分かりませんでした（parts を書いてください）")
        elif part > parts:
            notes.add(f"part（{part}）が parts（{parts}）より大きくなっています")
        whole = f"全{parts}回の" if parts else "何回かに分けた"
        notes.add(f"{whole}記事の1つです。series「{series}」がほかの回の記事と同じか、"
                  "session（第N回）が記事ごとに違う番号になっているか確かめてください")

    fm: dict = {"title": title, "kind": kind}
    if session is not None:
        fm["session"] = session
    fm["date"] = date
    if published or info["published"]:
        fm["published"] = published or info["published"]
    fm["municipalities"] = [m.name for m in places]
    fm["participants"] = [p.as_dict() for p in people]
    if agenda or body.topics:
        fm["topics"] = [topic for topic, _ in agenda] or body.topics
    if tags:
        fm["tags"] = tags
    if part is not None:
        fm["series"] = series
        fm["part"] = part
        if parts is not None:
            fm["parts"] = parts
    if credits:
        fm["credits"] = credits
    paragraphs = intro + body.paragraphs
    body_text = "\n\n".join(paragraphs) + "\n" if paragraphs else ""
    return ImportResult(fm, body_text, tuple(notes.items), slug)


def _distinct_speakers(people: list[Person], notes: Notes) -> bool:
    """Two participants with one label do not build: each gets the full name as its label."""
    labels = Counter(p.speaker for p in people)
    changed = False
    for p in people:
        if labels[p.speaker] > 1 and p.name.replace(" ", "") != p.speaker:
            notes.add(f"話者ラベル「{p.speaker}」が2人以上の参加者と同じため、「{p.name}」の speaker を"
                      f"「{p.name.replace(' ', '')}」にしました: 本文の話者の行を確かめてください", p.line)
            p.speaker = p.name.replace(" ", "")
            changed = True
    return changed


def _places_in_text(lines: list[Line], notes: Notes) -> list:
    """A roundtable needs a municipality: with none in the title or the participants, the one
    the text names most (the first named, on a tie) is written in as a listed guess."""
    counts: Counter = Counter()
    first: dict = {}
    for ln in lines:
        for place in places_in(ln.norm):
            counts[place] += 1
            first.setdefault(place, ln.no)
    if not counts:
        notes.add("区市町村が見つかりませんでした（座談会には municipalities が1つ以上必要です）")
        return []
    place = max(counts, key=lambda m: (counts[m], -first[m]))
    notes.add(f"題名にも参加者の所属にも区市町村がないため、本文に多く出てくる「{place.name}」を仮に"
              "municipalities に入れました: 確かめてください", first[place])
    return [place]


def _credits(lines: list[Line], notes: Notes) -> tuple[dict, list[Line]]:
    credits: dict[str, str] = {}
    kept = []
    for ln in lines:
        pieces = [CREDIT_RE.match(p.strip()) for p in re.split(r"[/|]", ln.norm)]
        if not pieces or not all(pieces):
            kept.append(ln)
            continue
        for m in pieces:
            key = "editor" if m.group(1).startswith("編集") else "author"
            name = re.split(r"[(（]", m.group(2), maxsplit=1)[0].strip()
            if key in credits and credits[key] != name:
                notes.add(f"{m.group(1)}が2人以上書かれています（{credits[key]}、{name}）", ln.no)
                continue
            credits[key] = name
    return {k: credits[k] for k in ("author", "editor") if k in credits}, kept


def _tags(lines: list[Line]) -> tuple[list[str], list[Line]]:
    tags: list[str] = []
    kept = []
    for ln in lines:
        if HASHTAGS_RE.match(ln.norm):
            tags += [t[1:] for t in ln.norm.split() if t[1:] not in tags]
        else:
            kept.append(ln)
    return tags, kept


def _check_speakers(people: list[Person], turns, notes: Notes) -> None:
    for p in people:
        if p.label in _INTERVIEWERS:  # asks with ― lines, not by name
            continue
        if p.speaker and not turns[p.speaker]:
            notes.add(f"参加者「{p.name}」の発言が本文に見つかりませんでした（speaker「{p.speaker}」"
                      "を本文の発言者の名前に合わせてください）", p.line)
