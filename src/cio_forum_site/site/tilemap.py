"""The tile map of Tokyo on /municipalities/: the 62 municipalities as squares in their rough
geographic places (``data/tile_map.yaml``), shaded by how many articles each has.

``tile_map`` is the entry point; ``parse_layout`` reads the layout from text (pure). The SVG
itself is drawn by the template from these values, so its links are relative like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from cio_forum_site.content.municipalities import Municipality, all_municipalities

TILE = 40  # SVG units from one tile to the next
GAP = 3
LEVELS = ((0, "記事なし"), (1, "1本"), (2, "2〜3本"), (4, "4本以上"))  # (fewest articles, legend)


@dataclass(frozen=True)
class Tile:
    name: str  # 杉並区
    label: str  # 杉並: the name without 区/市/町/村, as short as a tile needs
    x: int
    y: int
    size: int
    font_size: float
    url: str | None  # None: no articles yet, a muted label
    count: int
    level: int  # 0–3, an index into LEVELS

    @property
    def text_x(self) -> float:
        return self.x + self.size / 2

    @property
    def text_y(self) -> float:
        return self.y + self.size / 2


@dataclass(frozen=True)
class AreaLabel:
    x: int
    y: int
    text: str


@dataclass(frozen=True)
class TileMap:
    width: int
    height: int
    tiles: tuple[Tile, ...]  # in code order, as the list below the map
    areas: tuple[AreaLabel, ...]
    legend: tuple[tuple[int, str], ...]  # (level, text)


@dataclass(frozen=True)
class Layout:
    columns: int
    rows: int
    places: dict[str, tuple[int, int]]  # name → (column, row)
    areas: tuple[tuple[int, int, str], ...]


def parse_layout(text: str) -> Layout:
    """The layout file's contents; raises ValueError on anything but a complete, consistent map."""
    data = yaml.safe_load(text)
    columns, rows = data["columns"], data["rows"]
    places = {str(name): (int(c), int(r)) for name, (c, r) in data["tiles"].items()}
    known = {m.name for m in all_municipalities()}
    if set(places) != known:
        raise ValueError(f"tile map: missing {sorted(known - set(places))}, unknown {sorted(set(places) - known)}")
    taken = [p for p in places.values()] + [(c, r) for c, r, _ in data.get("areas", ())]
    if len(set(taken)) != len(taken):
        raise ValueError("tile map: two tiles or labels share a square")
    if any(not (0 <= c < columns and 0 <= r < rows) for c, r in taken):
        raise ValueError("tile map: a tile lies outside the grid")
    return Layout(columns, rows, places, tuple((int(c), int(r), str(t)) for c, r, t in data.get("areas", ())))


@cache
def layout() -> Layout:
    return parse_layout(resources.files("cio_forum_site").joinpath("data/tile_map.yaml").read_text("utf-8"))


def level(count: int) -> int:
    return max(i for i, (fewest, _) in enumerate(LEVELS) if count >= fewest)


def short_name(m: Municipality) -> str:
    return m.name[:-1] if len(m.name) > 2 else m.name


def tile_map(counts: dict[str, int], urls: dict[str, str], grid: Layout | None = None) -> TileMap:
    """The map for these article counts (code → count) and municipality pages (code → URL)."""
    grid = grid or layout()
    tiles = []
    for m in all_municipalities():
        column, row = grid.places[m.name]
        label = short_name(m)
        count = counts.get(m.code, 0)
        tiles.append(Tile(
            name=m.name, label=label, x=column * TILE, y=row * TILE, size=TILE - GAP,
            font_size=min(15.0, round(33 / len(label), 1)),
            url=urls.get(m.code) if count else None, count=count, level=level(count),
        ))
    return TileMap(
        width=grid.columns * TILE - GAP, height=grid.rows * TILE - GAP, tiles=tuple(tiles),
        areas=tuple(AreaLabel(c * TILE + 4, r * TILE + TILE // 2, t) for c, r, t in grid.areas),
        legend=tuple(enumerate(text for _, text in LEVELS)),
    )
