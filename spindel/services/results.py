"""Results of a project: per published cell and item the number of answers, mean, standard
deviation and "cannot judge" (median and quartiles where n ≥ 2k; never min or max).

Every number comes from a release (services/disclosure.py): per-value counts per profession,
district, item and value, snapshot when the release was cut. The work grows with the number
of groups and scale values, never with the number of answers. Ratings are integers, so median
and quartiles follow exactly from the counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _

from .. import instrument as instruments
from ..instrument import Instrument
from ..models import Project, Round
from .disclosure import (
    WHOLE,
    Publication,
    combinations_of,
    district_cell,
    min_group_size,
    profession_cell,
    publication,
)
from .responses import CANNOT_JUDGE_VALUE, NO_DISTRICT
from .selection import (  # noqa: F401  (re-exported)
    BREAKDOWNS,
    EVERYTHING,
    Scope,
    Selection,
    SelectionError,
)

ALL_KEY = "all"  # the one group of by="none"
NO_DISTRICT_KEY = "-"  # responses stored before the project had districts


@dataclass
class ItemStats:
    """One item in one group; every number is None when no answer gave a number."""

    n: int | None = 0
    mean: float | None = None
    median: float | None = None
    sd: float | None = None
    q1: float | None = None
    q3: float | None = None
    cannot_judge: int | None = 0
    suppressed: bool = False

    def as_dict(self) -> dict:
        return {"n": self.n, "mean": self.mean, "median": self.median, "sd": self.sd,
                "q1": self.q1, "q3": self.q3, "cannot_judge": self.cannot_judge,
                "suppressed": self.suppressed}


@dataclass
class GroupStats:
    key: int | str
    label: str
    responses: int = 0
    items: dict[str, ItemStats] = field(default_factory=dict)
    dimensions: dict[str, float | None] = field(default_factory=dict)


def item_stats(counts: dict[int, int], k: int = 0) -> ItemStats:
    """Statistics from per-value counts ({value: count}; value 0 = cannot judge). Median and
    quartiles only where n ≥ 2k (policy §3): in a smaller group they pin down single answers.

    Quartiles and median use linear interpolation between order statistics (Hyndman–Fan
    type 7, Python's statistics.quantiles(method="inclusive")); sd is the sample sd.
    """
    stats = ItemStats(cannot_judge=counts.get(CANNOT_JUDGE_VALUE, 0))
    values = sorted((v, c) for v, c in counts.items() if v != CANNOT_JUDGE_VALUE and c > 0)
    n = sum(c for _, c in values)
    if n == 0:
        return stats
    total = sum(v * c for v, c in values)
    squares = sum(v * v * c for v, c in values)
    stats.n, stats.mean = n, total / n
    # Exact in integers until the square root: var = (n·Σv² − (Σv)²) / (n(n−1)).
    stats.sd = math.sqrt((n * squares - total * total) / (n * (n - 1))) if n > 1 else None

    def order_statistic(i: int) -> int:  # the i-th smallest value, 0-based
        seen = 0
        for v, c in values:
            seen += c
            if i < seen:
                return v
        raise IndexError(i)

    def quantile(p: float) -> float:
        h = (n - 1) * p
        low = math.floor(h)
        below = order_statistic(low)
        if low + 1 >= n:
            return float(below)
        return below + (h - low) * (order_statistic(low + 1) - below)

    if n >= 2 * k:
        stats.q1, stats.median, stats.q3 = quantile(0.25), quantile(0.5), quantile(0.75)
    return stats


def _rounds(project: Project, selection: Selection) -> list[Round]:
    if not selection.rounds:
        return list(project.rounds)
    by_number = {r.number: r for r in project.rounds}
    unknown = [n for n in selection.rounds if n not in by_number]
    if unknown:
        raise SelectionError(_("Unknown round %(round)s.", round=unknown[0]))
    return [by_number[n] for n in sorted(selection.rounds)]


def _filter_cell(project: Project, selection: Selection) -> tuple[str, str | None]:
    """The cell a by-round or by-none selection shows in each round, and its label."""
    if selection.profession is not None:
        found = next((p for p in project.professions if p.key == selection.profession), None)
        if found is None:
            raise SelectionError(_("Unknown profession %(key)s.", key=selection.profession))
        return profession_cell(found.id), found.key
    if selection.district is not None:
        if selection.district == NO_DISTRICT_KEY:
            return district_cell(NO_DISTRICT), NO_DISTRICT_KEY
        found = next((d for d in project.districts if d.key == selection.district), None)
        if found is None:
            raise SelectionError(_("Unknown district %(key)s.", key=selection.district))
        return district_cell(found.id), found.key
    return WHOLE, None


def group_statistics(pub: Publication, cell: str, key: int | str, label: str,
                     instrument: Instrument) -> GroupStats | None:
    """One published cell's numbers, or None when the cell is hidden."""
    if pub.why_hidden(cell):
        return None
    responses, counts = pub.counts(cell)
    group = GroupStats(key, label, responses)
    for item in instrument.items:
        if pub.item_hidden(cell, item.key):
            group.items[item.key] = ItemStats(n=None, cannot_judge=None, suppressed=True)
        else:
            group.items[item.key] = item_stats(counts.get(item.key, {}), pub.k)
    for dimension in instrument.dimensions:
        # Only from fully shown items: a score over fewer items is another population.
        means = [group.items[i.key].mean for i in instrument.items_in(dimension.key)]
        group.dimensions[dimension.key] = (sum(means) / len(means)
                                           if means and None not in means else None)
    return group


def _group_dict(pub: Publication, cell: str, key, label: str, instrument: Instrument) -> dict:
    group = group_statistics(pub, cell, key, label, instrument)
    if group is None:
        return {"key": key, "label": label, "suppressed": True,
                "reason": pub.why_hidden(cell), "responses": None, "items": {},
                "dimensions": {}}
    return {"key": key, "label": label, "suppressed": False, "reason": None,
            "responses": group.responses,
            "items": {k: s.as_dict() for k, s in group.items.items()},
            "dimensions": dict(group.dimensions)}


def _round_dict(pub: Publication) -> dict:
    release = pub.release
    return {"number": pub.round.number, "label": pub.round.label,
            "status": pub.round.status(),
            "release": release.number if release else None,
            "released_on": release.cut_on.isoformat() if release else None,
            "responses": release.responses if release else None,
            "breakdowns": pub.breakdowns,
            "pending": pub.pending if release else None,
            "next_update_in": pub.next_update_in if release else pub.k - pub.pending}


def results_payload(project: Project, selection: Selection | None = None,
                    lang: str = "sv", scope: Scope = EVERYTHING) -> dict:
    """The published figures of a selection, as the API returns them, for a reader with
    this scope: by district, a reader limited to one district gets that district's row only.

    Hidden cells have suppressed=True, a reason ("too_small": the round has fewer than k
    answers; "open": breakdowns wait until the round closes; "empty", "small", "complement",
    "derivation": the decision of disclosure.py) and no numbers. Hidden items of a shown cell
    have suppressed=True and no numbers. Raises SelectionError for unknown rounds or keys,
    and for cells outside the scope.
    """
    selection = scope.check(selection or Selection())
    instrument = instruments.for_project(project)
    rounds = _rounds(project, selection)
    publications = {r.number: publication(r) for r in rounds}
    groups: list[dict] = []
    with force_locale(lang):
        if selection.by == "round":
            cell, _key = _filter_cell(project, selection)
            for r in rounds:
                groups.append(_group_dict(publications[r.number], cell, r.number, r.label,
                                          instrument))
        else:
            pub = publications[rounds[0].number]
            if selection.by == "none":
                cell, _key = _filter_cell(project, selection)
                groups.append(_group_dict(pub, cell, ALL_KEY, _("All responses"),
                                          instrument))
            elif selection.by == "profession":
                for p in project.professions:
                    groups.append(_group_dict(pub, profession_cell(p.id), p.key, p.label(lang),
                                              instrument))
            else:
                for d in project.districts:
                    if scope.shows_district(d.key):
                        groups.append(_group_dict(pub, district_cell(d.id), d.key,
                                                  d.label(lang), instrument))
                none_cell = district_cell(NO_DISTRICT)
                if scope.breakdowns and any(d == NO_DISTRICT
                                            for (_p, d) in combinations_of(pub.release)):
                    groups.append(_group_dict(pub, none_cell, NO_DISTRICT_KEY,
                                              _("No district"), instrument))
    return {
        "project": {"slug": project.slug, "name": project.name},
        "instrument": {
            "key": instrument.key,
            "version": instrument.version,
            "scale": {"min": instrument.scale.min, "max": instrument.scale.max},
            "items": [{"key": i.key, "dimension": i.dimension, "label": i.short.get(lang)}
                      for i in instrument.items],
            "dimensions": [{"key": d.key, "label": d.label.get(lang)}
                           for d in instrument.dimensions],
        },
        "min_group_size": min_group_size(project),
        "selection": {"by": selection.by, "rounds": [r.number for r in rounds],
                      "profession": selection.profession, "district": selection.district},
        "rounds": [_round_dict(publications[r.number]) for r in rounds],
        "groups": groups,
    }
