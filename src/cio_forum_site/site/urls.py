"""Links between pages of the site, relative so that it works under any sub-path."""

from __future__ import annotations

import functools
import posixpath


@functools.lru_cache(maxsize=65536)
def relative_url(target: str, current: str, explicit_index: bool = False) -> str:
    """A link from page ``current`` to ``target`` (both site-absolute) that works under any
    sub-path: /articles/a/ → ../../municipalities/kiyose/. With ``explicit_index`` a folder
    link names its index.html (../../municipalities/kiyose/index.html), so that the files
    also work opened from disk (file://), where a browser shows a folder as a listing."""
    if not target.startswith("/"):
        return target  # already relative, an anchor or external
    path, hash_, fragment = target.partition("#")
    base = current if current.endswith("/") else posixpath.dirname(current) + "/"
    rel = relative_path(path, base) if path != base else "."
    if path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if rel == "./" and not path.endswith("/"):
        rel = "."
    if explicit_index and rel.endswith("/"):
        rel = "index.html" if rel == "./" else rel + "index.html"
    return rel + hash_ + fragment


def relative_path(path: str, start: str) -> str:
    """``posixpath.relpath(path, start)`` for absolute paths, without its ``abspath`` and
    list copies (a page links to dozens of others: this is most of rendering's own time)."""
    start_parts = [x for x in start.split("/") if x]
    path_parts = [x for x in path.split("/") if x]
    if "." in start_parts or ".." in start_parts or "." in path_parts or ".." in path_parts \
            or not path.startswith("/") or not start.startswith("/"):
        return posixpath.relpath(path, start)
    common = 0
    for a, b in zip(start_parts, path_parts, strict=False):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(start_parts) - common) + path_parts[common:]
    return "/".join(parts) if parts else "."


def absolute_url(site, target: str) -> str | None:
    """``target`` (site-absolute) as a full URL under the site's base URL; None without one."""
    return site.base_url + target.lstrip("/") if site.base_url else None
