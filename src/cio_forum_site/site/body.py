"""The article body as HTML: headings with anchors, prose, questions and speaker turns.

Images are shown from their renditions (``images.py``) as ``<picture>`` with ``srcset`` and
``sizes``, the real width and height (no layout shift), and lazy loading (a body image is
below the fold). An image alone in its paragraph is a ``<figure>``; its Markdown title
(``![alt](src "caption")``) is the ``<figcaption>``. ``picture_html`` is the one place that
writes picture markup; templates call it through the ``picture`` filter (header images, cards).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.common.utils import mdTrim
from markupsafe import Markup

from cio_forum_site.content.files import content_key
from cio_forum_site.content.model import Article, Heading, Participant, Prose, Question, Turn
from cio_forum_site.content.municipalities import find as find_municipality
from cio_forum_site.site.urls import relative_url

if TYPE_CHECKING:  # Pillow is imported only where photos are processed
    from cio_forum_site.site.images import Picture

# ``sizes``: how wide the image is shown, so a phone picks a small rendition.
BODY_SIZES = "(min-width: 42rem) 40rem, calc(100vw - 2rem)"  # the text column (--measure)
HEADER_SIZES = "(min-width: 62rem) 60rem, calc(100vw - 2rem)"  # the page width (.wrap)
CARD_SIZES = "(min-width: 40rem) 8rem, 6rem"
# Alt text that marks an image as decorative (alt="" on the page, no warning from check).
DECORATIVE = {"装飾", "decorative"}


def is_decorative(alt: str) -> bool:
    return unicodedata.normalize("NFKC", alt).strip().lower() in DECORATIVE


def picture_html(picture: Picture, alt: str, page: str, *, sizes: str, eager: bool = False,
                 css_class: str = "") -> str:
    """``<picture>`` with a WebP and a JPEG/PNG ``srcset``, sized by the largest rendition.
    ``eager`` for an image at the top of the page; every other one loads when scrolled to.
    (``<source />`` is closed explicitly: HTML allows it, and libxml2's parser needs it.)"""
    def srcset(renditions) -> str:
        return ", ".join(f"{relative_url(r.url, page)} {r.width}w" for r in renditions)

    default = max((r for r in picture.fallback if r.width <= 960), key=lambda r: r.width,
                  default=picture.fallback[0])
    loading = ('loading="eager" fetchpriority="high"' if eager
               else 'loading="lazy" decoding="async"')
    alt_text = "" if is_decorative(alt) else alt
    class_attr = f' class="{escape(css_class)}"' if css_class else ""
    return (f'<picture{class_attr}><source type="image/webp" srcset="{srcset(picture.webp)}" '
            f'sizes="{sizes}" /><img src="{relative_url(default.url, page)}" '
            f'srcset="{srcset(picture.fallback)}" sizes="{sizes}" width="{picture.width}" '
            f'height="{picture.height}" alt="{escape(alt_text)}" {loading}></picture>')

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
            if child.type == "image":
                child.meta["source"] = child.attrGet("src")
            for attribute in ("href", "src"):
                value = child.attrGet(attribute)
                if isinstance(value, str):
                    child.attrSet(attribute, site_link(value, attribute, page, explicit_index))


def _figures(state) -> None:
    """An image alone in its paragraph becomes a figure (the paragraph's tags are dropped)."""
    tokens = state.tokens
    for i in range(1, len(tokens) - 1):
        if tokens[i].type != "inline" or tokens[i - 1].type != "paragraph_open":
            continue
        children = [c for c in tokens[i].children or ()
                    if not (c.type == "softbreak" or (c.type == "text" and not c.content.strip()))]
        if len(children) == 1 and children[0].type == "image":
            children[0].meta["figure"] = True
            tokens[i - 1].hidden = tokens[i + 1].hidden = True


def _image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    key = content_key(token.meta.get("source") or "")
    picture = env.get("images", {}).get(key) if key else None
    alt = self.renderInlineAsText(token.children or [], options, env)
    title = token.attrGet("title") or ""
    if picture is None:  # an external or missing image: as written (check warns about it)
        token.attrSet("alt", "" if is_decorative(alt) else alt)
        html = self.renderToken(tokens, idx, options, env)
    else:
        html = picture_html(picture, alt, env["page"], sizes=BODY_SIZES)
    if not token.meta.get("figure"):
        return html
    caption = f"<figcaption>{escape(title)}</figcaption>" if title else ""
    return f'<figure class="photo">{html}{caption}</figure>\n'


_md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
_md.core.ruler.push("site_links", _site_links)
_md.core.ruler.push("figures", _figures)
_md.add_render_rule("image", _image)


def markdown(text: str, page: str | None = None, explicit_index: bool = False,
             images: Mapping[str, Picture] | None = None) -> str:
    """CommonMark to HTML; raw HTML in the text is shown as text, never passed through.
    With ``page`` (the page's URL), site links and images are made relative to it, and
    images found in ``images`` (path under content/ → Picture) are shown from renditions."""
    if has_no_markup(text):  # no links, no images: paragraphs of text
        return plain_html(text)
    env = {"page": page, "explicit_index": explicit_index, "images": images or {}} if page else {}
    return _md.render(text, env)


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

    def __init__(self, article: Article, explicit_index: bool = False,
                 images: Mapping[str, Picture] | None = None):
        self.article = article
        self.explicit_index = explicit_index
        self.images = images or {}

    def __html__(self) -> str:
        return render_body(self.article, self.explicit_index, self.images)


def render_body(article: Article, explicit_index: bool = False,
                images: Mapping[str, Picture] | None = None) -> Markup:
    parts: list[str] = []
    for block in article.blocks:
        if isinstance(block, Heading):
            level = min(max(block.level, 2), 4)
            parts.append(f'<h{level} id="{block.anchor}">{escape(block.text)}</h{level}>\n')
        elif isinstance(block, Turn):
            parts.append(
                f'<div class="turn turn-{side(article.participant(block.speaker))}" data-speaker="{escape(block.speaker)}">'
                f'{speaker_line(article.participant(block.speaker), block.speaker)}'
                f'<div class="turn-speech">{markdown(block.markdown, article.url, explicit_index, images)}</div></div>\n'
            )
        elif isinstance(block, Question):
            parts.append(f'<div class="question">{markdown(block.markdown, article.url, explicit_index, images)}</div>\n')
        elif isinstance(block, Prose):
            parts.append(markdown(block.markdown, article.url, explicit_index, images))
    return Markup("".join(parts))


def side(person: Participant | None) -> str:
    """Which side of the table a speaker sits on: ``tokyo`` (東京都), ``municipality`` (one of
    the 62) or ``other`` (聞き手, guests, unknown labels)."""
    organization = person.organization if person else ""
    if organization.startswith("東京都"):
        return "tokyo"
    return "municipality" if find_municipality(organization) else "other"


def speaker_line(person: Participant | None, label: str) -> str:
    """The speaker above a turn: the organisation as a short label (the side at a glance,
    in words as well as in colour), the name, the position."""
    if person is None:
        return f'<p class="turn-speaker"><span class="turn-name">{escape(label)}</span></p>'
    title = "・".join(t for t in (person.position, person.role) if t)
    spans = [f'<span class="turn-side">{escape(person.organization)}</span>' if person.organization else "",
             f'<span class="turn-name">{escape(person.name)}</span>',
             f'<span class="turn-org">{escape(title)}</span>' if title else ""]
    return f'<p class="turn-speaker">{" ".join(s for s in spans if s)}</p>'

