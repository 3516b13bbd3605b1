"""Parts of pages (``Route.parts``): a context entry that only a template of its own shows,
such as the 直近のバックナンバー on every article page. When a page changed in its parts
alone (an article was added: every article page lists the latest five), the build takes
the last build's page and replaces each changed part, rendered as the page's template
includes it, instead of rendering the page again: at 1,000 articles, 1,000 pages are
changed in place instead of rendered (`Parts.patch`).

The replacement is exact or not made: the part as the last build rendered it (kept in its
record, ``reuse.Previous.rendered_parts``) must occur exactly once in the last build's page,
the rest of the page must have the same key, and no other template may use the part's
name (``Parts.usable``); otherwise the page is rendered. A build from a cache so stays
byte-identical to a clean one (tests/test_incremental.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import jinja2
from jinja2 import meta

from cio_forum_site.site.config import Site
from cio_forum_site.site.pages import Route
from cio_forum_site.site.render import render_template
from cio_forum_site.site.reuse import PartKeys, Previous


class Parts:
    """The parts of this build's pages: replaced in the last build's pages, and noted."""

    def __init__(self, env: jinja2.Environment, site: Site, assets: dict[str, str],
                 images: Mapping, previous: Previous, keys: dict[str, PartKeys]):
        self.env, self.site, self.assets, self.images = env, site, assets, images
        self.previous, self.keys = previous, keys
        self.rendered: dict[str, str] = {}  # part key → the part rendered
        self._usable: dict[tuple[str, str], bool] = {}

    def usable(self, name: str, template: str) -> bool:
        """Whether no template but ``template`` (and those it includes) names ``name``:
        the part is then all of the page that depends on it."""
        if (name, template) not in self._usable:
            self._usable[name, template] = not any(
                self._names(other, name)
                for other in self.env.list_templates(filter_func=lambda t: t != template))
        return self._usable[name, template]

    def _names(self, template: str, name: str) -> bool:
        """Whether ``template`` may use the variable ``name`` (True when it cannot be read)."""
        try:
            source = self.env.loader.get_source(self.env, template)[0]
            # a template without the name in its text cannot use it: not parsed
            return name in source and name in meta.find_undeclared_variables(
                self.env.parse(source))
        except jinja2.TemplateError:
            return True

    def part(self, route: Route, name: str, template: str) -> str:
        """The part ``name`` of the page, as its template includes it (rendered once)."""
        key = self.keys[route.output_path][1][name]
        found = self.rendered.get(key)
        if found is None:
            found = self.previous.rendered_parts.get(key)
        if found is None:
            found = render_template(self.env, template, route, self.site, self.assets,
                                    self.images)
        self.rendered[key] = found
        return found

    def patch(self, stage, out_dir: Path, route: Route) -> bool:
        """Write the page into ``stage`` as the last build's page with its changed parts
        replaced, when that is exactly the page (see the module's note); False when the
        page must be rendered."""
        path = route.output_path
        now, before = self.keys.get(path), self.previous.parts.get(path)
        old_state = self.previous.files.get(path)
        if not (now and before and old_state and now[0] == before[0]):
            return False
        if not all(self.usable(name, template) for name, template in route.parts):
            return False
        old = self.previous.reusable(out_dir, path, old_state[0])
        if old is None:
            return False
        html = old.read_text("utf-8")
        for name, template in route.parts:
            was = self.previous.rendered_parts.get(before[1].get(name, ""))
            if was is None or not was or html.count(was) != 1:
                return False
            html = html.replace(was, self.part(route, name, template))
        stage.write_text(path, html)
        return True

    def noted(self, routes: list[Route]) -> dict[str, str]:
        """Every part of ``routes`` as rendered, by its key, for the next build's record."""
        for route in routes:
            if route.output_path in self.keys:
                for name, template in route.parts:
                    self.part(route, name, template)
        wanted = {k for path in self.keys for k in self.keys[path][1].values()}
        return {k: v for k, v in self.rendered.items() if k in wanted}
