"""Tables for steering groups and researchers: the aggregates as XLSX and CSV, and the raw
anonymous answers (admins only).

The aggregates are the API's published cells (results_payload), one table per published
view: the chosen rounds side by side — never added together — then for each round the whole
round (or the one chosen profession or district), its professions and its districts. A
hidden group or item is written as hidden, with the reason and without a number; minimum and
maximum are never written (disclosure.md §3).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from .. import instrument as instruments
from ..dates import local_today
from ..extensions import db
from ..models import District, Profession, Project, Rating, Response, Round
from .charts import hidden_note
from .disclosure import min_group_size
from .exports import chosen_group
from .results import results_payload
from .selection import Selection

STATISTICS = ("n", "mean", "median", "sd", "q1", "q3", "cannot_judge")
# CSV column names are fixed English identifiers, like the API's keys, for scripts.
CSV_COLUMNS = ("breakdown", "filter", "round", "group_key", "group", "responses", "level",
               "dimension", "item_key", "item", *STATISTICS, "hidden")
# The `hidden` code of an item hidden in a shown group, and of a dimension with such an item;
# a hidden group has the API's reason (too_small, open, empty, small, complement, ...).
ITEM_HIDDEN = "item"
# Columns of the statistics that are fractions, shown with two decimals in the workbook.
_DECIMALS = ("mean", "median", "sd", "q1", "q3")


@dataclass
class View:
    """One table of an export: one published view of results_payload."""

    by: str  # "round" (the chosen rounds side by side), "none", "profession" or "district"
    round: int | None  # the round of a per-round view; None for by="round"
    title: str
    payload: dict


def views(project: Project, *, lang: str = "sv", rounds: Sequence[int] | None = None,
          profession: str | None = None, district: str | None = None) -> list[View]:
    """The tables of an export, in order: the chosen rounds side by side (no rounds = every
    round), then for each round its whole (or the one chosen profession or district), its
    professions and its districts — these two only without a filter, since a profession
    within a district is never shown. Nothing pools rounds or groups.

    Raises SelectionError for two filters or an unknown round, profession or district."""
    selection = Selection("round", tuple(rounds or ()), profession, district)
    with force_locale(lang):
        group = chosen_group(project, profession, district, lang)
        by_round = results_payload(project, selection, lang)
        out = [View("round", None, _("By round: %(group)s", group=group) if group
                    else _("By round"), by_round)]
        for round_ in by_round["rounds"]:
            number, label = round_["number"], round_["label"]
            whole = results_payload(project, selection.with_(by="none", rounds=(number,)),
                                    lang)
            if group:  # the one group of by="none" is the chosen one, not "all responses"
                whole["groups"][0].update(key=profession or district, label=group)
            out.append(View("none", number, _("%(group)s: %(round)s", round=label,
                                              group=group or _("All responses")), whole))
            if group:
                continue
            for by, title in (("profession", _("By profession: %(round)s", round=label)),
                              ("district", _("By district: %(round)s", round=label))):
                payload = results_payload(project, Selection(by, (number,)), lang)
                if payload["groups"]:  # a project without districts has no district view
                    out.append(View(by, number, title, payload))
    return out


def aggregate_rows(view: View) -> list[list]:
    """The rows of one table: [round, group key, group, responses, level, dimension, item key,
    item, *STATISTICS, hidden]. Per shown group one row per item, then one per dimension (its
    score); a hidden group is one row with its reason and no number, a hidden item a row with
    the code ITEM_HIDDEN and no number."""
    payload = view.payload
    items = payload["instrument"]["items"]
    blank = [None] * len(STATISTICS)
    rows = []
    for group in payload["groups"]:
        head = [view.round if view.round is not None else group["key"], group["key"],
                group["label"]]
        if group["suppressed"]:
            rows.append([*head, None, None, None, None, None, *blank, group["reason"]])
            continue
        if not group["responses"]:  # a group nobody in it answered: nothing to give
            rows.append([*head, 0, None, None, None, None, *blank, None])
            continue
        for item in items:
            stats = group["items"][item["key"]]
            # A hidden item's n and "cannot judge" are no counts either: leave all empty.
            numbers = blank if stats["suppressed"] else [stats[s] for s in STATISTICS]
            rows.append([*head, group["responses"], "item", item["dimension"], item["key"],
                         item["label"], *numbers, ITEM_HIDDEN if stats["suppressed"] else None])
        for dimension in payload["instrument"]["dimensions"]:
            hidden = any(group["items"][i["key"]]["suppressed"] for i in items
                         if i["dimension"] == dimension["key"])
            score = [None, group["dimensions"].get(dimension["key"]), *blank[2:]]
            rows.append([*head, group["responses"], "dimension", dimension["key"], "",
                         dimension["label"], *score, ITEM_HIDDEN if hidden else None])
    return rows


def reason_text(code: str | None, k: int) -> str | None:
    """A hidden group's or item's reason in words, for people (the CSV keeps the code)."""
    if code is None:
        return None
    return {
        "too_small": _("Fewer than %(k)s responses in the round so far", k=k),
        "open": _("Shown when the round has closed"),
        "empty": _("No responses"),
        "small": _("Fewer than %(k)s responses", k=k),
        ITEM_HIDDEN: _("Too few ratings, or hidden so that a small group cannot be worked "
                       "out"),
    }.get(code, _("Hidden so that a small group cannot be worked out"))


def _headers() -> list[str]:
    return [_("Round"), _("Group key"), _("Group"), _("Responses"), _("Level"), _("Dimension"),
            _("Item key"), _("Item"), _("n (gave a number)"), _("Mean"), _("Median"),
            _("Standard deviation"), _("Lower quartile"), _("Upper quartile"),
            _("Cannot judge"), _("Not shown")]


def _write_table(sheet, view: View, k: int) -> None:
    """A table under the sheet's last row: its title, what it leaves out, header, rows."""
    sheet.append([view.title])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=13)
    if note := hidden_note(view.payload).strip():
        sheet.append([note])
        cell = sheet.cell(row=sheet.max_row, column=1)
        cell.font = Font(bold=True, color="9C0006")
        cell.fill = PatternFill("solid", fgColor="FFC7CE")
    sheet.append(_headers())
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    first = 9  # the first statistic's column (1-based)
    decimals = [first + STATISTICS.index(s) for s in _DECIMALS]
    for row in aggregate_rows(view):
        sheet.append([*row[:-1], reason_text(row[-1], k)])
        for column in decimals:
            sheet.cell(row=sheet.max_row, column=column).number_format = "0.00"
    sheet.append([])


def aggregates_xlsx(project: Project, *, lang: str = "sv",
                    rounds: Sequence[int] | None = None, profession: str | None = None,
                    district: str | None = None) -> bytes:
    """A workbook: an about sheet, the chosen rounds side by side, then one sheet per round
    with its whole, its professions and its districts (see views). Raises SelectionError."""
    tables = views(project, lang=lang, rounds=rounds, profession=profession,
                   district=district)
    with force_locale(lang):
        book = Workbook()
        about = book.active
        about.title = _("About")
        k = min_group_size(project)
        group = chosen_group(project, profession, district, lang)
        about.append([project.name])
        about["A1"].font = Font(bold=True, size=14)
        for line in (
                _("Results from Spindeln, exported %(date)s.", date=local_today()),
                _("Rounds: %(rounds)s", rounds=", ".join(
                    r["label"] for r in tables[0].payload["rounds"])),
                _("Only: %(group)s", group=group) if group else _("All responses"),
                _("Every figure describes one round: the whole round, one profession or one "
                  "district. Rounds are shown side by side, never added together."),
                _("Groups with fewer than %(k)s responses are hidden, and so are groups from "
                  "which a small group could be worked out; a hidden group is listed with "
                  "the reason and without numbers.", k=k),
                _("Professions and districts are shown when the round has closed; while it "
                  "is open, only the whole round."),
                _("Mean and standard deviation of the answers that gave a number; “cannot "
                  "judge” is counted apart. Median and quartiles only where at least %(n)s "
                  "answers gave a number; minimum and maximum are never given, since each "
                  "is one person's answer.", n=2 * k),
                _("Level “dimension”: the mean of the item means of that dimension.")):
            about.append([line])
        about.column_dimensions["A"].width = 110

        sheets = {None: book.create_sheet(_("By round")[:31])}
        for view in tables:
            if view.round not in sheets:
                sheets[view.round] = book.create_sheet(
                    _("Round %(number)s", number=view.round)[:31])
            _write_table(sheets[view.round], view, k)
        for sheet in sheets.values():
            sheet.freeze_panes = "D1"  # round, group key and group stay in view
            for column, width in zip(range(1, 17), (8, 12, 30, 10, 10, 18, 16, 34),
                                     strict=False):
                sheet.column_dimensions[get_column_letter(column)].width = width
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def aggregates_csv(project: Project, *, lang: str = "sv", rounds: Sequence[int] | None = None,
                   profession: str | None = None, district: str | None = None) -> bytes:
    """Every table of views() in one CSV: `breakdown` names the view, `filter` the chosen
    group ("profession:KEY", "district:KEY" or empty), `hidden` the reason a group or item is
    not shown (its numbers are then empty). UTF-8 with a BOM so Excel reads å, ä, ö right;
    comma-separated with decimal points, like the API, for scripts. Raises SelectionError."""
    chosen = (f"profession:{profession}" if profession is not None
              else f"district:{district}" if district is not None else "")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for view in views(project, lang=lang, rounds=rounds, profession=profession,
                      district=district):
        for row in aggregate_rows(view):
            writer.writerow([view.by, chosen, *("" if v is None else v for v in row)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- raw answers (admins only) ------------------------------------------------------------


def raw_answers(project: Project) -> tuple[list[str], list[list]]:
    """Every response as (round, profession, district, one value per item); "cannot judge"
    is empty. Sorted by content, never by arrival, so row order tells nothing about time."""
    instrument = instruments.for_project(project)
    rows = db.session.execute(
        select(Response.id, Round.number, Profession.key, District.key, Rating.item_key,
               Rating.value)
        .join(Round, Round.id == Response.round_id)
        .join(Profession, Profession.id == Response.profession_id)
        .outerjoin(District, District.id == Response.district_id)
        .join(Rating, Rating.response_id == Response.id)
        .where(Round.project_id == project.id))
    answers: dict[int, dict] = {}
    for response_id, number, profession, district, item_key, value in rows:
        answer = answers.setdefault(response_id, {"group": (number, profession, district or ""),
                                                  "values": {}})
        answer["values"][item_key] = value
    table = [[*a["group"], *(a["values"].get(k) for k in instrument.item_keys)]
             for a in answers.values()]
    table.sort(key=lambda r: tuple((v is None, v if v is not None else 0) for v in r))
    return ["round", "profession", "district", *instrument.item_keys], table


def small_groups(project: Project, table: list[list]) -> list[tuple[int, str, str, int]]:
    """Round × profession × district combinations with fewer than k responses."""
    k = min_group_size(project)
    counts = Counter(tuple(row[:3]) for row in table)
    return [(*key, n) for key, n in sorted(counts.items()) if n < k]


def raw_answers_xlsx(project: Project, *, lang: str = "sv") -> bytes:
    """The raw answers with a warning sheet first: small groups can point to people."""
    header, table = raw_answers(project)
    with force_locale(lang):
        book = Workbook()
        warning = book.active
        warning.title = _("Warning")
        k = min_group_size(project)
        lines = [
            _("Raw answers: handle with care"),
            _("These are single anonymous answers. In a group with fewer than %(k)s responses "
              "an answer can point to a person: do not share this file, and show only "
              "aggregates of groups with at least %(k)s responses.", k=k),
            _("Combinations of round, profession and district with fewer than %(k)s "
              "responses:", k=k),
        ]
        for line in lines:
            warning.append([line])
        warning["A1"].font = Font(bold=True, size=14, color="9C0006")
        for row in small_groups(project, table):
            warning.append([", ".join(str(v) for v in row[:3]) + f": {row[3]}"])
        warning.column_dimensions["A"].width = 110

        sheet = book.create_sheet(_("Answers"))
        sheet.append([_("Small groups can point to people: see the sheet “%(sheet)s”.",
                        sheet=_("Warning"))])
        sheet["A1"].font = Font(bold=True, color="9C0006")
        sheet.append(header)
        for row in table:
            sheet.append(row)
        sheet.freeze_panes = "A3"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
