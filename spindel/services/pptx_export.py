"""The seminar as a PowerPoint deck with native, editable charts.

The slides follow the presentation: title; answer now (QR code); spider of all rounds; by
profession; by district; dimensions; agreement; trend; talking points. Every chart is a
PowerPoint radar or line chart holding its data, so a supporter can restyle it or copy the
numbers. The numbers come from results_payload — the API's numbers, suppression included —
so a hidden group is simply not there. Speaker notes carry the response counts.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from flask_babel import force_locale
from flask_babel import gettext as _
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.util import Inches, Pt

from ..dates import local_today
from ..models import Project, RoundStatus
from .links import qr_png, respondent_url
from .results import results_payload
from .talking_points import talking_points as talking_points_of

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9, as the projector
# Okabe–Ito: told apart with the common colour-vision deficiencies.
PALETTE = ["0072B2", "E69F00", "009E73", "CC79A7", "56B4E9", "D55E00", "F0E442", "000000"]


def export_round(project: Project, number: int | None = None) -> int | None:
    """The round an export is about: the one asked for, else the latest that has answers."""
    if number is not None:
        if not any(r.number == number for r in project.rounds):
            raise ValueError(f"no round {number}")
        return number
    payload = results_payload(project, "round")
    answered = [g["key"] for g in payload["groups"] if not g["suppressed"]]
    if answered:
        return answered[-1]
    return project.rounds[-1].number if project.rounds else None


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
              value_range: tuple[float, float] | None = None):
        if not categories or not series:  # nothing visible: say so instead of an empty chart
            self.text(slide, [_("No group has enough responses to be shown.")])
            return None
        data = CategoryChartData(number_format="0.0")
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


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour)


def _counts(groups: Sequence[dict]) -> list[str]:
    return [_("%(group)s: %(n)s responses", group=g["label"], n=g["responses"]) for g in groups]


def _hidden_note(payload: dict) -> str:
    return _("Groups with fewer than %(k)s responses are hidden.", k=payload["min_group_size"])


def build_deck(project: Project, *, lang: str = "sv", round_number: int | None = None,
               rounds: list[int] | None = None, professions: list[str] | None = None,
               districts: list[str] | None = None,
               talking_points: Sequence | Callable | None = None) -> bytes:
    """The seminar deck as .pptx bytes.

    round_number is the round of the profession, district, agreement and talking-point
    slides (default: the latest with answers); rounds, professions and districts filter
    like the results page. talking_points is a list of TalkingPoint (kind, text) or a
    function called like services.talking_points.talking_points; by default that function.
    """
    with force_locale(lang):
        return _build(project, lang, export_round(project, round_number), rounds, professions,
                      districts, talking_points)


def _build(project, lang, number, rounds, professions, districts, talking_points) -> bytes:
    filters = {"professions": professions, "districts": districts, "lang": lang}
    by_round = results_payload(project, "round", rounds=rounds, **filters)
    items = by_round["instrument"]["items"]
    labels = [i["label"] for i in items]
    keys = [i["key"] for i in items]
    scale = by_round["instrument"]["scale"]
    value_range = (scale["min"], scale["max"])
    hidden = _hidden_note(by_round)
    round_ = next((r for r in project.rounds if r.number == number), None)
    round_label = round_.label if round_ else ""
    deck = Deck(lang)

    # Title
    slide = deck.slide(project.name)
    deck.text(slide, [
        _("Results from Spindeln"),
        _("Rounds: %(rounds)s", rounds=", ".join(g["label"] for g in by_round["groups"])),
        _filters_line(project, professions, districts, lang),
        local_today().isoformat(),
    ], size=26)

    # Answer now: the round open for answers if there is one, else the chosen round
    answering = next((r for r in project.rounds if r.status() == RoundStatus.OPEN), round_)
    if answering is not None:
        url = respondent_url(answering)
        this_round = results_payload(project, "round", rounds=[answering.number],
                                     lang=lang)["groups"][0]
        count = (this_round["responses"] if not this_round["suppressed"]
                 else _("fewer than %(k)s", k=by_round["min_group_size"]))
        slide = deck.slide(_("Answer now: %(round)s", round=answering.label),
                           [_("Responses so far: %(n)s", n=count)])
        slide.shapes.add_picture(io.BytesIO(qr_png(url)), Inches(0.7), Inches(1.5),
                                 height=Inches(5.3))
        deck.text(slide, [_("Scan the code with your phone camera, or open:"), url,
                          _("Responses so far: %(n)s", n=count)],
                  left=Inches(6.6), top=Inches(2), size=24)

    # Spider of all rounds
    visible = _visible(by_round)
    slide = deck.slide(_("All rounds"), _counts(visible) + [hidden])
    deck.chart(slide, XL_CHART_TYPE.RADAR_MARKERS, labels,
               [(g["label"], [g["items"][k]["mean"] for k in keys]) for g in visible],
               value_range=value_range)

    # By profession, by district (the chosen round)
    for by, title in (("profession", _("By profession: %(round)s", round=round_label)),
                      ("district", _("By district: %(round)s", round=round_label))):
        if by == "district" and not project.districts:
            continue
        payload = results_payload(project, by, rounds=[number] if number else None, **filters)
        groups = _visible(payload)
        slide = deck.slide(title, _counts(groups) + [hidden])
        if groups:
            deck.chart(slide, XL_CHART_TYPE.RADAR_MARKERS, labels,
                       [(g["label"], [g["items"][k]["mean"] for k in keys]) for g in groups],
                       value_range=value_range)
        else:
            deck.text(slide, [_("No group has enough responses to be shown.")])

    # Dimensions across rounds
    dimensions = by_round["instrument"]["dimensions"]
    slide = deck.slide(_("Dimensions"), _counts(visible) + [hidden])
    deck.chart(slide, XL_CHART_TYPE.LINE_MARKERS, [g["label"] for g in visible],
               [(d["label"], [g["dimensions"].get(d["key"]) for g in visible])
                for d in dimensions], value_range=value_range)

    # Agreement in the chosen round: quartiles per item
    chosen = results_payload(project, "none", rounds=[number] if number else None, **filters)
    group = chosen["groups"][0]
    slide = deck.slide(_("Agreement: %(round)s", round=round_label),
                       ([_("%(group)s: %(n)s responses", group=round_label,
                           n=group["responses"])] if not group["suppressed"] else [])
                       + [_("The band between the quartiles holds the middle half of the "
                            "answers: the narrower, the more people agree."), hidden])
    if not group["suppressed"]:
        stats = [group["items"][k] for k in keys]
        deck.chart(slide, XL_CHART_TYPE.LINE_MARKERS, labels,
                   [(_("Lower quartile"), [s["q1"] for s in stats]),
                    (_("Median"), [s["median"] for s in stats]),
                    (_("Upper quartile"), [s["q3"] for s in stats])],
                   value_range=value_range)
    else:
        deck.text(slide, [_("No group has enough responses to be shown.")])

    # Trend: each item across rounds
    slide = deck.slide(_("Trend"), _counts(visible) + [hidden])
    deck.chart(slide, XL_CHART_TYPE.LINE_MARKERS, [g["label"] for g in visible],
               [(label, [g["items"][key]["mean"] for g in visible])
                for label, key in zip(labels, keys, strict=True)], value_range=value_range)

    # Talking points
    points = _talking_points(project, number, lang, professions, districts, talking_points)
    slide = deck.slide(_("Talking points: %(round)s", round=round_label), [hidden])
    deck.text(slide, [p.text for p in points] or [_("No talking points for this round.")],
              size=20)
    return deck.bytes()


def _talking_points(project, number, lang, professions, districts, given) -> list:
    if given is None:
        given = talking_points_of
    if callable(given):
        if number is None:
            return []
        return list(given(project, number, lang=lang, professions=professions,
                          districts=districts))
    return list(given)


def _filters_line(project: Project, professions, districts, lang: str) -> str:
    def names(chosen, available):
        if chosen is None:
            return _("all")
        return ", ".join(x.label(lang) for x in available if x.key in chosen)

    return _("Professions: %(p)s · Districts: %(d)s",
             p=names(professions, project.professions), d=names(districts, project.districts))

