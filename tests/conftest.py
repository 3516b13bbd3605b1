"""Shared helpers: fixture paths, building a fixture archive, reading the built HTML."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEMPLATES = ROOT / "src" / "cio_forum_site" / "theme"

# Debian's Chromium and its flags: defined once, in the search harness the benchmarks share.
sys.path.insert(0, str(FIXTURES / "search"))
from harness import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "FIXTURES", "ROOT", "TEMPLATES"]


def page(out: Path, url: str) -> lxml.html.HtmlElement:
    """The parsed page at a site URL such as /articles/x/."""
    path = out / url.lstrip("/")
    if url.endswith("/"):
        path = path / "index.html"
    return lxml.html.fromstring(path.read_bytes())


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def internal_references(out: Path) -> list[tuple[str, str, Path]]:
    """(page, reference, file it should resolve to) for every internal href/src in the site."""
    refs = []
    for html in sorted(out.rglob("*.html")):
        rel = html.relative_to(out).as_posix()
        url = "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        doc = lxml.html.fromstring(html.read_bytes())
        for element, attribute, link, _ in doc.iterlinks():
            if attribute not in ("href", "src") or element.tag == "form":
                continue
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("#", "data:", "mailto:")):
                continue
            target = urlsplit(urljoin("http://site" + url, link)).path
            file = out / unquote(target).lstrip("/")
            if target.endswith("/"):
                file = file / "index.html"
            refs.append((url, link, file))
    return refs


@pytest.fixture(scope="session")
def fresh_clone(tmp_path_factory) -> Path:
    """A fresh clone of the repository as committed (what a new editor gets), with a bare
    repository as its origin to push to. Shared by the packaging and the guide's tests."""
    import subprocess

    base = tmp_path_factory.mktemp("fresh")
    origin = base / "origin.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(ROOT), str(origin)], check=True, timeout=600)
    # on a branch of its own, tracking the origin's, even where the repository's HEAD is
    # detached (CI checks out a pull request that way)
    subprocess.run(["git", "--git-dir", str(origin), "branch", "--force", "fresh-clone", "HEAD"],
                   check=True, timeout=60)
    subprocess.run(["git", "clone", "--quiet", "--branch", "fresh-clone", str(origin),
                    str(base / "cio-forum-site")], check=True, timeout=600)
    return base / "cio-forum-site"


@pytest.fixture
def archive_copy(tmp_path: Path) -> Path:
    """A writable copy of the small valid fixture archive."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "archive" / "content", target)
    return target
