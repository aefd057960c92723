"""Talking points for a seminar: short sentences computed from a round's results.

What the room should talk about: the weakest conditions, what moved since last time, where
people disagree and where the professions see things differently. Every number comes from
`results_payload`, so a group hidden by the anonymity rule never feeds a sentence, and every
sentence says how many answers it rests on.

A difference (a change since the previous round, or between two professions) is named only
on evidence: both sides have at least 2k ratings of the item, and the difference of the means
is more than twice its standard error, se = sqrt(sd1²/n1 + sd2²/n2) (Welch). Smaller
differences are what a new set of people would give by chance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

from ..i18n import number
from ..models import Project
from .results import results_payload
from .selection import EVERYTHING, Scope, Selection

KINDS = ("lowest", "change", "spread", "professions")
HOW_MANY = 3  # points of each kind: enough to start a discussion, few enough to read aloud


@dataclass
class TalkingPoint:
    """One sentence for the slide and the exports; `kind` is one of KINDS."""

    kind: str
    text: str
    item: str | None = None  # the item's key, for exports that want to link it


def talking_points(project: Project, round_number: int, lang: str = "sv",
                   profession: str | None = None, district: str | None = None,
                   scope: Scope = EVERYTHING) -> list[TalkingPoint]:
    """The talking points of a round for a selection of professions and districts.

    In order: up to three lowest items, three largest changes since the previous round,
    three items with the widest spread (sd) and three items where the professions' means
    differ most (only without a profession or district filter, and for a reader whose scope
    shows a round's groups side by side); changes and differences only where they pass
    `evident`. Points that cannot be computed from published cells are left out.
    Raises SelectionError for an unknown round, profession or district, or outside the scope.
    """
    one_group = {"profession": profession, "district": district}
    scope.check(Selection("none", (round_number,), **one_group))
    whole = results_payload(project, Selection("none", (round_number,), **one_group), lang)
    labels = {item["key"]: item["label"] for item in whole["instrument"]["items"]}
    order = list(labels)
    earlier = [r.number for r in project.rounds if r.number < round_number]
    by_round = (results_payload(project, Selection("round", (max(earlier), round_number),
                                                   **one_group), lang) if earlier else None)
    by_profession = (results_payload(project, Selection("profession", (round_number,)), lang)
                     if profession is None and district is None and scope.breakdowns
                     else None)
    k = whole["min_group_size"]
    with force_locale(lang):
        return (_lowest(whole, labels, order, lang)
                + _changes(by_round, labels, order, lang, k)
                + _spread(whole, labels, order, lang)
                + _professions(by_profession, labels, order, lang, k))


def evident(a: dict, b: dict, k: int) -> bool:
    """Whether the difference of two published means (item statistics with n, mean, sd) is
    worth naming: both rest on at least 2k ratings, and it exceeds twice its standard error
    (Welch: se = sqrt(sd_a²/n_a + sd_b²/n_b))."""
    if any(s.get("n") is None or s["n"] < 2 * k or s.get("mean") is None or s.get("sd") is None
           for s in (a, b)):
        return False
    se = math.sqrt(a["sd"] ** 2 / a["n"] + b["sd"] ** 2 / b["n"])
    return abs(a["mean"] - b["mean"]) > 2 * se


def _visible(payload: dict | None) -> list[dict]:
    return [g for g in (payload or {}).get("groups", []) if not g["suppressed"]]


def _stat(group: dict, item: str, name: str) -> float | None:
    return group["items"].get(item, {}).get(name)


def _stats(group: dict, item: str) -> dict:
    return group["items"].get(item, {})


def _top(values: dict[str, float], order: list[str], largest: bool) -> list[str]:
    """Up to HOW_MANY item keys by value; ties keep the instrument's order."""
    return sorted(values, key=lambda k: (-values[k] if largest else values[k],
                                         order.index(k)))[:HOW_MANY]


def _lowest(whole, labels, order, lang) -> list[TalkingPoint]:
    groups = _visible(whole)
    if not groups:
        return []
    means = {k: m for k in order if (m := _stat(groups[0], k, "mean")) is not None}
    return [TalkingPoint("lowest", _("Among the lowest: %(item)s, mean %(mean)s (%(n)s "
                                     "answers).", item=labels[k], mean=number(means[k], lang),
                                     n=_stat(groups[0], k, "n")), k)
            for k in _top(means, order, largest=False)]


def _changes(by_round, labels, order, lang, k_min) -> list[TalkingPoint]:
    groups = _visible(by_round)
    if len(groups) != 2:  # no previous round, or either round hidden
        return []
    before, now = groups
    change = {}
    for k in order:
        a, b = _stats(before, k), _stats(now, k)
        if evident(a, b, k_min) and round(b["mean"], 1) != round(a["mean"], 1):
            change[k] = b["mean"] - a["mean"]
    points = []
    for k in sorted(change, key=lambda k: (-abs(change[k]), order.index(k)))[:HOW_MANY]:
        # The size is the difference of the means as shown, so the sentence adds up.
        shown = abs(round(_stat(now, k, "mean"), 1) - round(_stat(before, k, "mean"), 1))
        values = {"item": labels[k], "size": number(shown, lang),
                  "before": number(_stat(before, k, "mean"), lang),
                  "now": number(_stat(now, k, "mean"), lang), "round": before["label"],
                  "n_before": _stat(before, k, "n"), "n_now": _stat(now, k, "n")}
        text = (_("%(item)s rose by %(size)s (from %(before)s to %(now)s) since %(round)s "
                  "(%(n_before)s and %(n_now)s answers).", **values) if change[k] > 0 else
                _("%(item)s fell by %(size)s (from %(before)s to %(now)s) since %(round)s "
                  "(%(n_before)s and %(n_now)s answers).", **values))
        points.append(TalkingPoint("change", text, k))
    return points


def _spread(whole, labels, order, lang) -> list[TalkingPoint]:
    groups = _visible(whole)
    if not groups:
        return []
    sds = {k: sd for k in order if (sd := _stat(groups[0], k, "sd")) is not None}
    points = []
    for k in _top(sds, order, largest=True):
        q1, q3 = _stat(groups[0], k, "q1"), _stat(groups[0], k, "q3")
        n = _stat(groups[0], k, "n")
        if q1 is None:  # quartiles are published only where n ≥ 2k
            text = _("Answers spread widely on %(item)s: standard deviation %(sd)s (%(n)s "
                     "answers).", item=labels[k], sd=number(sds[k], lang), n=n)
        else:
            text = _("Answers spread widely on %(item)s: standard deviation %(sd)s, middle "
                     "half from %(q1)s to %(q3)s (%(n)s answers).", item=labels[k],
                     sd=number(sds[k], lang), q1=number(q1, lang), q3=number(q3, lang), n=n)
        points.append(TalkingPoint("spread", text, k))
    return points


def _professions(by_profession, labels, order, lang, k_min) -> list[TalkingPoint]:
    """Per item the two professions whose means differ most on evidence (see `evident`)."""
    groups = _visible(by_profession)
    ranges: dict[str, tuple[float, dict, dict]] = {}
    for k in order:
        rated = sorted((g for g in groups if _stat(g, k, "mean") is not None),
                       key=lambda g: _stat(g, k, "mean"))
        pairs = [(high["items"][k]["mean"] - low["items"][k]["mean"], low, high)
                 for i, low in enumerate(rated) for high in rated[i + 1:]
                 if evident(_stats(low, k), _stats(high, k), k_min)]
        if pairs:
            ranges[k] = max(pairs, key=lambda pair: pair[0])
    chosen = _top({k: r[0] for k, r in ranges.items() if r[0] > 0}, order, largest=True)
    points = []
    for k in chosen:
        _size, low, high = ranges[k]
        # The difference of the means as shown, so the sentence adds up.
        size = round(_stat(high, k, "mean"), 1) - round(_stat(low, k, "mean"), 1)
        points.append(TalkingPoint("professions", _(
            "The professions differ on %(item)s: %(low)s %(low_mean)s, "
            "%(high)s %(high_mean)s (a difference of %(size)s; %(low_n)s and %(high_n)s "
            "answers).", item=labels[k],
            low=low["label"], low_mean=number(_stat(low, k, "mean"), lang),
            high=high["label"], high_mean=number(_stat(high, k, "mean"), lang),
            size=number(size, lang), low_n=_stat(low, k, "n"), high_n=_stat(high, k, "n")), k))
    return points
