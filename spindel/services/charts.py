"""Plotly figures of a project's results, each with a data table (its text alternative) and a
caption. Every number comes from results_payload and so from published cells only: a chart
takes a Selection's parts (rounds side by side, at most one profession or one district) and
hidden groups never get a trace."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import plotly.graph_objects as go
from babel import Locale
from babel.numbers import parse_pattern
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import instrument as instruments
from ..models import Project
from .results import results_payload
from .selection import Selection

# Okabe–Ito, ordered so the first traces differ most; dashes and symbols help in print too.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000",
           "#F0E442"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "hexagon"]
NO_VALUE = "–"


@dataclass
class Chart:
    """One figure with the same numbers as a table (first row = header) and a caption."""

    key: str
    title: str
    figure: go.Figure
    table: list[list[str]]
    caption: str
    responses: int | None


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


def _figure(traces: list, title: str, lang: str, **layout) -> go.Figure:
    """A figure with Spindel's common layout; one constructor call (update_layout is slow)."""
    common = dict(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        separators=", " if lang == "sv" else ".,",
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
              "size": 12, "color": "#1a1a1a"},
        showlegend=True,  # also for a single trace: the legend names the group
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        margin={"l": 40, "r": 40, "t": 60, "b": 40},
        paper_bgcolor="#ffffff", plot_bgcolor="#ffffff", height=540,
    )
    return go.Figure(data=traces, layout={**common, **layout})


def _wrap(text: str, width: int = 14) -> str:
    """Break a long label at spaces into lines of about `width` characters (room on phones)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


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


def _responses(groups: list[dict]) -> int | None:
    return sum(g["responses"] for g in groups) if groups else None


def _round_name(group: dict) -> str:
    return _("Round %(number)s", number=group["key"])


def _version(payload: dict, lang: str) -> str:
    instrument = payload["instrument"]
    return " " + _("Instrument: %(key)s, version %(version)s.", key=instrument["key"],
                   version=instrument["version"])


def _payload(project, lang, by="round", rounds=None, profession=None, district=None):
    selection = Selection(by, tuple(rounds or ()), profession, district)
    return results_payload(project, selection, lang=lang)


# --- spiders ------------------------------------------------------------------------------


def _spider(project: Project, payload: dict, key: str, title: str, names: list[str],
            lang: str, what: str) -> Chart:
    instrument = instruments.for_project(project)
    scale = instrument.scale
    items = instrument.items
    dimension_label = {d.key: d.label.get(lang) for d in instrument.dimensions}
    # Each tick names the item and, below it, its dimension: the dimensions read as sectors.
    # Narrow lines (11 characters): the labels left and right of the spider must fit beside
    # it on a 360 px phone.
    theta = [f"{_wrap(i.short.get(lang), 11)}<br><i>{_wrap(dimension_label[i.dimension], 11)}</i>"
             for i in items]
    groups = _visible(payload)
    traces = []
    for index, (group, name) in enumerate(zip(groups, names, strict=True)):
        stats = [group["items"][i.key] for i in items]
        # Closed outline: the first item again at the end.
        traces.append(go.Scatterpolar(
            r=[s["mean"] for s in stats] + [stats[0]["mean"]], theta=theta + theta[:1],
            name=name, mode="lines+markers", connectgaps=False,
            line={**_style(index), "width": 2.5},
            marker={"symbol": SYMBOLS[index % len(SYMBOLS)], "size": 7},
            customdata=[[number(s["mean"], lang), s["n"], number(s["sd"], lang)]
                        for s in stats + stats[:1]],
            hovertemplate=("<b>%{fullData.name}</b><br>%{theta}<br>" + _("Mean") +
                           ": %{customdata[0]}<br>n = %{customdata[1]}<br>" + _("SD") +
                           ": %{customdata[2]}<extra></extra>"),
        ))
    figure = _figure(traces, title, lang, polar={
        "radialaxis": {"range": [scale.min - 1, scale.max], "tickvals": scale.values,
                       "angle": 90, "tickangle": 90, "gridcolor": "#d0d0d0",
                       "tickfont": {"size": 10}},
        "angularaxis": {"direction": "clockwise", "rotation": 90, "gridcolor": "#d0d0d0",
                        "categoryorder": "array", "categoryarray": theta},
        "bgcolor": "#ffffff",
    })
    table = [[_("Dimension"), _("Item")] + names]
    for item in items:
        table.append([dimension_label[item.dimension], item.short.get(lang)]
                     + [number(g["items"][item.key]["mean"], lang) for g in groups])
    table.append([_("Responses"), ""] + [number(g["responses"], lang, 0) for g in groups])
    caption = (_("Mean rating per item on the scale %(min)s–%(max)s, %(what)s. Items are "
                 "grouped by dimension; further out is better.",
                 min=scale.min, max=scale.max, what=what)
               + hidden_note(payload) + _version(payload, lang))
    return Chart(key, title, figure, table, caption, _responses(groups))


def spider_rounds(project: Project, lang: str = "sv", rounds=None, profession=None,
                  district=None) -> Chart:
    """Item means with one outline per round (of the whole round, or one profession or
    district in each)."""
    with force_locale(lang):
        payload = _payload(project, lang, "round", rounds, profession, district)
        names = [_round_name(g) for g in _visible(payload)]
        return _spider(project, payload, "spider-rounds", _("Items per round"), names, lang,
                       _("one outline per round"))


def _round_title(project: Project, round_number: int) -> str:
    return next((r.label for r in project.rounds if r.number == round_number),
                _("Round %(number)s", number=round_number))


def _spider_per_group(project: Project, by: str, round_number: int, lang: str) -> Chart:
    """Item means with one outline per profession or district (`by`), for one round."""
    with force_locale(lang):
        payload = _payload(project, lang, by, [round_number])
        names = [g["label"] for g in _visible(payload)]
        round_title = _round_title(project, round_number)
        if by == "profession":
            title = _("Professions: %(round)s", round=round_title)
            what = _("one outline per profession")
        else:
            title = _("Districts: %(round)s", round=round_title)
            what = _("one outline per district")
        return _spider(project, payload, f"spider-{by}s-{round_number}", title, names,
                       lang, what)


def spider_professions(project: Project, round_number: int, lang: str = "sv") -> Chart:
    """Item means with one outline per profession, for one round."""
    return _spider_per_group(project, "profession", round_number, lang)


def spider_districts(project: Project, round_number: int, lang: str = "sv") -> Chart:
    """Item means with one outline per district, for one round."""
    return _spider_per_group(project, "district", round_number, lang)


# --- dimensions -----------------------------------------------------------------------------


def _dimension_bars(project: Project, payload: dict, key: str, title: str, names: list[str],
                    lang: str, what: str) -> Chart:
    instrument = instruments.for_project(project)
    labels = [d.label.get(lang) for d in instrument.dimensions]
    groups = _visible(payload)
    traces = []
    for index, (group, name) in enumerate(zip(groups, names, strict=True)):
        values = [group["dimensions"][d.key] for d in instrument.dimensions]
        traces.append(go.Bar(
            x=labels, y=values, name=name,
            marker={"color": PALETTE[index % len(PALETTE)],
                    "line": {"color": "#1a1a1a", "width": 0.5}},
            customdata=[[number(v, lang)] for v in values],
            hovertemplate=("<b>%{fullData.name}</b><br>%{x}<br>" + _("Mean") +
                           ": %{customdata[0]}<extra></extra>"),
        ))
    figure = _figure(traces, title, lang, barmode="group",
                     yaxis={"range": [0, instrument.scale.max],
                            "tickvals": instrument.scale.values, "gridcolor": "#d0d0d0"})
    table = [[_("Dimension")] + names]
    for dimension, label in zip(instrument.dimensions, labels, strict=True):
        table.append([label] + [number(g["dimensions"][dimension.key], lang) for g in groups])
    table.append([_("Responses")] + [number(g["responses"], lang, 0) for g in groups])
    caption = (_("Dimension score (the mean of its items' means), %(what)s.", what=what)
               + hidden_note(payload) + _version(payload, lang))
    return Chart(key, title, figure, table, caption, _responses(groups))


def dimensions_rounds(project: Project, lang: str = "sv", rounds=None, profession=None,
                      district=None) -> Chart:
    with force_locale(lang):
        payload = _payload(project, lang, "round", rounds, profession, district)
        names = [_round_name(g) for g in _visible(payload)]
        return _dimension_bars(project, payload, "dimensions-rounds",
                               _("Dimensions per round"), names, lang, _("per round"))


def dimensions_professions(project: Project, round_number: int, lang: str = "sv") -> Chart:
    """Dimension scores per profession in one round (rounds are never pooled)."""
    with force_locale(lang):
        payload = _payload(project, lang, "profession", [round_number])
        names = [g["label"] for g in _visible(payload)]
        return _dimension_bars(project, payload, f"dimensions-professions-{round_number}",
                               _("Dimensions per profession: %(round)s",
                                 round=_round_title(project, round_number)), names, lang,
                               _("per profession"))


# --- agreement and trend ------------------------------------------------------------------


def agreement(project: Project, round_number: int, lang: str = "sv", profession=None,
              district=None) -> Chart:
    """How much people agree: each item's quartile band and median, widest spread first."""
    with force_locale(lang):
        instrument = instruments.for_project(project)
        payload = _payload(project, lang, "none", [round_number], profession, district)
        groups = _visible(payload)
        title = _("Agreement: %(round)s", round=_round_title(project, round_number))
        stats = groups[0]["items"] if groups else {}
        items = [i for i in instrument.items if stats and (stats[i.key]["n"] or 0) > 0]
        # Widest spread (sd) first: where people disagree most is the talking point.
        items.sort(key=lambda i: (-(stats[i.key]["sd"] or 0), instrument.items.index(i)))
        labels = [i.short.get(lang) for i in items]
        traces = []
        if items:
            rows = [stats[i.key] for i in items]
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
            traces.append(go.Scatter(
                y=labels, x=[s["median"] for s in rows], mode="markers", name=_("Median"),
                marker={"symbol": "line-ns-open", "size": 18, "color": "#000000",
                        "line": {"width": 3}},
                customdata=[[number(s["median"], lang)] for s in rows],
                hovertemplate="<b>%{y}</b><br>" + _("Median") + ": %{customdata[0]}"
                              "<extra></extra>",
            ))
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
                   "tickvals": instrument.scale.values, "gridcolor": "#d0d0d0"},
            yaxis={"autorange": "reversed", "automargin": True},
            margin={"l": 10, "r": 40, "t": 60, "b": 40})
        table = [[_("Item"), _("Dimension"), "n", _("Mean"), _("SD"), _("First quartile"),
                  _("Median"), _("Third quartile"), _("Cannot judge")]]
        for item in items:
            s = stats[item.key]
            table.append([item.short.get(lang), instrument.dimension(item.dimension).label.get(
                lang), number(s["n"], lang, 0), number(s["mean"], lang), number(s["sd"], lang),
                number(s["q1"], lang), number(s["median"], lang), number(s["q3"], lang),
                number(s["cannot_judge"], lang, 0)])
        caption = (_("Spread of the answers per item, widest first: the bar covers the middle "
                     "half of the answers, the line is the median. A wide bar means people "
                     "disagree.") + hidden_note(payload) + _version(payload, lang))
        key = f"agreement-{round_number}"
        return Chart(key, title, figure, table, caption, _responses(groups))


def trend(project: Project, lang: str = "sv", rounds=None, profession=None,
          district=None) -> Chart:
    """Each item's mean across the rounds; hidden rounds have no point."""
    with force_locale(lang):
        instrument = instruments.for_project(project)
        payload = _payload(project, lang, "round", rounds, profession, district)
        groups = _visible(payload)
        x = [_round_name(g) for g in groups]
        traces = []
        for index, item in enumerate(instrument.items):
            stats = [g["items"][item.key] for g in groups]
            traces.append(go.Scatter(
                x=x, y=[s["mean"] for s in stats], name=item.short.get(lang),
                mode="lines+markers", line={**_style(index), "width": 2},
                marker={"symbol": SYMBOLS[index % len(SYMBOLS)], "size": 7},
                customdata=[[number(s["mean"], lang), s["n"], number(s["sd"], lang)]
                            for s in stats],
                hovertemplate=("<b>%{fullData.name}</b><br>%{x}<br>" + _("Mean") +
                               ": %{customdata[0]}<br>n = %{customdata[1]}<br>" + _("SD") +
                               ": %{customdata[2]}<extra></extra>"),
            ))
        figure = _figure(traces, _("Items over time"), lang, height=600,
                         yaxis={"range": [instrument.scale.min - 0.5, instrument.scale.max + 0.5],
                                "tickvals": instrument.scale.values, "gridcolor": "#d0d0d0"})
        table = [[_("Item")] + x]
        for item in instrument.items:
            table.append([item.short.get(lang)]
                         + [number(g["items"][item.key]["mean"], lang) for g in groups])
        table.append([_("Responses")] + [number(g["responses"], lang, 0) for g in groups])
        caption = (_("Mean rating per item in each round.") + hidden_note(payload)
                   + _version(payload, lang))
        return Chart("trend", _("Items over time"), figure, table, caption,
                     _responses(groups))


# --- the set for a seminar ------------------------------------------------------------------


@dataclass
class ChartSection:
    """Charts that belong together on a page: the overview, or one round."""

    key: str
    title: str
    charts: list[Chart]


def chart_sections(project: Project, lang: str = "sv", rounds=None, profession=None,
                   district=None, newest_first: bool = False) -> list[ChartSection]:
    """The overview charts across the chosen rounds, then per round with published figures:
    professions, districts and dimensions per profession (only without a filter: a
    profession within a district is never shown) and agreement."""
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
            if profession is None and district is None and breakdowns.get(number_):
                charts += [spider_professions(project, number_, lang),
                           spider_districts(project, number_, lang),
                           dimensions_professions(project, number_, lang)]
            charts.append(agreement(project, number_, lang, **one_group))
            sections.append(ChartSection(f"round-{number_}", group["label"], charts))
    return sections


def seminar_chart_set(project: Project, lang: str = "sv", rounds=None, profession=None,
                      district=None) -> list[Chart]:
    """Every chart for a seminar: the overview charts, then per round with answers the
    professions, the districts and the agreement."""
    return [chart for section in chart_sections(project, lang, rounds, profession, district)
            for chart in section.charts]
