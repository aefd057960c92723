"""Charts: the right traces with the right values, nothing for hidden groups, a table with the
same numbers, numbers written the way the language writes them; per round only published
cells of its release (professions and districts once the round has closed)."""

from __future__ import annotations

import statistics

import pytest

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import RoundState
from spindel.services import charts
from spindel.services.demo import create_demo
from tests.test_results import new_project, store

SCALE = list(range(1, 11))


def close(round_) -> None:
    round_.state = RoundState.CLOSED
    db.session.commit()


@pytest.fixture
def project(any_app):
    """Round 1: bvc 6 answers (north), bmm 5 and other 2 (south; other is hidden, and bmm
    with it); round 2: 7 answers; rounds 3 and 4: 1 and 2 answers (fewer than k: nothing
    published). Every round is open until a test closes it."""
    project = new_project(rounds=4, k=5, state=RoundState.OPEN)
    rows = ([(1, "bvc", "north", [v] * 9) for v in (3, 4, 4, 6, 8, 9)]
            + [(1, "bmm", "south", [7] * 8 + [None]) for _ in range(5)]
            + [(1, "other", "south", [2] * 9) for _ in range(2)]
            + [(2, "bvc", "south", [v] * 9) for v in (5, 6, 6, 7, 7, 8, 10)]
            + [(3, "bvc", "north", [1] * 9)]
            + [(4, "bmm", "south", [9] * 9) for _ in range(2)])
    store(project, rows)
    project.rows = rows
    return project


def test_spider_by_round_has_one_closed_outline_per_visible_round(project):
    chart = charts.spider_rounds(project, lang="en")
    names = [t.name for t in chart.figure.data]
    assert names == ["Round 1", "Round 2"]  # round 3 has one answer: no trace at all
    instrument = instruments.for_project(project)
    for trace, number in zip(chart.figure.data, (1, 2), strict=True):
        assert trace.type == "scatterpolar"
        assert trace.r[0] == trace.r[-1] and trace.theta[0] == trace.theta[-1]  # closed
        values = [r[3][0] for r in project.rows if r[0] == number]
        assert trace.r[0] == pytest.approx(statistics.fmean(values))
        assert len(trace.r) == len(instrument.items) + 1
    # Items in dimension order, each tick naming its dimension.
    theta = chart.figure.data[0].theta[:-1]
    for item, tick in zip(instrument.items, theta, strict=True):
        label = tick.replace("<br>", " ")
        assert label.startswith(item.short.en)
        assert instrument.dimension(item.dimension).label.en in label
    assert chart.figure.layout.polar.radialaxis.range == (0, 10)
    colours = {t.line.color for t in chart.figure.data}
    assert len(colours) == 2 and colours <= set(charts.PALETTE)
    assert "Mean" in chart.figure.data[0].hovertemplate
    assert "n = " in chart.figure.data[0].hovertemplate
    assert "SD" in chart.figure.data[0].hovertemplate
    assert chart.responses == 13 + 7
    assert "Round 3" not in str(chart.table)
    assert "Fewer than 5 responses so far: Mätning 3, Mätning 4." in chart.caption


def test_an_open_round_shows_no_professions_or_districts(project):
    for chart in (charts.spider_professions(project, 1, lang="en"),
                  charts.spider_districts(project, 1, lang="en"),
                  charts.dimensions_professions(project, 1, lang="en")):
        assert list(chart.figure.data) == [], chart.key
        assert "Professions and districts are shown when the round has closed" in chart.caption
        assert chart.responses is None
    # One profession in an open round: waits too, only the closed round has a trace.
    close(project.rounds[0])
    chart = charts.spider_rounds(project, lang="en", rounds=[1, 2], profession="bvc")
    assert [t.name for t in chart.figure.data] == ["Round 1"]
    assert chart.figure.data[0].r[0] == pytest.approx(statistics.fmean([3, 4, 4, 6, 8, 9]))


def test_a_hidden_profession_takes_its_smallest_neighbour_along(project):
    close(project.rounds[0])
    chart = charts.spider_professions(project, 1, lang="en")
    names = [t.name for t in chart.figure.data]
    assert names == ["CHC"]  # other (2) hidden, bmm (5) too
    assert chart.table[0][2:] == names
    assert chart.responses == 6
    assert "Not shown, to protect anonymity" in chart.caption
    assert "MC" in chart.caption and "Other" in chart.caption
    assert "n = %{customdata[1]}" in chart.figure.data[0].hovertemplate
    # Nobody in MC could judge parents' influence, so for that item Other is the only hidden
    # group with ratings and CHC, the smallest other, is hidden with it.
    assert [row[1] for row in chart.figure.data[0].customdata] == [6] * 8 + [None, 6]
    assert chart.figure.data[0].r[8] is None
    districts = charts.spider_districts(project, 1, lang="en")
    assert [t.name for t in districts.figure.data] == ["Norr", "Söder"]


def test_numbers_are_written_the_swedish_way_in_swedish(project):
    swedish = charts.spider_rounds(project, lang="sv")
    english = charts.spider_rounds(project, lang="en")
    mean = statistics.fmean([3, 4, 4, 6, 8, 9, 7, 7, 7, 7, 7, 2, 2])  # rules in round 1
    assert swedish.table[0][:3] == ["Dimension", "Påstående", "Mätning 1"]
    assert swedish.table[1][2] == f"{mean:.1f}".replace(".", ",")
    assert english.table[1][2] == f"{mean:.1f}"
    assert swedish.figure.layout.separators == ", "
    assert swedish.figure.data[0].customdata[0][0] == f"{mean:.1f}".replace(".", ",")


def test_trend_leaves_hidden_rounds_out(project):
    chart = charts.trend(project, lang="en")
    assert len(chart.figure.data) == 9
    assert list(chart.figure.data[0].x) == ["Round 1", "Round 2"]
    assert chart.table[0] == ["Item", "Round 1", "Round 2"]


def test_agreement_sorts_items_by_spread_with_quartiles_only_from_2k(project):
    chart = charts.agreement(project, 1, lang="en")
    sds = [float(row[4]) for row in chart.table[1:]]
    assert sds == sorted(sds, reverse=True)
    label = instruments.for_project(project).item("user_influence").short.en
    row = next(row for row in chart.table[1:] if row[0] == label)
    assert (row[2], row[-1]) == ("8", "5")  # n and cannot judge: bmm could not judge it
    # n = 8 < 2k: no quartiles or median (they would pin down single answers).
    assert row[5:8] == [charts.NO_VALUE] * 3
    rules = instruments.for_project(project).item("rules").short.en
    row = next(row for row in chart.table[1:] if row[0] == rules)
    assert row[2] == "13" and row[6] == "7.0"  # n = 13 ≥ 2k: the median is given
    bars = chart.figure.data[0]
    assert bars.orientation == "h" and len(bars.y) == 9
    assert "Minimum" not in str(chart.table) and "Maximum" not in str(chart.table)


def test_dimension_bars_per_round_and_profession(project):
    by_round = charts.dimensions_rounds(project, lang="en")
    assert [t.name for t in by_round.figure.data] == ["Round 1", "Round 2"]
    instrument = instruments.for_project(project)
    assert list(by_round.figure.data[1].x) == [d.label.en for d in instrument.dimensions]
    round_2 = [r[3][0] for r in project.rows if r[0] == 2]
    assert by_round.figure.data[1].y[0] == pytest.approx(statistics.fmean(round_2))
    close(project.rounds[0])
    by_profession = charts.dimensions_professions(project, 1, lang="en")
    # In round 1 bvc 6, bmm 5, other 2: other is hidden and bmm with it.
    assert [t.name for t in by_profession.figure.data] == ["CHC"]


def test_the_demo_seminar_set_has_at_least_twenty_charts(app):
    project = create_demo()
    chart_set = charts.seminar_chart_set(project, lang="sv")
    assert len(chart_set) >= 20
    assert len({c.key for c in chart_set}) == len(chart_set)
    for chart in chart_set:
        assert chart.title and chart.caption
        assert len(chart.table) > 1 and all(isinstance(c, str) for c in chart.table[0])
        assert chart.figure.data, chart.key
