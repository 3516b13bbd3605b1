"""Static assets with a content hash in their names, so pages can be cached for a long time.

Every file in ``theme/static/`` (and the site's ``templates/static/``) is published as ``static/<stem>.<hash>.<ext>``
(``style.css`` → ``static/style.3f2a9c1b.css``). Templates refer to them through the
``assets`` mapping, original name → site-absolute URL: ``{{ assets['style.css']|rel }}``.

A CSS or JS file that names another static file by a relative path (``url(font.woff2)``,
``@import "x.css"``, ``import … from "./ui.js"``, ``new Worker("worker.js")``) gets that
reference rewritten to the hashed name before its own hash is taken, so a file's hash covers
everything it loads. Pure: reads the folder, writes nothing (``output.py`` writes).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from cio_forum_site.errors import ContentError, display_path

HASH_LENGTH = 8  # hex digits of SHA-256
URL_PREFIX = "/static/"
REWRITTEN = {".css", ".js", ".mjs"}

# A quoted relative path with an extension: "./ui.js", 'worker.js', `a/b.css`.
_JS_REFERENCE = re.compile(r"""(?P<q>["'`])(?P<ref>[A-Za-z0-9_.\-/]+\.[A-Za-z0-9]+(?:[?#][^"'`\s]*)?)(?P=q)""")
_CSS_REFERENCE = re.compile(
    r"""url\(\s*(?P<q>["']?)(?P<ref>[^"')\s]+)(?P=q)\s*\)|@import\s+(?P<q2>["'])(?P<ref2>[^"']+)(?P=q2)"""
)


@dataclass(frozen=True)
class Asset:
    name: str  # as in static/, e.g. "style.css" or "fonts/a.woff2"
    url: str  # site-absolute, e.g. "/static/style.3f2a9c1b.css"
    data: bytes  # the bytes to publish (references to other assets rewritten)

    @property
    def output_path(self) -> str:
        return self.url.lstrip("/")


@dataclass(frozen=True)
class _Reference:
    start: int  # span of the path (without ?query or #fragment) in the text
    end: int
    target: str  # the referenced asset's name
    line: int


def hashed_name(name: str, data: bytes) -> str:
    """``fonts/a.woff2`` → ``fonts/a.1b2c3d4e.woff2``."""
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    folder, base = posixpath.split(name)
    stem, dot, ext = base.rpartition(".")
    hashed = f"{stem}.{digest}.{ext}" if dot and stem else f"{base}.{digest}"
    return posixpath.join(folder, hashed)


def plan_assets(static_dirs: Path | list[Path]) -> tuple[list[Asset], list[ContentError]]:
    """Every static file with its fingerprinted URL, sorted by name; problems as values.
    With several folders, a file in a later one replaces the file of the same name before it."""
    folders = [static_dirs] if isinstance(static_dirs, Path) else static_dirs
    origin: dict[str, Path] = {}
    for static_dir in folders:
        if not static_dir.is_dir():
            continue
        for path in sorted(static_dir.rglob("*")):
            parts = path.relative_to(static_dir).parts
            if path.is_file() and not any(part.startswith(".") for part in parts):
                origin["/".join(parts)] = path
    sources: dict[str, bytes] = {name: origin[name].read_bytes() for name in sorted(origin)}
    references = {name: _references(name, data, sources) for name, data in sources.items()}
    done: dict[str, Asset] = {}
    errors: list[ContentError] = []

    def visit(name: str, chain: tuple[str, ...]) -> bool:
        """Fingerprint ``name`` after everything it refers to; False on a reference cycle."""
        if name in done:
            return True
        for ref in references[name]:
            if ref.target in chain or ref.target == name:
                where = display_path(origin[name])
                errors.append(ContentError(where, ref.line, (
                    f"{ref.target} と互いに参照しているため、内容のハッシュを名前に付けられません。"
                    "どちらかの参照をやめてください")))
                return False
            if not visit(ref.target, (*chain, name)):
                return False
        data = _rewrite(sources[name], references[name], done)
        done[name] = Asset(name, URL_PREFIX + hashed_name(name, data), data)
        return True

    for name in sources:
        visit(name, ())
    if errors:
        return [], sorted(set(errors))
    return [done[name] for name in sources], []


def asset_urls(assets: list[Asset]) -> dict[str, str]:
    """The mapping templates use: original name → site-absolute URL."""
    return {asset.name: asset.url for asset in assets}


def _references(name: str, data: bytes, sources: dict[str, bytes]) -> list[_Reference]:
    suffix = posixpath.splitext(name)[1].lower()
    if suffix not in REWRITTEN:
        return []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return []
    pattern = _CSS_REFERENCE if suffix == ".css" else _JS_REFERENCE
    found = []
    for match in pattern.finditer(text):
        group = "ref" if match.group("ref") is not None else "ref2"
        ref = match.group(group)
        path = re.split(r"[?#]", ref, maxsplit=1)[0]
        if not path or path.startswith("/") or ":" in path:
            continue  # site-absolute, external or data: — not ours to rewrite
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), path))
        if target in sources:
            start = match.start(group)
            found.append(_Reference(start, start + len(path), target, text.count("\n", 0, start) + 1))
    return found


def _rewrite(data: bytes, references: list[_Reference], done: dict[str, Asset]) -> bytes:
    """Replace the last path segment of each reference with the target's hashed file name."""
    if not references:
        return data
    text = data.decode("utf-8")
    pieces, last = [], 0
    for ref in references:
        path = text[ref.start : ref.end]
        folder = path[: path.rfind("/") + 1]
        pieces += [text[last : ref.start], folder + posixpath.basename(done[ref.target].url)]
        last = ref.end
    pieces.append(text[last:])
    return "".join(pieces).encode("utf-8")
