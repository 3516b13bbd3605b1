"""Who takes part, from a magazine page: the ``参加者（敬称略）`` list, one per line
(``LABEL：ORGANIZATION POSITION FAMILY GIVEN``, or ``清瀬市総務部長：南澤 志公`` with the
organization inside the label), or, with no list, the speakers the transcript introduces
(``架空市CIO：山田（以下「山田」）``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cio_forum_site.importer.lines import (
    COLON_RE,
    INTRO_RE,
    PARTICIPANTS_RE,
    POSITION_END_RE,
    ROLE_RE,
    SENTENCE_END_RE,
    Line,
    has_punct,
    intro_label,
)
from cio_forum_site.importer.places import label_place, split_place, unknown_place
from cio_forum_site.importer.result import Notes

_NAME_MAX = 8


@dataclass
class Person:
    label: str
    name: str
    organization: str = ""
    position: str = ""
    role: str = ""
    speaker: str = ""
    line: int = 0

    def as_dict(self) -> dict:
        row = {"name": self.name}
        for key in ("organization", "position", "role", "speaker"):
            if getattr(self, key):
                row[key] = getattr(self, key)
        return row


def participant_list(lines: list[Line], notes: Notes) -> tuple[list[Person], list[Line]]:
    """The people of a ``参加者（敬称略）`` list, and the lines without the list. Without the
    heading, two or more participant lines in a row before the first turn are the list."""
    start = next((i for i, ln in enumerate(lines) if PARTICIPANTS_RE.match(ln.norm)), None)
    if start is None:
        return _unheaded_list(lines, notes)
    people: list[Person] = []
    end = start + 1
    while end < len(lines):
        person = _person(lines[end], Notes(""))
        if person is None or any(p.name.replace(" ", "").startswith(person.name) for p in people):
            break  # the end of the list, or the list again, by labels (都CIO：宮田)
        person = _person(lines[end], notes)
        people.append(person)
        end += 1
    if not people:
        notes.add("参加者の一覧に参加者の行がありませんでした", lines[start].no)
    return people, lines[:start] + lines[end:]


def _unheaded_list(lines: list[Line], notes: Notes) -> tuple[list[Person], list[Line]]:
    probe = Notes("")
    for i, ln in enumerate(lines):
        m = COLON_RE.match(ln.norm)
        if m and m.group(2) and has_punct(m.group(2)):  # a turn with words: the list is past
            break
        run = 0
        while i + run < len(lines) and _person(lines[i + run], probe) is not None:
            run += 1
        if run >= 2:
            return [_person(ln, notes) for ln in lines[i:i + run]], lines[:i] + lines[i + run:]
    return [], lines


def introduced(lines: list[Line], notes: Notes) -> list[Person]:
    """With no list, one participant per speaker the transcript introduces, in order:
    ``架空市CIO：山田（以下「山田」）`` → 山田, organization 架空市, role CIO."""
    people: list[Person] = []
    for ln in lines:
        label = intro_label(ln.norm)
        m = COLON_RE.match(ln.norm)
        if label is None or m is None or any(p.speaker == label for p in people):
            continue
        who = INTRO_RE.match(m.group(2)).group(1).strip()
        name = _full_name(who, label)
        person = Person(m.group(1).strip(), name, speaker=label, line=ln.no)
        _read_label(person, person.label)
        if not person.organization:
            notes.add(f"参加者「{name}」の所属（organization）が分かりませんでした", ln.no)
        people.append(person)
    return people


def _full_name(who: str, label: str) -> str:
    """山田 太郎 as written; 山田太郎 split after the label 山田; else as written."""
    who = re.sub(r"\s+", " ", who)
    if " " not in who and who.startswith(label) and who != label:
        return f"{label} {who[len(label):]}"
    return who


def _read_label(person: Person, label: str) -> None:
    """Organization, position and role from a label: 架空市CIO, 清瀬市総務部長, 東京都CIO."""
    split = split_place(label)
    rest = split[1] if split else label
    if split:
        person.organization = split[0]
    elif place := unknown_place(label):
        person.organization, rest = place[0], place[2]
    if role := ROLE_RE.search(rest):
        person.role = role.group(1)
        rest = rest[: role.start()].strip()
    if split or place:
        person.position = rest


def _person(ln: Line, notes: Notes) -> Person | None:
    """``LABEL：ORGANIZATION POSITION FAMILY GIVEN``, or None if the line is not one."""
    m = COLON_RE.match(re.sub(r"^[・*●\-]\s*", "", ln.norm))
    if not m or has_punct(m.group(2)):
        return None
    label, tokens = m.group(1).strip(), m.group(2).split()
    if not tokens:
        return None
    if len(tokens) == 1 and not (split_place(label) and _name_like(tokens[0], _NAME_MAX)
                                 and not SENTENCE_END_RE.search(tokens[0])):
        return None  # 山田：よろしくお願いします, 清瀬市CIO：そうですね are transcript lines
    role_match = ROLE_RE.search(label)
    role = role_match.group(1) if role_match else ""
    if len(tokens) >= 2 and _name_like(tokens[-2], 6) and _name_like(tokens[-1], 5):
        family, given = tokens[-2:]
        before = tokens[:-2]
    else:
        family, given = tokens[-1], ""
        before = tokens[:-1]
    organization = position = ""
    if len(before) >= 2:
        organization, position = before[0], " ".join(before[1:])
    elif before:
        split = split_place(before[0])
        if split is None and (place := unknown_place(before[0])):
            hint = f"（「{place[1]}」のことですか？）" if place[1] else ""
            notes.add(f"「{place[0]}」は東京都の区市町村にありません{hint}", ln.no)
            split = place[0], place[2]
        if split:
            organization, position = split
        else:
            position = before[0]
    if not organization:  # 清瀬市総務部長：南澤 志公: the label holds both
        from_label = Person(label, "")
        _read_label(from_label, label)
        organization = from_label.organization
        position = position or from_label.position
    if not organization:
        organization = label_place(label) or ""
    if not organization:
        notes.add(f"参加者「{family}{given}」の所属（organization）が分かりませんでした", ln.no)
    if position == role:
        position = ""
    if not role and position in ("CIO", "CDO", "CISO"):
        role, position = position, ""
    name = f"{family} {given}" if given else family
    return Person(label, name, organization, position, role, family if given else "", ln.no)


def _name_like(token: str, longest: int) -> bool:
    return (
        len(token) <= longest
        and not POSITION_END_RE.search(token)
        and split_place(token) is None
        and not token.isascii()
        and not has_punct(token)
    )
