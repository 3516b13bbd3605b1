"""The whole build, one stage after another: content → archive → render → search → output."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cio_forum_site.commands.check import LINK_RE, image_uses
from cio_forum_site.content.files import content_key, load_archive
from cio_forum_site.errors import BuildFailed, ContentError, display_path
from cio_forum_site.output import Stage, check_output, staged_output
from cio_forum_site.parallel import by_share, workers_for
from cio_forum_site.site.archive import make_archive
from cio_forum_site.site.assets import asset_urls, plan_assets
from cio_forum_site.site.config import Site, base_url_problem, load_site
from cio_forum_site.site.images import Picture, process_images
from cio_forum_site.site.pages import Route, plan_routes
from cio_forum_site.site.publish import publishing_routes
from cio_forum_site.site.render import make_environment, render_routes
from cio_forum_site.site.theme import static_dirs
from cio_forum_site.timing import Laps

PARALLEL_MIN = 200  # below this many pages, forking costs more than it saves


@dataclass
class BuildReport:
    articles: int = 0
    pages: int = 0
    images: int = 0  # source images shown by the articles
    images_encoded: int = 0  # of them, encoded by this build (the rest came from the cache)
    timings: dict[str, float] = field(default_factory=dict)


def build(
    content_dir: Path,
    templates_dir: Path,
    out_dir: Path,
    *,
    site: Site | None = None,
    base_url: str | None = None,
    search: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
    load: Callable[[Path], tuple[list, list[ContentError]]] = load_archive,
    cache_dir: Path | None = None,
) -> BuildReport:
    """Build the site into ``out_dir``. Raises BuildFailed with every problem found;
    the existing output is replaced only when everything succeeded. ``cache_dir`` keeps
    what MeCab made of each article (``search/cache.py``) and the images' renditions
    (``site/images.py``) for the next build."""
    report = BuildReport()
    lap = Laps(report.timings)

    errors: list[ContentError] = []
    if site is None:
        site, errors = load_site(content_dir.parent / "site.toml")
    if base_url and (problem := base_url_problem(base_url)):
        errors.append(ContentError("--base-url", 0, problem))
    site = site.with_base_url(base_url)
    articles, problems = load(content_dir)  # serve passes a loader that caches parsed files
    errors += problems
    assets, problems = plan_assets(static_dirs(templates_dir))  # fingerprinted CSS, JS, …
    errors += problems
    lap("load")
    images = process_images(image_uses(articles, content_dir), content_dir, cache_dir)
    errors += images.errors  # renditions of every image shown, or what is wrong with it
    if errors:
        raise BuildFailed(sorted(set(errors)))
    check_output(out_dir, content_dir, templates_dir)
    report.images, report.images_encoded = len(images.pictures), images.encoded
    lap("images")

    archive = make_archive(articles)
    routes = plan_routes(archive, site, images.pictures)
    routes += publishing_routes(archive, site, routes)  # feeds, sitemap.xml, robots.txt
    env = make_environment(templates_dir)
    report.articles, report.pages = len(articles), len(routes)
    lap("plan")

    with staged_output(out_dir) as stage:
        render_pages(stage, env, routes, site, templates_dir, progress, asset_urls(assets),
                     images.pictures)
        for asset in assets:
            stage.write_bytes(asset.output_path, asset.data)
        for picture in images.pictures.values():
            for rendition in picture.renditions:
                stage.write_bytes(rendition.output_path, rendition.data)
        for asset in content_assets(content_dir, images.pictures, linked_files(articles)):
            stage.copy_file(content_dir / asset, asset)
        lap("render")
        if search:
            # search.documents(archive) turns the archive into SearchDocuments (search.py).
            from cio_forum_site.search import build_search, documents

            build_search(stage.path, documents(archive), cache_dir=cache_dir)
            lap("search")
    lap("output")
    return report


def _render_share(stage: Stage, env, routes: list[Route], site: Site, templates_dir: Path,
                  progress=None, assets: dict[str, str] | None = None,
                  images: dict[str, Picture] | None = None) -> ContentError | None:
    """Render and write some routes; a template failure comes back as a value."""
    try:
        for i, (path, html) in enumerate(render_routes(env, routes, site, assets, images)):
            stage.write_text(path, html)
            if progress:
                progress("render", i + 1, len(routes))
    except Exception as exc:  # any failure inside a template is reported at its line
        return template_error(exc, templates_dir)
    return None


def render_pages(stage: Stage, env, routes: list[Route], site: Site, templates_dir: Path,
                 progress=None, assets: dict[str, str] | None = None,
                 images: dict[str, Picture] | None = None) -> None:
    """Render every route into the stage, on every core when there are many pages
    (forked workers inherit the planned routes, so nothing is pickled but the result)."""
    shares = workers_for(len(routes), PARALLEL_MIN)

    def render_share(share: int, shares: int) -> ContentError | None:
        return _render_share(stage, env, routes[share::shares], site, templates_dir,
                             progress if shares == 1 else None, assets, images)

    errors = [e for e in by_share(render_share, shares) if e]
    if progress and shares > 1:
        progress("render", len(routes), len(routes))
    if errors:
        raise BuildFailed(errors[:1])


def content_assets(content_dir: Path, pictures: Mapping[str, Picture] | None = None,
                   linked: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Files under content/ other than articles (PDFs …), published as they are. An image
    shown from renditions is published only when a body also links to it directly
    (``[原寸の写真](images/x.jpg)``): a camera file is large and carries GPS and serials."""
    shown = set(pictures or ()) - set(linked)
    return sorted(
        rel for p in content_dir.rglob("*")
        if p.is_file() and p.suffix != ".md"
        and not any(part.startswith((".", "_")) for part in p.relative_to(content_dir).parts)
        and (rel := p.relative_to(content_dir).as_posix()) not in shown
    )


def linked_files(articles: list) -> set[str]:
    """Paths under content/ that a body links to (not as an image): ``[text](images/x.jpg)``."""
    linked = set()
    for article in articles:
        for block in article.blocks:
            text = getattr(block, "markdown", "")
            for m in LINK_RE.finditer(text) if "](" in text else ():
                if not m["bang"] and (key := content_key(m["target"].strip("<>"))):
                    linked.add(key)
    return linked


def template_error(exc: Exception, templates_dir: Path) -> ContentError:
    """A template problem as ``templates/x.html:12: message``."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None) or 0
    if not name:  # e.g. UndefinedError: find the template frame in the traceback
        tb = exc.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.endswith((".html", ".xml", ".txt")):
                name, line = filename, tb.tb_lineno
            tb = tb.tb_next
    where = display_path(Path(name)) if name else display_path(templates_dir)
    message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    return ContentError(where, line, f"テンプレートの誤り: {message}")
