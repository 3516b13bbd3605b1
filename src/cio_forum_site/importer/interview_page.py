"""The Tokyo government's interview pages, saved as plain text.

Shape: ``- 公開日:`` / ``- 最新更新日:`` lines (optional); the title; tags as ``- TAG`` lines; a
lead paragraph; one profile per person, ``FAMILY（ORGANIZATION/職種）`` and a biography
paragraph; then questions (lines with no label) and answers (``LABEL：words``); at the end
``※ 記載内容はYYYY年M月時点のものです``, which gives the date (the first of that month).

A participant is the profile's name, its organization (a bureau is 東京都's: デジタルサービス局
→ 東京都デジタルサービス局), the position the biography's first sentence names (else the
職種), and the label the answers use. No session number: ``kind: interview``.
"""

from __future__ import annotations

import datetime as dt
import re

from cio_forum_site.importer.dates import month_of_record
from cio_forum_site.importer.leftovers import drop_leftovers
from cio_forum_site.importer.lines import (
    COLON_RE,
    PARTICIPANTS_RE,
    QUESTION_MARKS,
    Line,
    heading_text,
    marked_heading,
    read_lines,
)
from cio_forum_site.importer.participants import Person
from cio_forum_site.importer.places import places_in, split_place
from cio_forum_site.importer.result import ImportResult, Notes, guess_date, slug_for

_PROFILE_RE = re.compile(r"^([^\s():/]{1,8}(?:\s[^\s():/]{1,6})?)\s*\(([^()/]{1,30})/([^()]{1,20})\)$")
_TAG_RE = re.compile(r"^[-・]\s*(\S.{0,29})$")
_RECORD_RE = re.compile(r"^※?\s*記載(?:内容|の内容)?は.*時点")
_POSITION_RE = re.compile(
    r"([^\s、。,をにがはとでもの「」]*?(?:課長代理|課長補佐|担当課長|担当部長|課長|部長|局長|室長|所長|係長"
    r"|主任|主事|主査|副参事|参事|調整役|エキスパート|フェロー|CIO|CDO|CISO))(?:として|を|に|。|、|$)"
)
_QUESTION_END_RE = re.compile(r"(?:\?|か|ください|教えて|でしょう|ますか)$")
_Q_RE = re.compile(r"^Q(?:\d+\s*[.:)]?|\s*[.:)]|\s)\s*")  # Q. / Q1: / Q before a question


def is_interview_page(lines: list[Line]) -> bool:
    """The 記載内容は…時点 line, or profiles: each ``FAMILY（ORGANIZATION/職種）`` line once,
    with a biography under it, and no participants list. (A magazine transcript may write a
    speaker as 森下（清瀬市/副市長）, but again at every turn.)"""
    if any(_RECORD_RE.match(ln.norm) for ln in lines):
        return True
    if any(PARTICIPANTS_RE.match(ln.norm) for ln in lines):
        return False
    profiles = [i for i, ln in enumerate(lines) if _PROFILE_RE.match(ln.norm)]
    texts = [lines[i].norm for i in profiles]
    return bool(profiles) and len(set(texts)) == len(texts) and all(
        i + 1 < len(lines) and "。" in lines[i + 1].norm and not COLON_RE.match(lines[i + 1].norm)
        for i in profiles)


def _organization(text: str) -> str:
    """デジタルサービス局 → 東京都デジタルサービス局; a municipality or 東京都… as written."""
    text = text.strip()
    if split_place(text) is None and re.search(r"局|本部|庁|委員会", text):
        return f"東京都{text}"
    return text


def _position(biography: str) -> str:
    """The position the biography's first sentence names, without its bureau."""
    first = biography.split("。", 1)[0] + "。"
    m = _POSITION_RE.search(first)
    if not m:
        return ""
    return re.sub(r"^.*?(?:局|本部)", "", m.group(1)).strip() or m.group(1)


def parse_interview_page(text: str, source: str, saved: dt.date | None = None) -> ImportResult:
    notes = Notes(source)
    lines, published = drop_leftovers(read_lines(text))
    title = lines[0].raw if lines else ""
    if not title:
        notes.add("タイトルが見つかりませんでした")
    rest = lines[1:]
    tags: list[str] = []
    while rest and (m := _TAG_RE.match(rest[0].norm)):
        tags.append(m.group(1).strip())
        rest = rest[1:]
    first_profile = next((i for i, ln in enumerate(rest) if _PROFILE_RE.match(ln.norm)), len(rest))
    paragraphs = [ln.raw for ln in rest[:first_profile]]
    people, rest = _profiles(rest[first_profile:], notes)
    answers = [m.group(1).strip() for ln in rest if (m := COLON_RE.match(ln.norm)) and m.group(2)]
    for p in people:
        _speaker_of(p, answers, notes)
    date = None
    body: list[str] = []
    labels = {p.speaker for p in people}
    for i, ln in enumerate(rest):
        if _RECORD_RE.match(ln.norm):
            date = date or month_of_record(ln.norm)
            if date:
                notes.add(f"開催日は月までしか分かりません（「{ln.raw}」）: date を {date:%Y-%m-%d} に"
                          "しました。日が分かれば直してください", ln.no)
            body.append(ln.raw)
            continue
        body.append(_line(ln, rest[i + 1] if i + 1 < len(rest) else None, labels))
    if not people:
        notes.add("人物紹介（姓（所属/職種））が見つかりませんでした（participants を書いてください）")
    date = guess_date(date, [(published, "公開日"), (saved, "テキストを保存した日")], notes)
    places = sorted({m for m in places_in(title) + [x for p in people for x in places_in(p.organization)]},
                    key=lambda m: m.code)
    fm: dict = {"title": title, "kind": "interview", "date": date}
    if published:
        fm["published"] = published
    fm["municipalities"] = [m.name for m in places]
    fm["participants"] = [p.as_dict() for p in people]
    topics = [p[3:] for p in body if p.startswith("## ")]
    if topics:
        fm["topics"] = topics
    if tags:
        fm["tags"] = tags
    paragraphs += body
    body_text = "\n\n".join(paragraphs) + "\n" if paragraphs else ""
    return ImportResult(fm, body_text, tuple(notes.items), slug_for(None, places, date))


def _profiles(lines: list[Line], notes: Notes) -> tuple[list[Person], list[Line]]:
    """Each ``FAMILY（ORGANIZATION/職種）`` line and the biography under it."""
    people: list[Person] = []
    i = 0
    while i < len(lines) and (m := _PROFILE_RE.match(lines[i].norm)):
        raw = _PROFILE_RE.match(lines[i].raw.replace("（", "(").replace("）", ")").replace("／", "/"))
        name, org, job = (raw or m).group(1, 2, 3)
        bio = lines[i + 1].raw if i + 1 < len(lines) and not _PROFILE_RE.match(lines[i + 1].norm) else ""
        position = _position(bio) or job.strip()
        people.append(Person(name, re.sub(r"\s+", " ", name.strip()), _organization(org), position,
                             line=lines[i].no))
        if not bio:
            notes.add(f"「{name}」の紹介文が見つかりませんでした", lines[i].no)
        i += 2 if bio else 1
    return people, lines[i:]


def _speaker_of(person: Person, answers: list[str], notes: Notes) -> None:
    """The label the answers use: the name, or its first part (吉永 for 吉永 遥 or 吉永遥)."""
    squashed = person.name.replace(" ", "")
    used = [a for a in dict.fromkeys(answers) if squashed.startswith(a.replace(" ", ""))]
    label = max(used, key=len, default=person.name.split(" ")[0])
    if " " not in person.name and squashed != label and squashed.startswith(label):
        person.name = f"{label} {squashed[len(label):]}"
    person.speaker = label
    if not used:
        notes.add(f"「{person.name}」の答え（{label}：…）が本文に見つかりませんでした", person.line)


def _question_like(norm: str) -> bool:
    return bool(_QUESTION_END_RE.search(norm.rstrip("。")))


def _line(ln: Line, nxt: Line | None, labels: set[str]) -> str:
    """An answer as written, a question as ``― …``, a heading before a question as ``##``;
    a line of more than one sentence is part of an answer."""
    norm = ln.norm
    m = COLON_RE.match(norm)
    if (m and m.group(2) and m.group(1).strip() in labels) or norm.startswith(QUESTION_MARKS):
        return ln.raw
    if (heading := marked_heading(norm)) is not None:
        return f"## {heading}"
    if (q := _Q_RE.match(norm)) and len(norm) > q.end():
        return f"― {(ln.raw if len(ln.raw) == len(norm) else norm)[q.end():]}"
    if "。" in norm.rstrip("。") or len(norm) > 80:
        return ln.raw
    if heading_text(norm) and nxt is not None and not COLON_RE.match(nxt.norm) and _question_like(nxt.norm):
        return f"## {ln.raw}"
    if _question_like(norm) or heading_text(norm):
        return f"― {ln.raw}"
    return ln.raw
