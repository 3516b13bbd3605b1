"""The article body as HTML: headings with anchors, prose, questions and speaker turns."""

from __future__ import annotations

import re
from html import escape

from markdown_it import MarkdownIt
from markdown_it.common.utils import mdTrim
from markupsafe import Markup

from cio_forum_site.content.model import Article, Heading, Prose, Question, Turn
from cio_forum_site.site.urls import relative_url

_EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)


def site_link(target: str, attribute: str, page: str, explicit_index: bool = False) -> str:
    """Links in a body, made relative to the page so they work under any base URL:
    ``/articles/x/`` is a page of the site; an image ``images/a.png`` is a file under content/."""
    if _EXTERNAL.match(target):
        return target
    if target.startswith("/"):
        return relative_url(target, page, explicit_index)
    if attribute == "src":
        return relative_url("/" + target.lstrip("./"), page)
    return target


def _site_links(state) -> None:
    page = state.env.get("page")
    explicit_index = state.env.get("explicit_index", False)
    if not page:
        return
    for token in state.tokens:
        for child in token.children or ():
            for attribute in ("href", "src"):
                value = child.attrGet(attribute)
                if isinstance(value, str):
                    child.attrSet(attribute, site_link(value, attribute, page, explicit_index))


_md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
_md.core.ruler.push("site_links", _site_links)


def markdown(text: str, page: str | None = None, explicit_index: bool = False) -> str:
    """CommonMark to HTML; raw HTML in the text is shown as text, never passed through.
    With ``page`` (the page's URL), site links and images are made relative to it."""
    if has_no_markup(text):
        return plain_html(text)
    return _md.render(text, {"page": page, "explicit_index": explicit_index} if page else {})


# What can make Markdown more than paragraphs of text: characters that start inline markup
# (or entities, HTML, tables, …) anywhere, two or more spaces ending a line (a hard break),
# and line starts that begin another kind of block. Deliberately broad: a fragment with any
# of them takes the parser's way.
_MARKUP_CHARACTER = re.compile(r"[\\`*_\[\]<>&~|\t\r\0]")
_HARD_BREAK = re.compile(r"[^ \n]  +(?:\n|$)")
_BLOCK_START = re.compile(r"^(?: {0,3}(?:[#>+=-]|\d{1,9}[.)])| {4})", re.MULTILINE)
BLANK_LINES = re.compile(r"\n(?: *\n)+")


def has_no_markup(markdown: str) -> bool:
    """True when the fragment is paragraphs of text only, so that it need not be parsed
    (most of a transcript is: parsing it all cost over a second at 1,000 articles, for the
    pages and again for search)."""
    if _MARKUP_CHARACTER.search(markdown) or _BLOCK_START.search(markdown):
        return False
    # (``in`` first: it is much faster than the expression, and usually settles it)
    spaces_end_a_line = "  \n" in markdown or markdown.endswith("  ")
    return not (spaces_end_a_line and _HARD_BREAK.search(markdown))


def plain_html(text: str) -> str:
    """What markdown-it makes of paragraphs of text without markup (``has_no_markup``),
    without parsing them: a ``<p>`` per paragraph (a run of lines that are not all
    spaces), trimmed of whitespace at both ends as CommonMark trims it; at each soft line
    break the space before it and the spaces after it dropped; ``"`` escaped."""
    out = []
    for block in BLANK_LINES.split(text.strip("\n")):
        if not block.strip(" "):
            continue
        lines = mdTrim(block).split("\n")
        lines = [line.removesuffix(" ") for line in lines[:-1]] + lines[-1:]
        paragraph = "\n".join([lines[0], *(line.lstrip(" ") for line in lines[1:])])
        out.append("<p>" + paragraph.replace('"', "&quot;") + "</p>\n")
    return "".join(out)


class LazyBody:
    """The body HTML, made when the template prints it (so in the render workers)."""

    def __init__(self, article: Article, explicit_index: bool = False):
        self.article = article
        self.explicit_index = explicit_index

    def __html__(self) -> str:
        return render_body(self.article, self.explicit_index)


def render_body(article: Article, explicit_index: bool = False) -> Markup:
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
                f'<div class="turn-speech">{markdown(block.markdown, article.url, explicit_index)}</div></div>\n'
            )
        elif isinstance(block, Question):
            parts.append(f'<div class="question">{markdown(block.markdown, article.url, explicit_index)}</div>\n')
        elif isinstance(block, Prose):
            parts.append(markdown(block.markdown, article.url, explicit_index))
    return Markup("".join(parts))
