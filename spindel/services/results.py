"""Results of a project: per group and item the number of answers, mean, median, quartiles,
standard deviation, min, max and "cannot judge" — computed from per-value counts in SQL.

The database does the heavy part: one GROUP BY over the rating tallies (counts per round,
profession, district, item and value, kept with every stored answer), so the work grows with
the number of groups and scale values, never with the number of answers. Ratings are
integers, so median and quartiles follow exactly from the counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, literal, select

from .. import instrument as instruments
from ..extensions import db
from ..instrument import Instrument
from ..models import Project, RatingTally
from .anonymity import min_group_size, suppressed_keys
from .responses import CANNOT_JUDGE_VALUE, NO_DISTRICT

BREAKDOWNS = ("round", "profession", "district", "none")
ALL_KEY = "all"  # the one group of by="none"
NO_DISTRICT_KEY = "-"  # responses stored before the project had districts


@dataclass
class ItemStats:
    """One item in one group; every number is None when no answer gave a number."""

    n: int = 0
    mean: float | None = None
    median: float | None = None
    sd: float | None = None
    q1: float | None = None
    q3: float | None = None
    min: int | None = None
    max: int | None = None
    cannot_judge: int = 0

    def as_dict(self) -> dict:
        return {"n": self.n, "mean": self.mean, "median": self.median, "sd": self.sd,
                "q1": self.q1, "q3": self.q3, "min": self.min, "max": self.max,
                "cannot_judge": self.cannot_judge}


@dataclass
class GroupStats:
    key: int | str
    label: str
    responses: int = 0
    items: dict[str, ItemStats] = field(default_factory=dict)
    dimensions: dict[str, float | None] = field(default_factory=dict)


def item_stats(counts: dict[int, int]) -> ItemStats:
    """Statistics from per-value counts ({value: count}; value 0 = cannot judge).

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
    stats.min, stats.max = values[0][0], values[-1][0]
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

    stats.q1, stats.median, stats.q3 = quantile(0.25), quantile(0.5), quantile(0.75)
    return stats


def _group_column(by: str):
    return {"round": RatingTally.round_id, "profession": RatingTally.profession_id,
            "district": RatingTally.district_id}.get(by)


def _selection(project: Project, rounds, professions, districts):
    """The chosen rounds, professions and districts as model lists; ValueError on unknown."""

    def pick(available, keys, key_of, what):
        if keys is None:
            return list(available)
        by_key = {key_of(x): x for x in available}
        unknown = [k for k in keys if k not in by_key]
        if unknown:
            raise ValueError(f"unknown {what} {unknown[0]!r}")
        return [x for x in available if key_of(x) in set(keys)]

    return (pick(project.rounds, rounds, lambda r: r.number, "round"),
            pick(project.professions, professions, lambda p: p.key, "profession"),
            pick(project.districts, districts, lambda d: d.key, "district"))


def group_statistics(project: Project, by: str = "round", rounds: list[int] | None = None,
                     professions: list[str] | None = None, districts: list[str] | None = None,
                     lang: str = "sv") -> list[GroupStats]:
    """Every group of the breakdown with its numbers, before any suppression.

    Groups come in the project's order (rounds by number, professions and districts by
    position); by="none" gives one group. Raises ValueError for an unknown breakdown or key.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    instrument = instruments.for_project(project)
    chosen_rounds, chosen_professions, chosen_districts = _selection(
        project, rounds, professions, districts)
    groups = _empty_groups(project, by, chosen_rounds, chosen_professions, chosen_districts,
                           lang)
    round_ids = [r.id for r in chosen_rounds]
    if not round_ids or (professions is not None and not chosen_professions) or \
            (districts is not None and not chosen_districts):
        return [_fill(g, {}, instrument) for g in groups.values()]

    # Only the filters asked for: fewer IN lists, and responses without a district count
    # unless districts are chosen.
    conditions = [RatingTally.round_id.in_(round_ids)]
    if professions is not None:
        conditions.append(RatingTally.profession_id.in_([p.id for p in chosen_professions]))
    if districts is not None:
        conditions.append(RatingTally.district_id.in_([d.id for d in chosen_districts]))

    group_of = {"round": {r.id: r.number for r in chosen_rounds},
                "profession": {p.id: p.key for p in chosen_professions},
                "district": {d.id: d.key for d in chosen_districts} | {
                    NO_DISTRICT: NO_DISTRICT_KEY},
                "none": {None: ALL_KEY}}[by]

    column = _group_column(by)
    tallied = (select(column if column is not None else literal(None), RatingTally.item_key,
                      RatingTally.value, func.sum(RatingTally.count))
               .where(*conditions)
               .group_by(*([column] if column is not None else []), RatingTally.item_key,
                         RatingTally.value))
    counts: dict[object, dict[str, dict[int, int]]] = {}
    for group_id, item_key, value, count in db.session.execute(tallied):
        key = group_of.get(group_id)
        counts.setdefault(key, {}).setdefault(item_key, {})[value] = int(count)
    for key, items in counts.items():
        if key in groups:
            # Every response rates every item ("cannot judge" is tallied as value 0), so an
            # item's total is the number of responses: no count over the response table,
            # whose cost would grow with the number of answers.
            groups[key].responses = max(sum(by_value.values()) for by_value in items.values())
    return [_fill(g, counts.get(g.key, {}), instrument) for g in groups.values()]


def _empty_groups(project, by, chosen_rounds, chosen_professions, chosen_districts, lang):
    if by == "round":
        groups = [GroupStats(r.number, r.label) for r in chosen_rounds]
    elif by == "profession":
        groups = [GroupStats(p.key, p.label(lang)) for p in chosen_professions]
    elif by == "district":
        groups = [GroupStats(d.key, d.label(lang)) for d in chosen_districts]
        with force_locale(lang):
            groups.append(GroupStats(NO_DISTRICT_KEY, _("No district")))
    else:
        with force_locale(lang):
            groups = [GroupStats(ALL_KEY, _("All responses"))]
    return {g.key: g for g in groups}


def _fill(group: GroupStats, counts: dict[str, dict[int, int]], instrument: Instrument):
    group.items = {item.key: item_stats(counts.get(item.key, {})) for item in instrument.items}
    for dimension in instrument.dimensions:
        means = [group.items[i.key].mean for i in instrument.items_in(dimension.key)
                 if group.items[i.key].mean is not None]
        group.dimensions[dimension.key] = sum(means) / len(means) if means else None
    return group


def results_payload(project: Project, by: str = "round", rounds: list[int] | None = None,
                    professions: list[str] | None = None, districts: list[str] | None = None,
                    lang: str = "sv") -> dict:
    """The results of a selection as the API returns them (issue 3's JSON shape).

    Groups under the project's minimum size — and their complement, see anonymity — have
    suppressed=True, responses None and empty items and dimensions. The "no district" group
    of by="district" is listed only when it holds responses.
    """
    instrument = instruments.for_project(project)
    k = min_group_size(project)
    groups = group_statistics(project, by, rounds, professions, districts, lang)
    hidden = suppressed_keys({g.key: g.responses for g in groups}, k)
    out = []
    for g in groups:
        if g.key == NO_DISTRICT_KEY and g.responses == 0:
            continue
        if g.key in hidden:
            out.append({"key": g.key, "label": g.label, "suppressed": True, "responses": None,
                        "items": {}, "dimensions": {}})
        else:
            out.append({"key": g.key, "label": g.label, "suppressed": False,
                        "responses": g.responses,
                        "items": {key: s.as_dict() for key, s in g.items.items()},
                        "dimensions": dict(g.dimensions)})
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
        "min_group_size": k,
        "groups": out,
    }

