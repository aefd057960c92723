"""Tables for steering groups and researchers: the aggregates as XLSX and CSV, and the raw
anonymous answers (admins only).

The aggregates are the API's published cells (results_payload), one table per published
view: the chosen rounds side by side — never added together — then for each round the whole
round (or the one chosen profession or district), its professions and its districts. A
hidden group or item is written as hidden, with the reason and without a number; minimum and
maximum are never written (disclosure.md §3). Every cell is written through
spreadsheet_cells, so no name becomes a formula.
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
from .spreadsheet_cells import append_inert, inert_row

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
    append_inert(sheet, [view.title])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=13)
    if note := hidden_note(view.payload).strip():
        append_inert(sheet, [note])
        cell = sheet.cell(row=sheet.max_row, column=1)
        cell.font = Font(bold=True, color="9C0006")
        cell.fill = PatternFill("solid", fgColor="FFC7CE")
    append_inert(sheet, _headers())
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    first = 9  # the first statistic's column (1-based)
    decimals = [first + STATISTICS.index(s) for s in _DECIMALS]
    for row in aggregate_rows(view):
        append_inert(sheet, [*row[:-1], reason_text(row[-1], k)])
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
        append_inert(about, [project.name])
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
            append_inert(about, [line])
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
            writer.writerow(inert_row([view.by, chosen,
                                       *("" if v is None else v for v in row)]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- raw answers (admins only) ------------------------------------------------------------

# Written for a district or profession left out so that no combination is small.
GENERALISED = "*"


@dataclass
class RawAnswers:
    """The raw export's table, k-anonymous on (round, profession, district): every
    combination of these three in `rows` has at least k rows (disclosure.md §5)."""

    header: list[str]
    rows: list[list]  # [round, profession key, district key ("" = none), *item values]
    k: int
    district_generalised: int  # rows whose district is written as GENERALISED
    profession_generalised: int  # of those, rows whose profession is GENERALISED too
    rounds_left_out: list[int]  # rounds with fewer than k answers: not written at all


def raw_answers(project: Project) -> RawAnswers:
    """Every response as (round, profession, district, one value per item), "cannot judge"
    empty, made k-anonymous by k_anonymous. Sorted by content, never by arrival, so row
    order tells nothing about time."""
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
    table = [[*a["group"], *(a["values"].get(key) for key in instrument.item_keys)]
             for a in answers.values()]
    k = min_group_size(project)
    table, rounds_left_out = k_anonymous(table, k)
    table.sort(key=_content_order)
    return RawAnswers(
        header=["round", "profession", "district", *instrument.item_keys], rows=table, k=k,
        district_generalised=sum(row[2] == GENERALISED for row in table),
        profession_generalised=sum(row[1] == GENERALISED for row in table),
        rounds_left_out=rounds_left_out)


def k_anonymous(table: list[list], k: int) -> tuple[list[list], list[int]]:
    """The rows [round, profession, district, …] generalised until every (round, profession,
    district) combination has at least k rows, and the rounds left out. Per round:
    1. rows of a combination with fewer than k rows get the district GENERALISED;
    2. rows of a (round, profession, GENERALISED) combination still under k get the
       profession GENERALISED too;
    3. while (round, GENERALISED, GENERALISED) has 1 to k−1 rows, the smallest other
       combination joins it (both columns generalised) — a round with k rows or more
       always gets there.
    A round with fewer than k rows in all cannot be made k-anonymous and is left out, as the
    results publish nothing of it but that it is too small (§2). Generalising never moves a
    row to another round, so rounds stay apart as everywhere else (§1)."""
    by_round: dict[int, list[list]] = {}
    for row in table:
        by_round.setdefault(row[0], []).append(list(row))
    kept, left_out = [], []
    for number in sorted(by_round):
        rows = by_round[number]
        if len(rows) < k:
            left_out.append(number)
            continue
        for column in (2, 1):  # the district first, then the profession
            sizes = Counter(_combination(row) for row in rows)
            for row in rows:
                if sizes[_combination(row)] < k:
                    row[column] = GENERALISED
        rest = (number, GENERALISED, GENERALISED)
        while 0 < (sizes := Counter(_combination(row) for row in rows))[rest] < k:
            smallest = min((n, key) for key, n in sizes.items() if key != rest)[1]
            for row in rows:
                if _combination(row) == smallest:
                    row[1] = row[2] = GENERALISED
        kept.extend(rows)
    return kept, left_out


def _combination(row: list) -> tuple:
    return tuple(row[:3])


def _content_order(row: list) -> tuple:
    """Round, profession, district (generalised ones last), then the values."""
    number, profession, district, *values = row
    return (number, profession == GENERALISED, profession, district == GENERALISED, district,
            *((v is None, v or 0) for v in values))


def raw_answers_xlsx(project: Project, *, lang: str = "sv") -> bytes:
    """The raw answers, k-anonymous, after a sheet that says how and how many were
    generalised and that the file is shared only under a data-processing agreement."""
    raw = raw_answers(project)
    k = raw.k
    with force_locale(lang):
        book = Workbook()
        about = book.active
        about.title = _("Warning")
        append_inert(about, [_("Raw answers: k-anonymous, handle with care")])
        about["A1"].font = Font(bold=True, size=14, color="9C0006")
        for line in (
            _("Every combination of round, profession and district in this file has at least "
              "%(k)s answers. Where a combination had fewer, the district is written as "
              "“%(mark)s”, and where that was not enough, the profession too.",
              k=k, mark=GENERALISED),
            _("Combined with the published results, or with knowing who works where, a "
              "single answer can still sometimes be narrowed down: share this file only "
              "under a data-processing agreement, and show only the published results."),
        ):
            append_inert(about, [line])
        about.append([])
        figures = [
            (_("Answers in this file"), len(raw.rows)),
            (_("Answers with the district generalised (“%(mark)s”)", mark=GENERALISED),
             raw.district_generalised),
            (_("… of which also with the profession generalised"),
             raw.profession_generalised),
        ]
        for label, number in figures:
            append_inert(about, [label, number])
        if raw.rounds_left_out:
            append_inert(about, [
                _("Rounds left out: fewer than %(k)s answers in the round", k=k),
                ", ".join(str(n) for n in raw.rounds_left_out)])
        about.column_dimensions["A"].width = 110
        about.column_dimensions["B"].width = 12

        sheet = book.create_sheet(_("Answers"))
        append_inert(sheet, [_("k-anonymous (k = %(k)s): “%(mark)s” is a generalised "
                               "district or profession. See the sheet “%(sheet)s”.",
                               k=k, mark=GENERALISED, sheet=_("Warning"))])
        sheet["A1"].font = Font(bold=True, color="9C0006")
        append_inert(sheet, raw.header)
        for row in raw.rows:
            append_inert(sheet, row)
        sheet.freeze_panes = "A3"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
