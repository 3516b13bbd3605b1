"""The archive as search documents: the text a reader can find an article by."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from markdown_it import MarkdownIt

from cio_forum_site.content.model import Article, Heading, Participant, Prose, Question, Turn
from cio_forum_site.site.archive import Archive
from cio_forum_site.site.body import BLANK_LINES, has_no_markup, is_decorative

_md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


@dataclass(frozen=True)
class SearchDocument:
    url: str  # site-relative, e.g. "articles/0005-kiyose/"
    title: str
    date_iso: str  # 2021-10-15
    date_wareki: str  # 令和3年10月15日
    fiscal_year: str  # 令和3年度
    kind: str  # 座談会 or インタビュー
    municipalities: tuple[str, ...]  # names, e.g. ("清瀬市",)
    tags: tuple[str, ...]
    participants: tuple[str, ...]  # "瀬谷 真 清瀬市 副市長 CIO"
    topics: tuple[str, ...]
    article: Article = field(repr=False, compare=False)  # for the body, made when needed

    @cached_property
    def body_text(self) -> str:
        """The body as plain text, paragraphs separated by "\n". Computed on first use (in
        the search workers, which share the work), not when the document is made."""
        return "\n".join(body_paragraphs(self.article))

    def paragraphs(self) -> list[str]:
        """The searchable text, one paragraph per item: what a query must be found in."""
        return self._paragraphs

    @cached_property
    def head_size(self) -> int:
        """How many of the paragraphs come before the body: the title, participants,
        topics (議題) and municipalities, which weigh more in the ranking."""
        items = [self.title, *self.participants, *self.topics, *self.municipalities]
        return len([p for p in items if p.strip()])

    @cached_property
    def _paragraphs(self) -> list[str]:  # made once: for the keys and for the text record
        items = [self.title, *self.participants, *self.topics, *self.municipalities,
                 *self.body_text.split("\n")]
        return [p.strip() for p in items if p.strip()]


def documents(archive: Archive) -> list[SearchDocument]:
    """One document per article, newest first (the archive's order)."""
    return [document(archive, a) for a in archive.articles]


def document(archive: Archive, article: Article) -> SearchDocument:
    return SearchDocument(
        url=article.url.lstrip("/"),
        title=article.title,
        date_iso=article.date.isoformat(),
        date_wareki=article.date_wareki,
        fiscal_year=article.fiscal_year.label,
        kind=article.kind_label,
        municipalities=tuple(m.name for m in article.municipalities),
        tags=tuple(tag.name for tag in archive.tags_of(article)),
        participants=tuple(
            " ".join(x for x in (p.name, p.organization, p.position, p.role) if x)
            for p in article.participants
        ),
        topics=article.topics,
        article=article,
    )


def body_paragraphs(article: Article) -> Iterator[str]:
    """The body as the page shows it: headings, prose, questions, and each speaker turn
    as the speaker's name followed by what they said."""
    for paragraph, _ in body_turns(article):
        yield paragraph


def body_turns(article: Article) -> Iterator[tuple[str, Participant | None]]:
    """Each paragraph of ``body_paragraphs`` with the participant who says it (None for
    headings, prose, questions and the speakers' names)."""
    for block in article.blocks:
        if isinstance(block, Heading):
            yield block.text, None
        elif isinstance(block, Turn):
            person = article.participant(block.speaker)
            yield (person.name if person else block.speaker), None
            for paragraph in plain_text(block.markdown):
                yield paragraph, person
        elif isinstance(block, Prose | Question):
            for paragraph in plain_text(block.markdown):
                yield paragraph, None


def speaker_label(person: Participant) -> str:
    """How an excerpt names a speaker: 五十嵐 拓真（武蔵野市CIO）."""
    affiliation = person.organization + (person.role or person.position)
    return f"{person.name}（{affiliation}）" if affiliation else person.name


def speakers(article: Article) -> list[str]:
    """The names of the participants who speak in the article, in order of appearance
    (a turn whose text is empty, as ``body_turns`` reads it, says nothing)."""
    names: dict[str, None] = {}
    for block in article.blocks:
        if isinstance(block, Turn) and (person := article.participant(block.speaker)) \
                and person.name not in names and plain_text(block.markdown):
            names[person.name] = None  # the text is read only for someone not seen yet
    return list(names)


def plain_text(markdown: str) -> list[str]:
    """The paragraphs of a Markdown fragment as plain text (inline markup removed)."""
    return plain_paragraphs(markdown) if has_no_markup(markdown) else parsed_plain_text(markdown)


def plain_paragraphs(text: str) -> list[str]:
    """``plain_text`` of Markdown without markup, without parsing it: paragraphs are
    separated by blank lines, and the lines of one paragraph are joined by a space (as a
    soft line break), each without the spaces around it."""
    out = []
    for block in BLANK_LINES.split(text.strip("\n")):
        paragraph = " ".join(line.strip(" ") for line in block.split("\n")).strip()
        if paragraph:
            out.append(paragraph)
    return out


def parsed_plain_text(markdown: str) -> list[str]:
    """``plain_text`` by markdown-it: the paragraphs' inline text, markup removed."""
    out: list[str] = []
    for token in _md.parse(markdown):
        if token.type != "inline":
            continue
        pieces = []
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                pieces.append(child.content)
            elif child.type == "softbreak":
                pieces.append(" ")
            elif child.type == "hardbreak":
                pieces.append("\n")
            elif child.type == "image" and not is_decorative(child.content):
                pieces.append(child.content)  # alt text; 装飾 marks a decorative image
        text = "".join(pieces).strip()
        out.extend(line.strip() for line in text.split("\n") if line.strip())
    return out
