"""Presentation mode: which slides a seminar gets and what each slide shows.

A presentation is a project, a Show (rounds side by side, at most one profession or one
district, and optionally the round the room answers now) and a language. Every chart comes
from services/charts.py and so from the published cells of releases: a slide shows exactly
what the results page shows, and while the room answers its figures move only when a new
release is cut, never with each answer (policy §4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..models import Project, Response, Round, RoundStatus
from . import agreements, charts
from .disclosure import publication
from .monitor import monitor_payload
from .selection import EVERYTHING, Scope, Selection
from .talking_points import TalkingPoint, talking_points

# Large type for a projector seen from the back of a room of 120 people: 2 % of the screen's
# height, set here for 1080 lines; present.js scales the figure to the screen it is shown on.
PROJECTOR_HEIGHT = 1080
PROJECTOR_FONT = 22


@dataclass(frozen=True)
class Show:
    """What the supporter chose before starting: a by-round Selection (rounds side by side,
    at most one profession or one district) and the round the room answers now, if any."""

    selection: Selection
    live: int | None = None  # the round the room answers now
    scope: Scope = EVERYTHING  # what the one presenting may show (access.reader_scope)

    @property
    def rounds(self) -> tuple[int, ...]:
        return self.selection.rounds

    @property
    def profession(self) -> str | None:
        return self.selection.profession

    @property
    def district(self) -> str | None:
        return self.selection.district

    @property
    def one_group(self) -> bool:
        """A profession or a district is chosen (not all answers)."""
        return self.profession is not None or self.district is not None

    @property
    def focus(self) -> int:
        """The round the per-round slides show: the one answered now, else the latest."""
        return self.live if self.live is not None else max(self.rounds)


@dataclass
class Slide:
    key: str
    title: str
    kind: str  # "title", "answer", "chart", "waiting" (a sentence instead), "points", "vote",
    # "agreements" (a list of what the room agreed)
    live: bool = False  # polled for new answers while its round is open
    text: str | None = None  # what a "waiting" slide says


def live_round(project: Project, show: Show) -> Round | None:
    """The round answered now, if it is chosen and open."""
    found = project.round(show.live) if show.live is not None else None
    return found if found is not None and found.status() == RoundStatus.OPEN else None


def slides(project: Project, show: Show, lang: str = "sv") -> list[Slide]:
    """The slides in order: title, what was agreed last time (if an earlier round has
    agreements), answer now (with a round to answer), the charts of the
    chosen rounds, the focus round's professions and districts (only for all answers: a
    profession within a district is never shown), its agreement, the talking points, and
    the room's vote on what to prioritise, and what the room agreed (if it has)."""
    live = live_round(project, show) is not None
    focus_round = project.round(show.focus)
    focus = focus_round.label if focus_round is not None else str(show.focus)
    # While the focus round is open only its total is published (policy §4).
    closed = focus_round is not None and focus_round.status() == RoundStatus.CLOSED
    with force_locale(lang):
        out = [Slide("title", project.name, "title")]
        # The room's agreements (services/agreements.py) — not the "agreement" chart below,
        # which is how much respondents agree. Last time's open the show; fetched whenever
        # shown (live), so a status set during the seminar shows.
        if agreements.earlier_round_with_agreements(project, show.focus) is not None:
            out.append(Slide("agreed-last", _("Last time we agreed…"), "agreements",
                             live=True))
        if show.live is not None:
            out.append(Slide("answer", _("Answer now"), "answer", live))
        # The charts, in the registry's order (services/charts.CHARTS); the per-round ones
        # for the focus round. A breakdown waits, in a sentence, until its round has closed.
        waiting = _("Professions and districts are shown when %(round)s has closed.",
                    round=focus)
        for kind in charts.CHARTS.values():
            if not kind.on_slides or (kind.breakdown and (show.one_group
                                                          or not show.scope.breakdowns)):
                continue
            title = str(kind.slide_title) % ({"round": focus} if kind.per_round else {})
            out.append(Slide(kind.key, title, "waiting", text=waiting)
                       if kind.breakdown and not closed else Slide(kind.key, title, "chart",
                                                                   live))
        out += [
            Slide("points", _("Talking points – %(round)s", round=focus), "points", live),
            # The room's priorities for the focus round, counted as the phones vote
            # (services/votes.py): always polled, so a vote opened elsewhere shows too.
            Slide("vote", _("What should we prioritise?"), "vote", live=True),
        ]
        if focus_round is not None and agreements.for_round(focus_round):
            out.append(Slide("agreed", _("What we agreed – %(round)s", round=focus),
                             "agreements", live=True))
    return out


def vote_round(project: Project, show: Show) -> Round | None:
    """The round the room votes on: the show's focus round (the one answered now, else the
    latest shown)."""
    return project.round(show.focus)


def group_label(project: Project, show: Show, lang: str = "sv") -> str | None:
    """The chosen profession's or district's name; None for all answers."""
    if show.profession is not None:
        return next((p.label(lang) for p in project.professions if p.key == show.profession),
                    show.profession)
    if show.district is not None:
        return next((d.label(lang) for d in project.districts if d.key == show.district),
                    show.district)
    return None


def response_count(round_: Round) -> int:
    """How many answers a round has: a count of answers, never ratings, which may move one
    by one (policy §4)."""
    return db.session.scalar(select(func.count()).select_from(Response)
                             .where(Response.round_id == round_.id)) or 0


def chart_for(project: Project, key: str, show: Show, lang: str = "sv",
              published: charts.Published | None = None) -> charts.Chart | None:
    """The chart of one chart slide, built alone, or None for a key that is no chart slide
    (for the show's scope)."""
    show.scope.check(show.selection)
    return charts.slide_chart(published or charts.Published(project, lang, show.scope),
                              charts.ChartView(show.rounds, show.profession, show.district),
                              key, show.focus)


def projector_figure(chart: charts.Chart) -> dict:
    """The chart's figure as plotly JSON, restyled for a projector of PROJECTOR_HEIGHT lines:
    large type and marks, no title (the slide has its heading), sized by the slide instead of
    a fixed height, the legend at the side (a 16:9 slide has room there; below, it would take
    the plot's height). A spider's labels get wider lines (fewer of them) and the margins
    they need; present.js scales every size to the screen and makes sure the labels fit."""
    spec = json.loads(chart.figure.to_json())
    layout, size = spec["layout"], PROJECTOR_FONT
    layout.pop("title", None)
    layout.pop("height", None)
    layout.update(autosize=True, font={**layout.get("font", {}), "size": size},
                  legend={"font": {"size": size}, "orientation": "v", "xref": "container",
                          "yref": "container", "x": 1, "xanchor": "right", "y": 0.5,
                          "yanchor": "middle", "itemwidth": 40})
    for axis in ("xaxis", "yaxis"):
        if axis in layout:
            layout[axis]["tickfont"] = {"size": size}
    if "polar" in layout:
        for axis in ("radialaxis", "angularaxis"):
            layout["polar"][axis]["tickfont"] = {"size": size}
        layout["margin"] = charts.polar_margins(
            charts.rewrap_spider(spec, 16, 20), size)
    else:
        # The rest is plotly's automargin; above, half the highest tick's label.
        layout["margin"] = {"t": size, "b": 10, "l": 10, "r": 10}
    for trace in spec["data"]:
        if "size" in trace.get("marker", {}):
            trace["marker"]["size"] = round(trace["marker"]["size"] * 1.6)
        if "width" in trace.get("line", {}):
            trace["line"]["width"] = trace["line"]["width"] * 1.6
    layout["meta"] = {**layout.get("meta", {}), "screen_height": PROJECTOR_HEIGHT}
    return spec


def count_text(responses: int | None, lang: str = "sv") -> str:
    with force_locale(lang):
        if responses is None:
            return _("Too few responses to show yet.")
        return ngettext("%(num)s response", "%(num)s responses", responses)


def answer_count_text(round_: Round, lang: str = "sv") -> str:
    """The answer slide's count: every answer, at once."""
    with force_locale(lang):
        count = response_count(round_)
        return ngettext("%(num)s response so far", "%(num)s responses so far", count)


def participation_texts(round_: Round, lang: str = "sv",
                        groups: bool = False) -> tuple[str, str]:
    """The answer slide's participation where the supporter entered expected staff: the
    round's ("Deltagande: 20 av 39 (51 %)") and, with `groups` (for those who may see the
    monitor), each profession's and district's with a number ("BVC 13 av 20 (65 %) · …");
    empty strings where none is known. Counts of answers only, as on the monitor
    (services/monitor.py). An open round's live counts per group are not published cells,
    so a reader who may not see the monitor gets the round's alone."""
    data = monitor_payload(round_, lang)
    with force_locale(lang):
        def share(item: dict) -> str:
            return _("%(count)s of %(expected)s (%(percent)s %%)", count=item.get("count",
                     item.get("total")), expected=item["expected"], percent=item["percent"])

        total = "" if data["percent"] is None else _("Participation: %(text)s",
                                                      text=share(data))
        lines = " · ".join(f"{g['label']} {share(g)}"
                           for g in data["professions"] + data["districts"]
                           if g["percent"] is not None) if groups else ""
        return total, lines


def next_update_text(round_: Round, lang: str = "sv") -> str:
    """When the charts change next: after the answers the next release needs."""
    with force_locale(lang):
        return ngettext("The charts are updated after %(num)s more answer.",
                        "The charts are updated after %(num)s more answers.",
                        publication(round_).next_update_in)


def agreed_for(project: Project, show: Show, key: str, lang: str = "sv") -> dict:
    """What an agreements slide shows: for "agreed-last" `last` (agreements.previous: the
    latest earlier round's agreements with their items' change to the focus round, of the
    show's one group if it has one), for "agreed" the focus round's `own`."""
    if key == "agreed-last":
        return {"last": agreements.previous(project, show.focus, lang, **show.selection.filter),
                "group": group_label(project, show, lang)}
    focus = project.round(show.focus)
    return {"own": agreements.views(focus, lang) if focus is not None else []}


def points_for(project: Project, show: Show, lang: str = "sv") -> list[TalkingPoint]:
    return talking_points(project, show.focus, lang=lang, scope=show.scope,
                          **show.selection.filter)
