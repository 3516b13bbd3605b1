"""People (人物): who took part in which articles, across the archive. Pure but for MeCab,
which guesses the reading of a name (short, bounded input) for its page's slug.

The same person is recognised by name (spaces, width and case ignored) within the same
organization family (東京都 and its bureaux; one municipality and its offices; any other
organization by its name). ``person:`` in front matter names the person outright: every
entry with the same ``person:`` is one person, and an entry without one joins the person
whose ``person:`` is used with the same name and family, when exactly one is.
Entry point: ``make_people(archive)``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from cio_forum_site.content import municipalities
from cio_forum_site.content.model import Article, Participant
from cio_forum_site.content.slugs import name_slug, reading
from cio_forum_site.site.archive import Archive

TOKYO = "tokyo"  # the family of 東京都 and its bureaux
_TOKYO_NAMES = ("東京都", "都庁")


@dataclass(frozen=True)
class Appearance:
    article: Article
    participant: Participant


@dataclass(frozen=True)
class Person:
    slug: str
    name: str  # as written in their latest article
    reading: str  # katakana (``kana:`` or MeCab's guess), for sorting
    family: str  # organization family of their latest article
    appearances: tuple[Appearance, ...]  # oldest first

    @property
    def url(self) -> str:
        return f"/people/{self.slug}/"

    @property
    def latest(self) -> Participant:
        return self.appearances[-1].participant


@dataclass(frozen=True)
class People:
    persons: tuple[Person, ...]  # by slug
    of: dict[tuple[str, int], Person] = field(repr=False)  # (article slug, participant index)

    def person(self, article: Article, index: int) -> Person | None:
        return self.of.get((article.slug, index))


def name_key(name: str) -> str:
    """山田 太郎, 山田太郎 and 山田　太郎 are one name."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).casefold()


def organization_family(organization: str) -> str:
    """``tokyo`` for 東京都 and its bureaux, a municipality's code for it and its offices
    (清瀬市役所), else the organization's own folded name ("" when none is given)."""
    org = re.sub(r"\s+", "", unicodedata.normalize("NFKC", organization))
    if org.startswith(_TOKYO_NAMES) or org == "都":
        return TOKYO
    found = [m for m in municipalities.all_municipalities() if org.startswith(m.name)]
    if found:
        return max(found, key=lambda m: len(m.name)).code
    return org.casefold()


def make_people(archive: Archive) -> People:
    entries = [(a, i, p) for a in sorted(archive.articles, key=Article.sort_key)
               for i, p in enumerate(a.participants)]
    ids: dict[tuple[str, str], set[str]] = defaultdict(set)
    for _, _, p in entries:
        if p.person:
            ids[(name_key(p.name), organization_family(p.organization))].add(p.person)
    groups: dict[tuple, list[tuple[Article, int, Participant]]] = {}
    for a, i, p in entries:
        groups.setdefault(_identity(p, ids), []).append((a, i, p))
    readings = {key: next((p.kana for _, _, p in group if p.kana), "") or reading(group[-1][2].name)
                for key, group in groups.items()}
    slugs = _slugs(groups, readings)
    persons: dict[tuple, Person] = {}
    for key, group in groups.items():
        latest = group[-1][2]
        persons[key] = Person(
            slug=slugs[key], name=latest.name, reading=readings[key],
            family=organization_family(latest.organization),
            appearances=tuple(Appearance(a, p) for a, _, p in group),
        )
    return People(
        persons=tuple(sorted(persons.values(), key=lambda p: p.slug)),
        of={(a.slug, i): persons[key] for key, group in groups.items() for a, i, _ in group},
    )


def _identity(p: Participant, ids: dict[tuple[str, str], set[str]]) -> tuple:
    if p.person:
        return ("person", p.person)
    key = (name_key(p.name), organization_family(p.organization))
    if len(ids.get(key, ())) == 1:
        return ("person", next(iter(ids[key])))
    return ("name", *key)


def _slugs(groups: dict[tuple, list], readings: dict[tuple, str]) -> dict[tuple, str]:
    """``person:`` where given; else the romanized reading, with -2, -3 … for a second
    person of the same reading (in order of their first article, so slugs stay put as
    newer articles are added)."""
    slugs = {key: key[1] for key in groups if key[0] == "person"}
    used = set(slugs.values())
    for key in sorted((k for k in groups if k[0] == "name"),
                      key=lambda k: (groups[k][0][0].sort_key(), k)):
        base = name_slug(readings[key]) or "person"
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        slugs[key] = slug
    return slugs
