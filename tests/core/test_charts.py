"""The bar chart of counts per year: bars, gaps, the years written under them, the scale."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.charts import (
    BAR_MIN_HEIGHT,
    PLOT_BOTTOM,
    PLOT_LEFT,
    PLOT_RIGHT,
    PLOT_TOP,
    axis_years,
    scale_step,
    scale_top,
    year_chart,
)


def test_nothing_to_draw_gives_no_chart():
    assert year_chart({}) is None
    assert year_chart({2020: 0}) is None


def test_each_year_with_publications_is_a_bar_in_order_with_its_count_label_and_link():
    chart = year_chart({2021: 2, 2019: 4, 2020: 1}, link=lambda year: f"/list/?year={year}")

    assert [(bar.year, bar.count, bar.label, bar.link) for bar in chart.bars] == [
        (2019, 4, "2019", "/list/?year=2019"),
        (2020, 1, "2020", "/list/?year=2020"),
        (2021, 2, "2021", "/list/?year=2021"),
    ]
    assert chart.total == 7
    assert (chart.first_year, chart.last_year) == ("2019", "2021")
    assert (chart.peak_year, chart.peak_count) == ("2019", 4)


def test_bars_stand_on_the_baseline_left_to_right_inside_the_plot():
    chart = year_chart({2019: 4, 2020: 1, 2021: 2})

    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs)
    for bar in chart.bars:
        assert bar.y + bar.height == pytest.approx(PLOT_BOTTOM)
        assert bar.y >= PLOT_TOP
        assert PLOT_LEFT <= bar.slot_x <= bar.x
        assert bar.x + bar.width <= bar.slot_x + bar.slot_width <= PLOT_RIGHT + 0.01


def test_heights_follow_the_counts():
    chart = year_chart({2019: 4, 2020: 2})
    tall, short = chart.bars

    assert tall.height == pytest.approx(2 * short.height, abs=0.02)


def test_a_single_publication_among_hundreds_stays_visible():
    chart = year_chart({2000: 900, 2001: 1})

    assert chart.bars[1].height >= BAR_MIN_HEIGHT


def test_years_without_publications_between_the_first_and_last_are_gaps():
    chart = year_chart({2015: 1, 2018: 3}, link=lambda year: f"/y/{year}")

    assert [gap.year for gap in chart.gaps] == [2016, 2017]
    assert [bar.year for bar in chart.bars] == [2015, 2018]
    # The table gives every year, none left out, and links only those with publications.
    assert [(row.label, row.count, row.link) for row in chart.rows] == [
        ("2015", 1, "/y/2015"),
        ("2016", 0, ""),
        ("2017", 0, ""),
        ("2018", 3, "/y/2018"),
    ]
    # A gap sits where its year's bar would be.
    assert chart.bars[0].x < chart.gaps[0].x < chart.gaps[1].x < chart.bars[1].x


def test_every_year_is_written_under_a_short_career():
    chart = year_chart({2019: 1, 2020: 1, 2021: 1})

    assert [year.label for year in chart.axis_years] == ["2019", "2020", "2021"]
    assert [year.x for year in chart.axis_years] == [
        pytest.approx(bar.x + bar.width / 2, abs=0.02) for bar in chart.bars
    ]


def test_a_long_career_writes_round_years_only():
    assert axis_years(1980, 2024) == [1980, 1990, 2000, 2010, 2020]
    assert axis_years(2011, 2024) == [2012, 2014, 2016, 2018, 2020, 2022, 2024]
    assert axis_years(2024, 2024) == [2024]


def test_the_scale_ends_on_a_round_figure_at_or_above_the_highest_count():
    assert [scale_top(n) for n in (1, 3, 4, 7, 9, 12, 37, 180)] == [1, 3, 4, 8, 10, 15, 40, 200]
    assert [scale_step(n) for n in (1, 4, 8, 10, 40, 200)] == [1, 1, 2, 5, 10, 50]


def test_the_scale_lines_go_from_zero_to_the_top():
    chart = year_chart({2020: 9})

    assert [line.value for line in chart.scale] == [0, 5, 10]
    assert chart.scale[0].y == PLOT_BOTTOM
    assert chart.scale[-1].y == PLOT_TOP


def test_one_year_alone_is_a_bar_not_a_wall():
    chart = year_chart({2024: 3})

    assert chart.single_year
    (bar,) = chart.bars
    assert bar.width <= 40
    assert bar.slot_width == pytest.approx(PLOT_RIGHT - PLOT_LEFT)


def test_without_a_link_maker_bars_link_nowhere():
    chart = year_chart({2024: 3})

    assert chart.bars[0].link == ""
    assert chart.rows[0].link == ""


@given(
    st.dictionaries(
        st.integers(min_value=1900, max_value=2100),
        st.integers(min_value=0, max_value=10_000),
        max_size=60,
    )
)
def test_any_counts_give_bars_inside_the_drawing(counts):
    chart = year_chart(counts)

    if not any(counts.values()):
        assert chart is None
        return
    assert [bar.year for bar in chart.bars] == sorted(y for y, n in counts.items() if n)
    assert sum(bar.count for bar in chart.bars) == chart.total == sum(counts.values())
    assert len(chart.rows) == len(chart.bars) + len(chart.gaps)
    assert chart.scale[-1].value >= max(counts.values())
    for bar in chart.bars:
        assert PLOT_TOP - 0.01 <= bar.y <= PLOT_BOTTOM - BAR_MIN_HEIGHT + 0.01
        assert bar.x >= PLOT_LEFT - 0.01
        assert bar.x + bar.width <= PLOT_RIGHT + 0.01
    assert 1 <= len(chart.axis_years) <= 9
