"""The 62 municipalities of Tokyo (特別区・市・町・村), from the package data file."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

KINDS = ("特別区", "市", "町", "村")


@dataclass(frozen=True)
class Municipality:
    code: str  # 全国地方公共団体コード (5 digits, no check digit)
    name: str  # 正式名称, e.g. 清瀬市
    kind: str  # one of KINDS
    slug: str  # ASCII, used in URLs


@cache
def all_municipalities() -> tuple[Municipality, ...]:
    """Every municipality in official code order."""
    text = resources.files("cio_forum_site").joinpath("data/municipalities.yaml").read_text("utf-8")
    rows = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: faster
    return tuple(Municipality(**row) for row in sorted(rows, key=lambda r: r["code"]))


@cache
def _by_name() -> dict[str, Municipality]:
    return {m.name: m for m in all_municipalities()}


def find(name: str) -> Municipality | None:
    """The municipality called ``name`` (width variants and ケ/ヶ are the same), or None."""
    key = unicodedata.normalize("NFKC", str(name)).strip()
    found = _by_name().get(key)
    if found is None and "ケ" in key:
        found = _by_name().get(key.replace("ケ", "ヶ"))
    return found


def by_slug(slug: str) -> Municipality | None:
    return next((m for m in all_municipalities() if m.slug == slug), None)


def suggest(name: str) -> str | None:
    """The closest real municipality name, for 'did you mean' messages."""
    key = unicodedata.normalize("NFKC", str(name)).strip()
    names = [m.name for m in all_municipalities()]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.5)
    return close[0] if close else None
