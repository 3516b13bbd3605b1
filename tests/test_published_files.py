"""The built sample site holds no file that no page loads: every file is reached from a page
(href/src), from a stylesheet or script it loads, from the search bundle's own index (what
pagefind.js and the search worker fetch), or is one a host or crawler asks for by name."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from conftest import ROOT, internal_references

from cio_forum_site.search.bundle import parse

# Asked for by name: a host serves 404.html, crawlers read robots.txt and the sitemap it
# names; the marker tells `build` the folder is its own to replace.
WELL_KNOWN = {"404.html", "robots.txt", "sitemap.xml", ".cio-forum-site"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
JS_URL = re.compile(r"""(?:import\s*(?:[^'";]*?from\s*)?|new URL\(\s*)["'](\.{1,2}/[^"']+)["']""")


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("published") / "site"
    done = subprocess.run([sys.executable, "-m", "cio_forum_site", "build", "--root", str(ROOT),
                           "--out", str(out), "--no-cache", "-q"], capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr
    return out


def _relative(out: Path, base: str, reference: str) -> str | None:
    parts = urlsplit(reference)
    if parts.scheme or parts.netloc or reference.startswith(("#", "data:")):
        return None
    return unquote(urlsplit(urljoin("http://site/" + base, reference)).path).lstrip("/")


def loaded_by_pages(out: Path) -> set[str]:
    """Files named by pages, and by the stylesheets and scripts they load (transitively)."""
    found = {file.relative_to(out).as_posix() for _, _, file in internal_references(out)
             if file.is_file()}
    todo = [f for f in found if f.endswith((".css", ".js"))]
    while todo:
        name = todo.pop()
        text = (out / name).read_text("utf-8")
        pattern = CSS_URL if name.endswith(".css") else JS_URL
        for reference in pattern.findall(text):
            target = _relative(out, name, reference)
            if target and (out / target).is_file() and target not in found:
                found.add(target)
                if target.endswith((".css", ".js")):
                    todo.append(target)
    return found


def loaded_by_search(out: Path) -> set[str]:
    """What the search worker fetches: pagefind.js and what it reads from the entry and the
    meta index (WebAssembly, index and filter chunks), and our manifest, lexicon and reading
    buckets and one text per Pagefind page."""
    bundle = out / "pagefind"
    found = {"pagefind.js", "pagefind-entry.json", "ja/manifest.json.gz"}
    entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    for language, about in entry["languages"].items():
        found.add(f"wasm.{language}.pagefind")
        meta_name = f"pagefind.{about['hash']}.pf_meta"
        found.add(meta_name)
        meta = parse((bundle / meta_name).read_bytes(), meta_name)
        found |= {f"index/{chunk[2]}.pf_index" for chunk in meta[2]}
        found |= {f"filter/{pair[1]}.pf_filter" for pair in meta[3]}
        found |= {f"ja/t/{page[0]}.json.gz" for page in meta[1]}
    manifest = json.loads(gzip.decompress((bundle / "ja" / "manifest.json.gz").read_bytes()))
    found |= {f"ja/lex/{n}.json.gz" for n in range(manifest["buckets"])}
    found |= {f"ja/yomi/{n}.json.gz" for n in range(manifest.get("readingBuckets", 0))}
    return {f"pagefind/{name}" for name in found}


def test_every_published_file_is_loaded_by_some_page(sample_site: Path):
    published = {p.relative_to(sample_site).as_posix() for p in sample_site.rglob("*") if p.is_file()}
    reached = loaded_by_pages(sample_site) | loaded_by_search(sample_site) | WELL_KNOWN
    assert sorted(published - reached) == []
    assert "pagefind/pagefind.js" in published and "pagefind/pagefind-entry.json" in published


def test_pagefinds_own_ui_is_not_published(sample_site: Path):
    names = {p.name for p in (sample_site / "pagefind").iterdir()}
    assert not {n for n in names if n.startswith(("pagefind-ui", "pagefind-component-ui",
                                                  "pagefind-modular-ui", "pagefind-highlight",
                                                  "pagefind-worker"))}
    assert not (sample_site / "pagefind" / "fragment").exists()
