"""The seminar deck read back with python-pptx: native radar, line and bar charts holding
the API's published cells (rounds side by side, one group at most, breakdowns once a round
has closed), agreement as bars of quartiles (means where quartiles are not published), each
open round's own QR code, talking points over as many slides as keep them on the slide,
speaker notes with counts and what is hidden, and no series or number of a hidden group."""

from __future__ import annotations

import io
import re
import textwrap
import zipfile
from collections import namedtuple

import pytest
from flask_babel import force_locale
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import RoundState
from spindel.services.charts import agreement_series
from spindel.services.exports.deck import (
    CHAR_WIDTH,
    LINE_HEIGHT,
    PARAGRAPH_GAP,
    TEXT_INSET,
    TEXT_INSET_TOP,
    build_deck,
    text_lines,
)
from spindel.services.links import qr_png, respondent_url, short_url
from spindel.services.selection import SelectionError
from tests.conftest import SMALL_GROUP, api_results

TalkingPoint = namedtuple("TalkingPoint", "kind text")
POINTS = [TalkingPoint("lowest", "Rutiner har lägst medelvärde (4,1)."),
          TalkingPoint("change", "Roller ökade mest sedan förra mätningen (+1,2).")]


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
    # Closed rounds take no answers: no "answer now" slide.
    expected = ["Samverkan", "All chosen rounds", "By profession", "By district",
                "Dimensions", "Agreement", "Over time", "Talking points", "About the instrument"]
    assert len(titles) == len(expected)
    assert all(t.startswith(e) for t, e in zip(titles, expected, strict=True))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_deck_says_the_instrument_is_a_reconstruction(closed, lang):
    """Issue 13: the first slide's notes carry the instrument's notice, and the last slide
    says what the instrument is and cites its sources, in the deck's language."""
    instrument = instruments.for_project(closed)
    assert instrument.references  # 2026.2 cites its sources
    deck = deck_of(closed, lang=lang)
    notes = deck.slides[0].notes_slide.notes_text_frame.text
    assert instrument.notice.get(lang) in notes
    assert f"version {instrument.version}" in notes
    about = deck.slides[-1]
    assert about.shapes.title.text == {"sv": "Om instrumentet",
                                       "en": "About the instrument"}[lang]
    text = text_on(about)
    assert instrument.notice.get(lang) in text
    assert {"sv": "Källor", "en": "Sources"}[lang] in text
    for reference in instrument.references:
        assert reference.get(lang) in text
    # On one slide, and no line runs off it (measured with a real font).
    assert sum(s.shapes.title.text.startswith(about.shapes.title.text)
               for s in deck.slides) == 1
    (box,) = [s for s in about.shapes if s.has_text_frame and s != about.shapes.title]
    paragraphs = [p.text for p in box.text_frame.paragraphs]
    assert measured_height(paragraphs, box.text_frame.paragraphs[0].font.size.pt,
                           box.width) <= box.height
    assert box.top + box.height <= deck.slide_height


def test_spider_of_the_rounds_is_a_native_radar_with_the_apis_means(client, closed):
    api = api_results(client, closed.slug, by="round")
    chart = chart_on(slide_titled(deck_of(closed, lang="sv"), "Alla valda mätningar"))
    assert chart.chart_type == XL_CHART_TYPE.RADAR_MARKERS
    plot = chart.plots[0]
    assert list(plot.categories) == [i["label"] for i in api["instrument"]["items"]]
    # The legend says how many answers each round rests on.
    assert [s.name for s in plot.series] == [f"{g['label']} ({g['responses']} svar)"
                                             for g in api["groups"]]
    for series, group in zip(plot.series, api["groups"], strict=True):
        assert list(series.values) == [group["items"][i["key"]]["mean"]
                                       for i in api["instrument"]["items"]]


def test_an_open_round_is_marked_incomplete_in_legends_and_axes(client, logged_in):
    api = api_results(client, logged_in.slug, by="round", lang="en")
    deck = deck_of(logged_in, lang="en")
    expected = [f"{g['label']} (open, {g['responses']} answers)" for g in api["groups"]]
    spider = chart_on(slide_titled(deck, "All chosen rounds"))
    assert [s.name for s in spider.plots[0].series] == expected
    assert list(chart_on(slide_titled(deck, "Over time")).plots[0].categories) == expected
    assert list(chart_on(slide_titled(deck, "Dimensions")).plots[0].categories) == expected
    assert "Mätning 2 (open, 23 answers). Widest spread first." in text_on(
        slide_titled(deck, "Agreement"))


def test_by_profession_shows_only_groups_the_api_shows(client, closed):
    api = api_results(client, closed.slug, by="role", round=2)
    shown = [g for g in api["groups"] if not g["suppressed"]]
    # Open preschool is small, and maternity clinics are hidden with it (complementary).
    assert [g["key"] for g in shown if g["responses"]] == ["bvc", "social_services"]
    slide = slide_titled(deck_of(closed, round_number=2, lang="sv"), "Per yrkesgrupp")
    chart = chart_on(slide)
    assert chart.chart_type == XL_CHART_TYPE.RADAR_MARKERS
    assert [s.name for s in chart.plots[0].series] == [
        f"{g['label']} ({g['responses']} svar)" for g in shown]
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
        assert series.name == f"{group['label']} ({group['responses']} answers)"
        assert list(series.values) == [group["items"][i["key"]]["mean"]
                                       for i in api["instrument"]["items"]]
    with pytest.raises(SelectionError):
        build_deck(closed, profession="bvc", district="north")
    with pytest.raises(SelectionError):
        build_deck(closed, round_number=9)


def test_dimensions_and_trend_are_native_line_charts_told_apart_without_colour(client,
                                                                               closed):
    deck = deck_of(closed, round_number=2, lang="en")
    by_round = api_results(client, closed.slug, by="round", lang="en")
    dimensions = chart_on(slide_titled(deck, "Dimensions"))
    assert dimensions.chart_type == XL_CHART_TYPE.LINE_MARKERS
    first = by_round["instrument"]["dimensions"][0]
    assert list(dimensions.plots[0].series[0].values) == [
        g["dimensions"][first["key"]] for g in by_round["groups"]]

    trend = chart_on(slide_titled(deck, "Over time"))
    assert trend.chart_type == XL_CHART_TYPE.LINE_MARKERS
    series = trend.plots[0].series
    assert len(series) == len(by_round["instrument"]["items"]) == 9
    # Nine items, nine colours; and in grey print each differs in dash or marker.
    assert len({str(s.format.line.color.rgb) for s in series}) == 9
    assert len({(s.format.line.dash_style, s.marker.style) for s in series}) == 9


def agreement_order(stats: dict, items: list[dict]) -> list[dict]:
    """The items with a number, widest spread (sd) first, ties in the instrument's order."""
    rated = [i for i in items if (stats[i["key"]]["n"] or 0) > 0]
    return sorted(rated, key=lambda i: (stats[i["key"]]["sd"] is None,
                                        -(stats[i["key"]]["sd"] or 0)))


def test_agreement_is_a_bar_chart_of_quartiles_widest_spread_first(client, closed):
    deck = deck_of(closed, round_number=2, lang="en")
    slide = slide_titled(deck, "Agreement")
    agreement = chart_on(slide)
    # Bars per item, never a line joining unrelated items.
    assert agreement.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    everyone = api_results(client, closed.slug, by="none", round=2, lang="en")
    stats = everyone["groups"][0]["items"]
    items = agreement_order(stats, everyone["instrument"]["items"])
    assert [s["sd"] for s in (stats[i["key"]] for i in items)] == sorted(
        (stats[i["key"]]["sd"] for i in items), reverse=True)
    plot = agreement.plots[0]
    assert list(plot.categories) == [i["label"] for i in items]
    assert [s.name for s in plot.series] == ["Lower quartile", "Median", "Upper quartile"]
    for series, stat in zip(plot.series, ("q1", "median", "q3"), strict=True):
        assert list(series.values) == [stats[i["key"]][stat] for i in items]
    assert agreement.category_axis.reverse_order  # the widest spread on top
    assert "23 answers" in text_on(slide)
    assert "Sorted by standard deviation" in slide.notes_slide.notes_text_frame.text


def test_quartiles_only_where_n_is_at_least_2k_else_means(client, closed):
    # Round 1 has 13 answers (n ≥ 10 for most items); per profession 6 and 7 (< 10).
    deck = deck_of(closed, round_number=1, lang="en", profession="bvc")
    agreement = chart_on(slide_titled(deck, "Agreement"))
    assert agreement.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    (mean,) = agreement.plots[0].series
    assert mean.name == "Mean"
    bvc = api_results(client, closed.slug, by="none", round=1, role="bvc")["groups"][0]
    items = agreement_order(bvc["items"], api_results(client, closed.slug)["instrument"][
        "items"])
    assert list(mean.values) == [bvc["items"][i["key"]]["mean"] for i in items]


def test_an_item_with_too_few_answers_for_quartiles_gets_its_mean(app):
    items = [{"key": "a", "label": "A"}, {"key": "b", "label": "B"},
             {"key": "c", "label": "C"}]
    stats = {"a": {"n": 12, "mean": 5.5, "median": 5.0, "sd": 1.0, "q1": 4.0, "q3": 7.0},
             "b": {"n": 8, "mean": 6.5, "median": None, "sd": 2.0, "q1": None, "q3": None},
             "c": {"n": 0, "mean": None, "median": None, "sd": None, "q1": None, "q3": None}}
    with force_locale("en"):
        labels, series = agreement_series(stats, items, 5)
    assert labels == ["B", "A"]  # widest spread first; an item nobody rated is left out
    assert series == [("Lower quartile", [None, 4.0]), ("Median", [None, 5.0]),
                      ("Upper quartile", [None, 7.0]),
                      ("Mean (fewer than 10 answers)", [6.5, None])]


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


# --- answer now -----------------------------------------------------------------------------


def qr_image(slide) -> bytes:
    (picture,) = [shape for shape in slide.shapes if shape.shape_type == 13]  # PICTURE
    return picture.image.blob


def answer_slides(deck) -> dict[str, bytes]:
    return {s.shapes.title.text: qr_image(s) for s in deck.slides
            if s.shapes.title.text.startswith("Answer now")}


def test_each_open_round_has_its_own_qr_code(logged_in):
    """Both rounds of the fixture are open: the deck for round 2 carries round 2's code."""
    first, second = logged_in.rounds
    codes = {r.label: qr_png(respondent_url(r)) for r in logged_in.rounds}
    assert codes[first.label] != codes[second.label]
    for options in ({"round_number": 2}, {"rounds": [2]}, {"rounds": [1, 2],
                                                           "round_number": 2}):
        deck = deck_of(logged_in, lang="en", **options)
        assert answer_slides(deck) == {"Answer now: Mätning 2": codes["Mätning 2"]}, options
        # And its short address to type, not another round's.
        slide = slide_titled(deck, "Answer now")
        assert short_url(second).split("://")[1] in text_on(slide)
        assert short_url(first).split("://")[1] not in text_on(slide)
        assert respondent_url(second) in slide.notes_slide.notes_text_frame.text
    assert answer_slides(deck_of(logged_in, lang="en", round_number=1)) == {
        "Answer now: Mätning 1": codes["Mätning 1"]}
    # No round asked for: every open round its own slide, each with its own code.
    assert answer_slides(deck_of(logged_in, lang="en")) == {
        f"Answer now: {label}": code for label, code in codes.items()}


def test_a_closed_round_has_no_answer_slide(logged_in):
    first, second = logged_in.rounds
    first.state = RoundState.CLOSED
    db.session.commit()
    assert answer_slides(deck_of(logged_in, lang="en")) == {
        "Answer now: Mätning 2": qr_png(respondent_url(second))}
    # Round 1 asked for, round 2 open: the room can still answer round 2.
    assert list(answer_slides(deck_of(logged_in, lang="en", round_number=1))) == [
        "Answer now: Mätning 2"]
    second.state = RoundState.CLOSED
    db.session.commit()
    assert answer_slides(deck_of(logged_in, lang="en")) == {}


def test_the_qr_code_fills_more_than_40_percent_of_the_slide_height(logged_in):
    deck = deck_of(logged_in, lang="en", round_number=2)
    slide = slide_titled(deck, "Answer now")
    (picture,) = [shape for shape in slide.shapes if shape.shape_type == 13]
    assert picture.height / deck.slide_height >= 0.4
    assert picture.top + picture.height <= deck.slide_height
    # The short address in large type, on one line beside the code.
    (box,) = [shape for shape in slide.shapes if shape.has_text_frame
              and shape != slide.shapes.title]
    assert box.left >= picture.left + picture.width
    address = box.text_frame.paragraphs[1]
    assert address.text == short_url(logged_in.rounds[1]).split("://")[1]
    assert address.font.size.pt >= 28 and address.font.bold
    assert len(text_lines(address.text, address.font.size.pt, int(box.width * 0.9))) == 1


# --- talking points on as many slides as they need ------------------------------------------


LONG_POINTS = [TalkingPoint("spread", f"{n}. Svaren spretar mest för Ledningens stöd: "
                            "standardavvikelse 2,5, mittersta hälften från 4,0 till 8,0 "
                            "(23 svar), och det är värt att fråga varför." + " Mer." * (n % 4))
               for n in range(1, 15)]


def point_slides(deck) -> list:
    return [s for s in deck.slides if s.shapes.title.text.startswith("Talking points")]


def test_talking_points_are_split_so_no_line_runs_off_the_slide(closed):
    deck = deck_of(closed, round_number=2, lang="en", talking_points=LONG_POINTS)
    slides = point_slides(deck)
    assert len(slides) > 1
    assert [s.shapes.title.text for s in slides] == [
        f"Talking points: Mätning 2 ({n}/{len(slides)})" for n in range(1, len(slides) + 1)]
    shown = []
    for slide in slides:
        (box,) = [s for s in slide.shapes if s.has_text_frame and s != slide.shapes.title]
        paragraphs = [p.text for p in box.text_frame.paragraphs]
        shown += paragraphs
        size = box.text_frame.paragraphs[0].font.size.pt
        # The estimate's own count of lines fits the box, and the box fits the slide.
        chars = int((box.width - 2 * TEXT_INSET) / 12700 / (CHAR_WIDTH * size))
        lines = sum(len(textwrap.wrap(p, chars)) for p in paragraphs)
        used = (2 * TEXT_INSET_TOP + lines * size * LINE_HEIGHT * 12700
                + len(paragraphs) * PARAGRAPH_GAP)
        assert used <= box.height, (slide.shapes.title.text, lines)
        assert box.top + box.height <= deck.slide_height
        # And measured with a real font as wide as any a viewer substitutes.
        assert measured_height(paragraphs, size, box.width) <= box.height
    assert shown == [p.text for p in LONG_POINTS]  # all of them, in order, each whole


def measured_height(paragraphs: list[str], size: float, width: int) -> float:
    """The height (EMU) the paragraphs take in DejaVu Sans, wrapped word by word at the
    box's inner width, with the font's own line height."""
    from PIL import ImageFont

    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 100)
    except OSError:
        pytest.skip("DejaVu Sans is not installed: the real-font measure needs it")
    room = (width - 2 * TEXT_INSET) / 12700 * 100 / size  # in the font's units at 100 pt
    ascent, descent = font.getmetrics()
    lines = 0
    for paragraph in paragraphs:
        line = ""
        for word in paragraph.split():
            if line and font.getlength(f"{line} {word}") > room:
                lines += 1
                line = word
            else:
                line = f"{line} {word}".strip()
        lines += 1
    return (2 * TEXT_INSET_TOP + lines * (ascent + descent) / 100 * size * 12700
            + len(paragraphs) * PARAGRAPH_GAP)


def test_a_few_talking_points_take_one_slide(closed):
    slides = point_slides(deck_of(closed, round_number=2, lang="en"))
    assert [s.shapes.title.text for s in slides] == ["Talking points: Mätning 2"]


@pytest.mark.slow
def test_libreoffice_opens_the_deck_and_makes_a_pdf(logged_in, tmp_path):
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: `make libreoffice` installs it")
    deck = tmp_path / "seminar.pptx"
    deck.write_bytes(build_deck(logged_in, lang="sv", talking_points=LONG_POINTS))
    subprocess.run([soffice, "--headless", "--norestore",
                    f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck)],
                   check=True, timeout=180, capture_output=True)
    pdf = (tmp_path / "seminar.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)
    slides = Presentation(deck).slides
    points = [s for s in slides if s.shapes.title.text.startswith("Samtal")]
    # Title, two answer-now slides (both rounds open), six charts, the points on several,
    # and what the instrument is.
    assert len(points) > 1
    assert len(pages) == len(slides) == 10 + len(points)


def test_a_project_without_answers_still_gets_a_deck(make_project):
    project = make_project(rounds=2)
    deck = Presentation(io.BytesIO(build_deck(project, lang="en", talking_points=[])))
    text = " ".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes
                    if shape.has_text_frame)
    assert "Fewer than 5 responses so far: Mätning 1, Mätning 2." in text
    assert not any(shape.has_chart for slide in deck.slides for shape in slide.shapes)
