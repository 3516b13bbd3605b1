"""The article body as HTML: headings with anchors, prose, questions and speaker turns."""

from __future__ import annotations

from html import escape

from markdown_it import MarkdownIt
from markupsafe import Markup

from cio_forum_site.model import Article, Heading, Prose, Question, Turn

_md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def markdown(text: str) -> str:
    """CommonMark to HTML; raw HTML in the text is shown as text, never passed through."""
    return _md.render(text)


class LazyBody:
    """The body HTML, made when the template prints it (so in the render workers)."""

    def __init__(self, article: Article):
        self.article = article

    def __html__(self) -> str:
        return render_body(self.article)


def render_body(article: Article) -> Markup:
    parts: list[str] = []
    for block in article.blocks:
        if isinstance(block, Heading):
            level = min(max(block.level, 2), 4)
            parts.append(f'<h{level} id="{block.anchor}">{escape(block.text)}</h{level}>\n')
        elif isinstance(block, Turn):
            person = article.participant(block.speaker)
            name = person.name if person else block.speaker
            org = person.affiliation if person else ""
            org_html = f'<span class="turn-org">{escape(org)}</span>' if org else ""
            parts.append(
                f'<div class="turn" data-speaker="{escape(block.speaker)}">'
                f'<p class="turn-speaker"><span class="turn-name">{escape(name)}</span>{org_html}</p>'
                f'<div class="turn-speech">{markdown(block.markdown)}</div></div>\n'
            )
        elif isinstance(block, Question):
            parts.append(f'<div class="question">{markdown(block.markdown)}</div>\n')
        elif isinstance(block, Prose):
            parts.append(markdown(block.markdown))
    return Markup("".join(parts))
