"""Links between pages of the site, relative so that it works under any sub-path."""

from __future__ import annotations

import functools
import posixpath


@functools.lru_cache(maxsize=65536)
def relative_url(target: str, current: str) -> str:
    """A link from page ``current`` to ``target`` (both site-absolute) that works under any
    sub-path: /articles/a/ → ../../municipalities/kiyose/."""
    if not target.startswith("/"):
        return target  # already relative, an anchor or external
    path, hash_, fragment = target.partition("#")
    base = current if current.endswith("/") else posixpath.dirname(current) + "/"
    rel = posixpath.relpath(path, base) if path != base else "."
    if path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if rel == "./" and not path.endswith("/"):
        rel = "."
    return rel + hash_ + fragment
