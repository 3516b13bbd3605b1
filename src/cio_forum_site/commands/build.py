"""The whole build, one stage after another: content → archive → render → search → output."""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing as mp
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from cio_forum_site import caches
from cio_forum_site.commands.check import LINK_RE, image_uses, position_key, with_columns
from cio_forum_site.content.files import FileCache, content_key, load_archive, walk_content
from cio_forum_site.errors import BuildFailed, ContentError, display_path
from cio_forum_site.output import (
    Stage,
    check_output,
    clear_debris,
    finish_removals,
    patched_output,
    side_stage,
    staged_output,
)
from cio_forum_site.parallel import Background, BackgroundEnded, by_share, workers_for
from cio_forum_site.site import reuse
from cio_forum_site.site.archive import make_archive
from cio_forum_site.site.assets import asset_urls, plan_assets
from cio_forum_site.site.config import Site, base_url_problem, load_site
from cio_forum_site.site.images import Picture, process_images
from cio_forum_site.site.opendata import OPEN_DATA_PATHS, open_data_files
from cio_forum_site.site.pages import Route, plan_routes
from cio_forum_site.site.parts import Parts
from cio_forum_site.site.people import make_people
from cio_forum_site.site.publish import publishing_routes
from cio_forum_site.site.related import related_articles
from cio_forum_site.site.render import make_environment, render_routes
from cio_forum_site.site.theme import static_dirs, template_dirs
from cio_forum_site.timing import Laps

PARALLEL_MIN = 200  # below this many pages, forking costs more than it saves
ARTICLES = "articles.pickle"  # the parsed articles, by their files' bytes (caches.py)


@dataclass
class BuildReport:
    articles: int = 0
    pages: int = 0
    images: int = 0  # source images shown by the articles
    images_encoded: int = 0  # of them, encoded by this build (the rest came from the cache)
    rendered: int = 0  # pages made in this build (the others were carried over unchanged)
    patched: int = 0  # pages carried over with a part changed (site/parts.py)
    indexed: int = 0  # articles indexed for search in this build (the others were kept)
    drafts: int = 0  # drafts left out (0 with drafts=True)
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
    site_file: Path | None = None,
    drafts: bool = False,
    patch: bool = False,
) -> BuildReport:
    """Build the site into ``out_dir``. Raises BuildFailed with every problem found;
    the existing output is replaced only when everything succeeded. ``cache_dir`` keeps
    what MeCab made of each article (``search/cache.py``), the nouns of related articles
    (``site/related.py``), the images' renditions
    (``site/images.py``), the parsed articles and a record of the output (``site/reuse.py``)
    for the next build, which then makes only what changed. Articles with
    ``draft: true`` are checked like any other but left out of every page, feed, image and
    the search index unless ``drafts`` is true. ``site_file`` is site.toml (by default beside
    ``content_dir``). ``patch``: the output folder is only this process's (the preview's):
    it is changed where pages changed instead of replaced (``output.patched_output``)."""
    # A worker process started by multiprocessing runs the script that started the build
    # again while it starts (``_inheriting``); one that calls build() outside
    # ``if __name__ == "__main__":`` would build again in every worker: the worker stops
    # here, and the build says why (indexer._script_hint).
    if getattr(mp.current_process(), "_inheriting", False) or mp.parent_process() is not None:
        raise RuntimeError("build() は作業プロセスの中では呼べません")
    report = BuildReport()
    lap = Laps(report.timings)
    inputs = _inputs(content_dir, templates_dir, site, site_file, base_url, search, drafts) \
        if load is load_archive and cache_dir is not None else ""
    previous = _previous(cache_dir, out_dir)
    if inputs and previous.inputs == inputs:  # the last build read exactly this
        check_output(out_dir, content_dir, templates_dir)
        clear_debris(out_dir.resolve())  # what a killed build left beside the output
        if previous.intact(out_dir):  # and the output folder is still that build's
            summary = BuildReport(**previous.summary, timings=report.timings)
            lap("output")
            return summary

    errors: list[ContentError] = []
    if site is None:
        site, errors = load_site(site_file or content_dir.parent / "site.toml")
    if base_url and (problem := base_url_problem(base_url)):
        errors.append(ContentError("--base-url", 0, problem))
    site = site.with_base_url(base_url)
    articles_cache = caches.KeptDict(cache_dir, ARTICLES, _articles_version())
    files = _file_cache(load, cache_dir, articles_cache)
    kept = load is load_archive and files is not None  # the articles cache is ours to keep
    if kept:
        load = partial(load_archive, cache=files)
    before = _digests(files)
    articles, problems = load(content_dir)  # serve passes a loader that caches parsed files
    errors += problems
    assets, problems = plan_assets(static_dirs(templates_dir))  # fingerprinted CSS, JS, …
    errors += problems
    if not drafts:
        report.drafts = sum(a.draft for a in articles)
        articles = [a for a in articles if not a.draft]
    lap("load")
    images = process_images(image_uses(articles, content_dir), content_dir, cache_dir)
    errors += images.errors  # renditions of every image shown, or what is wrong with it
    if errors:  # each at its line and column, in file order, as `check` reports them
        raise BuildFailed(sorted(with_columns(set(errors)), key=position_key))
    check_output(out_dir, content_dir, templates_dir)
    if kept and _digests(files) != before:
        articles_cache.save(files, lambda old, new: old[0] == new[0])  # by digest
    report.images, report.images_encoded = len(images.pictures), images.encoded
    lap("images")

    archive = make_archive(articles)
    people = make_people(archive)
    known = {a.path: d.hex() for d, a, _ in (files or {}).values() if a is not None}
    archive_key = reuse.digest(*(f"{a.path}\0{known[a.path]}".encode() for a in archive.articles)) \
        if all(a.path in known for a in archive.articles) else ""
    prints = reuse.fingerprints([*articles, *archive.articles], known) \
        if cache_dir is not None else {}
    search_documents, text_keys = _search_documents(archive, search, prints)
    search_key = reuse.digest(*(k.encode() for k in text_keys)) if text_keys else ""
    reused_search = previous.search_files(search_key) if search else {}
    texts = previous.texts(out_dir, text_keys) if search and not reused_search else {}
    with contextlib.ExitStack() as later:
        # few articles changed: the search bundle is made in a fork beside the pages
        carried = partial(previous.reusable, out_dir)  # a file of the last build, if right
        beside = _search_beside(later, search_documents, cache_dir, texts, text_keys, carried,
                                out_dir) if search and not reused_search else None
        related = related_articles(archive, people, cache_dir=cache_dir,  # MeCab: bounded texts
                                   digests=known)
        lap("related")
        routes = plan_routes(archive, site, images.pictures, people, related)
        routes += publishing_routes(archive, site, routes)  # feeds, sitemap.xml, robots.txt
        env = make_environment(templates_dir)
        report.articles, report.pages = len(articles), len(routes)
        published = content_assets(content_dir, images.pictures, linked_files(articles))
        # JSON, CSV, feed.json: keyed by their bytes, which the last build of the same files
        # and settings noted (they are then made only if they must be written)
        open_data, open_data_keys = _open_data(archive, site, people, cache_dir, archive_key)
        keys: dict[str, str] = {}
        parts: dict[str, reuse.PartKeys] = {}
        if cache_dir is not None:  # keys are only worth making when the next build can use them
            keys = output_keys(routes, assets, images.pictures, published, content_dir,
                               templates_dir, site, prints, parts)
            keys.update(open_data_keys)
        lap("plan")
        wanted = keys | reused_search
        if keys and (reused_search or not search) and reuse.unchanged(previous, out_dir, wanted):
            if inputs != previous.inputs:  # the next build of the same files need not plan
                previous.inputs, previous.summary = inputs, _summary(report)
                caches.save(cache_dir, _record_name(out_dir), _record_version(), previous)
            lap("output")  # nothing has changed: the output folder is already this build
            return report

        spare = (cache_dir / _record_name(out_dir)).with_suffix(".spare") \
            if cache_dir is not None and not patch else None
        with patched_output(out_dir) if patch else \
                staged_output(out_dir, spare, previous.spare, keep=bool(previous.files)) as stage:
            todo = [r for r in routes if not carry(stage, previous, out_dir, r.output_path, keys)]
            page_parts = Parts(env, site, asset_urls(assets), images.pictures, previous, parts)
            rendering = [r for r in todo if not page_parts.patch(stage, out_dir, r)]
            report.patched = len(todo) - len(rendering)
            render_pages(stage, env, rendering, site, templates_dir, progress,
                         asset_urls(assets), images.pictures)
            report.rendered = len(rendering)
            for asset in assets:
                if not carry(stage, previous, out_dir, asset.output_path, keys):
                    stage.write_bytes(asset.output_path, asset.data)
            for picture in images.pictures.values():
                for rendition in picture.renditions:
                    if not carry(stage, previous, out_dir, rendition.output_path, keys):
                        stage.write_bytes(rendition.output_path, rendition.data)
            for path in OPEN_DATA_PATHS:
                if not carry(stage, previous, out_dir, path, keys):
                    open_data = open_data or open_data_files(archive, site, people)
                    stage.write_bytes(path, open_data[path])
            for asset in published:  # PDFs and other files beside the articles
                if not carry(stage, previous, out_dir, asset, keys):
                    stage.copy_file(content_dir / asset, asset)
            lap("render")
            if search:
                reusable = [previous.reusable(out_dir, p, k) for p, k in reused_search.items()]
                if reused_search and all(reusable):
                    for relative, old in zip(reused_search, reusable, strict=True):
                        stage.link_file(old, relative)  # the same documents: the same bundle
                    keys.update(reused_search)
                else:
                    made = _search_bundle(stage, beside, search_documents, cache_dir, texts,
                                          text_keys, carried)
                    keys.update(zip((f"pagefind/{t}" for t in made.text_files), text_keys,
                                    strict=False))
                    keys.update((f"pagefind/{p}", d) for p, d in made.index_files.items())
                    report.indexed = made.indexed_pages
                lap("search")
        if cache_dir is not None:  # what is now in the output folder, for the next build
            done = reuse.record(out_dir, keys, search_key if search else "")
            done.parts, done.rendered_parts = parts, page_parts.noted(routes)
            if stage.spared:  # the output the last build wrote is the spare now
                done.spare = {path: state[1:] for path, state in previous.files.items()}
            done.inputs = inputs
            done.summary = _summary(report)
            caches.save(cache_dir, _record_name(out_dir), _record_version(), done)
        finish_removals()
        lap("output")
        return report


def output_keys(routes: list[Route], assets, pictures: Mapping[str, Picture],
                published: list[str], content_dir: Path, templates_dir: Path, site: Site,
                prints: dict[int, str], parts: dict[str, reuse.PartKeys] | None = None
                ) -> dict[str, str]:
    """The key of every output file but the search bundle's (``site/reuse.py``); ``parts``
    gets the keys of the pages with parts."""
    code = caches.code_version()
    environment = reuse.environment_key(code, template_dirs(templates_dir), site,
                                        asset_urls(assets), repr(sorted(pictures.items())))
    keys = reuse.page_keys(routes, environment, prints, parts)
    for asset in assets:
        keys[asset.output_path] = reuse.digest(asset.data)
    for picture in pictures.values():
        for rendition in picture.renditions:
            keys[rendition.output_path] = reuse.digest(rendition.data)
    for relative in published:
        keys[relative] = reuse.digest((content_dir / relative).read_bytes())
    return keys


def _search_documents(archive, search: bool, prints: dict[int, str]) -> tuple[list, list[str]]:
    """The search documents and, with a cache (``prints``), each one's key."""
    if not search:
        return [], []
    from cio_forum_site.search import documents

    found = documents(archive)
    return found, reuse.document_keys(found, prints, caches.code_version()) if prints else []


# Up to this many articles the search is made beside the pages even when every article is
# cut by MeCab (a cold build): the memory of both is small enough (Pss 465 MB at 1,000).
BESIDE_ALWAYS = 2_000


def _search_beside(later: contextlib.ExitStack, documents: list, cache_dir: Path | None,
                   texts: dict[int, Path], text_keys: list[str], carried, out_dir: Path
                   ) -> tuple[Background, Path] | None:
    """When few documents changed since the last build (``texts``: those whose text file
    it made is still right), or there are at most ``BESIDE_ALWAYS``, the search bundle is
    made at once in a fork, into a folder beside the output, while this process plans and
    renders the pages: (the fork, the folder). Else None: it is made after the pages, in
    the stage, so that a build that cuts many articles with MeCab never holds the
    tokenizers' and the renderers' memory at once."""
    from cio_forum_site.search import indexer

    changed = len(text_keys) - len(texts)
    if not (text_keys and indexer.few_changed(changed, len(text_keys))
            or len(documents) <= BESIDE_ALWAYS) or \
            workers_for(2, 2) < 2:  # one core, or no fork: nothing to gain
        return None
    folder = later.enter_context(side_stage(out_dir, "search"))
    job = later.enter_context(Background(partial(
        indexer.build_search, folder, documents, cache_dir=cache_dir, texts=texts,
        keys=text_keys or None, carried=carried)))
    return job, folder


def _search_bundle(stage: Stage, beside: tuple[Background, Path] | None, documents: list,
                   cache_dir: Path | None, texts: dict[int, Path], text_keys: list[str],
                   carried):
    """The search bundle in the stage: the fork's (``_search_beside``), or made now."""
    from cio_forum_site.search import build_search

    if beside is not None:
        job, folder = beside
        try:
            made = job.result()
        except BackgroundEnded:  # killed (out of memory?): made here instead
            shutil.rmtree(folder / "pagefind", ignore_errors=True)
        else:
            stage.adopt(folder / "pagefind", "pagefind")
            return made
    return build_search(stage.path, documents, cache_dir=cache_dir, texts=texts,
                        keys=text_keys or None, carried=carried)


def carry(stage: Stage, previous: reuse.Previous, out_dir: Path, relative: str,
          keys: dict[str, str]) -> bool:
    """Carry the last build's file at ``relative`` into the stage if it is still right."""
    key = keys.get(relative)
    old = previous.reusable(out_dir, relative, key) if key else None
    if old is not None:
        stage.link_file(old, relative)
    return old is not None


OPEN_DATA_KEYS = "open-data-keys.pickle"  # the open-data files' keys, by the archive's files


def _open_data(archive, site: Site, people, cache_dir: Path | None,
               archive_key: str) -> tuple[dict[str, bytes], dict[str, str]]:
    """The open-data files (made now, or {} when the cache knows their keys) and their keys
    (a digest of each file's bytes)."""
    version = f"{caches.code_version()} {site!r} {archive_key}"
    kept = caches.load(cache_dir, OPEN_DATA_KEYS, version) if archive_key else None
    if isinstance(kept, dict) and kept.keys() == set(OPEN_DATA_PATHS):
        return {}, kept
    files = open_data_files(archive, site, people)
    keys = {path: reuse.digest(data) for path, data in files.items()}
    if archive_key:
        caches.save(cache_dir, OPEN_DATA_KEYS, version, keys)
    return files, keys


def _file_cache(load, cache_dir: Path | None, kept: caches.KeptDict) -> FileCache | None:
    """The parsed articles to start from: the loader's own (``serve``), or the cache's."""
    own = getattr(load, "file_cache", None)
    if own is not None:
        return own
    if load is not load_archive or cache_dir is None:
        return None
    return kept.load()


def _summary(report: BuildReport) -> dict[str, int]:
    """The counts a build that does nothing repeats from the last one."""
    return {f: getattr(report, f) for f in ("articles", "pages", "images", "drafts")}


def _inputs(content_dir: Path, templates_dir: Path, site: Site | None, site_file: Path | None,
            base_url: str | None, search: bool, drafts: bool) -> str:
    """``reuse.inputs_key`` of this build; "" when something cannot be read or is wrong
    (the build then finds and reports it)."""
    articles, assets, problems = walk_content(content_dir)
    if problems:
        return ""
    site_file = site_file or content_dir.parent / "site.toml"
    try:
        settings = repr(site) if site is not None else \
            (site_file.read_bytes().hex() if site_file.exists() else "-")
        return reuse.inputs_key(
            caches.code_version(), [*articles, *(content_dir / a for a in assets)], content_dir,
            [*template_dirs(templates_dir), *static_dirs(templates_dir)],
            settings, repr((base_url, search, drafts)))
    except OSError:
        return ""


def _digests(files: FileCache | None) -> dict:
    return {path: entry[0] for path, entry in (files or {}).items()}


def _articles_version() -> str:
    # Messages name files relative to the working directory.
    return f"{caches.code_version()} {os.getcwd()}"


def _record_name(out_dir: Path) -> str:
    """One record per output folder (``serve`` and its search build write two)."""
    where = hashlib.blake2b(str(out_dir.resolve()).encode(), digest_size=8).hexdigest()
    return reuse.RECORD.format(where)


def _record_version() -> str:
    return caches.code_version()


def _previous(cache_dir: Path | None, out_dir: Path) -> reuse.Previous:
    return caches.load(cache_dir, _record_name(out_dir), _record_version()) or reuse.Previous()


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
    if shares > 1:
        stage.reserve([r.output_path for r in routes])

    def render_share(share: int, shares: int) -> ContentError | None:
        # a run of consecutive routes: neighbouring pages show the same articles, so each
        # worker touches (and its memory copies from this process) fewer of them
        part = routes[len(routes) * share // shares:len(routes) * (share + 1) // shares]
        return _render_share(stage, env, part, site, templates_dir,
                             progress if shares == 1 else None, assets, images)

    errors = [e for e in by_share(render_share, shares) if e]
    if progress and shares > 1:
        progress("render", len(routes), len(routes))
    if errors:
        raise BuildFailed(errors[:1])


def content_assets(content_dir: Path, pictures: Mapping[str, Picture] | None = None,
                   linked: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Files under content/ other than articles (PDFs …), published as they are (never
    through a link out of content/: ``files.walk_content``). An image shown from renditions
    is published only when a body also links to it directly (``[原寸の写真](images/x.jpg)``):
    a camera file is large and carries GPS and serials."""
    shown = set(pictures or ()) - set(linked)
    return [rel for rel in walk_content(content_dir)[1] if rel not in shown]


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
