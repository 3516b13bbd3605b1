"""Render: routes → HTML with Jinja2 (StrictUndefined, autoescape), so a typo in a
template fails the build instead of rendering blank. ``render_routes`` is the entry point.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from cio_forum_site.site.body import CARD_SIZES, HEADER_SIZES, picture_html
from cio_forum_site.site.config import Site
from cio_forum_site.site.pages import Link, Route
from cio_forum_site.site.theme import template_dirs
from cio_forum_site.site.urls import absolute_url, relative_url

if TYPE_CHECKING:  # Pillow is imported only where photos are processed
    from cio_forum_site.site.images import Picture


@jinja2.pass_context
def _rel(context: jinja2.runtime.Context, target: str) -> str:
    base_path = context["site"].base_path
    if context.get("absolute_links") and base_path and target.startswith("/"):
        return base_path + target.lstrip("/")
    # Without a base URL the site is meant to work anywhere, file:// included.
    return relative_url(target, context["page_url"], not context["site"].base_url)


@jinja2.pass_context
def _rel_folder(context: jinja2.runtime.Context, target: str) -> str:
    """A folder as a base for scripts (the search bundle), never its index.html."""
    return relative_url(target, context["page_url"])


_PICTURES = {  # kind → (sizes, eager, class)
    "header": (HEADER_SIZES, True, "hero-image"),
    "card": (CARD_SIZES, False, "card-image"),
}


@jinja2.pass_context
def _picture(context: jinja2.runtime.Context, source: str | None, alt: str = "",
             kind: str = "header") -> Markup:
    """``{{ image|picture(alt, "header") }}``: an article image (its path under content/)
    as ``<picture>`` from its renditions; nothing when it has none."""
    picture = context.get("images", {}).get(source) if source else None
    if picture is None:
        return Markup("")
    sizes, eager, css_class = _PICTURES[kind]
    return Markup(picture_html(picture, alt, context["page_url"], sizes=sizes, eager=eager,
                               css_class=css_class))


class _Compiled(jinja2.BytecodeCache):
    """Compiled templates kept in memory between builds of one process (``serve``, the
    property tests): compiling the theme takes longer than rendering a small site. Jinja
    keys each entry by the template's file and checks the source's hash on every load."""

    def __init__(self):
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if (code := self.codes.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _Compiled()


def make_environment(templates_dir: Path | None) -> jinja2.Environment:
    """Templates from the site's ``templates_dir`` first, then from the default theme."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(templates_dir)]),
        autoescape=lambda name: not (name or "").endswith(".txt"),  # HTML and XML; not robots.txt
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_COMPILED,
    )
    env.filters["rel"] = _rel
    env.filters["rel_folder"] = _rel_folder
    env.filters["picture"] = _picture
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}  # JSON-LD
    return env


def render_routes(env: jinja2.Environment, routes: list[Route], site: Site,
                  assets: dict[str, str] | None = None,
                  images: Mapping[str, Picture] | None = None) -> Iterator[tuple[str, str]]:
    """(output path, HTML) for every route; ``images``: renditions by path under content/."""
    for route in routes:
        yield route.output_path, render_template(env, route.template, route, site, assets,
                                                 images)


_NAV = (
    Link("ホーム", "/"), Link("バックナンバー", "/backnumbers/"),
    Link("区市町村", "/municipalities/"), Link("テーマ", "/topics/"), Link("人物", "/people/"),
    Link("検索", "/search/"),
)


def render_template(env: jinja2.Environment, name: str, route: Route, site: Site,
                    assets: dict[str, str] | None = None,
                    images: Mapping[str, Picture] | None = None) -> str:
    """The template ``name`` rendered for ``route``: its page, or a part of it
    (``Route.parts``) as the page's template includes it."""
    root = relative_url("/", route.url)
    return env.get_template(name).render(
        site=site,
        page_url=route.url,
        root="" if root == "./" else root,
        nav=_NAV,
        section=_section(route.url),
        assets=assets or {},
        images=images or {},
        canonical=absolute_url(site, route.url),
        **route.context,
    )


def _section(url: str) -> str:
    return "/" + url.strip("/").split("/")[0] + "/" if url.strip("/") else "/"


__all__ = ["make_environment", "render_routes", "render_template"]
