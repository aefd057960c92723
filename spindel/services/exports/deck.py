"""The seminar as a PowerPoint deck with native, editable charts.

The slides follow the presentation: title; answer now (each open round its own QR code);
spider of the chosen rounds; by profession; by district; dimensions; agreement; trend;
talking points (over as many slides as they need). Every chart is a PowerPoint radar, line
or bar chart holding its data, so a supporter can restyle it or copy the numbers. The
numbers are published cells from results_payload — each round on its own, of the whole
round or of one profession or one district — so a hidden group has no series and nothing
pools rounds. Speaker notes carry the response counts and what is left out and why.
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
from collections.abc import Callable, Sequence
from contextlib import contextmanager

from flask_babel import force_locale
from flask_babel import gettext as _
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.util import Emu, Inches, Pt

from ... import instrument as instruments
from ...dates import local_today
from ...models import Project, Round, RoundStatus
from .. import agreements, charts, votes
from ..charts import chosen_group
from ..links import qr_png, respondent_url, short_url
from ..presentation import response_count
from ..results import results_payload
from ..selection import EVERYTHING, Scope, Selection, SelectionError
from ..spreadsheet_cells import inert
from ..talking_points import talking_points as talking_points_of

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9, as the projector
# Series told apart by colour (the charts' palette) and by dash and marker without colour
# (print, colour blindness).
PALETTE = [colour.lstrip("#") for colour in charts.PALETTE]
DASHES = [MSO_LINE_DASH_STYLE.SOLID, MSO_LINE_DASH_STYLE.DASH, MSO_LINE_DASH_STYLE.ROUND_DOT,
          MSO_LINE_DASH_STYLE.DASH_DOT, MSO_LINE_DASH_STYLE.LONG_DASH,
          MSO_LINE_DASH_STYLE.LONG_DASH_DOT, MSO_LINE_DASH_STYLE.SOLID,
          MSO_LINE_DASH_STYLE.DASH, MSO_LINE_DASH_STYLE.ROUND_DOT]
MARKERS = [XL_MARKER_STYLE.CIRCLE, XL_MARKER_STYLE.SQUARE, XL_MARKER_STYLE.DIAMOND,
           XL_MARKER_STYLE.TRIANGLE, XL_MARKER_STYLE.X, XL_MARKER_STYLE.STAR,
           XL_MARKER_STYLE.PLUS, XL_MARKER_STYLE.CIRCLE, XL_MARKER_STYLE.SQUARE]
# The agreement chart's bars: light to dark from the lower quartile to the upper, and the
# mean (items with too few answers for quartiles) apart in orange.
QUARTILE_COLOURS = ["9ECAE1", "4292C6", "08519C"]
MEAN_COLOUR = "E69F00"

# Text on a slide is laid out by the estimate below, so that it never runs off the slide:
# a character is taken as 0.55 of the font size wide (DejaVu Sans, the widest common
# substitute for the theme's Calibri, averages 0.49 on Swedish prose) and a line as 1.25
# of it high (Calibri 1.22, DejaVu Sans 1.17).
CHAR_WIDTH = 0.55
LINE_HEIGHT = 1.25
PARAGRAPH_GAP = Pt(10)
POINT_SIZE = 20  # the talking points' font size
ABOUT_SIZE = 14  # the instrument's notice and sources: long, read close up
TEXT_LEFT, TEXT_TOP = Inches(0.7), Inches(1.5)
TEXT_INSET = Inches(0.1)  # a text box's inner margin left and right (PowerPoint's default)
TEXT_INSET_TOP = Inches(0.05)  # and top and bottom


def export_round(project: Project, number: int | None = None,
                 rounds: Sequence[int] | None = None) -> int | None:
    """The round of the per-round slides: the one asked for, else the latest of the chosen
    rounds (none = every round) that publishes figures. Raises SelectionError for a round the
    project lacks."""
    if number is not None:
        if project.round(number) is None:
            raise SelectionError(_("Unknown round %(round)s.", round=number))
        return number
    payload = results_payload(project, Selection("round", tuple(rounds or ())))
    published = [g["key"] for g in payload["groups"] if not g["suppressed"]]
    if published:
        return published[-1]
    return payload["rounds"][-1]["number"] if payload["rounds"] else None


def answer_rounds(project: Project, round_number: int | None = None,
                  rounds: Sequence[int] | None = None) -> list[Round]:
    """The rounds whose "answer now" slide the deck carries, each with its own QR code: the
    round asked for, if it is open; else every open round among the chosen ones (none =
    every round). A closed or unopened round gets none: nobody can answer it."""
    open_ = [r for r in project.rounds if r.status() == RoundStatus.OPEN]
    asked = [r for r in open_ if r.number == round_number]
    if asked:
        return asked
    return [r for r in open_ if not rounds or r.number in rounds]


def _visible(payload: dict) -> list[dict]:
    return [g for g in payload["groups"] if not g["suppressed"]]


def text_lines(text: str, size: int, width: int) -> list[str]:
    """A paragraph as the lines it takes in a text box `width` EMU wide (inner margins
    included) at `size` points, by the estimate of CHAR_WIDTH."""
    room = Emu(width - 2 * TEXT_INSET).pt
    return textwrap.wrap(text, max(1, math.floor(room / (CHAR_WIDTH * size)))) or [""]


def text_height(paragraphs: Sequence[str], size: int, width: int) -> int:
    """The height in EMU that paragraphs take in a text box (inner margins included)."""
    lines = sum(len(text_lines(p, size, width)) for p in paragraphs)
    return int(2 * TEXT_INSET_TOP + Pt(size * LINE_HEIGHT) * lines
               + PARAGRAPH_GAP * len(paragraphs))


def pages(paragraphs: Sequence[str], size: int, width: int, height: int) -> list[list[str]]:
    """Paragraphs split into pages that each fit a text box of width × height EMU, in
    order; a paragraph is never split (one too long for any page gets a page of its own)."""
    out: list[list[str]] = [[]]
    for paragraph in paragraphs:
        if out[-1] and text_height([*out[-1], paragraph], size, width) > height:
            out.append([])
        out[-1].append(paragraph)
    return out if out[0] else []


class Deck:
    """A small builder: one method per kind of slide."""

    def __init__(self, lang: str):
        self.lang = lang
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT

    def slide(self, title: str, notes: Sequence[str] = ()):
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[5])  # title only
        shape = slide.shapes.title
        shape.left, shape.top, shape.width, shape.height = (Inches(0.5), Inches(0.3),
                                                            WIDTH - Inches(1), Inches(1))
        shape.text = title
        shape.text_frame.paragraphs[0].font.size = Pt(36)
        if notes:
            slide.notes_slide.notes_text_frame.text = "\n".join(notes)
        return slide

    def text(self, slide, lines: Sequence[str], *, left=TEXT_LEFT, top=TEXT_TOP,
             width=None, height=None, size: int = 24):
        box = slide.shapes.add_textbox(left, top, width or WIDTH - left - Inches(0.5),
                                       height or HEIGHT - top - Inches(0.5))
        frame = box.text_frame
        frame.word_wrap = True
        for i, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.text = line
            paragraph.font.size = Pt(size)
            paragraph.space_after = PARAGRAPH_GAP
        return box

    def chart(self, slide, kind, categories: Sequence[str],
              series: Sequence[tuple[str, Sequence[float | None]]], *,
              value_range: tuple[float, float] | None = None, why: str = "",
              colours: Sequence[str] = PALETTE, top=Inches(1.4)):
        """A native chart; with nothing visible a sentence instead: why (what the payload
        leaves out, charts.hidden_note) or that no group has enough responses. Lines (and
        a radar's) differ in colour, dash and marker; bars in colour."""
        if not categories or not series:
            self.text(slide, [why or _("No group has enough responses to be shown.")])
            return None
        data = _ChartData(number_format="0.0")
        data.categories = list(categories)
        for name, values in series:
            data.add_series(name, list(values))
        frame = slide.shapes.add_chart(kind, Inches(0.5), top, WIDTH - Inches(1),
                                       HEIGHT - top - Inches(0.3), data)
        chart = frame.chart
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.RIGHT
        chart.legend.include_in_layout = False
        chart.font.size = Pt(16)
        if value_range:
            chart.value_axis.minimum_scale, chart.value_axis.maximum_scale = value_range
            chart.value_axis.major_unit = 1
        bars = kind in (XL_CHART_TYPE.BAR_CLUSTERED, XL_CHART_TYPE.COLUMN_CLUSTERED)
        for i, plotted in enumerate(chart.plots[0].series):
            colour = _rgb(colours[i % len(colours)])
            if bars:
                plotted.format.fill.solid()
                plotted.format.fill.fore_color.rgb = colour
                continue
            plotted.format.line.color.rgb = colour
            plotted.format.line.width = Pt(2.5)
            plotted.format.line.dash_style = DASHES[i % len(DASHES)]
            plotted.marker.style = MARKERS[i % len(MARKERS)]
            plotted.marker.size = 9
            plotted.marker.format.fill.solid()
            plotted.marker.format.fill.fore_color.rgb = colour
            plotted.marker.format.line.color.rgb = colour
            plotted.smooth = False
        return chart

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.prs.save(out)
        return out.getvalue()


class _InertWorkbookWriter(CategoryWorkbookWriter):
    """Writes a chart's embedded workbook (what "Edit data" opens) with every text through
    the spreadsheet rule and as text: python-pptx's xlsxwriter would store a name starting
    with "=" as a formula and one like "https://…" as a link. The slide shows the names as
    typed; only the workbook has the quote."""

    @contextmanager
    def _open_worksheet(self, xlsx_file):
        with super()._open_worksheet(xlsx_file) as (workbook, worksheet):
            worksheet.add_write_handler(str, _write_text)
            yield workbook, worksheet


def _write_text(worksheet, row: int, col: int, text: str, *format_):
    return worksheet.write_string(row, col, inert(text), *format_)


class _ChartData(CategoryChartData):
    @property
    def _workbook_writer(self):
        return _InertWorkbookWriter(self)


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour)


def build_deck(project: Project, *, lang: str = "sv", round_number: int | None = None,
               rounds: Sequence[int] | None = None, profession: str | None = None,
               district: str | None = None,
               talking_points: Sequence | Callable | None = None,
               scope: Scope = EVERYTHING) -> bytes:
    """The seminar deck as .pptx bytes.

    rounds are shown side by side (none = every round), of the whole rounds or of one
    profession or one district — never a union or a profession within a district.
    round_number is the round of the profession, district, agreement and talking-point
    slides (default: the latest chosen round with figures); the profession and district
    slides are left out with a filter, and for a reader whose scope does not show a
    round's groups side by side. The "answer now" slides: see answer_rounds.
    talking_points is a list of TalkingPoint (kind, text) or a function called like
    services.talking_points.talking_points; by default that function, for the scope.
    Raises SelectionError for anything Spindel does not publish or the scope does not show.
    """
    scope.check(Selection("round", tuple(rounds or ()), profession, district))  # refuse early
    with force_locale(lang):
        number = export_round(project, round_number, rounds)
        return _build(project, lang, number, answer_rounds(project, round_number, rounds),
                      tuple(rounds or ()), profession, district, talking_points, scope)


def _build(project, lang, number, answering, rounds, profession, district,
           talking_points, scope=EVERYTHING) -> bytes:
    one_group = {"profession": profession, "district": district}
    group_name = chosen_group(project, profession, district, lang)
    published = charts.Published(project, lang, scope)  # each selection's figures once
    by_round = published.payload(Selection("round", tuple(rounds or ()), **one_group))
    round_ = project.round(number) if number is not None else None
    round_label = round_.label if round_ else ""
    k = by_round["min_group_size"]
    deck = Deck(lang)

    # Title; its notes say that the instrument is a reconstruction, for whoever presents.
    instrument = instruments.for_project(project)
    slide = deck.slide(project.name, instrument_about(instrument, lang)[:2])
    deck.text(slide, [
        _("Results from Spindeln"),
        _("Rounds: %(rounds)s", rounds=", ".join(r["label"] for r in by_round["rounds"])),
        _("Only: %(group)s", group=group_name) if group_name else _("All responses"),
        local_today().isoformat(),
    ], size=26)

    # Last time's agreements and how their questions moved since (services/agreements.py;
    # not the agreement chart below, which is how much respondents agree)
    if number is not None:
        _agreed_last_slides(deck, agreements.previous(project, number, lang, **one_group),
                            group_name, lang)

    # Answer now: each open round its own slide and QR code. The count of answers may move
    # one by one (disclosure.md §4): it is no rating.
    for answer_round in answering:
        _answer_slide(deck, answer_round)

    # The charts, as the presentation shows them (services/charts.CHARTS): those across
    # the chosen rounds, and the chosen round's; breakdowns only for all answers.
    view = charts.ChartView(tuple(rounds or ()), profession, district)
    for kind in charts.CHARTS.values():
        if not kind.on_slides or (kind.per_round and number is None) or (
                kind.breakdown and (view.one_group or not scope.breakdowns)):
            continue
        chart = kind.build(published, view, number if kind.per_round else None)
        if not chart.plot.groups:  # e.g. no districts set up: no slide about them
            continue
        _chart_slide(deck, str(kind.slide_title) % (
            {"round": round_label} if kind.per_round else {}), chart.plot)

    # Talking points, over as many slides as they need
    points = [p.text for p in _talking_points(project, number, lang, one_group,
                                              talking_points, scope)]
    _talking_point_slides(deck, points or [_("No talking points for this round.")],
                          round_label, k)
    if round_ is not None:
        _vote_slide(deck, round_, lang)
    if round_ is not None:  # what the room agreed after this round
        _agreed_slides(deck, agreements.views(round_, lang), round_label)
    _instrument_slides(deck, instrument, lang)
    return deck.bytes()


def instrument_about(instrument: instruments.Instrument, lang: str) -> list[str]:
    """What a deck says about its instrument, as paragraphs: name and version, the notice
    (the wording and the scale are a reconstruction), then the sources it cites."""
    about = [_("%(name)s, version %(version)s.", name=instrument.name.get(lang),
               version=instrument.version), instrument.notice.get(lang)]
    if instrument.references:
        about.append(_("Sources"))
        about += [reference.get(lang) for reference in instrument.references]
    return about


def _instrument_slides(deck: Deck, instrument: instruments.Instrument, lang: str) -> None:
    """The "About the instrument" slide (more than one if the sources need the room)."""
    width = WIDTH - TEXT_LEFT - Inches(0.5)
    height = HEIGHT - TEXT_TOP - Inches(0.5)
    split = pages(instrument_about(instrument, lang), ABOUT_SIZE, width, height)
    for index, page in enumerate(split, start=1):
        title = _("About the instrument")
        if len(split) > 1:
            title += f" ({index}/{len(split)})"
        slide = deck.slide(title)
        deck.text(slide, page, width=width, height=height, size=ABOUT_SIZE)


def _answer_slide(deck: Deck, round_: Round) -> None:
    """A round's "answer now" slide: its own QR code of its link, large, and its short
    address to type (/s/<code>, which leads to the same link); the full link in the notes."""
    url = respondent_url(round_)
    count = response_count(round_)
    slide = deck.slide(_("Answer now: %(round)s", round=round_.label),
                       [url, _("Responses so far: %(n)s", n=count)])
    slide.shapes.add_picture(io.BytesIO(qr_png(url)), Inches(0.7), Inches(1.5),
                             height=Inches(5.3))
    left, width = Inches(6.3), WIDTH - Inches(6.3) - Inches(0.4)
    address = short_url(round_).split("://", 1)[-1]
    box = deck.text(slide, [_("Scan the code, or type:"), address,
                            _("Responses so far: %(n)s", n=count)],
                    left=left, top=Inches(2), width=width, size=28)
    # The address as large as fits on one line (bold is about a tenth wider).
    size = next((size for size in range(44, 24, -2)
                 if len(text_lines(address, size, int(width * 0.9))) == 1), 24)
    font = box.text_frame.paragraphs[1].font
    font.size, font.bold = Pt(size), True


CHART_TYPES = {"radar": XL_CHART_TYPE.RADAR_MARKERS, "lines": XL_CHART_TYPE.LINE_MARKERS,
               "bars": XL_CHART_TYPE.COLUMN_CLUSTERED, "spread": XL_CHART_TYPE.BAR_CLUSTERED}


def _chart_slide(deck: Deck, title: str, plot: charts.Plot) -> None:
    """A chart's slide: its numbers as an editable chart of its form, the speaker notes, or
    the sentence why there is nothing to show. A spread (the agreement chart) is bars per
    item, widest spread on top, light to dark from the lower quartile to the upper."""
    slide = deck.slide(title, plot.notes)
    if plot.form != "spread":
        deck.chart(slide, CHART_TYPES[plot.form], plot.categories, plot.series,
                   value_range=plot.value_range, why=plot.why)
        return
    if not plot.series:
        deck.text(slide, [plot.why or _("No group has enough responses to be shown.")])
        return
    quartiles = len(plot.series) > 1
    deck.text(slide, [plot.subtitle], top=Inches(1.2), height=Inches(0.6), size=18)
    chart = deck.chart(slide, CHART_TYPES["spread"], plot.categories, plot.series,
                       value_range=plot.value_range, top=Inches(1.8),
                       colours=[*QUARTILE_COLOURS, MEAN_COLOUR] if quartiles else [MEAN_COLOUR])
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.plots[0].gap_width = 60
    chart.plots[0].overlap = 0
    # The widest spread on top, and the values' axis still below the last item (it crosses
    # the reversed item axis at its end; python-pptx has no setter for this one).
    chart.category_axis.reverse_order = True
    chart._chartSpace.xpath(".//c:valAx/c:crosses")[0].set("val", "max")


def _vote_slide(deck: Deck, round_: Round, lang: str) -> None:
    """The room's vote on what to prioritise, once the presenter has locked it: one bar per
    question, most votes first (ties in the instrument's order). None while it is open or
    when there was no vote."""
    tally = votes.tally(round_, lang)
    if not tally.is_locked:
        return
    ranked = sorted(tally.items, key=lambda item: -item.votes)  # stable: ties keep the order
    added = _("added by the project")
    slide = deck.slide(_("What should we prioritise? – %(round)s", round=round_.label), [
        votes.ballots_text(tally, lang),
        _("Each person chose up to three questions. Most votes first.")])
    chart = deck.chart(slide, XL_CHART_TYPE.BAR_CLUSTERED,
                       [i.label + (f" ({added})" if i.added else "") for i in ranked],
                       [(_("Votes"), [i.votes for i in ranked])])
    chart.has_legend = False
    plot = chart.plots[0]
    plot.gap_width = 50
    plot.has_data_labels = True
    plot.data_labels.number_format, plot.data_labels.number_format_is_linked = "0", False
    axis = chart.value_axis
    axis.minimum_scale = 0
    axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = "0", False
    # Most votes on top, and the count axis still below the last bar (as the agreement's).
    chart.category_axis.reverse_order = True
    chart._chartSpace.xpath(".//c:valAx/c:crosses")[0].set("val", "max")


AGREED_SIZE = 18  # the agreements' font size: a few lines each


def _agreed_facts(view: agreements.AgreementView) -> str:
    facts = [_("Status: %(status)s", status=view.status)]
    if view.agreement.owner:
        facts.append(_("By whom: %(owner)s", owner=view.agreement.owner))
    if view.agreement.due:
        facts.append(_("By when: %(due)s", due=view.agreement.due))
    return " · ".join(facts)


def _agreed_last_slides(deck: Deck, last: agreements.LastTime | None, group: str | None,
                        lang: str) -> None:
    """"Last time we agreed…": each agreement of the latest earlier round with agreements,
    with its status and its questions' change since (agreements.change_text)."""
    if last is None:
        return
    blocks = [[f"{i}. " + view.agreement.action.replace("\n", " "), _agreed_facts(view),
               *[f"{change.label}: {change.text}" for change in view.items]]
              for i, view in enumerate(last.agreements, start=1)]
    notes = [_("Agreed after %(then)s; the change of each question from %(then)s to "
               "%(now)s", then=last.then.label, now=last.now.label)
             + (f" ({_('answers from: %(group)s', group=group)})" if group else "") + ".",
             _("A change is called clear when both rounds have at least %(n)s answers with "
               "a number to the question and the change is more than twice its standard "
               "error; a smaller one could come from chance, with other people answering.",
               n=2 * last.min_group_size),
             _("Groups with fewer than %(k)s responses are hidden.", k=last.min_group_size)]
    _block_slides(deck, _("Last time we agreed…"), notes, blocks)


def _agreed_slides(deck: Deck, views: Sequence[agreements.AgreementView],
                   round_label: str) -> None:
    """"What we agreed – <round>": the round's own agreements; none without any."""
    blocks = [[f"{i}. " + view.agreement.action.replace("\n", " "),
               *([_("Questions: %(items)s", items=", ".join(view.labels))]
                 if view.labels else []), _agreed_facts(view)]
              for i, view in enumerate(views, start=1)]
    if blocks:
        _block_slides(deck, _("What we agreed – %(round)s", round=round_label), [], blocks)


def _block_slides(deck: Deck, title: str, notes: Sequence[str],
                  blocks: Sequence[Sequence[str]]) -> None:
    """Blocks of paragraphs over as many slides as keep every line on the slide; a block
    is never split, and its first paragraph is bold."""
    width = WIDTH - TEXT_LEFT - Inches(0.5)
    height = HEIGHT - TEXT_TOP - Inches(0.5)
    split: list[list[Sequence[str]]] = [[]]
    for block in blocks:
        if split[-1] and text_height([p for b in [*split[-1], block] for p in b],
                                     AGREED_SIZE, width) > height:
            split.append([])
        split[-1].append(block)
    for index, page in enumerate(split, start=1):
        paged = title + (f" ({index}/{len(split)})" if len(split) > 1 else "")
        slide = deck.slide(paged, notes)
        box = deck.text(slide, [p for b in page for p in b], width=width, height=height,
                        size=AGREED_SIZE)
        first = 0
        for block in page:
            box.text_frame.paragraphs[first].font.bold = True
            first += len(block)


def _talking_point_slides(deck: Deck, points: Sequence[str], round_label: str,
                          k: int) -> None:
    """The talking points over as many slides as keep every line on the slide."""
    width = WIDTH - TEXT_LEFT - Inches(0.5)
    height = HEIGHT - TEXT_TOP - Inches(0.5)
    split = pages(points, POINT_SIZE, width, height)
    for index, page in enumerate(split, start=1):
        title = _("Talking points: %(round)s", round=round_label)
        if len(split) > 1:
            title += f" ({index}/{len(split)})"
        slide = deck.slide(title, [_("Groups with fewer than %(k)s responses are hidden.",
                                     k=k)])
        deck.text(slide, page, width=width, height=height, size=POINT_SIZE)


def _talking_points(project, number, lang, one_group, given, scope=EVERYTHING) -> list:
    if given is None:
        given = functools.partial(talking_points_of, scope=scope)
    if callable(given):
        if number is None:
            return []
        return list(given(project, number, lang=lang, **one_group))
    return list(given)
