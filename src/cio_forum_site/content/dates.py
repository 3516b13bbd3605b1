"""Japanese dates: 和暦 (wareki) and the fiscal year (年度, April to March)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# (first day, era name), newest first.
ERAS = (
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
)


def era_year(day: dt.date) -> tuple[str, int]:
    """The era and the year within it (1 for 元年)."""
    for start, name in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError(f"{day} is before 昭和")


def era_year_text(name: str, year: int) -> str:
    return f"{name}{'元' if year == 1 else year}年"


def wareki(day: dt.date) -> str:
    """``令和3年10月15日``; the first year of an era is 元年 (令和元年5月1日)."""
    name, year = era_year(day)
    return f"{era_year_text(name, year)}{day.month}月{day.day}日"


def wareki_month(day: dt.date) -> str:
    """``令和5年11月`` — for articles known only to the month."""
    name, year = era_year(day)
    return f"{era_year_text(name, year)}{day.month}月"


@dataclass(frozen=True, order=True)
class FiscalYear:
    """年度: the fiscal year that starts on 1 April of ``start_year``."""

    start_year: int

    @classmethod
    def of(cls, day: dt.date) -> FiscalYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def label(self) -> str:
        """``令和3年度``. FY2019 is 令和元年度, as government documents write it after the
        change of era, so the era is the one in force at the end of the start year."""
        name, year = era_year(dt.date(self.start_year, 12, 31))
        return f"{name}{'元' if year == 1 else year}年度"

    @property
    def slug(self) -> str:
        return f"fy{self.start_year}"

    def __str__(self) -> str:
        return self.label
