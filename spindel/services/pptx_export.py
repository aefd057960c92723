"""The seminar as a PowerPoint deck with native, editable charts.

The slides follow the presentation: title; answer now (QR code); spider of the chosen rounds;
by profession; by district; dimensions; agreement; trend; talking points. Every chart is a
PowerPoint radar or line chart holding its data, so a supporter can restyle it or copy the
numbers. The numbers are published cells from results_payload — each round on its own, of
the whole round or of one profession or one district — so a hidden group has no series and
nothing pools rounds. Speaker notes carry the response counts and what is left out and why.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from contextlib import contextmanager

from flask_babel import force_locale
from flask_babel import gettext as _
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.util import Inches, Pt

from ..dates import local_today
from ..models import Project, RoundStatus
from .charts import hidden_note
from .exports import chosen_group
from .links import qr_png, respondent_url
from .presentation import response_count
from .results import results_payload
from .selection import Selection, SelectionError
from .spreadsheet_cells import inert
from .talking_points import talking_points as talking_points_of

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9, as the projector
# Okabe–Ito: told apart with the common colour-vision deficiencies.
PALETTE = ["0072B2", "E69F00", "009E73", "CC79A7", "56B4E9", "D55E00", "F0E442", "000000"]


def export_round(project: Project, number: int | None = None,
                 rounds: Sequence[int] | None = None) -> int | None:
    """The round of the per-round slides: the one asked for, else the latest of the chosen
    rounds (none = every round) that publishes figures. Raises SelectionError for a round the
    project lacks."""
    if number is not None:
        if not any(r.number == number for r in project.rounds):
            raise SelectionError(_("Unknown round %(round)s.", round=number))
        return number
    payload = results_payload(project, Selection("round", tuple(rounds or ())))
    published = [g["key"] for g in payload["groups"] if not g["suppressed"]]
    if published:
        return published[-1]
    return payload["rounds"][-1]["number"] if payload["rounds"] else None


def _visible(payload: dict) -> list[dict]:
    return [g for g in payload["groups"] if not g["suppressed"]]


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

    def text(self, slide, lines: Sequence[str], *, left=Inches(0.7), top=Inches(1.5),
             width=None, size: int = 24):
        box = slide.shapes.add_textbox(left, top, width or WIDTH - left - Inches(0.5),
                                       HEIGHT - top - Inches(0.5))
        frame = box.text_frame
        frame.word_wrap = True
        for i, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.text = line
            paragraph.font.size = Pt(size)
            paragraph.space_after = Pt(10)
        return box

    def chart(self, slide, kind, categories: Sequence[str],
              series: Sequence[tuple[str, Sequence[float | None]]], *,
              value_range: tuple[float, float] | None = None, why: str = ""):
        """A native chart; with nothing visible a sentence instead: why (what the payload
        leaves out, charts.hidden_note) or that no group has enough responses."""
        if not categories or not series:
            self.text(slide, [why or _("No group has enough responses to be shown.")])
            return None
        data = _ChartData(number_format="0.0")
        data.categories = list(categories)
        for name, values in series:
            data.add_series(name, list(values))
        frame = slide.shapes.add_chart(kind, Inches(0.5), Inches(1.4), WIDTH - Inches(1),
                                       HEIGHT - Inches(1.7), data)
        chart = frame.chart
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.RIGHT
        chart.legend.include_in_layout = False
        chart.font.size = Pt(16)
        if value_range:
            chart.value_axis.minimum_scale, chart.value_axis.maximum_scale = value_range
            chart.value_axis.major_unit = 1
        for i, plotted in enumerate(chart.plots[0].series):
            colour = PALETTE[i % len(PALETTE)]
            plotted.format.line.color.rgb = _rgb(colour)
            plotted.format.line.width = Pt(2.5)
            plotted.marker.format.fill.solid()
            plotted.marker.format.fill.fore_color.rgb = _rgb(colour)
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


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour)


def _counts(groups: Sequence[dict]) -> list[str]:
    return [_("%(group)s: %(n)s responses", group=g["label"], n=g["responses"]) for g in groups]


def _notes(payload: dict, groups: Sequence[dict]) -> list[str]:
    """Speaker notes: each shown group's count, then what is left out and why."""
    notes = _counts(groups)
    notes.append(_("Groups with fewer than %(k)s responses are hidden.",
                   k=payload["min_group_size"]))
    if left_out := hidden_note(payload).strip():
        notes.append(left_out)
    return notes


def _means(groups: Sequence[dict], keys: Sequence[str]) -> list[tuple[str, list]]:
    return [(g["label"], [g["items"][k]["mean"] for k in keys]) for g in groups]


def build_deck(project: Project, *, lang: str = "sv", round_number: int | None = None,
               rounds: Sequence[int] | None = None, profession: str | None = None,
               district: str | None = None,
               talking_points: Sequence | Callable | None = None) -> bytes:
    """The seminar deck as .pptx bytes.

    rounds are shown side by side (none = every round), of the whole rounds or of one
    profession or one district — never a union or a profession within a district.
    round_number is the round of the profession, district, agreement and talking-point
    slides (default: the latest chosen round with figures); the profession and district
    slides are left out with a filter. talking_points is a list of TalkingPoint (kind, text)
    or a function called like services.talking_points.talking_points; by default that
    function. Raises SelectionError for anything Spindel does not publish.
    """
    Selection("round", tuple(rounds or ()), profession, district)  # refuse early
    with force_locale(lang):
        return _build(project, lang, export_round(project, round_number, rounds),
                      tuple(rounds or ()), profession, district, talking_points)


def _build(project, lang, number, rounds, profession, district, talking_points) -> bytes:
    one_group = {"profession": profession, "district": district}
    group_name = chosen_group(project, profession, district, lang)
    by_round = results_payload(project, Selection("round", rounds, **one_group), lang)
    items = by_round["instrument"]["items"]
    labels = [i["label"] for i in items]
    keys = [i["key"] for i in items]
    scale = by_round["instrument"]["scale"]
    value_range = (scale["min"], scale["max"])
    round_ = next((r for r in project.rounds if r.number == number), None)
    round_label = round_.label if round_ else ""
    deck = Deck(lang)

    # Title
    slide = deck.slide(project.name)
    deck.text(slide, [
        _("Results from Spindeln"),
        _("Rounds: %(rounds)s", rounds=", ".join(r["label"] for r in by_round["rounds"])),
        _("Only: %(group)s", group=group_name) if group_name else _("All responses"),
        local_today().isoformat(),
    ], size=26)

    # Answer now: the round open for answers if there is one, else the chosen round. The
    # count of answers may move one by one (disclosure.md §4): it is no rating.
    answering = next((r for r in project.rounds if r.status() == RoundStatus.OPEN), round_)
    if answering is not None:
        url = respondent_url(answering)
        count = response_count(answering)
        slide = deck.slide(_("Answer now: %(round)s", round=answering.label),
                           [_("Responses so far: %(n)s", n=count)])
        slide.shapes.add_picture(io.BytesIO(qr_png(url)), Inches(0.7), Inches(1.5),
                                 height=Inches(5.3))
        deck.text(slide, [_("Scan the code with your phone camera, or open:"), url,
                          _("Responses so far: %(n)s", n=count)],
                  left=Inches(6.6), top=Inches(2), size=24)

    # Spider of the chosen rounds, side by side
    visible = _visible(by_round)
    why = hidden_note(by_round).strip()
    slide = deck.slide(_("All chosen rounds"), _notes(by_round, visible))
    deck.chart(slide, XL_CHART_TYPE.RADAR_MARKERS, labels, _means(visible, keys),
               value_range=value_range, why=why)

    # By profession, by district (the chosen round; never within one chosen group)
    if number is not None and group_name is None:
        for by, title in (("profession", _("By profession: %(round)s", round=round_label)),
                          ("district", _("By district: %(round)s", round=round_label))):
            if by == "district" and not project.districts:
                continue
            payload = results_payload(project, Selection(by, (number,)), lang)
            groups = _visible(payload)
            slide = deck.slide(title, _notes(payload, groups))
            deck.chart(slide, XL_CHART_TYPE.RADAR_MARKERS, labels, _means(groups, keys),
                       value_range=value_range, why=hidden_note(payload).strip())

    # Dimensions across the chosen rounds
    dimensions = by_round["instrument"]["dimensions"]
    slide = deck.slide(_("Dimensions"), _notes(by_round, visible))
    deck.chart(slide, XL_CHART_TYPE.LINE_MARKERS, [g["label"] for g in visible],
               [(d["label"], [g["dimensions"].get(d["key"]) for g in visible])
                for d in dimensions], value_range=value_range, why=why)

    # Agreement in the chosen round: quartiles per item where n ≥ 2k, the mean everywhere
    chosen = (results_payload(project, Selection("none", (number,), **one_group), lang)
              if number is not None else None)
    if chosen and group_name:  # the one group of by="none" is the chosen one
        chosen["groups"][0]["label"] = group_name
    shown = _visible(chosen) if chosen else []
    notes = _notes(chosen, []) if chosen else []
    if shown:
        notes.insert(0, _("%(group)s: %(n)s responses", group=group_name or round_label,
                          n=shown[0]["responses"]))
    slide = deck.slide(_("Agreement: %(round)s", round=round_label),
                       notes + [_("The band between the quartiles holds the middle half of the "
                            "answers: the narrower, the more people agree. Quartiles are "
                            "given where at least %(n)s answers gave a number.",
                            n=2 * by_round["min_group_size"])])
    if shown:
        stats = [shown[0]["items"][k] for k in keys]
        deck.chart(slide, XL_CHART_TYPE.LINE_MARKERS, labels,
                   [(_("Lower quartile"), [s["q1"] for s in stats]),
                    (_("Median"), [s["median"] for s in stats]),
                    (_("Upper quartile"), [s["q3"] for s in stats]),
                    (_("Mean"), [s["mean"] for s in stats])],
                   value_range=value_range)
    else:
        deck.text(slide, [(hidden_note(chosen).strip() if chosen else "")
                          or _("No group has enough responses to be shown.")])

    # Trend: each item across the chosen rounds
    slide = deck.slide(_("Trend"), _notes(by_round, visible))
    deck.chart(slide, XL_CHART_TYPE.LINE_MARKERS, [g["label"] for g in visible],
               [(label, [g["items"][key]["mean"] for g in visible])
                for label, key in zip(labels, keys, strict=True)], value_range=value_range,
               why=why)

    # Talking points
    points = _talking_points(project, number, lang, one_group, talking_points)
    slide = deck.slide(_("Talking points: %(round)s", round=round_label),
                       [_("Groups with fewer than %(k)s responses are hidden.",
                          k=by_round["min_group_size"])])
    deck.text(slide, [p.text for p in points] or [_("No talking points for this round.")],
              size=20)
    return deck.bytes()


def _talking_points(project, number, lang, one_group, given) -> list:
    if given is None:
        given = talking_points_of
    if callable(given):
        if number is None:
            return []
        return list(given(project, number, lang=lang, **one_group))
    return list(given)
