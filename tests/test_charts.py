"""Charts: the right traces with the right values, nothing for hidden groups, a table with the
same numbers, numbers written the way the language writes them; per round only published
cells of its release (professions and districts once the round has closed). Honest too: every
legend says how many answers a round or group rests on and marks an open round, nine items
look different in colour and in marker, the agreement chart sorts as its caption says, a
chart with nothing to show says why, and names typed by people are shown, never read as
plotly's HTML."""

from __future__ import annotations

import datetime as dt
import json
import statistics

import pytest

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.i18n import NO_VALUE
from spindel.models import Round, RoundState
from spindel.services import charts
from spindel.services.demo import create_demo
from spindel.services.exports import images
from spindel.services.projects import create_project
from tests.test_results import DISTRICTS, PROFESSIONS, new_project, store

SCALE = list(range(1, 11))


def close(round_) -> None:
    round_.state = RoundState.CLOSED
    db.session.commit()


@pytest.fixture
def project(app, backend):
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


def outlines(chart) -> list:
    """A spider's outlines, one per group: its traces without the added questions' shade."""
    return [t for t in chart.figure.data if t.type == "scatterpolar"]


def test_spider_by_round_has_one_closed_outline_per_visible_round(project):
    chart = charts.spider_rounds(project, lang="en")
    names = [t.name for t in outlines(chart)]
    # Round 3 has one answer: no trace at all. Both rounds are open: incomplete figures.
    assert names == ["Round 1 (open, 13 answers)", "Round 2 (open, 7 answers)"]
    assert chart.table[0][2:] == ["Round 1", "Round 2"]
    instrument = instruments.for_project(project)
    for trace, number in zip(outlines(chart), (1, 2), strict=True):
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
    colours = {t.line.color for t in outlines(chart)}
    assert len(colours) == 2 and colours <= set(charts.PALETTE)
    assert "Mean" in chart.figure.data[0].hovertemplate
    assert "n = " in chart.figure.data[0].hovertemplate
    assert "SD" in chart.figure.data[0].hovertemplate
    assert chart.responses == 13 + 7
    assert "Round 3" not in str(chart.table)
    assert "Fewer than 5 responses so far: Mätning 3, Mätning 4." in chart.caption
    assert ("Mätning 1 is still open: its figures are incomplete (they include 13 answers "
            "so far).") in chart.caption
    close(project.rounds[0])
    closed = charts.spider_rounds(project, lang="sv")
    assert [t.name for t in outlines(closed)] == ["Mätning 1 (13 svar)",
                                                  "Mätning 2 (pågår, 7 svar)"]


def test_the_spider_draws_three_dimension_sectors_and_the_added_questions_apart(project):
    """Issue 13: Spindeln's three dimensions are three sectors; the two questions the project
    added are no fourth one: a shaded sector of their own, whose labels and caption name
    them, and left out of the dimension charts."""
    instrument = instruments.for_project(project)
    chart = charts.spider_rounds(project, lang="sv")
    outline = outlines(chart)[0]
    ticks = [tick.replace("<br>", " ") for tick in outline.theta[:-1]]
    sectors = []  # the groups the ticks name, in drawing order, each once
    for tick in ticks:
        group = tick.split("<i>")[1].removesuffix("</i>")
        if not sectors or sectors[-1] != group:
            sectors.append(group)
    assert sectors == ["Regelverk", "Organisering", "Synsätt och kunskap",
                       "Projektets tillagda frågor"]
    shades = [t for t in chart.figure.data if t.type == "barpolar"]
    assert len(shades) == 1
    shade = shades[0]
    # Named after the group; the legend names the rounds only.
    assert shade.name == "Projektets tillagda frågor" and shade.showlegend is False
    # The shade covers the two added questions, and only them, to the top of the scale.
    added = [tick for tick, item in zip(outline.theta, instrument.items, strict=False)
             if item.key in ("early_support", "user_influence")]
    assert list(shade.theta) == added and len(added) == 2
    assert list(shade.r) == [instrument.scale.max] * 2
    assert chart.figure.layout.polar.bargap == 0  # one sector, not two wedges
    assert "Projektets tillagda frågor är skuggade" in chart.caption
    # The dimension charts: the three dimensions only.
    for bars in (charts.dimensions_rounds(project, lang="sv"),):
        assert [x.replace("<br>", " ") for x in bars.figure.data[0].x] == [
            "Regelverk", "Organisering", "Synsätt och kunskap"]
        assert [row[0] for row in bars.table[1:-1]] == [
            "Regelverk", "Organisering", "Synsätt och kunskap"]
    close(project.rounds[0])
    per_profession = charts.dimensions_professions(project, 1, lang="en")
    assert [x.replace("<br>", " ") for x in per_profession.figure.data[0].x] == [
        "Rules", "Organisation", "Views and knowledge"]
    # A chart with no outline has no shade either: nothing to set apart.
    assert list(charts.spider_rounds(project, lang="en", rounds=[3]).figure.data) == []


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
    assert [t.name for t in outlines(chart)] == ["Round 1 (6 answers)"]
    assert chart.figure.data[0].r[0] == pytest.approx(statistics.fmean([3, 4, 4, 6, 8, 9]))


def test_a_hidden_profession_takes_its_smallest_neighbour_along(project):
    close(project.rounds[0])
    chart = charts.spider_professions(project, 1, lang="en")
    names = [t.name for t in outlines(chart)]
    assert names == ["CHC (6 answers)"]  # other (2) hidden, bmm (5) too
    assert chart.table[0][2:] == ["CHC"]
    assert chart.responses == 6
    assert "Not shown, to protect anonymity" in chart.caption
    assert "MC" in chart.caption and "Other" in chart.caption
    assert "n = %{customdata[1]}" in chart.figure.data[0].hovertemplate
    # Nobody in MC could judge parents' influence, so for that item Other is the only hidden
    # group with ratings and CHC, the smallest other, is hidden with it.
    assert [row[1] for row in chart.figure.data[0].customdata] == [6] * 8 + [None, 6]
    assert chart.figure.data[0].r[8] is None
    districts = charts.spider_districts(project, 1, lang="en")
    assert [t.name for t in outlines(districts)] == ["Norr (6 answers)", "Söder (7 answers)"]


def test_numbers_are_written_the_swedish_way_in_swedish(project):
    swedish = charts.spider_rounds(project, lang="sv")
    english = charts.spider_rounds(project, lang="en")
    mean = statistics.fmean([3, 4, 4, 6, 8, 9, 7, 7, 7, 7, 7, 2, 2])  # rules in round 1
    assert swedish.table[0][:3] == ["Fråga", "Dimension", "Mätning 1"]
    assert swedish.table[1][2] == f"{mean:.1f}".replace(".", ",")
    assert english.table[1][2] == f"{mean:.1f}"
    assert swedish.figure.layout.separators == ", "
    assert swedish.figure.data[0].customdata[0][0] == f"{mean:.1f}".replace(".", ",")


def test_trend_leaves_hidden_rounds_out(project):
    chart = charts.trend(project, lang="en")
    assert len(chart.figure.data) == 9
    assert list(chart.figure.data[0].x) == ["Round 1<br>(open, 13 answers)",
                                            "Round 2<br>(open, 7 answers)"]
    assert chart.table[0] == ["Item", "Round 1", "Round 2"]


def test_the_nine_items_of_the_trend_differ_in_colour_and_marker(project):
    traces = charts.trend(project, lang="en").figure.data
    styles = [(t.line.color, t.line.dash, t.marker.symbol) for t in traces]
    assert len(styles) == 9 and len(set(styles)) == 9  # no two lines look the same
    assert len({colour for colour, _dash, _symbol in styles}) == 9
    assert len({symbol for _colour, _dash, symbol in styles}) == 9
    assert all(t.marker.color == t.line.color for t in traces)  # a marker matches its line


def test_agreement_sorts_items_by_spread_with_quartiles_only_from_2k(project):
    chart = charts.agreement(project, 1, lang="en")
    sds = [float(row[4]) for row in chart.table[1:]]
    assert sds == sorted(sds, reverse=True)
    # The caption says what the order is, and the chart's rows follow the table's.
    assert "sorted by standard deviation, largest first" in chart.caption
    assert list(chart.figure.data[0].y) == [row[0] for row in chart.table[1:]]
    assert list(chart.figure.layout.yaxis.tickvals) == [row[0] for row in chart.table[1:]]
    assert "Mätning 1 is still open: its figures are incomplete (they include 13 answers " \
           "so far)." in chart.caption
    close(project.rounds[0])
    assert "Based on 13 answers." in charts.agreement(project, 1, lang="en").caption
    label = instruments.for_project(project).item("user_influence").short.en
    row = next(row for row in chart.table[1:] if row[0] == label)
    assert (row[2], row[-1]) == ("8", "5")  # n and cannot judge: bmm could not judge it
    # n = 8 < 2k: no quartiles or median (they would pin down single answers).
    assert row[5:8] == [NO_VALUE] * 3
    rules = instruments.for_project(project).item("rules").short.en
    row = next(row for row in chart.table[1:] if row[0] == rules)
    assert row[2] == "13" and row[6] == "7.0"  # n = 13 ≥ 2k: the median is given
    bars = chart.figure.data[0]
    assert bars.orientation == "h" and len(bars.y) == 9
    assert "Minimum" not in str(chart.table) and "Maximum" not in str(chart.table)


def test_dimension_bars_per_round_and_profession(project):
    by_round = charts.dimensions_rounds(project, lang="en")
    assert [t.name for t in by_round.figure.data] == ["Round 1 (open, 13 answers)",
                                                      "Round 2 (open, 7 answers)"]
    instrument = instruments.for_project(project)
    assert [x.replace("<br>", " ") for x in by_round.figure.data[1].x] == [
        d.label.en for d in instrument.dimensions]
    round_2 = [r[3][0] for r in project.rows if r[0] == 2]
    assert by_round.figure.data[1].y[0] == pytest.approx(statistics.fmean(round_2))
    close(project.rounds[0])
    by_profession = charts.dimensions_professions(project, 1, lang="en")
    # In round 1 bvc 6, bmm 5, other 2: other is hidden and bmm with it.
    assert [t.name for t in by_profession.figure.data] == ["CHC (6 answers)"]


def test_the_demo_seminar_set_has_at_least_twenty_charts(app):
    project = create_demo()
    chart_set = charts.seminar_chart_set(project, lang="sv")
    assert len(chart_set) >= 20
    assert len({c.key for c in chart_set}) == len(chart_set)
    for chart in chart_set:
        assert chart.title and chart.caption
        assert len(chart.table) > 1 and all(isinstance(c, str) for c in chart.table[0])
        assert chart.figure.data, chart.key


def test_a_chart_with_nothing_to_show_says_why_in_one_sentence(project):
    too_small = charts.agreement(project, 3, lang="en")  # one answer
    assert list(too_small.figure.data) == []
    assert too_small.empty == "Nothing to show yet: fewer than 5 answers so far."
    waiting = charts.spider_districts(project, 1, lang="sv")  # round 1 is open
    assert waiting.empty == ("Inget att visa än: yrkesgrupper och stadsdelsområden visas när "
                             "mätningen har stängt.")
    assert charts.spider_rounds(project, lang="en").empty is None
    close(project.rounds[0])
    hidden = charts.spider_rounds(project, lang="en", rounds=[1], profession="other")
    assert list(hidden.figure.data) == []
    assert hidden.empty.startswith("Nothing to show: every group is hidden to protect")


PHISH = '<a href="https://evil.example/phish">Klicka här</a> & <b>mer</b>'


def test_names_people_typed_are_shown_as_text_never_as_plotly_html(app, backend):
    """Issue 11: plotly reads <a href>, <b> and <br> in every text it draws, so a district,
    profession or round named like a link would become one. Every such name is escaped in
    the figures, and the pages' tables (escaped by the templates) keep the name as typed."""
    project = create_project("<i>Projekt</i>", "phish", min_group_size=3,
                             districts=DISTRICTS + [("evil", PHISH)],
                             professions=PROFESSIONS + [("evil", PHISH, PHISH)])
    project.rounds.append(Round(number=1, label=PHISH, state=RoundState.CLOSED,
                                opens_on=dt.date(2020, 1, 1)))
    db.session.flush()
    store(project, [(1, p, d, [6] * 9) for p, d in (("bvc", "north"), ("evil", "evil"))
                    for _ in range(3)])
    chart_set = [charts.spider_districts(project, 1, lang="sv"),
                 charts.spider_professions(project, 1, lang="sv"),
                 charts.dimensions_professions(project, 1, lang="sv"),
                 charts.agreement(project, 1, lang="sv"), charts.trend(project, lang="sv"),
                 charts.spider_rounds(project, lang="sv")]
    escaped = "&lt;a href=\"https://evil.example/phish\"&gt;Klicka här&lt;/a&gt; &amp; " \
              "&lt;b&gt;mer&lt;/b&gt;"
    for chart in chart_set:
        # (json.dumps, not to_json: plotly's JSON writes every "<" as \u003c.)
        figure = json.dumps(chart.figure.to_plotly_json(), ensure_ascii=False)
        if chart.key not in ("trend", "spider-rounds"):  # these name rounds by number
            assert "&lt;a href" in figure, chart.key
        assert "<a" not in figure and "<b>mer" not in figure, chart.key
    names = [t.name for c in chart_set[:3] for t in c.figure.data]
    assert f"{escaped} (3 svar)" in names
    assert chart_set[3].figure.layout.title.text == f"Samstämmighet: {escaped}"
    # The table and the title stay plain text: the page escapes them itself.
    assert PHISH in chart_set[0].table[0] and PHISH in chart_set[3].title
    # An exported image adds the title, the group and the caption: escaped too.
    spec = images.decorated_spec(chart_set[3].figure, chart_set[3].title, chart_set[3].caption
                                  + " " + PHISH, 6, 3, group=PHISH)
    text = json.dumps(spec, ensure_ascii=False)
    assert "<a" not in text and "<b>mer" not in text and text.count("&lt;a href") >= 3


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_spiders_per_profession_and_district_name_their_groups(make_project, add_answer,
                                                               lang):
    from spindel.models import RoundState
    from spindel.services.charts import spider_districts, spider_professions

    # Closed: an open round publishes only its whole round.
    project = make_project(min_group_size=3, state=RoundState.CLOSED)
    round_ = project.rounds[0]
    for profession, district, value in (("bvc", "north", 4), ("bmm", "south", 8)):
        for _ in range(3):
            add_answer(round_, profession=profession, district=district, value=value)
    by_profession = spider_professions(project, 1, lang=lang)
    by_district = spider_districts(project, 1, lang=lang)
    assert by_profession.key == "spider-professions-1"
    assert by_district.key == "spider-districts-1"
    assert by_profession.title == ("Yrkesgrupper: Mätning 1" if lang == "sv"
                                   else "Professions: Mätning 1")
    assert by_district.title == ("Stadsdelsområden: Mätning 1" if lang == "sv"
                                 else "Districts: Mätning 1")
    # The outlines (not the shade behind the added questions), each with its answers.
    answers = "svar" if lang == "sv" else "answers"
    assert [t.name for t in by_district.figure.data if t.type == "scatterpolar"] == [
        f"Norr (3 {answers})", f"Söder (3 {answers})"]
    assert len([t for t in by_profession.figure.data if t.type == "scatterpolar"]) == 2
    assert by_district.table[-1][2:] == ["3", "3"]


# --- the registry ---------------------------------------------------------------------------


def test_the_cannot_judge_chart_shows_each_items_share_per_round(project):
    chart = charts.CHARTS["cannot-judge"].build(charts.Published(project, "en"),
                                                charts.ChartView(), None)
    keys = instruments.for_project(project).item_keys
    # Published rounds: those with at least k = 5 answers (rounds 3 and 4 have fewer).
    answers = {n: [values for r, _p, _d, values in project.rows if r == n] for n in (1, 2)}
    assert [t.name.split(" (")[0] for t in chart.figure.data] == ["Round 1", "Round 2"]
    for trace, number_ in zip(chart.figure.data, (1, 2), strict=True):
        rows = answers[number_]
        expected_shares = [100 * sum(v[i] is None for v in rows) / len(rows)
                           for i in range(len(keys))]
        assert list(trace.y) == pytest.approx(expected_shares)
    assert max(chart.figure.data[0].y) > 0  # round 1's bmm could not judge the last item


def test_a_chart_in_the_registry_is_on_the_page_in_the_list_and_downloadable_alone(
        project, monkeypatch):
    close(project.rounds[0])
    published = charts.Published(project, "en")
    names = charts.chart_list(published, charts.ChartView())
    assert ("cannot-judge", "“Cannot judge” per item") in names
    overview = charts.chart_sections(project, "en")[0]
    assert "cannot-judge" in [c.key for c in overview.charts]
    # Built alone: one chart asks for the figures it draws, and no others.
    asked = []
    real = charts.results_payload
    monkeypatch.setattr(charts, "results_payload",
                        lambda *a, **kw: asked.append(a[1]) or real(*a, **kw))
    chart = charts.one_chart(charts.Published(project, "en"), charts.ChartView(),
                             "cannot-judge")
    assert chart.key == "cannot-judge" and len(asked) == 1
    # A whole page of charts asks for each selection once.
    asked.clear()
    charts.chart_sections(project, "en")
    assert len(asked) == len(set(asked))
