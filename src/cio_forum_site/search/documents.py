"""The archive as search documents: the text a reader can find an article by."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt

from cio_forum_site.archive import Archive
from cio_forum_site.model import Article, Heading, Prose, Question, Turn

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
    body_text: str  # plain text, paragraphs separated by "\n"

    def paragraphs(self) -> list[str]:
        """The searchable text, one paragraph per item: what a query must be found in."""
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
        body_text="\n".join(body_paragraphs(article)),
    )


def body_paragraphs(article: Article) -> Iterator[str]:
    """The body as the page shows it: headings, prose, questions, and each speaker turn
    as the speaker's name followed by what they said."""
    for block in article.blocks:
        if isinstance(block, Heading):
            yield block.text
        elif isinstance(block, Turn):
            person = article.participant(block.speaker)
            yield person.name if person else block.speaker
            yield from plain_text(block.markdown)
        elif isinstance(block, Prose | Question):
            yield from plain_text(block.markdown)


def plain_text(markdown: str) -> list[str]:
    """The paragraphs of a Markdown fragment as plain text (inline markup removed)."""
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
            elif child.type == "image":
                pieces.append(child.content)
        text = "".join(pieces).strip()
        out.extend(line.strip() for line in text.split("\n") if line.strip())
    return out
