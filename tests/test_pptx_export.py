"""The seminar deck read back with python-pptx: native radar and line charts holding the
API's published cells (rounds side by side, one group at most, breakdowns once a round has
closed), talking points, speaker notes with counts and what is hidden, and no series or
number of a hidden group."""

from __future__ import annotations

import io
import re
import zipfile
from collections import namedtuple

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from spindel.extensions import db
from spindel.models import RoundState
from spindel.services.pptx_export import build_deck
from spindel.services.selection import SelectionError
from tests.conftest import SMALL_GROUP, api_results

TalkingPoint = namedtuple("TalkingPoint", "kind text")
POINTS = [TalkingPoint("lowest", "Rutiner har lägst medelvärde (4,1)."),
          TalkingPoint("change", "Roller ökade mest sedan förra mätningen (+1,2).")]


@pytest.fixture
def logged_in(auth, make_user, project_with_small_group):
    auth.login(make_user(projects=[project_with_small_group]))
    return project_with_small_group


@pytest.fixture
def closed(logged_in):
    """The fixture's rounds closed: professions and districts are published."""
    for round_ in logged_in.rounds:
        round_.state = RoundState.CLOSED
    db.session.commit()
    return logged_in


def deck_of(project, **options):
    options.setdefault("talking_points", POINTS)
    return Presentation(io.BytesIO(build_deck(project, **options)))


def slide_titled(deck, start: str):
    return next(s for s in deck.slides if s.shapes.title.text.startswith(start))


def chart_on(slide):
    return next(shape.chart for shape in slide.shapes if shape.has_chart)


def text_on(slide) -> str:
    return " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def test_the_deck_has_the_presentations_slides_in_order(closed):
    titles = [s.shapes.title.text for s in deck_of(closed, lang="en").slides]
    expected = ["Samverkan", "Answer now", "All chosen rounds", "By profession",
                "By district", "Dimensions", "Agreement", "Trend", "Talking points"]
    assert len(titles) == len(expected)
    assert all(t.startswith(e) for t, e in zip(titles, expected, strict=True))


def test_spider_of_the_rounds_is_a_native_radar_with_the_apis_means(client, closed):
    api = api_results(client, closed.slug, by="round")
    chart = chart_on(slide_titled(deck_of(closed, lang="sv"), "Alla valda mätningar"))
    assert chart.chart_type == XL_CHART_TYPE.RADAR_MARKERS
    plot = chart.plots[0]
    assert list(plot.categories) == [i["label"] for i in api["instrument"]["items"]]
    assert [s.name for s in plot.series] == [g["label"] for g in api["groups"]]
    for series, group in zip(plot.series, api["groups"], strict=True):
        assert list(series.values) == [group["items"][i["key"]]["mean"]
                                       for i in api["instrument"]["items"]]


def test_by_profession_shows_only_groups_the_api_shows(client, closed):
    api = api_results(client, closed.slug, by="role", round=2)
    shown = [g for g in api["groups"] if not g["suppressed"]]
    # Open preschool is small, and maternity clinics are hidden with it (complementary).
    assert [g["key"] for g in shown if g["responses"]] == ["bvc", "social_services"]
    slide = slide_titled(deck_of(closed, round_number=2, lang="sv"), "Per yrkesgrupp")
    chart = chart_on(slide)
    assert chart.chart_type == XL_CHART_TYPE.RADAR_MARKERS
    assert [s.name for s in chart.plots[0].series] == [g["label"] for g in shown]
    for series, group in zip(chart.plots[0].series, shown, strict=True):
        assert list(series.values) == [group["items"][i["key"]]["mean"]
                                       for i in api["instrument"]["items"]]
    notes = slide.notes_slide.notes_text_frame.text
    assert SMALL_GROUP["label"] in notes and "skydda anonymiteten" in notes


def test_while_a_round_is_open_its_professions_wait(logged_in):
    deck = deck_of(logged_in, round_number=2, lang="en")
    slide = slide_titled(deck, "By profession")
    assert not any(shape.has_chart for shape in slide.shapes)
    assert "shown when the round has closed" in text_on(slide)


def test_one_profession_round_by_round_and_no_breakdown_slides(client, closed):
    api = api_results(client, closed.slug, by="round", role="bvc")
    deck = deck_of(closed, lang="en", profession="bvc")
    titles = [s.shapes.title.text for s in deck.slides]
    assert not any(t.startswith(("By profession", "By district")) for t in titles)
    assert "Only: Child health centre (BVC)" in text_on(deck.slides[0])
    chart = chart_on(slide_titled(deck, "All chosen rounds"))
    for series, group in zip(chart.plots[0].series, api["groups"], strict=True):
        assert series.name == group["label"]
        assert list(series.values) == [group["items"][i["key"]]["mean"]
                                       for i in api["instrument"]["items"]]
    with pytest.raises(SelectionError):
        build_deck(closed, profession="bvc", district="north")
    with pytest.raises(SelectionError):
        build_deck(closed, round_number=9)


def test_dimensions_trend_and_agreement_are_native_line_charts(client, closed):
    deck = deck_of(closed, round_number=2, lang="en")
    by_round = api_results(client, closed.slug, by="round", lang="en")
    dimensions = chart_on(slide_titled(deck, "Dimensions"))
    assert dimensions.chart_type == XL_CHART_TYPE.LINE_MARKERS
    first = by_round["instrument"]["dimensions"][0]
    assert list(dimensions.plots[0].series[0].values) == [
        g["dimensions"][first["key"]] for g in by_round["groups"]]

    trend = chart_on(slide_titled(deck, "Trend"))
    assert trend.chart_type == XL_CHART_TYPE.LINE_MARKERS
    assert len(trend.plots[0].series) == len(by_round["instrument"]["items"])

    agreement = chart_on(slide_titled(deck, "Agreement"))
    everyone = api_results(client, closed.slug, by="none", round=2)["groups"][0]
    assert [s.name for s in agreement.plots[0].series] == [
        "Lower quartile", "Median", "Upper quartile", "Mean"]
    for series, stat in zip(agreement.plots[0].series, ("q1", "median", "q3", "mean"),
                            strict=True):
        assert list(series.values) == [everyone["items"][i["key"]][stat]
                                       for i in by_round["instrument"]["items"]]


def test_quartiles_only_where_n_is_at_least_2k(client, closed):
    # Round 1 has 13 answers (n ≥ 10 for most items); per profession 6 and 7 (< 10).
    deck = deck_of(closed, round_number=1, lang="en", profession="bvc")
    agreement = chart_on(slide_titled(deck, "Agreement"))
    lower, median, upper, mean = agreement.plots[0].series
    assert set(lower.values) == set(median.values) == set(upper.values) == {None}
    assert None not in mean.values


def test_talking_points_and_speaker_notes_with_counts(client, closed):
    deck = deck_of(closed, round_number=2, lang="sv")
    text = " ".join(shape.text_frame.text for shape in slide_titled(deck, "Samtal").shapes
                    if shape.has_text_frame)
    assert all(point.text in text for point in POINTS)
    api = api_results(client, closed.slug, by="round")
    notes = slide_titled(deck, "Alla valda mätningar").notes_slide.notes_text_frame.text
    for group in api["groups"]:
        assert f"{group['label']}: {group['responses']} svar" in notes
    assert "färre än 5 svar" in notes


def test_the_deck_carries_the_computed_talking_points(app, closed):
    from spindel.services.talking_points import talking_points

    expected = talking_points(closed, 2, lang="en")
    assert expected  # the fixture's round 2 has something to say
    deck = Presentation(io.BytesIO(build_deck(closed, round_number=2, lang="en")))
    text = " ".join(shape.text_frame.text for shape in slide_titled(deck, "Talking").shapes
                    if shape.has_text_frame)
    assert all(point.text in text for point in expected)


def test_swedish_and_english_decks(logged_in):
    assert slide_titled(deck_of(logged_in, lang="sv"), "Alla valda mätningar")
    assert slide_titled(deck_of(logged_in, lang="en"), "All chosen rounds")


def chart_data_in(pptx_bytes: bytes) -> str:
    """The XML of the deck's charts and of the workbooks embedded in them: every series
    name and number a chart holds."""
    texts = []
    with zipfile.ZipFile(io.BytesIO(pptx_bytes)) as deck:
        for name in deck.namelist():
            data = deck.read(name)
            if name.endswith(".xlsx"):
                texts.append(chart_data_in(data))
            elif name.startswith(("ppt/charts/", "xl/")) and name.endswith(".xml"):
                texts.append(data.decode())
    return "\n".join(texts)


def test_a_hidden_group_has_no_series_in_any_chart_only_a_note(closed):
    for lang in ("sv", "en"):
        data = build_deck(closed, round_number=2, lang=lang, talking_points=POINTS)
        charts = chart_data_in(data)
        assert "Mätning 2" in charts  # the shown groups are there
        assert any(name in charts for name in ("Socialtjänst", "Social services"))
        assert SMALL_GROUP["label"] not in charts and "Open preschool" not in charts
        assert SMALL_GROUP["district_label"] not in charts
        deck = Presentation(io.BytesIO(data))
        notes = slide_titled(deck, ("Per yrkesgrupp", "By profession")[lang == "en"]
                             ).notes_slide.notes_text_frame.text
        assert ("Öppen förskola", "Open preschool")[lang == "en"] in notes


@pytest.mark.slow
def test_libreoffice_opens_the_deck_and_makes_a_pdf(logged_in, tmp_path):
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: `make libreoffice` installs it")
    deck = tmp_path / "seminar.pptx"
    deck.write_bytes(build_deck(logged_in, lang="sv", talking_points=POINTS))
    subprocess.run([soffice, "--headless", "--norestore",
                    f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck)],
                   check=True, timeout=180, capture_output=True)
    pdf = (tmp_path / "seminar.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)
    assert len(pages) == len(Presentation(deck).slides) == 9


def test_a_project_without_answers_still_gets_a_deck(make_project):
    project = make_project(rounds=2)
    deck = Presentation(io.BytesIO(build_deck(project, lang="en", talking_points=[])))
    text = " ".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes
                    if shape.has_text_frame)
    assert "Fewer than 5 responses so far: Mätning 1, Mätning 2." in text
    assert not any(shape.has_chart for slide in deck.slides for shape in slide.shapes)
