"""Incremental builds: which output files of the last build can be carried over unchanged.

Every output file gets a key that names everything it is made from:

- a page: the page's URL, template and context (articles in it by their fingerprint, see
  ``fingerprints``), and the environment (``environment_key``: this package's code and the
  libraries' versions, every template and static file, the site settings, the asset URLs);
- a static asset or a file beside the articles: a hash of its bytes;
- a file of the search bundle: the key of every search record (``search_key``).

After a build, ``record`` notes each file's key and where it is on disk (inode, size,
modification time); the next build carries a file over from the output folder (a hard
link, a copy where links are impossible) when its key is the same and the file is still
exactly the one that build wrote, and makes the others. When nothing at all has changed
— the same keys for the same files, the output folder holding exactly those files — the
output folder is left as it is. A missing or outdated record only makes a build slower.

Before any of that, ``inputs_key`` names everything a build reads (the content folder's
files, the templates and static files, site.toml, the options, this code): when the last
build into the folder read exactly the same and its files are untouched, there is nothing
to load, plan or compare.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path

from cio_forum_site.content.model import Article
from cio_forum_site.output import MARKER, files_under  # the marker carries no content
from cio_forum_site.site.body import LazyBody
from cio_forum_site.site.pages import ArticleCard, Route

RECORD = "output-{}.pickle"  # the cache file (``caches.py``) with the record of the last
# build into one output folder (named after a hash of the folder's path)

FileState = tuple[str, int, int, int]  # key, inode, size, modification time (ns)
# a page with parts (``Route.parts``): the key of the page without them, and each part's key
PartKeys = tuple[str, dict[str, str]]


def digest(*parts: bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part)
    return h.hexdigest()


def fingerprints(articles: Iterable[Article], known: dict[str, str] | None = None) -> dict[int, str]:
    """id(article) → a fingerprint of the article: the digest of its file's bytes when the
    loader knows it (``known``, by the article's path; the code that parses it is in every
    key), else a hash of the article's value. Pass the archive's articles too: the archive
    may hold copies (``distinct_summaries``) whose bodies are the file's all the same."""
    known = known or {}
    return {id(a): known.get(a.path) or digest(pickle.dumps(a, protocol=5)) for a in articles}


def _stand_in(value, prints: dict[int, str]):
    """An article's body (in a page's context) by the article's fingerprint."""
    if isinstance(value, LazyBody):
        return ("body", prints[id(value.article)], value.explicit_index)
    return value


class _KeyPickler(pickle.Pickler):
    """Pickles an article's card (in lists, on many pages) as a digest of the card, made
    once per card: a whole archive's pages name 30 cards each on average."""

    def reducer_override(self, obj):
        if type(obj) is ArticleCard:
            kept = _card_digests.get(id(obj))
            if kept is None or kept[0] is not obj:
                kept = _card_digests[id(obj)] = (obj, digest(_pickled(obj, pickle.Pickler)))
            return str, (kept[1],)
        return NotImplemented


_card_digests: dict[int, tuple[ArticleCard, str]] = {}


def _pickled(value, pickler_type: type[pickle.Pickler] = _KeyPickler) -> bytes:
    """``value`` pickled without the memo, so that equal values give equal bytes whether or
    not their parts are the same objects (articles from the cache are copies)."""
    buffer = io.BytesIO()
    pickler = pickler_type(buffer, protocol=5)
    pickler.fast = True  # no memo (the values have no cycles)
    pickler.dump(value)
    return buffer.getvalue()


def page_key(route: Route, environment: str, prints: dict[int, str],
             parts: dict[str, PartKeys] | None = None) -> str:
    """The page's key; "" (never carried over) when its context cannot be pickled. For a
    page with parts (``Route.parts``), ``parts`` gets the page's ``PartKeys``."""
    shown_apart = dict(route.parts)
    context = {name: _stand_in(value, prints) for name, value in route.context.items()
               if name not in shown_apart}
    try:
        pickled = _pickled((route.url, route.template, context))
        of_parts = {name: digest(_pickled((route.url, template, route.context[name])),
                                 environment.encode())
                    for name, template in route.parts}
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return ""
    key = digest(pickled, environment.encode())
    if not of_parts:
        return key
    if parts is not None:
        parts[route.output_path] = (key, of_parts)
    return digest(key.encode(), *(f"{name}\0{k}".encode() for name, k in of_parts.items()))


def document_keys(documents: list, prints: dict[int, str], environment: str) -> list[str]:
    """The key of each search document: its fields, its article by fingerprint."""
    names = [f.name for f in fields(documents[0]) if f.name != "article"] if documents else []
    return [digest(_pickled((*(getattr(d, n) for n in names), prints[id(d.article)])),
                   environment.encode()) for d in documents]


def environment_key(code: str, template_dirs: list[Path], site, assets: dict[str, str],
                    *more: str) -> str:
    """Everything a page depends on besides its own context (``more``: e.g. the images)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(code.encode() + repr(site).encode() + repr(sorted(assets.items())).encode())
    for part in more:
        h.update(part.encode())
    for folder in template_dirs:
        _hash_folder(h, folder)
    return h.hexdigest()


def page_keys(routes: list[Route], environment: str, prints: dict[int, str],
              parts: dict[str, PartKeys] | None = None) -> dict[str, str]:
    """output path → key, for every route (``parts``: see ``page_key``)."""
    try:
        return {r.output_path: page_key(r, environment, prints, parts) for r in routes}
    finally:
        _card_digests.clear()  # the cards of this planning


@dataclass
class Previous:
    """What the last build wrote into the output folder, as ``record`` noted it."""

    files: dict[str, FileState] = field(default_factory=dict)
    search: str = ""  # the key of the search bundle in it ("" when none)
    bundle: tuple[str, ...] = ()  # the search bundle's files
    inputs: str = ""  # ``inputs_key`` of that build ("" when unknown)
    summary: dict = field(default_factory=dict)  # its report's counts
    # the output before it, kept as the spare (``output.staged_output``): path → inode,
    # size, modification time of each of its files
    spare: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    # the pages with parts (``Route.parts``): output path → ``PartKeys``; and each part as
    # rendered, by its key (a part that alone changed is replaced in the page: parts.py)
    parts: dict[str, PartKeys] = field(default_factory=dict)
    rendered_parts: dict[str, str] = field(default_factory=dict)

    def intact(self, out_dir: Path) -> bool:
        """The output folder holds exactly the files the last build wrote, untouched."""
        return bool(self.files) and unchanged(self, out_dir,
                                              {p: state[0] for p, state in self.files.items()})

    def reusable(self, out_dir: Path, relative: str, key: str) -> Path | None:
        """The file of the last build at ``relative``, if it has ``key`` and is untouched."""
        state = self.files.get(relative)
        if not key or state is None or state[0] != key:
            return None
        path = out_dir / relative
        try:
            st = path.stat()
        except OSError:
            return None
        return path if (st.st_ino, st.st_size, st.st_mtime_ns) == state[1:] else None

    def search_files(self, key: str) -> dict[str, str]:
        """The search bundle's files with their keys, when the last build made it from the
        same documents."""
        if not key or key != self.search:
            return {}
        return {p: self.files[p][0] for p in self.bundle if p in self.files}

    def texts(self, out_dir: Path, keys: list[str]) -> dict[int, Path]:
        """Document index → the article-text file of the last build's bundle made for a
        document with the same key (see ``document_keys``), when still untouched."""
        by_key = {self.files[p][0]: p for p in self.bundle if p in self.files}
        found = {}
        for i, key in enumerate(keys):
            path = by_key.get(key)
            if path is not None and (old := self.reusable(out_dir, path, key)) is not None:
                found[i] = old
        return found


def inputs_key(code: str, content_files: list[Path], content_dir: Path,
               folders: list[Path], *settings: str) -> str:
    """Everything a build reads: the content files (path under ``content_dir`` and bytes),
    every file in ``folders`` (templates, static files), and ``settings`` (site.toml's
    bytes, the options). Raises OSError when a file cannot be read."""
    h = hashlib.blake2b(digest_size=16)
    for part in (code, *settings):
        h.update(part.encode() + b"\0")
    for path in content_files:
        _hash_file(h, path, content_dir)
    for folder in folders:
        h.update(str(folder).encode())
        _hash_folder(h, folder)
    return h.hexdigest()


def _hash_file(h, path: Path, base: Path) -> None:
    """Add a file's path under ``base`` and its bytes to the hash ``h``."""
    data = path.read_bytes()
    h.update(f"{path.relative_to(base).as_posix()}\0{len(data)}\0".encode())
    h.update(data)


def _hash_folder(h, folder: Path) -> None:
    """Add every file in ``folder`` (none when it does not exist) to the hash ``h``."""
    for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
        if path.is_file():
            _hash_file(h, path, folder)
    h.update(b"\1")


def record(stage: Path, keys: dict[str, str], search: str) -> Previous:
    """Note every file in the staging folder with its key (files of the search bundle that
    have none of their own get the search key), before the folder becomes the output."""
    files: dict[str, FileState] = {}
    for relative, path in files_under(stage):
        if relative == MARKER:
            continue
        key = keys.get(relative) or (search if relative.startswith("pagefind/") else "")
        st = os.stat(path)
        files[relative] = (key, st.st_ino, st.st_size, st.st_mtime_ns)
    return Previous(files, search, tuple(p for p in files if p.startswith("pagefind/")))


def unchanged(previous: Previous, out_dir: Path, wanted: dict[str, str]) -> bool:
    """True when the output folder holds exactly the files ``wanted`` (path → key), each
    the one the last build wrote with that key: then the build has nothing to do."""
    if set(wanted) != set(previous.files) or any(
            previous.files[p][0] != key for p, key in wanted.items()):
        return False
    found = {relative for relative, _ in files_under(out_dir) if relative != MARKER}
    if found != set(wanted):
        return False
    return all(previous.reusable(out_dir, p, k) is not None for p, k in wanted.items())
