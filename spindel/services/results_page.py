"""The results page of a selection: its charts, and per round where the figures stand.

Every figure comes from services/charts.py and so from published cells of releases; this
module only decides what the page says around them: per round which release the figures come
from, how many answers are not yet included, when the next update comes, and why the chosen
group is not shown in a round.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Project, RoundStatus
from .charts import Chart, Published, chart_sections
from .selection import EVERYTHING, Scope, Selection

# Charts of a round's professions or districts: while a round is open none of their groups
# is published (policy §4), so the page says so in one sentence instead of empty charts.
BREAKDOWN_CHARTS = ("spider-professions", "spider-districts", "dimensions-professions")


@dataclass
class RoundNote:
    """Where one round's published figures stand."""

    number: int
    label: str
    closed: bool
    responses: int | None  # answers in the release the figures come from; None: no release
    pending: int  # answers not yet included
    next_update_in: int  # answers still needed for the next release
    group_hidden: str | None = None  # why the chosen group is not shown (None: shown/all)


@dataclass
class PageSection:
    key: str
    title: str
    charts: list[Chart]
    note: RoundNote | None = None  # the round of a per-round section


@dataclass
class ResultsPage:
    notes: list[RoundNote]
    sections: list[PageSection] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """No chosen round shows the chosen cell: nothing to draw."""
        return not self.sections


def _note(round_: dict, group: dict, filtered: bool) -> RoundNote:
    hidden = group["reason"] if filtered and group["suppressed"] else None
    return RoundNote(
        number=round_["number"], label=round_["label"],
        closed=round_["status"] == RoundStatus.CLOSED,
        responses=round_["responses"], pending=round_["pending"] or 0,
        next_update_in=round_["next_update_in"],
        group_hidden=None if hidden == "too_small" else hidden)


def results_page(project: Project, selection: Selection, lang: str = "sv",
                 scope: Scope = EVERYTHING) -> ResultsPage:
    """The page for a by-round selection (rounds side by side, at most one group) as a
    reader with this scope sees it. Raises SelectionError for unknown rounds or keys and
    for cells outside the scope."""
    published = Published(project, lang, scope)  # each payload once, for page and charts
    payload = published.payload(selection)
    filtered = selection.profession is not None or selection.district is not None
    notes = [_note(r, g, filtered)
             for r, g in zip(payload["rounds"], payload["groups"], strict=True)]
    page = ResultsPage(notes)
    if all(g["suppressed"] for g in payload["groups"]):
        return page
    by_number = {n.number: n for n in notes}
    for section in chart_sections(project, lang, selection.rounds, newest_first=True,
                                  scope=scope, published=published, **selection.filter):
        number = int(section.key.removeprefix("round-")) if section.key != "overview" else None
        note = by_number.get(number)
        charts = section.charts
        if note is not None and not note.closed:  # its note says when they come
            charts = [c for c in charts if not c.key.startswith(BREAKDOWN_CHARTS)]
        page.sections.append(PageSection(section.key, section.title, charts, note))
    return page
