"""Import an article saved as plain text from the magazine's blog into a content file.

The blog copy is the only source the editors have for most of the archive, and retyping the
front matter by hand is where mistakes crept in. ``parse_blog_text`` is pure (text in, an
``ImportResult`` out): it fills in what it can tell and lists in ``undecided`` what the
editor still has to check, in Japanese, before ``to_content_file`` is saved as
``content/<suggested_slug>.md``.

How the blog text is read (top to bottom):

- Footer: ``バックナンバー`` or 「この記事が気に入ったら…」 and everything after it is the blog
  platform's, not the article's; so are like/follow lines (スキ, フォロー …) anywhere.
- The title is the first line that is not an image placeholder (``見出し画像``, ``画像``,
  ``（写真）``, ``[画像]``, ``image.png`` …); placeholders are dropped everywhere.
- The header is what comes before the first heading, question or speaker turn. There,
  ``※`` lines, lines about the forum or the magazine (CIOフォーラム, マガジン), bare URLs,
  part notes (「全2回の後半です。前半はこちら」) and a bare posting date (→ ``published``) are
  dropped; the sentence with the meeting date (和暦) gives ``date`` and 第N回 (``session``)
  and stays in the body as its first paragraph (the default summary).
- ``参加者（敬称略）`` starts the participants, one per line: ``LABEL：ORGANIZATION POSITION
  FAMILY GIVEN``. They go to the front matter, not the body.
- ``執筆者：`` / ``編集：`` lines are credits; lines made only of ``#hashtags`` are tags.
- Headings: a short line with no sentence punctuation that is followed by transcript (a
  speaker line, a ― question or another heading) is a ``##`` heading. A line marked with
  ■□●○◆◇▼▽★☆◎ or wholly in 【】 is a ``###`` sub-heading when a ``##`` heading comes
  before it, else a ``##`` heading (some articles mark every heading that way). A short
  line followed by plain prose is left as prose and reported in ``undecided``.
- Transcript lines are kept as they are; every line becomes a paragraph, except that a
  speaker line without words (forms 1–3 of the content format) keeps its first line of
  words under it, as in the format's example. Leading ─ or － in a question become ―.

Facts: ``municipalities`` are the 62's names found in the title and the participants'
organizations (東京都 is not one), in code order. No 第N回 means ``kind: interview``. The slug
is ``0005-kiyose`` (or ``interview-2023-11``); a part of a longer roundtable gets ``series``
``kiyose-2021`` like the archive's, and keeps the plain slug because every article, part or
not, has a session number of its own.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import yaml

from cio_forum_site.content import municipalities
from cio_forum_site.content.dates import ERAS, era_year

__all__ = ["ImportResult", "parse_blog_text", "parse_wareki_date", "to_content_file"]


@dataclass(frozen=True)
class ImportResult:
    front_matter: dict
    body: str  # Markdown, ending with a newline
    undecided: tuple[str, ...]  # notes for the editor, in Japanese
    suggested_slug: str


# ---------------------------------------------------------------------------- dates

_NUM = r"(?:\d+|[〇零一二三四五六七八九十百]+)"
_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_ERA_START = {name: start.year for start, name in ERAS}
_WAREKI_RE = re.compile(
    rf"(令和|平成|昭和)\s*({_NUM}|元)\s*年\s*({_NUM})\s*月\s*({_NUM})\s*日"
)
_SEIREKI_RE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})"
)
# A line that is only a 西暦 date (and time) is the blog's posting date, not the meeting's.
_POSTED_RE = re.compile(
    rf"^(?:{_SEIREKI_RE.pattern})(?:\s*\(?[月火水木金土日]?\)?\s*\d{{1,2}}:\d{{2}})?\s*$"
)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _number(text: str) -> int | None:
    """``12``, ``十二`` or ``一二`` as an int: blog text writes numbers all three ways."""
    if text.isascii() and text.isdigit():
        return int(text)
    total = current = 0
    for ch in text:
        if ch in _KANJI_DIGITS:
            current = current * 10 + _KANJI_DIGITS[ch]
        elif ch in "十百":
            total += (current or 1) * (10 if ch == "十" else 100)
            current = 0
        else:
            return None
    return total + current


def _wareki_matches(text: str) -> list[tuple[dt.date, str, int]]:
    """(date, era, year in era) of every 和暦 date in ``text`` that exists."""
    found = []
    for m in _WAREKI_RE.finditer(_nfkc(text)):
        era, year_text = m.group(1), m.group(2)
        year = 1 if year_text == "元" else _number(year_text)
        month, day = _number(m.group(3)), _number(m.group(4))
        if not year or month is None or day is None:
            continue
        try:
            found.append((dt.date(_ERA_START[era] + year - 1, month, day), era, year))
        except ValueError:
            continue
    return found


def _wareki_match(text: str) -> tuple[dt.date, str, int] | None:
    found = _wareki_matches(text)
    return found[0] if found else None


def parse_wareki_date(text: str) -> dt.date | None:
    """The first 和暦 date in ``text`` (令和3年10月15日, 令和元年, 平成, full-width or kanji
    digits), or None. The era is not checked against the day: 平成31年5月1日 is 2019-05-01."""
    found = _wareki_match(text)
    return found[0] if found else None


def _seireki_date(text: str) -> dt.date | None:
    for m in _SEIREKI_RE.finditer(_nfkc(text)):
        y, mo, d = (int(g) for g in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
        try:
            return dt.date(y, mo, d)
        except ValueError:
            continue
    return None


# ---------------------------------------------------------------------------- line shapes

# Everything below is matched against the NFKC form of a line: ：（）１ become :()1.
_PUNCT = set("。、,.!?「」『』:;")
_PLACEHOLDER_RE = re.compile(
    r"^(?:見出し画像|[\[(【<]?\s*(?:画像|写真|図|イメージ|image|photo|img)\s*\d*\s*[\])】>]?"
    r"|\S+\.(?:png|jpe?g|gif|webp|svg|heic)|!\[[^\]]*\]\([^)]*\))$",
    re.IGNORECASE,
)
_PLATFORM_RE = re.compile(
    r"^(?:スキ|♡|いいね|フォロー|フォローする|フォロー中|サポート|サポートする|チップで応援する"
    r"|シェア|コメント|ログイン|会員登録|もっと見る|記事を読む|ログインして.*)(?:\s*\d+)?$"
    r"|^.{0,30}をフォロー(?:する|しませんか\??)?$"
)
_FOOTER_RE = re.compile(r"^(?:バックナンバー|この記事が気に入ったら)")
_URL_RE = re.compile(r"^(?:https?://|www\.)\S+$")
_PARTICIPANTS_RE = re.compile(r"^(?:参加者|出席者|登壇者|参加メンバー)\s*(?:\([^)]*\))?\s*:?$")
_CREDIT_RE = re.compile(r"^(執筆者?|取材・文|文|ライター|編集者?)\s*:\s*(.+)$")
_HASHTAGS_RE = re.compile(r"^#\S+(?:\s+#\S+)*$")
_QUESTION_MARKS = ("―", "—")
_QUESTION_FIX_RE = re.compile(r"^[─━－]+")
_MARKED_RE = re.compile(r"^[■□●○◆◇▼▽★☆◎]\s*(.+)$")
_BRACKETED_RE = re.compile(r"^【([^】]+)】$")
_NOTE_RE = re.compile(r"^(.+?)\s*\(([^()]*)\)$")
_INTRO_RE = re.compile(r"^(.+?)\s*\(以下\s*[「『\"]([^」』\"]+)[」』\"]\)$")
_RULE_RE = re.compile(r"^[-─━―—=*~〜_・]{3,}$")
_INTERJECTIONS = {"はい", "いいえ", "ええ", "うん", "なるほど", "そうですね", "確かに", "(笑)"}
_COLON_RE = re.compile(r"^([^:]{1,30}?)\s*:\s*(.*)$")
_SENTENCE_END_RE = re.compile(r"(?:です|ます|でした|ました|ません|ください|でしょう|たい|ね|よ|か|な)$")
_ROLE_RE = re.compile(r"(CIO補佐官|CIO|CDO|CISO|CTO)$")
# Positions end like this; family names (長谷部, 岡部) may end in 部, so 部/課 are not here.
_POSITION_END_RE = re.compile(r"(?:長|官|監|CIO|CDO|CISO|補佐|参与|顧問|理事|委員|担当|役|員|者)$")
_SESSION_RE = re.compile(rf"第\s*({_NUM})\s*回")
_UNKNOWN_PLACE_RE = re.compile(r"^([^区市町村都\s]{2,5}[区市町村])(?!長)")
_INTERVIEWERS = {"聞き手", "インタビュアー", "司会", "進行"}
_HEADING_MAX = 40
_LABEL_MAX = 8

# Part notes: 全2回の後半 / 第2回/全3回 / （後編） / 前半はこちら / part1はこちら.
_PART_OF_RE = re.compile(rf"全\s*({_NUM})\s*回の?\s*(前半|後半|前編|中編|後編|第\s*({_NUM})\s*回|({_NUM})\s*回目)")
_PART_SLASH_RE = re.compile(rf"第\s*({_NUM})\s*回\s*(?:/|\(|の)\s*全\s*({_NUM})\s*回")
_PART_TITLE_RE = re.compile(r"[(\[【〈]\s*(前半|後半|前編|中編|後編)\s*[)\]】〉]|(前半|後半|前編|中編|後編)$")
_PART_NUMBER_RE = re.compile(r"(?<![A-Za-z])part\s*\.?\s*(\d+)", re.IGNORECASE)
_PART_LINK_RE = re.compile(
    r"(前半|後半|前編|中編|後編|part\s*\.?\s*\d+)\s*(?:は|を)?\s*(?:こちら|コチラ)", re.IGNORECASE
)
_PART_WORD = {"前半": 1, "前編": 1, "中編": 2}


def _has_punct(norm: str) -> bool:
    return any(c in _PUNCT for c in norm)


def _is_placeholder(norm: str) -> bool:
    return bool(_PLACEHOLDER_RE.match(norm))


def _is_part_note(norm: str) -> bool:
    return bool(_PART_OF_RE.search(norm) or _PART_SLASH_RE.search(norm) or _PART_LINK_RE.search(norm))


def _heading_text(norm: str) -> bool:
    """Short, no sentence punctuation, not shaped like a sentence end: could be a heading."""
    return (
        0 < len(norm) <= _HEADING_MAX
        and not _has_punct(norm)
        and not norm.startswith(_QUESTION_MARKS)
        and not _URL_RE.match(norm)
        and not norm.isdigit()
        and not _SENTENCE_END_RE.search(norm)
    )


def _intro_label(norm: str) -> str | None:
    """The label a speaker line introduces: 清瀬市CIO：山田 太郎（以下「山田」） → 山田."""
    m = _COLON_RE.match(norm)
    intro = _INTRO_RE.match(m.group(2) if m else norm)
    return intro.group(2) if intro else None


def _marked_heading(norm: str) -> str | None:
    """The text of a ■/●/【】 line if it is short enough to be a heading."""
    m = _MARKED_RE.match(norm) or _BRACKETED_RE.match(norm)
    if m and len(m.group(1)) <= _HEADING_MAX + 20 and "。" not in m.group(1):
        return m.group(1).strip()
    return None


# ---------------------------------------------------------------------------- municipalities

def _place_pattern() -> re.Pattern:
    names = set()
    for m in municipalities.all_municipalities():
        names.add(m.name)
        names.add(m.name.replace("ヶ", "ケ"))
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


_PLACES_RE = _place_pattern()


def _places_in(text: str) -> list[municipalities.Municipality]:
    """The municipalities named in ``text``, longest name first where names overlap."""
    found = (municipalities.find(m.group(0)) for m in _PLACES_RE.finditer(_nfkc(text)))
    return [m for m in found if m is not None]


def _split_place(token: str) -> tuple[str, str] | None:
    """(organization, rest) when ``token`` starts with a municipality or 東京都."""
    if token.startswith("東京都"):
        return "東京都", token[3:]
    m = _PLACES_RE.match(token)
    if m:
        place = municipalities.find(m.group(0))
        return (place.name if place else m.group(0)), token[m.end():]
    return None


def _label_place(label: str) -> str | None:
    """The organization a participant's label names: 清瀬市CIO → 清瀬市, 都CIO → 東京都."""
    base = _ROLE_RE.sub("", label).strip()
    if base in ("都", "東京都"):
        return "東京都"
    place = municipalities.find(base)
    return place.name if place else None


# ---------------------------------------------------------------------------- the parser

@dataclass(frozen=True)
class _Line:
    no: int  # 1-based line number in the blog text
    raw: str  # as written, stripped
    norm: str  # NFKC, stripped


@dataclass
class _Person:
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


class _Parser:
    """One run of ``parse_blog_text``; collects the notes for ``undecided`` as it goes."""

    def __init__(self, text: str, source: str):
        self.source = source
        self.notes: list[str] = []
        text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        self.lines = [
            _Line(i, raw.strip(), _nfkc(raw.strip()))
            for i, raw in enumerate(text.split("\n"), 1)
            if raw.strip()
        ]
        self.labels: set[str] = set()
        self.names: dict[str, str] = {}  # full name without spaces → label
        self.turns: Counter[str] = Counter()

    def note(self, message: str, line: int = 0) -> None:
        where = f"{self.source}:{line}: " if line else ""
        if where + message not in self.notes:
            self.notes.append(where + message)

    # -- the whole run ------------------------------------------------------------------

    def run(self) -> ImportResult:
        lines = [ln for ln in self.lines if not _is_placeholder(ln.norm)]
        title_line = lines[0] if lines else None
        title = re.sub(r"\s*[|｜]\s*note\s*$", "", title_line.raw) if title_line else ""
        if not title:
            self.note("タイトルが見つかりませんでした")
        rest = self._cut_footer(lines[1:])
        credits, rest = self._credits(rest)
        tags, rest = self._tags(rest)
        rest = [  # 12 alone under スキ is a like counter
            ln for ln in rest
            if not (_PLATFORM_RE.match(ln.norm) or _RULE_RE.match(ln.norm) or ln.norm.isdigit())
        ]
        people, rest = self._participants(rest)
        self._collect_labels(rest, people)

        start = self._first_structural(rest)
        header, body = rest[:start], rest[start:]
        intro, info = self._header(header, title)
        paragraphs = intro + self._body(body)
        self._check_speakers(people)

        part, parts = self._parts(title, header, body)
        date, session = info["date"], info["session"]
        places = self._municipalities(title, people)
        kind = "roundtable" if session is not None else "interview"
        if session is None and "インタビュー" not in title:
            self.note("第N回（session）が見つからないため、インタビュー（kind: interview）として"
                      "読み込みました。座談会なら session を書いてください")
        if kind == "roundtable" and not places:
            self.note("区市町村が見つかりませんでした（座談会には municipalities が1つ以上必要です）")

        slugs = [m.slug for m in places]
        if session is not None:
            slug = "-".join([f"{session:04d}", *slugs])
        else:
            slug = f"interview-{date:%Y-%m}" if date else "interview"
        # As in the archive: the parts of one roundtable share kiyose-2021 but each part is
        # an article of its own, with its own session number and so its own slug.
        series = "-".join([*slugs, *([str(date.year)] if date else [])]) or slug
        if part is not None:
            if parts is None:
                self.note(f"この記事は part {part} ですが、全何回かが分かりませんでした（parts を書いてください）")
            elif part > parts:
                self.note(f"part（{part}）が parts（{parts}）より大きくなっています")
            whole = f"全{parts}回の" if parts else "何回かに分けた"
            self.note(f"{whole}記事の1つです。series「{series}」がほかの回の記事と同じか、"
                      "session（第N回）が記事ごとに違う番号になっているか確かめてください")

        fm: dict = {"title": title, "kind": kind}
        if session is not None:
            fm["session"] = session
        fm["date"] = date
        if info["published"]:
            fm["published"] = info["published"]
        fm["municipalities"] = [m.name for m in places]
        fm["participants"] = [p.as_dict() for p in people]
        if tags:
            fm["tags"] = tags
        if part is not None:
            fm["series"] = series
            fm["part"] = part
            if parts is not None:
                fm["parts"] = parts
        if credits:
            fm["credits"] = credits
        body_text = "\n\n".join(paragraphs) + "\n" if paragraphs else ""
        return ImportResult(fm, body_text, tuple(self.notes), slug)

    # -- platform text, credits, tags ------------------------------------------------------

    def _cut_footer(self, lines: list[_Line]) -> list[_Line]:
        for i, ln in enumerate(lines):
            if _FOOTER_RE.match(ln.norm):
                return lines[:i]
        return lines

    def _credits(self, lines: list[_Line]) -> tuple[dict, list[_Line]]:
        credits: dict[str, str] = {}
        kept = []
        for ln in lines:
            pieces = [_CREDIT_RE.match(p.strip()) for p in re.split(r"[/|]", ln.norm)]
            if not pieces or not all(pieces):
                kept.append(ln)
                continue
            for m in pieces:
                key = "editor" if m.group(1).startswith("編集") else "author"
                name = re.split(r"[(（]", m.group(2), maxsplit=1)[0].strip()
                if key in credits and credits[key] != name:
                    self.note(f"{m.group(1)}が2人以上書かれています（{credits[key]}、{name}）", ln.no)
                    continue
                credits[key] = name
        return {k: credits[k] for k in ("author", "editor") if k in credits}, kept

    def _tags(self, lines: list[_Line]) -> tuple[list[str], list[_Line]]:
        tags: list[str] = []
        kept = []
        for ln in lines:
            if _HASHTAGS_RE.match(ln.norm):
                tags += [t[1:] for t in ln.norm.split() if t[1:] not in tags]
            else:
                kept.append(ln)
        return tags, kept

    # -- participants ----------------------------------------------------------------------

    def _participants(self, lines: list[_Line]) -> tuple[list[_Person], list[_Line]]:
        start = next((i for i, ln in enumerate(lines) if _PARTICIPANTS_RE.match(ln.norm)), None)
        if start is None:
            self.note("参加者の一覧（参加者（敬称略））が見つかりませんでした")
            return [], lines
        people: list[_Person] = []
        end = start + 1
        while end < len(lines):
            person = self._person(lines[end])
            if person is None:
                break
            people.append(person)
            end += 1
        if not people:
            self.note("参加者の一覧に参加者の行がありませんでした", lines[start].no)
        return people, lines[:start] + lines[end:]

    def _person(self, ln: _Line) -> _Person | None:
        """``LABEL：ORGANIZATION POSITION FAMILY GIVEN``, or None if the line is not one."""
        m = _COLON_RE.match(re.sub(r"^[・*●\-]\s*", "", ln.norm))
        if not m or _has_punct(m.group(2)):
            return None
        label, tokens = m.group(1).strip(), m.group(2).split()
        if len(tokens) < 2:  # 山田：よろしくお願いします is a transcript line
            return None
        role_match = _ROLE_RE.search(label)
        role = role_match.group(1) if role_match else ""
        if len(tokens) >= 2 and self._name_like(tokens[-2], 6) and self._name_like(tokens[-1], 5):
            family, given = tokens[-2:]
            before = tokens[:-2]
        else:
            family, given = tokens[-1], ""
            before = tokens[:-1]
        organization = position = ""
        if len(before) >= 2:
            organization, position = before[0], " ".join(before[1:])
        elif before:
            split = _split_place(before[0]) or self._unknown_place(before[0], ln.no)
            if split:
                organization, position = split
            else:
                position = before[0]
        organization = organization or _label_place(label) or ""
        if not organization:
            self.note(f"参加者「{family}{given}」の所属（organization）が分かりませんでした", ln.no)
        if position == role:
            position = ""
        if not role and position in ("CIO", "CDO", "CISO"):
            role, position = position, ""
        name = f"{family} {given}" if given else family
        return _Person(label, name, organization, position, role, family if given else "", ln.no)

    @staticmethod
    def _name_like(token: str, longest: int) -> bool:
        return (
            len(token) <= longest
            and not _POSITION_END_RE.search(token)
            and _split_place(token) is None
            and not token.isascii()
        )

    def _unknown_place(self, token: str, line: int) -> tuple[str, str] | None:
        """An organization that looks like a 区市町村 but is none of the 62: say so."""
        m = _UNKNOWN_PLACE_RE.match(token)
        if not m:
            return None
        guess = municipalities.suggest(m.group(1))
        hint = f"（「{guess}」のことですか？）" if guess else ""
        self.note(f"「{m.group(1)}」は東京都の区市町村にありません{hint}", line)
        return m.group(1), token[m.end():]

    # -- speaker labels --------------------------------------------------------------------

    def _collect_labels(self, lines: list[_Line], people: list[_Person]) -> None:
        """Speaker labels: the participants' family names, labels a transcript introduces
        (以下「山田」), and short lines that recur (a heading occurs once; a speaker often)."""
        candidates: set[str] = set()
        for ln in lines:
            if intro := _intro_label(ln.norm):
                candidates.add(intro)
            if m := _COLON_RE.match(ln.norm):
                candidates.add(m.group(1).strip())
            if m := _NOTE_RE.match(ln.norm):
                candidates.add(m.group(1).strip())
            if len(ln.norm) <= _LABEL_MAX and not _has_punct(ln.norm):
                candidates.add(ln.norm)
        for p in people:  # 山田太郎 without the space: the transcript's label tells the family
            if not p.speaker:
                prefix = max((c for c in candidates if p.name.startswith(c) and c != p.name),
                             key=len, default=None)
                if prefix:
                    p.name, p.speaker = f"{prefix} {p.name[len(prefix):]}", prefix
                else:
                    p.speaker = p.name
                    self.note(f"参加者「{p.name}」の姓と名を分けられませんでした"
                              "（name を「姓 名」に直し、speaker を確かめてください）", p.line)
        self.labels = {p.speaker for p in people}
        self.labels |= {x for ln in lines if (x := _intro_label(ln.norm))}
        self.names = {p.name.replace(" ", ""): p.speaker for p in people}
        counts = Counter(
            ln.norm for ln in lines
            if len(ln.norm) <= _LABEL_MAX and _heading_text(ln.norm)
            and ln.norm not in _INTERJECTIONS
            and _marked_heading(ln.norm) is None and self._speaker(ln.norm) is None
        )
        for label, count in counts.items():
            if count < 2:
                continue
            self.labels.add(label)
            owner = next((p for p in people if label.startswith(p.speaker)), None)
            if owner is not None and not any(
                self._speaker(ln.norm) == owner.speaker for ln in lines
            ):
                owner.speaker = label
            elif owner is None:
                self.note(f"発言者「{label}」が参加者の一覧にありません（participants に加えるか、"
                          "本文の名前を直してください）")

    def _speaker(self, norm: str) -> str | None:
        """The label if ``norm`` is a speaker line with no words after it (forms 1–3)."""
        if intro := _intro_label(norm):
            return intro
        if label := self._who(norm):
            return label
        if (m := _COLON_RE.match(norm)) and m.group(2):
            return self._who(m.group(2))
        return None

    def _label(self, text: str) -> str | None:
        """The label ``text`` names: a label, or a participant's full name."""
        text = text.strip()
        if text in self.labels:
            return text
        return self.names.get(re.sub(r"\s+", "", text))

    def _who(self, text: str) -> str | None:
        """A label alone or with a note in brackets: 山田 / 山田（清瀬市）."""
        if label := self._label(text):
            return label
        m = _NOTE_RE.match(text)
        return self._label(m.group(1)) if m else None

    def _turn(self, norm: str) -> str | None:
        """The label if ``norm`` is a speaker line with words after the colon (form 4)."""
        m = _COLON_RE.match(norm)
        if not m or not m.group(2):
            return None
        return self._who(m.group(1))

    def _structural(self, norm: str, loose: bool = False) -> bool:
        """Transcript or structure. ``loose`` also takes any short ``X：words`` line for a
        speaker (司会：…): enough to tell that a line above it is a heading, not to end the
        header, where 日時：… lines are common."""
        if norm.startswith(_QUESTION_MARKS) or _QUESTION_FIX_RE.match(norm):
            return True
        if self._speaker(norm) or self._turn(norm) or _marked_heading(norm):
            return True
        m = _COLON_RE.match(norm)
        return bool(
            loose and m and m.group(2) and len(m.group(1)) <= 12 and not _has_punct(m.group(1))
            and not _wareki_match(norm) and not _seireki_date(norm)
        )

    def _next_content(self, lines: list[_Line], i: int) -> _Line | None:
        return next((ln for ln in lines[i + 1:] if not _is_placeholder(ln.norm)), None)

    def _is_heading(self, lines: list[_Line], i: int) -> bool:
        norm = lines[i].norm
        if not _heading_text(norm) or self._speaker(norm) or self._structural(norm):
            return False
        nxt = self._next_content(lines, i)
        return nxt is not None and self._structural(nxt.norm, loose=True)

    def _first_structural(self, lines: list[_Line]) -> int:
        for i, ln in enumerate(lines):
            if self._structural(ln.norm) or self._is_heading(lines, i):
                return i
        return len(lines)

    # -- header ----------------------------------------------------------------------------

    def _header(self, lines: list[_Line], title: str) -> tuple[list[str], dict]:
        """The intro paragraphs to keep, and the date, session and posting date."""
        info: dict = {"date": None, "session": None, "published": None}
        kept: list[str] = []
        dates: list[tuple[dt.date, _Line]] = []
        noted: list[tuple[dt.date, _Line]] = []  # from ※ lines: used only if nothing else
        for ln in lines:
            norm = ln.norm
            if _POSTED_RE.match(norm):
                info["published"] = info["published"] or _seireki_date(norm)
                continue
            wareki = _wareki_matches(norm)
            days = [w[0] for w in wareki] or [d for d in [_seireki_date(norm)] if d]
            for day, era, year in wareki:
                if era_year(day) != (era, year):
                    self.note(f"和暦の元号と年が合いません（{day:%Y-%m-%d} は"
                              f"{era_year(day)[0]}です）。開催日を確かめてください", ln.no)
            if norm.startswith("※"):
                noted += [(day, ln) for day in days]
                continue
            if days:  # the date sentence: kept, it is the natural summary
                dates += [(day, ln) for day in days]
                kept.append(ln.raw)
                continue
            if _URL_RE.match(norm) or "CIOフォーラム" in norm or "マガジン" in norm:
                continue
            if _is_part_note(norm):
                continue
            kept.append(ln.raw)
        dates = dates or noted
        if dates:
            info["date"] = dates[0][0]
            info["session"] = self._session_from(dates[0][1].norm)
            others = sorted({d for d, _ in dates[1:] if d != dates[0][0]})
            if others:
                listed = "、".join(f"{d:%Y-%m-%d}" for d in others)
                self.note(f"開催日の候補がほかにもあります（{listed}）。最初の "
                          f"{dates[0][0]:%Y-%m-%d} にしました", dates[0][1].no)
        else:
            self.note("開催日が見つかりませんでした（date を YYYY-MM-DD で書いてください）")
        if info["session"] is None:  # 第N回 elsewhere: the title, or a line about the forum
            texts = (title, *(ln.norm for ln in lines))
            info["session"] = next((n for t in texts if (n := self._session_from(t))), None)
        return kept, info

    @staticmethod
    def _session_from(norm: str) -> int | None:
        """第N回 in ``norm``, unless it is a part number (第2回/全3回, 全3回の第2回)."""
        norm = _nfkc(norm)
        taken = [m.span() for m in (*_PART_OF_RE.finditer(norm), *_PART_SLASH_RE.finditer(norm))]
        for m in _SESSION_RE.finditer(norm):
            if any(a <= m.start() < b for a, b in taken):
                continue
            number = _number(m.group(1))
            if number:
                return number
        return None

    # -- body ------------------------------------------------------------------------------

    def _body(self, lines: list[_Line]) -> list[str]:
        paragraphs: list[str] = []
        seen_heading = False
        i = 0
        while i < len(lines):
            ln = lines[i]
            norm = ln.norm
            i += 1
            if _is_placeholder(norm):
                continue
            if _PART_LINK_RE.search(norm) or _PART_OF_RE.search(norm):
                if i < len(lines) and _URL_RE.match(lines[i].norm):
                    i += 1
                continue
            if norm.startswith(_QUESTION_MARKS) or _QUESTION_FIX_RE.match(ln.raw):
                paragraphs.append(_QUESTION_FIX_RE.sub("―", ln.raw))
                continue
            if label := self._speaker(norm):
                self.turns[label] += 1
                nxt = lines[i] if i < len(lines) else None
                if nxt is not None and not self._structural(nxt.norm) \
                        and not _is_placeholder(nxt.norm) and not self._is_heading(lines, i):
                    paragraphs.append(f"{ln.raw}\n{nxt.raw}")
                    i += 1
                else:
                    paragraphs.append(ln.raw)
                continue
            if label := self._turn(norm):
                self.turns[label] += 1
                paragraphs.append(ln.raw)
                continue
            if (text := _marked_heading(norm)) is not None:
                raw_text = (_MARKED_RE.match(ln.raw) or _BRACKETED_RE.match(ln.raw))
                text = raw_text.group(1).strip() if raw_text else text
                paragraphs.append(f"{'###' if seen_heading else '##'} {text}")
                continue
            if self._is_heading(lines, i - 1):
                seen_heading = True
                paragraphs.append(f"## {ln.raw}")
                continue
            if _heading_text(norm) and len(norm) > _LABEL_MAX // 2 and not self._structural(norm):
                self.note(f"「{ln.raw}」は見出しか本文か判断できなかったため、本文のままにしました"
                          "（見出しなら行頭に ## を付けてください）", ln.no)
            paragraphs.append(ln.raw)
        return paragraphs

    def _check_speakers(self, people: list[_Person]) -> None:
        for p in people:
            if p.label in _INTERVIEWERS:  # asks with ― lines, not by name
                continue
            if p.speaker and not self.turns[p.speaker]:
                self.note(f"参加者「{p.name}」の発言が本文に見つかりませんでした（speaker「{p.speaker}」"
                          "を本文の発言者の名前に合わせてください）", p.line)

    # -- facts -----------------------------------------------------------------------------

    def _parts(self, title: str, header: list[_Line], body: list[_Line]) -> tuple[int | None, int | None]:
        """(part, parts) from, in order of trust: 全2回の後半, 第2回/全3回, （後編）/part2 in the
        title, then links to the other parts (前半はこちら → 後半; part1はこちら → part 2)."""
        title_norm = _nfkc(title)
        texts = [title_norm, *(ln.norm for ln in header), *(ln.norm for ln in body)]
        for text in texts:
            if m := _PART_OF_RE.search(text):
                parts = _number(m.group(1))
                word = m.group(2)
                if word in ("後半", "後編"):
                    return parts, parts
                if word in _PART_WORD:
                    return _PART_WORD[word], parts
                return _number(m.group(3) or m.group(4)), parts
            if m := _PART_SLASH_RE.search(text):
                return _number(m.group(1)), _number(m.group(2))
        all_text = " ".join(texts)
        three = "中編" in all_text
        if m := _PART_TITLE_RE.search(title_norm):
            word = m.group(1) or m.group(2)
            if word in ("後半", "後編"):
                return (3, 3) if three else (2, 2)
            return _PART_WORD[word], 3 if three else 2
        if m := _PART_NUMBER_RE.search(title_norm):
            return int(m.group(1)), None
        # Links name the other parts; this article is the first number they leave out.
        linked: set[int] = set()
        by_word = False
        for ln in (*header, *body):
            for m in _PART_LINK_RE.finditer(ln.norm):
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

    def _municipalities(self, title: str, people: list[_Person]) -> list:
        found = set(_places_in(title))
        for p in people:
            found.update(_places_in(p.organization))
        rest = _PLACES_RE.sub(" ", _nfkc(title))
        for word in re.findall(r"[^\s×x・、と/()区市町村都副]{2,5}[区市町村](?!長)", rest):
            if guess := municipalities.suggest(word):
                self.note(f"タイトルの「{word}」は東京都の区市町村にありません（「{guess}」のことですか？）")
        return sorted(found, key=lambda m: m.code)


def parse_blog_text(text: str, source: str = "<text>") -> ImportResult:
    """Read a blog article saved as plain text; never raises for odd input, it reports it."""
    return _Parser(text, source).run()


def to_content_file(result: ImportResult) -> str:
    """The article file: YAML front matter (dates unquoted YYYY-MM-DD), then the body."""
    front = yaml.safe_dump(
        result.front_matter, allow_unicode=True, sort_keys=False, width=1000,
        default_flow_style=False,
    )
    return f"---\n{front}---\n\n{result.body}"
