"""Plotly figures of a project's results, each with a data table (its text alternative) and a
caption. Every number comes from results_payload and so from published cells only: a chart
takes a Selection's parts (rounds side by side, at most one profession or one district) and
hidden groups never get a trace."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import plotly.graph_objects as go
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from .. import instrument as instruments
from ..i18n import number
from ..models import Project, RoundStatus
from .results import NO_DISTRICT_KEY, results_payload
from .selection import EVERYTHING, Scope, Selection

# Okabe–Ito without its yellow (unreadable on white), and Tol's wine and olive: nine colours,
# one per item of the trend chart, ordered so the first traces differ most. Nine markers
# and the dashes tell the lines apart without colour too (print, colour blindness).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000",
           "#882255", "#999933"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash", "dot"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "hexagon",
           "triangle-down"]
FONT_SIZE = 12  # the figures' text; the presentation scales it for the screen


@dataclass
class Chart:
    """One figure with the same numbers as a table (first row = header) and a caption.
    Title, table and caption are plain text (pages escape them); the figure's texts are
    escaped for plotly. A figure without traces has `empty`: one sentence saying why."""

    key: str
    title: str
    figure: go.Figure
    table: list[list[str]]
    caption: str
    responses: int | None
    empty: str | None = None
    plot: Plot | None = None  # the same numbers for an editable chart (the deck)


@dataclass
class Plot:
    """A chart's numbers as plain text and floats, for charts drawn elsewhere (the deck's
    editable PowerPoint charts). `form`: "radar" (items around, a series per group),
    "lines" (a series per item or dimension across rounds), "bars" (clustered columns) or
    "spread" (each item's quartiles as bars, widest spread first)."""

    form: str
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    value_range: tuple[float, float]
    notes: list[str]  # speaker notes: each shown group's answers, what is left out and why
    why: str = ""  # what the payload leaves out: said instead of an empty chart
    subtitle: str = ""  # a line above the chart
    groups: bool = True  # False: the breakdown has no groups at all (no districts set up)


def plotly_text(text: str) -> str:
    """A user-given name as plotly shows it. plotly reads a little HTML in every text it
    draws (<a href>, <b>, <br>), so a district called '<a href=…>' would become a link:
    <, > and & are escaped, and show as themselves."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _style(index: int) -> dict:
    return {"color": PALETTE[index % len(PALETTE)], "dash": DASHES[index % len(DASHES)]}


def _marker(index: int) -> dict:
    return {"symbol": SYMBOLS[index % len(SYMBOLS)], "size": 8,
            "color": PALETTE[index % len(PALETTE)]}


def _figure(traces: list, title: str, lang: str, **layout) -> go.Figure:
    """A figure with Spindel's common layout; one constructor call (update_layout is slow)."""
    common = dict(
        title={"text": plotly_text(title), "x": 0, "xanchor": "left", "font": {"size": 16}},
        separators=", " if lang == "sv" else ".,",
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
              "size": FONT_SIZE, "color": "#1a1a1a"},
        showlegend=True,  # also for a single trace: the legend names the group
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        margin={"l": 40, "r": 40, "t": 60, "b": 40},
        paper_bgcolor="#ffffff", plot_bgcolor="#ffffff", height=540,
    )
    return go.Figure(data=traces, layout={**common, **layout})


def _wrap(text: str, width: int = 14) -> str:
    """Break a long label at spaces into lines of about `width` characters (room on phones),
    escaped for plotly."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(plotly_text(line) for line in lines)


def _visible(payload: dict) -> list[dict]:
    return [g for g in payload["groups"] if not g["suppressed"]]


def hidden_note(payload: dict) -> str:
    """The one wording of what a chart or table leaves out, and why."""
    notes = []
    waiting = [g["label"] for g in payload["groups"] if g.get("reason") == "open"]
    too_small = [g["label"] for g in payload["groups"] if g.get("reason") == "too_small"]
    empty = [g["label"] for g in payload["groups"] if g.get("reason") == "empty"]
    hidden = [g["label"] for g in payload["groups"] if g["suppressed"]
              and g.get("reason") not in ("open", "too_small", "empty")]
    if too_small:
        notes.append(_("Fewer than %(k)s responses so far: %(groups)s.",
                       k=payload["min_group_size"], groups=", ".join(too_small)))
    if waiting:
        notes.append(_("Professions and districts are shown when the round has closed: "
                       "%(groups)s.", groups=", ".join(waiting)))
    if empty:
        notes.append(_("No answers: %(groups)s.", groups=", ".join(empty)))
    if hidden:
        notes.append(_("Not shown, to protect anonymity (fewer than %(k)s responses, or so "
                       "that a small group cannot be worked out): %(groups)s.",
                       k=payload["min_group_size"], groups=", ".join(hidden)))
    if any(g["items"] and any(s.get("suppressed") for s in g["items"].values())
           for g in payload["groups"]):
        notes.append(_("Items with too few ratings in a group are left out there."))
    pending = [r for r in payload.get("rounds", []) if r.get("pending")]
    for r in pending:
        notes.append(_("%(label)s: %(count)s answers not yet included.", label=r["label"],
                       count=r["pending"]))
    return "".join(" " + note for note in notes)


def chosen_group(project, profession: str | None = None, district: str | None = None,
                 lang: str = "sv") -> str | None:
    """The name of the one profession or district figures are restricted to; None for all
    responses."""
    if profession is not None:
        return next((p.label(lang) for p in project.professions if p.key == profession),
                    profession)
    if district is not None:
        if district == NO_DISTRICT_KEY:
            return _("No district")
        return next((d.label(lang) for d in project.districts if d.key == district), district)
    return None


def counted_name(payload: dict, group: dict, lang: str) -> str:
    """A group's name with the answers its figures rest on, for a column head or a legend:
    "Mätning 6 (pågår, 23 svar)", a round that is still open marked so (its figures are
    incomplete); a hidden group's name alone. payload is the group's results_payload."""
    if group["suppressed"]:
        return group["label"]
    count = number(group["responses"], lang, 0)
    by = payload["selection"]["by"]
    open_ = any(r["status"] == RoundStatus.OPEN and (by == "none" or r["number"] == group["key"])
                for r in payload["rounds"]) and by in ("round", "none")
    if open_:
        return _("%(name)s (open, %(count)s answers)", name=group["label"], count=count)
    return _("%(name)s (%(count)s answers)", name=group["label"], count=count)


def slide_notes(payload: dict, groups: list[dict]) -> list[str]:
    """Speaker notes: each shown group's count, then what is left out and why."""
    notes = [_("%(group)s: %(n)s responses", group=g["label"], n=g["responses"])
             for g in groups]
    notes.append(_("Groups with fewer than %(k)s responses are hidden.",
                   k=payload["min_group_size"]))
    if left_out := hidden_note(payload).strip():
        notes.append(left_out)
    return notes


def _scale_range(payload: dict) -> tuple[float, float]:
    scale = payload["instrument"]["scale"]
    return (scale["min"], scale["max"])


def agreement_series(stats: dict, items: list[dict],
                     k: int) -> tuple[list[str], list[tuple[str, list]]]:
    """The agreement chart of one published cell as (item labels, series): the items with
    a number, widest spread (standard deviation) first. Where quartiles are published (n ≥
    2k) each item gets three bars — lower quartile, median, upper quartile: the farther
    apart, the less people agree; an item with too few answers for quartiles gets its mean,
    and a cell without quartiles its means alone. Every value is a published statistic."""
    rated = [i for i in items if (stats[i["key"]]["n"] or 0) > 0]
    rated.sort(key=lambda i: (stats[i["key"]]["sd"] is None, -(stats[i["key"]]["sd"] or 0)))
    rows = [stats[i["key"]] for i in rated]
    labels = [i["label"] for i in rated]
    if not any(s["q1"] is not None for s in rows):
        return labels, [(_("Mean"), [s["mean"] for s in rows])] if rows else []
    series = [(_("Lower quartile"), [s["q1"] for s in rows]),
              (_("Median"), [s["median"] for s in rows]),
              (_("Upper quartile"), [s["q3"] for s in rows])]
    if any(s["q1"] is None for s in rows):
        series.append((_("Mean (fewer than %(n)s answers)", n=2 * k),
                       [s["mean"] if s["q1"] is None else None for s in rows]))
    return labels, series


def empty_note(payload: dict) -> str:
    """Why a chart has nothing to show, in one sentence (instead of empty axes)."""
    k = payload["min_group_size"]
    reasons = {g.get("reason") for g in payload["groups"]}
    if not payload["groups"] or reasons <= {"empty"}:
        return _("Nothing to show: no answers yet.")
    if reasons <= {"too_small", "empty"}:
        return _("Nothing to show yet: fewer than %(k)s answers so far.", k=k)
    if "open" in reasons and reasons <= {"open", "too_small", "empty"}:
        return _("Nothing to show yet: professions and districts are shown when the round "
                 "has closed.")
    if not _visible(payload):
        return _("Nothing to show: every group is hidden to protect anonymity (fewer than "
                 "%(k)s answers, or a small group could be worked out).", k=k)
    return _("Nothing to show: no item has enough ratings to be shown.")


def _responses(groups: list[dict]) -> int | None:
    return sum(g["responses"] for g in groups) if groups else None


def _round_name(group: dict) -> str:
    return _("Round %(number)s", number=group["key"])


def _is_open(payload: dict, number) -> bool:
    return any(r["number"] == number and r["status"] == RoundStatus.OPEN
               for r in payload.get("rounds", []))


def _with_count(name: str, responses: int, lang: str, open_: bool = False) -> str:
    """A round's or group's name with the answers it rests on, as plain text: "Mätning 6
    (pågår, 23 svar)" — an open round's figures are incomplete."""
    count = number(responses, lang, 0)
    if open_:
        return _("%(name)s (open, %(count)s answers)", name=name, count=count)
    return _("%(name)s (%(count)s answers)", name=name, count=count)


def _round_legend(payload: dict, group: dict, lang: str) -> str:
    """A round's name in a legend: with its answers, and marked while the round is open."""
    return plotly_text(_with_count(_round_name(group), group["responses"], lang,
                                   _is_open(payload, group["key"])))


def _group_legend(payload: dict, group: dict, lang: str) -> str:
    """A profession's or district's name in a legend, with its answers."""
    return plotly_text(_with_count(group["label"], group["responses"], lang))


def _open_note(payload: dict, groups: list[dict], lang: str) -> str:
    """The caption's word on the figures of a round that is still open: incomplete."""
    shown = {g["key"] for g in groups}
    rounds = [r for r in payload.get("rounds", []) if r["status"] == RoundStatus.OPEN
              and r["responses"] is not None and groups
              and (payload["selection"]["by"] != "round" or r["number"] in shown)]
    return "".join(" " + _("%(label)s is still open: its figures are incomplete (they include "
                           "%(count)s answers so far).", label=r["label"],
                           count=number(r["responses"], lang, 0))
                   for r in rounds)


def _answers_note(groups: list[dict], lang: str) -> str:
    """How many answers a one-group chart rests on, for its caption."""
    if not groups:
        return ""
    return " " + _("Based on %(count)s answers.", count=number(groups[0]["responses"], lang, 0))


def polar_margins(ticks: list[str], size: float = FONT_SIZE) -> dict:
    """Room around a spider for its item labels, which plotly does not make itself: as many
    lines as the tallest label above and below the disc, the widest line at the sides. A
    first guess; the pages' script measures the drawn labels and adds what is missing."""
    lines = [re.sub(r"<[^>]*>", "", tick).split("\n") for tick in
             (t.replace("<br>", "\n") for t in ticks)]
    height = max(len(tick) for tick in lines) * size * 1.3 + size
    width = max(len(line) for tick in lines for line in tick) * size * 0.6 + size
    return {"t": round(height + 10), "b": round(height), "l": round(width),
            "r": round(width)}


def _version(payload: dict, lang: str) -> str:
    instrument = payload["instrument"]
    return " " + _("Instrument: %(key)s, version %(version)s.", key=instrument["key"],
                   version=instrument["version"])


def _payload(project, lang, by="round", rounds=None, profession=None, district=None,
             published: Published | None = None) -> dict:
    selection = Selection(by, tuple(rounds or ()), profession, district)
    if published is not None:
        return published.payload(selection)
    return results_payload(project, selection, lang=lang)


# --- spiders ------------------------------------------------------------------------------


def _spider(project: Project, payload: dict, key: str, title: str, headers: list[str],
            names: list[str], lang: str, what: str) -> Chart:
    """headers name the groups in the table (plain text), names in the legend (for plotly,
    with their answers)."""
    instrument = instruments.for_project(project)
    scale = instrument.scale
    items = instrument.items
    # Each item's group: a dimension, or questions the project added (no dimension score).
    dimension_label = {i.dimension: instrument.dimension(i.dimension).label.get(lang)
                       for i in items}
    # Each tick names the item and, below it, its dimension: the dimensions read as sectors.
    # Narrow lines (11 characters): the labels left and right of the spider must fit beside
    # it on a 360 px phone.
    labels = [(i.short.get(lang), dimension_label[i.dimension]) for i in items]
    theta = [spider_tick(item, dimension, 11) for item, dimension in labels]
    groups = _visible(payload)
    traces = []
    for index, (group, name) in enumerate(zip(groups, names, strict=True)):
        stats = [group["items"][i.key] for i in items]
        # Closed outline: the first item again at the end.
        traces.append(go.Scatterpolar(
            r=[s["mean"] for s in stats] + [stats[0]["mean"]], theta=theta + theta[:1],
            name=name, mode="lines+markers", connectgaps=False,
            line={**_style(index), "width": 2.5}, marker=_marker(index),
            customdata=[[number(s["mean"], lang), s["n"], number(s["sd"], lang)]
                        for s in stats + stats[:1]],
            hovertemplate=("<b>%{fullData.name}</b><br>%{theta}<br>" + _("Mean") +
                           ": %{customdata[0]}<br>n = %{customdata[1]}<br>" + _("SD") +
                           ": %{customdata[2]}<extra></extra>"),
        ))
    # The questions a project added are no Spindeln dimension: a shaded sector of their own
    # sets them apart from the dimensions' sectors; their labels name the group, the caption
    # says what the shade means. Last, so that the outlines stay data[0], data[1]…; not in
    # the legend, which names the groups (and must not grow into the labels on a slide).
    shades = [_added_shade(instrument, group, theta, lang) for group in instrument.added_groups
              ] if traces else []
    # Every second value on the radius: at every value the numbers crowd a small spider.
    ticks = [v for v in scale.values if (v - scale.max) % 2 == 0]
    margin = polar_margins(theta)
    margin["t"] += 50  # the title
    # meta keeps the labels unwrapped, for a wider screen to wrap them anew (rewrap_spider).
    figure = _figure(traces + shades, title, lang, margin=margin, meta={"ticks": labels}, polar={
        # The values between the first two items: on the first one's spoke, the highest
        # would sit on its label.
        "radialaxis": {"range": [scale.min - 1, scale.max], "tickvals": ticks,
                       "angle": 90 - 180 / len(items), "tickangle": 90 - 180 / len(items),
                       "gridcolor": "#d0d0d0"},
        "angularaxis": {"direction": "clockwise", "rotation": 90, "gridcolor": "#d0d0d0",
                        "categoryorder": "array", "categoryarray": theta},
        "bgcolor": "#ffffff", "bargap": 0,  # the added questions' bars make one sector
    })
    # The item first: it names the row (and stays in view while a wide table scrolls).
    table = [[_("Item"), _("Dimension")] + headers]
    for item in items:
        table.append([item.short.get(lang), dimension_label[item.dimension]]
                     + [number(g["items"][item.key]["mean"], lang) for g in groups])
    table.append([_("Responses"), ""] + [number(g["responses"], lang, 0) for g in groups])
    caption = (_("Mean rating per item on the scale %(min)s–%(max)s, %(what)s. Items are "
                 "grouped by dimension; further out is better.",
                 min=scale.min, max=scale.max, what=what)
               + "".join(" " + _("%(group)s are shaded: they are not a dimension.",
                                 group=g.label.get(lang)) for g in instrument.added_groups)
               + _open_note(payload, groups, lang) + hidden_note(payload)
               + _version(payload, lang))
    plot = Plot("radar", [i["label"] for i in payload["instrument"]["items"]],
                [(counted_name(payload, g, lang), [g["items"][i.key]["mean"] for i in items])
                 for g in groups], _scale_range(payload), slide_notes(payload, groups),
                why=hidden_note(payload).strip(), groups=bool(payload["groups"]))
    return Chart(key, title, figure, table, caption, _responses(groups),
                 None if traces else empty_note(payload), plot)


ADDED_SHADE = "rgba(120, 120, 120, 0.16)"  # grey, light enough for every outline on top


def _added_shade(instrument, group, theta: list[str], lang: str) -> go.Barpolar:
    """A grey sector behind a group of added questions, from the centre to the scale's top,
    one bar per item, named after the group (its labels and the caption say it too)."""
    ticks = [tick for tick, item in zip(theta, instrument.items, strict=True)
             if item.group == group.key]
    return go.Barpolar(
        theta=ticks, r=[instrument.scale.max] * len(ticks), name=plotly_text(
            group.label.get(lang)), marker={"color": ADDED_SHADE, "line": {"width": 0}},
        meta={"added_group": group.key}, hoverinfo="skip", showlegend=False)


def spider_tick(item: str, dimension: str, width: int, dimension_width: int = 0) -> str:
    """A spider's label: the item and, in italics below it, its dimension, in lines of about
    `width` (the dimension: `dimension_width`, else `width`) characters."""
    return f"{_wrap(item, width)}<br><i>{_wrap(dimension, dimension_width or width)}</i>"


def rewrap_spider(spec: dict, width: int, dimension_width: int = 0) -> list[str]:
    """Wrap a spider's labels anew in a figure as plotly JSON (a dict, changed in place), for
    a screen with more room than a phone; returns the new labels."""
    ticks = [spider_tick(item, dimension, width, dimension_width)
             for item, dimension in spec["layout"]["meta"]["ticks"]]
    old = spec["layout"]["polar"]["angularaxis"]["categoryarray"]
    new = dict(zip(old, ticks, strict=True))
    spec["layout"]["polar"]["angularaxis"]["categoryarray"] = ticks
    for trace in spec["data"]:
        trace["theta"] = [new[t] for t in trace["theta"]]
    return ticks


def spider_rounds(project: Project, lang: str = "sv", rounds=None, profession=None,
                  district=None, *, published: Published | None = None) -> Chart:
    """Item means with one outline per round (of the whole round, or one profession or
    district in each)."""
    with force_locale(lang):
        payload = _payload(project, lang, "round", rounds, profession, district, published)
        groups = _visible(payload)
        return _spider(project, payload, "spider-rounds", title_of("spider-rounds"),
                       [_round_name(g) for g in groups],
                       [_round_legend(payload, g, lang) for g in groups], lang,
                       _("one outline per round"))


def _round_title(project: Project, round_number: int) -> str:
    found = project.round(round_number)
    return found.label if found is not None else _("Round %(number)s", number=round_number)


def _spider_per_group(project: Project, by: str, round_number: int, lang: str,
                      published: Published | None) -> Chart:
    """Item means with one outline per profession or district (`by`), for one round."""
    with force_locale(lang):
        payload = _payload(project, lang, by, [round_number], published=published)
        groups = _visible(payload)
        kind = f"spider-{by}s"
        title = title_of(kind, _round_title(project, round_number))
        what = (_("one outline per profession") if by == "profession"
                else _("one outline per district"))
        return _spider(project, payload, f"{kind}-{round_number}", title,
                       [g["label"] for g in groups],
                       [_group_legend(payload, g, lang) for g in groups], lang, what)


def spider_professions(project: Project, round_number: int, lang: str = "sv", *,
                       published: Published | None = None) -> Chart:
    """Item means with one outline per profession, for one round."""
    return _spider_per_group(project, "profession", round_number, lang, published)


def spider_districts(project: Project, round_number: int, lang: str = "sv", *,
                     published: Published | None = None) -> Chart:
    """Item means with one outline per district, for one round."""
    return _spider_per_group(project, "district", round_number, lang, published)


# --- dimensions -----------------------------------------------------------------------------


def _dimension_bars(project: Project, payload: dict, key: str, title: str,
                    headers: list[str], names: list[str], lang: str, what: str) -> Chart:
    instrument = instruments.for_project(project)
    labels = [d.label.get(lang) for d in instrument.dimensions]
    ticks = [_wrap(label, 16) for label in labels]
    groups = _visible(payload)
    traces = []
    for index, (group, name) in enumerate(zip(groups, names, strict=True)):
        values = [group["dimensions"][d.key] for d in instrument.dimensions]
        traces.append(go.Bar(
            x=ticks, y=values, name=name,
            marker={"color": PALETTE[index % len(PALETTE)],
                    "line": {"color": "#1a1a1a", "width": 0.5}},
            customdata=[[number(v, lang)] for v in values],
            hovertemplate=("<b>%{fullData.name}</b><br>%{x}<br>" + _("Mean") +
                           ": %{customdata[0]}<extra></extra>"),
        ))
    figure = _figure(traces, title, lang, barmode="group",
                     xaxis={"automargin": True},
                     yaxis={"range": [0, instrument.scale.max], "automargin": True,
                            "tickvals": instrument.scale.values, "gridcolor": "#d0d0d0"})
    table = [[_("Dimension")] + headers]
    for dimension, label in zip(instrument.dimensions, labels, strict=True):
        table.append([label] + [number(g["dimensions"][dimension.key], lang) for g in groups])
    table.append([_("Responses")] + [number(g["responses"], lang, 0) for g in groups])
    caption = (_("Dimension score (the mean of its items' means), %(what)s.", what=what)
               + _open_note(payload, groups, lang) + hidden_note(payload)
               + _version(payload, lang))
    names = [counted_name(payload, g, lang) for g in groups]
    if payload["selection"]["by"] == "round":  # rounds in order: each dimension's line
        plot = Plot("lines", names, [(label, [g["dimensions"][d.key] for g in groups])
                                     for d, label in zip(instrument.dimensions, labels,
                                                         strict=True)],
                    _scale_range(payload), slide_notes(payload, groups),
                    why=hidden_note(payload).strip())
    else:  # groups side by side: never a line joining unrelated groups
        plot = Plot("bars", labels, [(name, [g["dimensions"][d.key]
                                             for d in instrument.dimensions])
                                     for name, g in zip(names, groups, strict=True)],
                    _scale_range(payload), slide_notes(payload, groups),
                    why=hidden_note(payload).strip(), groups=bool(payload["groups"]))
    return Chart(key, title, figure, table, caption, _responses(groups),
                 None if traces else empty_note(payload), plot)


def dimensions_rounds(project: Project, lang: str = "sv", rounds=None, profession=None,
                      district=None, *, published: Published | None = None) -> Chart:
    with force_locale(lang):
        payload = _payload(project, lang, "round", rounds, profession, district, published)
        groups = _visible(payload)
        return _dimension_bars(project, payload, "dimensions-rounds",
                               title_of("dimensions-rounds"), [_round_name(g) for g in groups],
                               [_round_legend(payload, g, lang) for g in groups], lang,
                               _("per round"))


def dimensions_professions(project: Project, round_number: int, lang: str = "sv", *,
                           published: Published | None = None) -> Chart:
    """Dimension scores per profession in one round (rounds are never pooled)."""
    with force_locale(lang):
        payload = _payload(project, lang, "profession", [round_number], published=published)
        groups = _visible(payload)
        return _dimension_bars(project, payload, f"dimensions-professions-{round_number}",
                               title_of("dimensions-professions",
                                        _round_title(project, round_number)),
                               [g["label"] for g in groups],
                               [_group_legend(payload, g, lang) for g in groups], lang,
                               _("per profession"))


# --- agreement and trend ------------------------------------------------------------------


def agreement(project: Project, round_number: int, lang: str = "sv", profession=None,
              district=None, *, published: Published | None = None) -> Chart:
    """How much people agree: each item's quartile band, median and mean, sorted by standard
    deviation, largest first."""
    with force_locale(lang):
        instrument = instruments.for_project(project)
        payload = _payload(project, lang, "none", [round_number], profession, district,
                           published)
        groups = _visible(payload)
        title = title_of("agreement", _round_title(project, round_number))
        stats = groups[0]["items"] if groups else {}
        items = [i for i in instrument.items if stats and (stats[i.key]["n"] or 0) > 0]
        # Largest standard deviation first: where people disagree most is the talking point.
        # The caption says so; the sd is in the table and the tooltip.
        items.sort(key=lambda i: (-(stats[i.key]["sd"] or 0), instrument.items.index(i)))
        labels = [plotly_text(i.short.get(lang)) for i in items]
        rows = [stats[i.key] for i in items]
        traces = []
        if any(s["q1"] is not None for s in rows):
            traces.append(go.Bar(
                # Quartiles only where n ≥ 2k (policy §3): other items show their mean alone.
                y=labels, x=[None if s["q1"] is None else s["q3"] - s["q1"] for s in rows],
                base=[s["q1"] for s in rows],
                orientation="h", name=_("Middle half of the answers (quartiles)"),
                marker={"color": "#56B4E9", "line": {"color": "#0072B2", "width": 1}},
                customdata=[[number(s["q1"], lang), number(s["q3"], lang),
                             number(s["sd"], lang), s["n"]] for s in rows],
                hovertemplate=("<b>%{y}</b><br>" + _("Quartiles") + ": %{customdata[0]}–"
                               "%{customdata[1]}<br>" + _("SD") + ": %{customdata[2]}<br>"
                               "n = %{customdata[3]}<extra></extra>"),
            ))
        if any(s["median"] is not None for s in rows):
            traces.append(go.Scatter(
                y=labels, x=[s["median"] for s in rows], mode="markers", name=_("Median"),
                marker={"symbol": "line-ns-open", "size": 18, "color": "#000000",
                        "line": {"width": 3}},
                customdata=[[number(s["median"], lang)] for s in rows],
                hovertemplate="<b>%{y}</b><br>" + _("Median") + ": %{customdata[0]}"
                              "<extra></extra>",
            ))
        if rows:
            traces.append(go.Scatter(
                y=labels, x=[s["mean"] for s in rows], mode="markers", name=_("Mean"),
                marker={"symbol": "diamond", "size": 9, "color": "#D55E00"},
                customdata=[[number(s["mean"], lang)] for s in rows],
                hovertemplate="<b>%{y}</b><br>" + _("Mean") + ": %{customdata[0]}"
                              "<extra></extra>",
            ))
        figure = _figure(
            traces, title, lang,
            xaxis={"range": [instrument.scale.min - 0.5, instrument.scale.max + 0.5],
                   "tickvals": instrument.scale.values, "gridcolor": "#d0d0d0",
                   "automargin": True},
            # Every item named: plotly leaves out category labels it thinks too crowded.
            yaxis={"autorange": "reversed", "automargin": True, "tickmode": "array",
                   "tickvals": labels, "ticktext": labels},
            margin={"l": 10, "r": 40, "t": 60, "b": 40})
        table = [[_("Item"), _("Dimension"), "n", _("Mean"), _("SD"), _("First quartile"),
                  _("Median"), _("Third quartile"), _("Cannot judge")]]
        for item in items:
            s = stats[item.key]
            table.append([item.short.get(lang), instrument.dimension(item.dimension).label.get(
                lang), number(s["n"], lang, 0), number(s["mean"], lang), number(s["sd"], lang),
                number(s["q1"], lang), number(s["median"], lang), number(s["q3"], lang),
                number(s["cannot_judge"], lang, 0)])
        caption = (_("Spread of the answers per item, sorted by standard deviation, largest "
                     "first: the bar covers the middle half of the answers (only where an "
                     "item has at least %(n)s ratings), the line is the median and the "
                     "diamond the mean. A wide spread means people disagree.",
                     n=2 * payload["min_group_size"])
                   + (_open_note(payload, groups, lang) or _answers_note(groups, lang))
                   + hidden_note(payload) + _version(payload, lang))
        # The one group by its name: the chosen profession or district, else the round.
        name = chosen_group(project, profession, district, lang) or _round_title(
            project, round_number)
        notes = slide_notes(payload, [])
        if groups:
            notes.insert(0, _("%(group)s: %(n)s responses", group=name,
                              n=groups[0]["responses"]))
        notes.append(_("Sorted by standard deviation, largest first. The lower and upper "
                       "quartile hold the middle half of the answers between them: the "
                       "closer, the more people agree. Quartiles are given where at least "
                       "%(n)s answers gave a number, elsewhere the mean.",
                       n=2 * payload["min_group_size"]))
        categories, series = agreement_series(groups[0]["items"], payload["instrument"][
            "items"], payload["min_group_size"]) if groups else ([], [])
        plot = Plot("spread", categories, series, _scale_range(payload), notes,
                    why=hidden_note(payload).strip(),
                    subtitle=_("%(group)s. Widest spread first.", group=counted_name(
                        payload, {**groups[0], "label": name}, lang)) if groups else "")
        key = f"agreement-{round_number}"
        return Chart(key, title, figure, table, caption, _responses(groups),
                     None if traces else empty_note(payload), plot)


def trend(project: Project, lang: str = "sv", rounds=None, profession=None,
          district=None, *, published: Published | None = None) -> Chart:
    """Each item's mean across the rounds; hidden rounds have no point."""
    with force_locale(lang):
        instrument = instruments.for_project(project)
        payload = _payload(project, lang, "round", rounds, profession, district, published)
        groups = _visible(payload)
        # Each round with the answers it rests on, an open one marked: on two lines.
        x = [_round_legend(payload, g, lang).replace(" (", "<br>(", 1) for g in groups]
        traces = []
        for index, item in enumerate(instrument.items if groups else []):
            stats = [g["items"][item.key] for g in groups]
            traces.append(go.Scatter(
                x=x, y=[s["mean"] for s in stats], name=plotly_text(item.short.get(lang)),
                mode="lines+markers", line={**_style(index), "width": 2.5},
                marker=_marker(index),
                customdata=[[number(s["mean"], lang), s["n"], number(s["sd"], lang)]
                            for s in stats],
                hovertemplate=("<b>%{fullData.name}</b><br>%{x}<br>" + _("Mean") +
                               ": %{customdata[0]}<br>n = %{customdata[1]}<br>" + _("SD") +
                               ": %{customdata[2]}<extra></extra>"),
            ))
        figure = _figure(traces, title_of("trend"), lang, height=600,
                         xaxis={"automargin": True},
                         yaxis={"range": [instrument.scale.min - 0.5, instrument.scale.max + 0.5],
                                "tickvals": instrument.scale.values, "gridcolor": "#d0d0d0",
                                "automargin": True})
        table = [[_("Item")] + [_round_name(g) for g in groups]]
        for item in instrument.items:
            table.append([item.short.get(lang)]
                         + [number(g["items"][item.key]["mean"], lang) for g in groups])
        table.append([_("Responses")] + [number(g["responses"], lang, 0) for g in groups])
        caption = (_("Mean rating per item in each round.") + _open_note(payload, groups, lang)
                   + hidden_note(payload) + _version(payload, lang))
        plot = Plot("lines", [counted_name(payload, g, lang) for g in groups],
                    [(i["label"], [g["items"][i["key"]]["mean"] for g in groups])
                     for i in payload["instrument"]["items"]] if groups else [],
                    _scale_range(payload), slide_notes(payload, groups),
                    why=hidden_note(payload).strip())
        return Chart("trend", title_of("trend"), figure, table, caption,
                     _responses(groups), None if traces else empty_note(payload), plot)


def cannot_judge(project: Project, lang: str = "sv", rounds=None, profession=None,
                 district=None, *, published: Published | None = None) -> Chart:
    """Each item's share of "cannot judge" answers, a bar per round: where many lack the
    view to rate, an item may lie outside their work."""
    with force_locale(lang):
        payload = _payload(project, lang, "round", rounds, profession, district, published)
        groups = _visible(payload)
        items = payload["instrument"]["items"]

        def share(stats: dict) -> float | None:  # of the answers to the item
            answered = (stats.get("n") or 0) + (stats.get("cannot_judge") or 0)
            return (100 * stats["cannot_judge"] / answered
                    if stats.get("cannot_judge") is not None and answered else None)

        shares = [[share(g["items"][i["key"]]) for i in items] for g in groups]
        labels = [i["label"] for i in items]
        traces = [go.Bar(x=[_wrap(label, 12) for label in labels], y=values,
                         name=_round_legend(payload, g, lang),
                         marker={"color": PALETTE[index % len(PALETTE)]},
                         customdata=[[number(v, lang, 0)] for v in values],
                         hovertemplate=("<b>%{fullData.name}</b><br>%{x}<br>"
                                        "%{customdata[0]} %<extra></extra>"))
                  for index, (g, values) in enumerate(zip(groups, shares, strict=True))]
        title = title_of("cannot-judge")
        figure = _figure(traces, title, lang, barmode="group", xaxis={"automargin": True},
                         # Shares are small: the axis fits them (from 0), not 0–100 %.
                         yaxis={"rangemode": "tozero", "ticksuffix": " %",
                                "automargin": True, "gridcolor": "#d0d0d0"})
        table = [[_("Item")] + [_round_name(g) for g in groups]]
        table += [[label] + [number(values[row], lang, 0) for values in shares]
                  for row, label in enumerate(labels)]
        caption = (_("Share of each item's answers that were “cannot judge”, in per cent, "
                     "per round.") + _open_note(payload, groups, lang)
                   + hidden_note(payload) + _version(payload, lang))
        plot = Plot("bars", labels, [(counted_name(payload, g, lang), values)
                                     for g, values in zip(groups, shares, strict=True)],
                    (0, 100), slide_notes(payload, groups), why=hidden_note(payload).strip())
        return Chart("cannot-judge", title, figure, table, caption, _responses(groups),
                     None if traces else empty_note(payload), plot)


# --- the published figures of one request ---------------------------------------------------


class Published:
    """The published figures one request draws its charts from, for a reader with this
    scope: each selection's results_payload is computed once, however many charts, slides
    or images read it. Payloads are shared: read them, never change them."""

    def __init__(self, project: Project, lang: str = "sv", scope: Scope = EVERYTHING):
        self.project, self.lang, self.scope = project, lang, scope
        self._payloads: dict[Selection, dict] = {}

    def payload(self, selection: Selection) -> dict:
        if selection not in self._payloads:
            self._payloads[selection] = results_payload(self.project, selection, self.lang,
                                                        self.scope)
        return self._payloads[selection]


# --- the registry: every chart, once ----------------------------------------------------------


@dataclass(frozen=True)
class ChartView:
    """What a set of charts shows: the chosen rounds side by side (none = every round), of
    the whole rounds or of one profession or one district."""

    rounds: tuple[int, ...] = ()
    profession: str | None = None
    district: str | None = None

    @property
    def one_group(self) -> bool:
        return self.profession is not None or self.district is not None


@dataclass(frozen=True)
class ChartKind:
    """One kind of chart. `per_round`: one chart per chosen round (its key ends in -<round>),
    else one across the chosen rounds. `breakdown`: it sets a round's professions or
    districts side by side, so it is shown only for all answers, once the round has
    closed, to a reader who may see every group. `slide_title`: the heading of its slide in
    the presentation and the deck (for the show's focus round); None: not on slides."""

    key: str
    title: LazyString  # with %(round)s for a per-round chart
    build: Callable[[Published, ChartView, int | None], Chart]
    slide_title: LazyString | None
    per_round: bool = False
    breakdown: bool = False

    @property
    def on_slides(self) -> bool:
        return self.slide_title is not None


CHARTS: dict[str, ChartKind] = {kind.key: kind for kind in (
    ChartKind("spider-rounds", _l("Items per round"),
              lambda p, v, n: spider_rounds(p.project, p.lang, v.rounds, v.profession,
                                            v.district, published=p),
              slide_title=_l("All chosen rounds")),
    ChartKind("spider-professions", _l("Professions: %(round)s"),
              lambda p, v, n: spider_professions(p.project, n, p.lang, published=p),
              slide_title=_l("By profession – %(round)s"), per_round=True, breakdown=True),
    ChartKind("spider-districts", _l("Districts: %(round)s"),
              lambda p, v, n: spider_districts(p.project, n, p.lang, published=p),
              slide_title=_l("By district – %(round)s"), per_round=True, breakdown=True),
    ChartKind("dimensions-rounds", _l("Dimensions per round"),
              lambda p, v, n: dimensions_rounds(p.project, p.lang, v.rounds, v.profession,
                                                v.district, published=p),
              slide_title=_l("Dimensions")),
    ChartKind("dimensions-professions", _l("Dimensions per profession: %(round)s"),
              lambda p, v, n: dimensions_professions(p.project, n, p.lang, published=p),
              slide_title=None, per_round=True, breakdown=True),
    ChartKind("agreement", _l("Agreement: %(round)s"),
              lambda p, v, n: agreement(p.project, n, p.lang, v.profession, v.district,
                                        published=p),
              slide_title=_l("Agreement – %(round)s"), per_round=True),
    ChartKind("trend", _l("Items over time"),
              lambda p, v, n: trend(p.project, p.lang, v.rounds, v.profession, v.district,
                                    published=p),
              slide_title=_l("Over time")),
    ChartKind("cannot-judge", _l("“Cannot judge” per item"),
              lambda p, v, n: cannot_judge(p.project, p.lang, v.rounds, v.profession,
                                           v.district, published=p),
              slide_title=None),
)}


def title_of(kind: str, round_label: str | None = None) -> str:
    """A chart's title, from the registry."""
    title = CHARTS[kind].title
    return str(title) % {"round": round_label} if CHARTS[kind].per_round else str(title)


def chart_key(kind: ChartKind, round_number: int | None) -> str:
    return f"{kind.key}-{round_number}" if kind.per_round else kind.key


def _kinds(published: Published, view: ChartView, round_: dict | None,
           slides: bool = False) -> list[ChartKind]:
    """The kinds of chart shown across the chosen rounds (round_ None) or for one round
    (its entry in a by-round payload's rounds)."""
    per_round = round_ is not None
    return [kind for kind in CHARTS.values() if kind.per_round == per_round
            and (kind.on_slides or not slides)
            and not (kind.breakdown and (view.one_group or not published.scope.breakdowns
                                         or not round_["breakdowns"]))]


@dataclass
class ChartSection:
    """Charts that belong together on a page: the overview, or one round."""

    key: str
    title: str
    charts: list[Chart]


def _sections(published: Published, view: ChartView, newest_first: bool = False):
    """(section key, title, round number, kinds) of the overview, then of each chosen round
    with published figures. Raises SelectionError outside the reader's scope."""
    published.scope.check(Selection("round", view.rounds, view.profession, view.district))
    with force_locale(published.lang):
        totals = published.payload(Selection("round", view.rounds, view.profession,
                                             view.district))
        out = [("overview", _("All chosen rounds"), None, _kinds(published, view, None))]
        rounds = {r["number"]: r for r in totals["rounds"]}
        visible = _visible(totals)
        for group in reversed(visible) if newest_first else visible:
            number_ = group["key"]
            out.append((f"round-{number_}", group["label"], number_,
                        _kinds(published, view, rounds[number_])))
    return out


def chart_sections(project: Project, lang: str = "sv", rounds=None, profession=None,
                   district=None, newest_first: bool = False, scope: Scope = EVERYTHING,
                   published: Published | None = None) -> list[ChartSection]:
    """The overview charts across the chosen rounds, then per round with published figures
    its per-round charts (the breakdowns only without a group filter — a profession within a
    district is never shown — and for a reader who may see a round's groups side by side).
    Raises SelectionError outside the scope."""
    published = published or Published(project, lang, scope)
    view = ChartView(tuple(rounds or ()), profession, district)
    with force_locale(lang):
        return [ChartSection(key, title, [kind.build(published, view, number_)
                                          for kind in kinds])
                for key, title, number_, kinds in _sections(published, view, newest_first)]


class ChartName(NamedTuple):
    key: str
    title: str


def chart_list(published: Published, view: ChartView) -> list[ChartName]:
    """Key and title of every chart chart_sections would draw, without drawing them."""
    out = []
    with force_locale(published.lang):
        for _key, _title, number_, kinds in _sections(published, view):
            label = _round_title(published.project, number_) if number_ is not None else None
            out += [ChartName(chart_key(kind, number_), title_of(kind.key, label))
                    for kind in kinds]
    return out


def one_chart(published: Published, view: ChartView, key: str) -> Chart | None:
    """The chart with this key, built alone; None if the view has no such chart."""
    for _key, _title, number_, kinds in _sections(published, view):
        for kind in kinds:
            if chart_key(kind, number_) == key:
                with force_locale(published.lang):
                    return kind.build(published, view, number_)
    return None


def seminar_chart_set(project: Project, lang: str = "sv", rounds=None, profession=None,
                      district=None, scope: Scope = EVERYTHING) -> list[Chart]:
    """Every chart for a seminar: the overview charts, then per round with answers its
    per-round charts (as the scope allows)."""
    return [chart for section in chart_sections(project, lang, rounds, profession, district,
                                                scope=scope)
            for chart in section.charts]


def slide_chart(published: Published, view: ChartView, key: str,
                focus: int) -> Chart | None:
    """The chart of a chart slide (a registry key, for the show's focus round); None for a
    key the show has no slide for."""
    kind = CHARTS.get(key)
    if kind is None or not kind.on_slides:
        return None
    if kind.breakdown and (view.one_group or not published.scope.breakdowns):
        return None
    with force_locale(published.lang):
        return kind.build(published, view, focus if kind.per_round else None)
