"""Presentation mode: which slides a seminar gets and what each slide shows.

A presentation is a project plus a selection (rounds, professions, districts) and optionally
the round the room answers now. Every chart comes from services/charts.py and so from
results_payload: a group under k is hidden on a slide exactly as on every other output.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..models import Project, Response, Round, RoundStatus
from . import charts
from .talking_points import TalkingPoint, talking_points

# Large type for a projector seen from the back of a room of 120 people.
PROJECTOR_FONT = 20


@dataclass
class Selection:
    """What the supporter chose before starting: None means every profession / district."""

    rounds: list[int]
    professions: list[str] | None = None
    districts: list[str] | None = None
    live: int | None = None  # the round the room answers now

    @property
    def focus(self) -> int:
        """The round the per-round slides show: the one answered now, else the latest."""
        return self.live if self.live is not None else max(self.rounds)

    @property
    def filters(self) -> dict:
        return {"professions": self.professions, "districts": self.districts}

    def query(self) -> dict:
        """The selection as query arguments, for slide data URLs."""
        args: dict = {"rounds": self.rounds}
        if self.professions is not None:
            args["professions"] = self.professions
        if self.districts is not None:
            args["districts"] = self.districts
        if self.live is not None:
            args["live"] = self.live
        return args


@dataclass
class Slide:
    key: str
    title: str
    kind: str  # "title", "answer", "chart" or "points"
    live: bool = False  # polled for new answers while its round is open


def live_round(project: Project, selection: Selection) -> Round | None:
    """The round answered now, if it is chosen and open."""
    found = next((r for r in project.rounds if r.number == selection.live), None)
    return found if found is not None and found.status() == RoundStatus.OPEN else None


def slides(project: Project, selection: Selection, lang: str = "sv") -> list[Slide]:
    """The slides in order: title, answer now (with a live round), the charts, the points."""
    live = live_round(project, selection) is not None
    focus = _round_label(project, selection.focus)
    with force_locale(lang):
        out = [Slide("title", project.name, "title")]
        if selection.live is not None:
            out.append(Slide("answer", _("Answer now"), "answer", live))
        out += [
            Slide("spider-rounds", _("All rounds"), "chart", live),
            Slide("spider-professions", _("By profession – %(round)s", round=focus), "chart",
                  live),
            Slide("spider-districts", _("By district – %(round)s", round=focus), "chart",
                  live),
            Slide("dimensions", _("Dimensions"), "chart", live),
            Slide("agreement", _("Agreement – %(round)s", round=focus), "chart", live),
            Slide("trend", _("Over time"), "chart", live),
            Slide("points", _("Talking points – %(round)s", round=focus), "points", live),
        ]
    return out


def _round_label(project: Project, number: int) -> str:
    return next((r.label for r in project.rounds if r.number == number), str(number))


def response_count(round_: Round) -> int:
    """How many answers a round has: its total, which every output may show."""
    return db.session.scalar(select(func.count()).select_from(Response)
                             .where(Response.round_id == round_.id)) or 0


def chart_for(project: Project, key: str, selection: Selection,
              lang: str = "sv") -> charts.Chart | None:
    """The chart of one chart slide, or None for a key that is no chart slide."""
    rounds, focus, filters = selection.rounds, selection.focus, selection.filters
    builders = {
        "spider-rounds": lambda: charts.spider_rounds(project, lang, rounds, **filters),
        "spider-professions": lambda: charts.spider_professions(project, focus, lang,
                                                                **filters),
        "spider-districts": lambda: charts.spider_districts(project, focus, lang, **filters),
        "dimensions": lambda: charts.dimensions_rounds(project, lang, rounds, **filters),
        "agreement": lambda: charts.agreement(project, focus, lang, **filters),
        "trend": lambda: charts.trend(project, lang, rounds, **filters),
    }
    return builders[key]() if key in builders else None


def projector_figure(chart: charts.Chart) -> dict:
    """The chart's figure as plotly JSON, restyled for a projector: large type, no title
    (the slide has its heading) and sized by the slide instead of a fixed height."""
    figure = copy.deepcopy(chart.figure)
    # Legend at the side: a 16:9 slide has room there, and below it would cover the labels.
    figure.update_layout(title=None, height=None, autosize=True,
                         font={"size": PROJECTOR_FONT},
                         margin={"t": 90, "b": 90, "l": 60, "r": 60},
                         legend={"font": {"size": PROJECTOR_FONT}, "orientation": "v",
                                 "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"})
    return json.loads(figure.to_json())


def count_text(responses: int | None, lang: str = "sv") -> str:
    with force_locale(lang):
        if responses is None:
            return _("Too few responses to show yet.")
        return ngettext("%(num)s response", "%(num)s responses", responses)


def answer_count_text(round_: Round, lang: str = "sv") -> str:
    with force_locale(lang):
        count = response_count(round_)
        return ngettext("%(num)s response so far", "%(num)s responses so far", count)


def points_for(project: Project, selection: Selection, lang: str = "sv") -> list[TalkingPoint]:
    return talking_points(project, selection.focus, lang=lang, **selection.filters)
