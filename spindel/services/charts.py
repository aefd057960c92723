"""Plotly figures of a project's results, each with a data table (its text alternative) and a
caption. Every number comes from results_payload and so from published cells only: a chart
takes a Selection's parts (rounds side by side, at most one profession or one district) and
hidden groups never get a trace."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import plotly.graph_objects as go
from babel import Locale
from babel.numbers import parse_pattern
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import instrument as instruments
from ..models import Project, RoundStatus
from .results import results_payload
from .selection import EVERYTHING, Scope, Selection

# Okabe–Ito without its yellow (unreadable on white), and Tol's wine and olive: nine colours,
# one per item of the trend chart, ordered so the first traces differ most. Nine markers
# and the dashes tell the lines apart without colour too (print, colour blindness).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000",
           "#882255", "#999933"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash", "dot"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "hexagon",
           "triangle-down"]
NO_VALUE = "–"
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


def plotly_text(text: str) -> str:
    """A user-given name as plotly shows it. plotly reads a little HTML in every text it
    draws (<a href>, <b>, <br>), so a district called '<a href=…>' would become a link:
    <, > and & are escaped, and show as themselves."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@lru_cache(maxsize=16)
def _number_format(lang: str, digits: int):
    # Parsing the locale and pattern is most of format_decimal's cost: do it once.
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return parse_pattern(pattern), Locale.parse(lang)


def number(value, lang: str, digits: int = 1) -> str:
    """A number as the language writes it (5,2 in Swedish); an en dash for none."""
    if value is None:
        return NO_VALUE
    pattern, locale = _number_format(lang, digits)
    return pattern.apply(value, locale)


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


def _payload(project, lang, by="round", rounds=None, profession=None, district=None):
    selection = Selection(by, tuple(rounds or ()), profession, district)
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
    return Chart(key, title, figure, table, caption, _responses(groups),
                 None if traces else empty_note(payload))


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
                  district=None) -> Chart:
    """Item means with one outline per round (of the whole round, or one profession or
    district in each)."""
    with force_locale(lang):
        payload = _payload(project, lang, "round", rounds, profession, district)
        groups = _visible(payload)
        return _spider(project, payload, "spider-rounds", _("Items per round"),
                       [_round_name(g) for g in groups],
                       [_round_legend(payload, g, lang) for g in groups], lang,
                       _("one outline per round"))


def _round_title(project: Project, round_number: int) -> str:
    return next((r.label for r in project.rounds if r.number == round_number),
                _("Round %(number)s", number=round_number))


def _spider_per_group(project: Project, by: str, round_number: int, lang: str) -> Chart:
    """Item means with one outline per profession or district (`by`), for one round."""
    with force_locale(lang):
        payload = _payload(project, lang, by, [round_number])
        groups = _visible(payload)
        round_title = _round_title(project, round_number)
        if by == "profession":
            title = _("Professions: %(round)s", round=round_title)
            what = _("one outline per profession")
        else:
            title = _("Districts: %(round)s", round=round_title)
            what = _("one outline per district")
        return _spider(project, payload, f"spider-{by}s-{round_number}", title,
                       [g["label"] for g in groups],
                       [_group_legend(payload, g, lang) for g in groups], lang, what)


def spider_professions(project: Project, round_number: int, lang: str = "sv") -> Chart:
    """Item means with one outline per profession, for one round."""
    return _spider_per_group(project, "profession", round_number, lang)


def spider_districts(project: Project, round_number: int, lang: str = "sv") -> Chart:
    """Item means with one outline per district, for one round."""
    return _spider_per_group(project, "district", round_number, lang)


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
    return Chart(key, title, figure, table, caption, _responses(groups),
                 None if traces else empty_note(payload))


def dimensions_rounds(project: Project, lang: str = "sv", rounds=None, profession=None,
                      district=None) -> Chart:
    with force_locale(lang):
        payload = _payload(project, lang, "round", rounds, profession, district)
        groups = _visible(payload)
        return _dimension_bars(project, payload, "dimensions-rounds",
                               _("Dimensions per round"), [_round_name(g) for g in groups],
                               [_round_legend(payload, g, lang) for g in groups], lang,
                               _("per round"))


def dimensions_professions(project: Project, round_number: int, lang: str = "sv") -> Chart:
    """Dimension scores per profession in one round (rounds are never pooled)."""
    with force_locale(lang):
        payload = _payload(project, lang, "profession", [round_number])
        groups = _visible(payload)
        return _dimension_bars(project, payload, f"dimensions-professions-{round_number}",
                               _("Dimensions per profession: %(round)s",
                                 round=_round_title(project, round_number)),
                               [g["label"] for g in groups],
                               [_group_legend(payload, g, lang) for g in groups], lang,
                               _("per profession"))


# --- agreement and trend ------------------------------------------------------------------


def agreement(project: Project, round_number: int, lang: str = "sv", profession=None,
              district=None) -> Chart:
    """How much people agree: each item's quartile band, median and mean, sorted by standard
    deviation, largest first."""
    with force_locale(lang):
        instrument = instruments.for_project(project)
        payload = _payload(project, lang, "none", [round_number], profession, district)
        groups = _visible(payload)
        title = _("Agreement: %(round)s", round=_round_title(project, round_number))
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
        key = f"agreement-{round_number}"
        return Chart(key, title, figure, table, caption, _responses(groups),
                     None if traces else empty_note(payload))


def trend(project: Project, lang: str = "sv", rounds=None, profession=None,
          district=None) -> Chart:
    """Each item's mean across the rounds; hidden rounds have no point."""
    with force_locale(lang):
        instrument = instruments.for_project(project)
        payload = _payload(project, lang, "round", rounds, profession, district)
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
        figure = _figure(traces, _("Items over time"), lang, height=600,
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
        return Chart("trend", _("Items over time"), figure, table, caption,
                     _responses(groups), None if traces else empty_note(payload))


# --- the set for a seminar ------------------------------------------------------------------


@dataclass
class ChartSection:
    """Charts that belong together on a page: the overview, or one round."""

    key: str
    title: str
    charts: list[Chart]


def chart_sections(project: Project, lang: str = "sv", rounds=None, profession=None,
                   district=None, newest_first: bool = False,
                   scope: Scope = EVERYTHING) -> list[ChartSection]:
    """The overview charts across the chosen rounds, then per round with published figures:
    professions, districts and dimensions per profession (only without a filter: a
    profession within a district is never shown; and only for a reader who may see a
    round's groups side by side) and agreement. Raises SelectionError outside the scope."""
    scope.check(Selection("round", tuple(rounds or ()), profession, district))
    one_group = {"profession": profession, "district": district}
    with force_locale(lang):
        sections = [ChartSection("overview", _("All chosen rounds"), [
            spider_rounds(project, lang, rounds, **one_group),
            dimensions_rounds(project, lang, rounds, **one_group),
            trend(project, lang, rounds, **one_group),
        ])]
        totals = _payload(project, lang, "round", rounds, profession, district)
        visible = _visible(totals)
        breakdowns = {r["number"]: r["breakdowns"] for r in totals["rounds"]}
        for group in reversed(visible) if newest_first else visible:
            number_ = group["key"]
            charts = []
            # An open round publishes only its whole: no empty profession or district charts.
            if (profession is None and district is None and breakdowns.get(number_)
                    and scope.breakdowns):
                charts += [spider_professions(project, number_, lang),
                           spider_districts(project, number_, lang),
                           dimensions_professions(project, number_, lang)]
            charts.append(agreement(project, number_, lang, **one_group))
            sections.append(ChartSection(f"round-{number_}", group["label"], charts))
    return sections


def seminar_chart_set(project: Project, lang: str = "sv", rounds=None, profession=None,
                      district=None, scope: Scope = EVERYTHING) -> list[Chart]:
    """Every chart for a seminar: the overview charts, then per round with answers the
    professions, the districts (as the scope allows) and the agreement."""
    return [chart for section in chart_sections(project, lang, rounds, profession, district,
                                                scope=scope)
            for chart in section.charts]
