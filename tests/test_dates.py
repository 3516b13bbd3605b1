"""和暦 and 年度 at their boundaries."""

import datetime as dt

import pytest

from cio_forum_site.content.dates import FiscalYear, wareki


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2021, 10, 15), "令和3年10月15日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2019, 12, 31), "令和元年12月31日"),
        (dt.date(2020, 1, 1), "令和2年1月1日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
    ],
)
def test_wareki_uses_the_era_in_force_and_gannen_for_its_first_year(day, expected):
    assert wareki(day) == expected


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (dt.date(2021, 3, 31), "令和2年度"),
        (dt.date(2021, 4, 1), "令和3年度"),
        (dt.date(2022, 1, 20), "令和3年度"),
        (dt.date(2019, 3, 31), "平成30年度"),
        (dt.date(2019, 4, 1), "令和元年度"),
        (dt.date(2020, 3, 31), "令和元年度"),
        (dt.date(2020, 4, 1), "令和2年度"),
    ],
)
def test_fiscal_year_runs_from_april_to_march(day, label):
    assert FiscalYear.of(day).label == label


def test_fiscal_years_sort_by_start_year():
    assert sorted([FiscalYear(2021), FiscalYear(2019)]) == [FiscalYear(2019), FiscalYear(2021)]
