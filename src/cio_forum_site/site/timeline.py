"""The topic timeline (テーマの移り変わり): how often the most frequent themes (tags) appear
in each 年度, as bar charts whose geometry is computed here and drawn as SVG by a template
(``_timeline.html``), so the chart needs no JavaScript. Pure. Entry point: ``make_timeline``.

All charts share one scale (the busiest theme-year is the full height), so they compare.
"""

from __future__ import annotations

from dataclasses import dataclass

from cio_forum_site.content.dates import FiscalYear
from cio_forum_site.site.archive import Archive, Tag

THEMES = 8  # charts: the most frequent themes
BAR_WIDTH = 30
GAP = 10
PLOT_HEIGHT = 80  # the full height of a bar
TOP = 18  # room for the count above the tallest bar
BOTTOM = 22  # room for the 年度 below the bars
LEFT = 4


@dataclass(frozen=True)
class Bar:
    year: str  # 令和3年度
    short: str  # 令和3, under the bar
    count: int
    url: str | None  # the theme's articles of that 年度; None when there are none
    x: int
    y: int
    height: int

    @property
    def center(self) -> int:
        return self.x + BAR_WIDTH // 2


@dataclass(frozen=True)
class Chart:
    tag: Tag
    total: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Timeline:
    years: tuple[str, ...]  # 年度, oldest first
    charts: tuple[Chart, ...]
    width: int
    height: int
    baseline: int  # y of the bars' foot
    bar_width: int = BAR_WIDTH


def year_anchor(tag: Tag, year: FiscalYear) -> str:
    return f"{tag.url}#{year.slug}"


def short_label(year: FiscalYear) -> str:
    """令和3 (the 年度's era year), short enough to stand under a bar."""
    return year.label.removesuffix("年度")


def make_timeline(archive: Archive) -> Timeline:
    years = _years(archive)
    themes = sorted(archive.tags, key=lambda t: (-len(archive.by_tag[t.key]), t.key))[:THEMES]
    counts = {t.key: _per_year(archive, t) for t in themes}
    peak = max((c for per in counts.values() for c in per.values()), default=1) or 1
    baseline = TOP + PLOT_HEIGHT
    charts = []
    for tag in themes:
        bars = []
        for i, year in enumerate(years):
            count = counts[tag.key].get(year, 0)
            height = round(PLOT_HEIGHT * count / peak)
            bars.append(Bar(
                year=year.label, short=short_label(year), count=count,
                url=year_anchor(tag, year) if count else None,
                x=LEFT + i * (BAR_WIDTH + GAP), y=baseline - height, height=height,
            ))
        charts.append(Chart(tag, len(archive.by_tag[tag.key]), tuple(bars)))
    return Timeline(
        years=tuple(y.label for y in years), charts=tuple(charts),
        width=LEFT * 2 + max(1, len(years)) * (BAR_WIDTH + GAP) - GAP,
        height=baseline + BOTTOM, baseline=baseline,
    )


def _years(archive: Archive) -> list[FiscalYear]:
    """Every 年度 from the first article's to the last's, empty ones included."""
    starts = [fy.start_year for fy, _ in archive.by_fiscal_year]
    if not starts:
        return []
    return [FiscalYear(y) for y in range(min(starts), max(starts) + 1)]


def _per_year(archive: Archive, tag: Tag) -> dict[FiscalYear, int]:
    counts: dict[FiscalYear, int] = {}
    for article in archive.by_tag[tag.key]:
        counts[article.fiscal_year] = counts.get(article.fiscal_year, 0) + 1
    return counts
