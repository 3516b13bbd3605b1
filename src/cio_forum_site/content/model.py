"""The archive's domain objects: frozen, validated, free of I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cio_forum_site.content.dates import FiscalYear, wareki
from cio_forum_site.content.municipalities import Municipality

KIND_LABELS = {"roundtable": "座談会", "interview": "インタビュー"}


@dataclass(frozen=True)
class Participant:
    """参加者: one row of the participants table, and a voice in the transcript."""

    name: str
    organization: str = ""
    position: str = ""  # 肩書
    role: str = ""  # e.g. CIO
    speaker: str = ""  # the label used in the transcript
    person: str = ""  # `person:`: who this is, across articles (their page's slug)
    kana: str = ""  # `kana:`: the reading of the name ("やまだ たろう"): search, the person's page slug, sorting

    @property
    def affiliation(self) -> str:
        """所属と肩書, as shown beside a speaker's name."""
        return " ".join(p for p in (self.organization, self.position) if p)


@dataclass(frozen=True)
class Credits:
    author: str = ""  # 執筆
    editor: str = ""  # 編集


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int
    anchor: str


@dataclass(frozen=True)
class Prose:
    markdown: str
    line: int


@dataclass(frozen=True)
class Question:
    """聞き手の質問: a line beginning with ― or —."""

    markdown: str
    line: int


@dataclass(frozen=True)
class Turn:
    """発言: what one participant says, until the next speaker or heading."""

    speaker: str  # the participant's label
    markdown: str
    line: int


Block = Heading | Prose | Question | Turn


@dataclass(frozen=True)
class Article:
    slug: str
    path: str  # as shown in messages, e.g. content/0005-kiyose.md
    title: str
    kind: str  # "roundtable" or "interview"
    session: int | None
    date: dt.date
    published: dt.date | None
    municipalities: tuple[Municipality, ...]
    participants: tuple[Participant, ...]
    topics: tuple[str, ...]
    tags: tuple[str, ...]
    series: str | None
    part: int | None
    parts: int | None
    credits: Credits
    summary: str
    image: str | None
    blocks: tuple[Block, ...] = field(repr=False)
    image_alt: str = ""  # the header image's alt text; 装飾 marks it decorative
    suspect_labels: tuple[tuple[int, str], ...] = field(default=(), repr=False)
    wordless_labels: tuple[tuple[int, str], ...] = field(default=(), repr=False)  # speaker lines with no words
    # candidates for ``summary`` when the front matter has none (first paragraphs, no questions)
    summary_choices: tuple[str, ...] = field(default=(), repr=False, compare=False)
    field_lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    draft: bool = False  # 下書き: built only with --drafts (serve shows drafts, marked)

    def line_of(self, key: str) -> int:
        """The file line of a front-matter field, for messages (1 when absent)."""
        return self.field_lines.get(key, 1)

    @property
    def fiscal_year(self) -> FiscalYear:
        return FiscalYear.of(self.date)

    @property
    def date_wareki(self) -> str:
        return wareki(self.date)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def session_label(self) -> str:
        return f"第{self.session}回" if self.session else ""

    @property
    def url(self) -> str:
        return f"/articles/{self.slug}/"

    def participant(self, label: str) -> Participant | None:
        return next((p for p in self.participants if p.speaker == label), None)

    def sort_key(self) -> tuple:
        """Oldest first: by date, then session, then slug (a total, stable order)."""
        return (self.date, self.session or 0, self.slug)
