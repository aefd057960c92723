"""Talking points for a seminar: short sentences computed from a round's results.

What the room should talk about: the weakest conditions, what moved since last time, where
people disagree and where the professions see things differently. Every number comes from
`results_payload`, so a group hidden by the anonymity rule never feeds a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal
from flask_babel import force_locale
from flask_babel import gettext as _

from ..models import Project
from .results import results_payload
from .selection import Selection

KINDS = ("lowest", "change", "spread", "professions")
HOW_MANY = 3  # points of each kind: enough to start a discussion, few enough to read aloud


@dataclass
class TalkingPoint:
    """One sentence for the slide and the exports; `kind` is one of KINDS."""

    kind: str
    text: str
    item: str | None = None  # the item's key, for exports that want to link it


def number(value: float, lang: str) -> str:
    """One decimal, in the language's own way (3,4 in Swedish, 3.4 in English)."""
    return format_decimal(value, "0.0", locale="sv_SE" if lang == "sv" else "en_GB")


def talking_points(project: Project, round_number: int, lang: str = "sv",
                   profession: str | None = None,
                   district: str | None = None) -> list[TalkingPoint]:
    """The talking points of a round for a selection of professions and districts.

    In order: up to three lowest items, three largest changes since the previous round,
    three items with the widest spread (sd) and three items where the professions' means
    differ most (only without a profession or district filter). Points that cannot be
    computed from published cells are left out.
    Raises SelectionError for an unknown round, profession or district.
    """
    one_group = {"profession": profession, "district": district}
    whole = results_payload(project, Selection("none", (round_number,), **one_group), lang)
    labels = {item["key"]: item["label"] for item in whole["instrument"]["items"]}
    order = list(labels)
    earlier = [r.number for r in project.rounds if r.number < round_number]
    by_round = (results_payload(project, Selection("round", (max(earlier), round_number),
                                                   **one_group), lang) if earlier else None)
    by_profession = (results_payload(project, Selection("profession", (round_number,)), lang)
                     if profession is None and district is None else None)
    with force_locale(lang):
        return (_lowest(whole, labels, order, lang) + _changes(by_round, labels, order, lang)
                + _spread(whole, labels, order, lang)
                + _professions(by_profession, labels, order, lang))


def _visible(payload: dict | None) -> list[dict]:
    return [g for g in (payload or {}).get("groups", []) if not g["suppressed"]]


def _stat(group: dict, item: str, name: str) -> float | None:
    return group["items"].get(item, {}).get(name)


def _top(values: dict[str, float], order: list[str], largest: bool) -> list[str]:
    """Up to HOW_MANY item keys by value; ties keep the instrument's order."""
    return sorted(values, key=lambda k: (-values[k] if largest else values[k],
                                         order.index(k)))[:HOW_MANY]


def _lowest(whole, labels, order, lang) -> list[TalkingPoint]:
    groups = _visible(whole)
    if not groups:
        return []
    means = {k: m for k in order if (m := _stat(groups[0], k, "mean")) is not None}
    return [TalkingPoint("lowest", _("Among the lowest: %(item)s, mean %(mean)s.",
                                     item=labels[k], mean=number(means[k], lang)), k)
            for k in _top(means, order, largest=False)]


def _changes(by_round, labels, order, lang) -> list[TalkingPoint]:
    groups = _visible(by_round)
    if len(groups) != 2:  # no previous round, or either round hidden
        return []
    before, now = groups
    change = {}
    for k in order:
        a, b = _stat(before, k, "mean"), _stat(now, k, "mean")
        if a is not None and b is not None and round(b - a, 1) != 0:
            change[k] = b - a
    points = []
    for k in sorted(change, key=lambda k: (-abs(change[k]), order.index(k)))[:HOW_MANY]:
        # The size is the difference of the means as shown, so the sentence adds up.
        shown = abs(round(_stat(now, k, "mean"), 1) - round(_stat(before, k, "mean"), 1))
        values = {"item": labels[k], "size": number(shown, lang),
                  "before": number(_stat(before, k, "mean"), lang),
                  "now": number(_stat(now, k, "mean"), lang), "round": before["label"]}
        text = (_("%(item)s rose by %(size)s (from %(before)s to %(now)s) since %(round)s.",
                  **values) if change[k] > 0 else
                _("%(item)s fell by %(size)s (from %(before)s to %(now)s) since %(round)s.",
                  **values))
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
        if q1 is None:  # quartiles are published only where n ≥ 2k
            text = _("Answers spread widely on %(item)s: standard deviation %(sd)s.",
                     item=labels[k], sd=number(sds[k], lang))
        else:
            text = _("Answers spread widely on %(item)s: standard deviation %(sd)s, middle "
                     "half from %(q1)s to %(q3)s.", item=labels[k], sd=number(sds[k], lang),
                     q1=number(q1, lang), q3=number(q3, lang))
        points.append(TalkingPoint("spread", text, k))
    return points


def _professions(by_profession, labels, order, lang) -> list[TalkingPoint]:
    groups = _visible(by_profession)
    ranges: dict[str, tuple[float, dict, dict]] = {}
    for k in order:
        rated = [g for g in groups if _stat(g, k, "mean") is not None]
        if len(rated) < 2:
            continue
        low = min(rated, key=lambda g: _stat(g, k, "mean"))
        high = max(rated, key=lambda g: _stat(g, k, "mean"))
        ranges[k] = (_stat(high, k, "mean") - _stat(low, k, "mean"), low, high)
    chosen = _top({k: r[0] for k, r in ranges.items() if r[0] > 0}, order, largest=True)
    points = []
    for k in chosen:
        size, low, high = ranges[k]
        points.append(TalkingPoint("professions", _(
            "The professions differ on %(item)s: %(low)s %(low_mean)s, "
            "%(high)s %(high_mean)s (a difference of %(size)s).", item=labels[k],
            low=low["label"], low_mean=number(_stat(low, k, "mean"), lang),
            high=high["label"], high_mean=number(_stat(high, k, "mean"), lang),
            size=number(size, lang)), k))
    return points
