"""Tables for steering groups and researchers: the aggregates as XLSX and CSV, and the raw
anonymous answers (admins only).

The aggregates are the API's published cells (results_payload), one table per published
view: the chosen rounds side by side — never added together — then for each round the whole
round (or the one chosen profession or district), its professions and its districts. A
hidden group or item is written as hidden, with the reason and without a number; minimum and
maximum are never written (disclosure.md §3). Every cell is written through
spreadsheet_cells, so no name becomes a formula.

The workbook is for people, in Swedish or in English throughout: an "About the data" sheet,
one sheet per view laid out for a chart (items × rounds; per round items × professions and
items × districts), and every statistic in one filterable table; fractions are shown to one
decimal and kept in full. The CSV has two modes: Swedish for Swedish Excel (semicolons,
decimal commas, Swedish headings and words) and English for scripts (commas, decimal
points, fixed identifiers like the API's keys).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from ... import instrument as instruments
from ...dates import local_today
from ...extensions import db
from ...models import District, Profession, Project, Rating, Response, Round, RoundStatus
from ..charts import chosen_group, counted_name, hidden_note
from ..disclosure import min_group_size
from ..results import results_payload
from ..selection import EVERYTHING, Scope, Selection
from ..spreadsheet_cells import append_inert, inert_row

STATISTICS = ("n", "mean", "median", "sd", "q1", "q3", "cannot_judge")
# The English CSV's column names: fixed identifiers, like the API's keys, for scripts.
CSV_COLUMNS = ("breakdown", "filter", "round", "group_key", "group", "responses", "level",
               "dimension", "item_key", "item", *STATISTICS, "hidden")
# The `hidden` code of an item hidden in a shown group, and of a dimension with such an item;
# a hidden group has the API's reason (too_small, open, empty, small, complement, ...).
ITEM_HIDDEN = "item"
# Fractions are shown to one decimal in the workbook; the cell keeps the full value.
ONE_DECIMAL = "0.0"
_FRACTIONS = ("mean", "median", "sd", "q1", "q3")
_LOCALES = {"sv": "sv_SE", "en": "en_GB"}


@dataclass
class View:
    """One table of an export: one published view of results_payload."""

    by: str  # "round" (the chosen rounds side by side), "none", "profession" or "district"
    round: int | None  # the round of a per-round view; None for by="round"
    title: str
    payload: dict


def views(project: Project, *, lang: str = "sv", rounds: Sequence[int] | None = None,
          profession: str | None = None, district: str | None = None,
          scope: Scope = EVERYTHING) -> list[View]:
    """The tables of an export, in order: the chosen rounds side by side (no rounds = every
    round), then for each round its whole (or the one chosen profession or district), its
    professions and its districts — these two only without a filter, since a profession
    within a district is never shown, and only if the scope shows a round's groups side by
    side. Nothing pools rounds or groups.

    Raises SelectionError for two filters, an unknown round, profession or district, or
    cells outside the scope."""
    selection = scope.check(Selection("round", tuple(rounds or ()), profession, district))
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
            if group or not scope.breakdowns:
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
    """A hidden group's or item's reason in words, for people (the English CSV keeps the
    code)."""
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


def _level(code: str | None) -> str | None:
    return {"item": _("Item"), "dimension": _("Dimension")}.get(code or "")


def _group_labels(project: Project, lang: str) -> dict[str, str]:
    """The label of each group of items (dimension, or the added questions) by its key."""
    return {g.key: g.label.get(lang) for g in instruments.for_project(project).groups}


# --- the workbook ---------------------------------------------------------------------------


def aggregates_xlsx(project: Project, *, lang: str = "sv",
                    rounds: Sequence[int] | None = None, profession: str | None = None,
                    district: str | None = None, scope: Scope = EVERYTHING) -> bytes:
    """A workbook in one language: "About the data"; the chosen rounds side by side and, per
    round, its professions and its districts, each a sheet of items × groups ready for a
    chart; then every statistic of every view in one table (see views). Raises
    SelectionError."""
    tables = views(project, lang=lang, rounds=rounds, profession=profession,
                   district=district, scope=scope)
    with force_locale(lang):
        k = min_group_size(project)
        book = Workbook()
        sheets = [v for v in tables if v.by != "none"]  # a round's whole is a column of the first
        _write_about(book.active, project, tables[0].payload, sheets, k,
                     chosen_group(project, profession, district, lang), lang)
        for view in sheets:
            _write_wide(book.create_sheet(_sheet_name(view)), view, k, lang)
        _write_figures(book.create_sheet(_("All figures")[:31]),
                       [v for v in tables if v.by != "round"], k,
                       _group_labels(project, lang))
        for sheet in book.worksheets:  # printed, each sheet one page wide
            sheet.sheet_properties.pageSetUpPr.fitToPage = True
            sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def _sheet_name(view: View) -> str:
    """A view's sheet: "By round", "Round 2, professions", "Round 2, districts" (at most 31
    characters, as Excel allows)."""
    if view.by == "profession":
        name = _("Round %(number)s, professions", number=view.round)
    elif view.by == "district":
        name = _("Round %(number)s, districts", number=view.round)
    else:
        name = _("By round")
    return name[:31]


def _bold_row(sheet, *, size: int | None = None, wrap: bool = False) -> None:
    for cell in sheet[sheet.max_row]:
        if cell.value is not None:
            cell.font = Font(bold=True, size=size)
            if wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _warning_row(sheet) -> None:
    cell = sheet.cell(row=sheet.max_row, column=1)
    cell.font = Font(bold=True, color="9C0006")
    cell.fill = PatternFill("solid", fgColor="FFC7CE")


def _write_about(sheet, project: Project, by_round: dict, sheets: list[View], k: int,
                 group: str | None, lang: str) -> None:
    """What a reader needs before the numbers: project, instrument, k, the rounds with the
    date of their figures and the answers not yet in them, what is hidden and why, what the
    sheets hold and the items' wording."""
    sheet.title = _("About the data")[:31]
    instrument = instruments.for_project(project)
    append_inert(sheet, [project.name])
    _bold_row(sheet, size=14)
    for line in (
            _("Results from Spindeln, exported %(date)s.", date=local_today()),
            _("Instrument: %(name)s, version %(version)s.", name=instrument.name.get(lang),
              version=instrument.version),
            _("Minimum group size (k): %(k)s.", k=k),
            _("Only: %(group)s", group=group) if group else _("All responses")):
        append_inert(sheet, [line])
    _write_paragraph(sheet, _("Every figure describes one round: the whole round, one "
                              "profession or one district. Rounds are shown side by side, "
                              "never added together."))

    sheet.append([])
    append_inert(sheet, [_("About the instrument")])
    _bold_row(sheet, size=12)
    _write_paragraph(sheet, instrument.notice.get(lang))
    if instrument.references:
        append_inert(sheet, [_("Sources")])
        _bold_row(sheet)
        for reference in instrument.references:
            _write_paragraph(sheet, reference.get(lang))

    sheet.append([])
    append_inert(sheet, [_("Rounds")])
    _bold_row(sheet, size=12)
    append_inert(sheet, [_("Round"), _("Status"), _("Figures published on"),
                         _("Answers in the figures"), _("Answers not yet included")])
    _bold_row(sheet, wrap=True)
    status = {RoundStatus.OPEN: _("open"), RoundStatus.CLOSED: _("closed"),
              RoundStatus.NOT_YET_OPEN: _("not yet open")}
    for round_ in by_round["rounds"]:
        released = round_["released_on"]
        append_inert(sheet, [round_["label"], status.get(round_["status"], round_["status"]),
                             dt.date.fromisoformat(released) if released else None,
                             round_["responses"], round_["pending"]])
        sheet.cell(row=sheet.max_row, column=3).number_format = "yyyy-mm-dd"
    _write_paragraph(sheet, _("A round publishes its figures in releases: the first at "
                              "%(k)s answers, the next when at least %(k)s more have come. "
                              "Answers that came since are not yet included.", k=k))

    sheet.append([])
    append_inert(sheet, [_("What is hidden, and why")])
    _bold_row(sheet, size=12)
    for line in (
            _("Groups with fewer than %(k)s responses are hidden, and so are groups from "
              "which a small group could be worked out; a hidden group keeps its column, "
              "empty, and the note above the table says why.", k=k),
            _("Professions and districts are shown when the round has closed; while it "
              "is open, only the whole round."),
            _("Mean and standard deviation of the answers that gave a number; “cannot "
              "judge” is counted apart. Median and quartiles only where at least %(n)s "
              "answers gave a number; minimum and maximum are never given, since each "
              "is one person's answer.", n=2 * k),
            _("A dimension's score is the mean of its items' means, given only where all "
              "its items are shown.")):
        _write_paragraph(sheet, line)
    for view in sheets:
        if note := hidden_note(view.payload).strip():
            append_inert(sheet, [_sheet_name(view), note])
            _wrap_across(sheet, note, first_column=2)

    sheet.append([])
    append_inert(sheet, [_("The sheets")])
    _bold_row(sheet, size=12)
    _write_paragraph(sheet, _("Each sheet after this one is ready for a chart: the items "
                              "as rows, the rounds, professions or districts as columns, "
                              "each item's mean on the scale %(min)s–%(max)s; each column's "
                              "head gives the answers it rests on. Under it, the dimensions' "
                              "scores and each item's number of answers.",
                              min=instrument.scale.min, max=instrument.scale.max))
    _write_paragraph(sheet, _("The last sheet, “%(sheet)s”, holds every statistic of every "
                              "group, one row per item.", sheet=_("All figures")))

    sheet.append([])
    append_inert(sheet, [_("The items and their wording")])
    _bold_row(sheet, size=12)
    append_inert(sheet, [_("Item"), _("Dimension"), _("Wording")])
    _bold_row(sheet)
    for item in instrument.items:
        append_inert(sheet, [item.short.get(lang), instrument.group_of(item).label.get(lang),
                             item.text.get(lang)])
    for column, width in zip("ABCDE", (30, 22, 22, 22, 22), strict=True):
        sheet.column_dimensions[column].width = width


ABOUT_WIDTH = 30 + 4 * 22  # the about sheet's columns A–E, in characters


def _write_paragraph(sheet, text: str) -> None:
    """A long text across the about sheet's columns A–E, wrapped."""
    append_inert(sheet, [text])
    _wrap_across(sheet, text)


def _wrap_across(sheet, text: str, first_column: int = 1) -> None:
    """The last row's text, from first_column to E, wrapped. Excel does not fit a merged
    row's height to its text: the row gets the lines the text is estimated to take."""
    row = sheet.max_row
    sheet.merge_cells(start_row=row, start_column=first_column, end_row=row, end_column=5)
    sheet.cell(row=row, column=first_column).alignment = Alignment(wrap_text=True,
                                                                   vertical="top")
    width = ABOUT_WIDTH - (30 if first_column > 1 else 0)  # column A is 30 characters
    lines = -(-len(text) * 11 // (width * 10))  # 10 % more room than characters
    sheet.row_dimensions[row].height = 15 * max(1, lines)


def _write_wide(sheet, view: View, k: int, lang: str) -> None:
    """One view as tables ready for a chart, each a header and rows between empty rows:
    the mean of each item (rows) in each group (columns), each dimension's score, each
    item's n. A hidden group keeps its column, empty, with the reason as a comment on its
    head; the note under the title says what is left out. Without any group shown, only
    the title and the note."""
    payload = view.payload
    groups = payload["groups"]
    append_inert(sheet, [view.title])
    _bold_row(sheet, size=13)
    if note := hidden_note(payload).strip():
        append_inert(sheet, [note])
        _warning_row(sheet)
    sheet.column_dimensions["A"].width = 34
    if all(g["suppressed"] for g in groups):
        return
    scale = payload["instrument"]["scale"]
    append_inert(sheet, [_("Mean per item on the scale %(min)s–%(max)s.", min=scale["min"],
                           max=scale["max"])])
    heads = [counted_name(payload, g, lang) for g in groups]
    items = payload["instrument"]["items"]
    blocks = (
        (_("Item"), [(i["label"], [g["items"].get(i["key"], {}).get("mean") for g in groups])
                     for i in items], ONE_DECIMAL),
        (_("Dimension"), [(d["label"], [g["dimensions"].get(d["key"]) for g in groups])
                          for d in payload["instrument"]["dimensions"]], ONE_DECIMAL),
        (_("Answers that gave a number (n)"),
         [(i["label"], [g["items"].get(i["key"], {}).get("n") for g in groups])
          for i in items], "0"),
    )
    for first, rows, number_format in blocks:
        sheet.append([])
        append_inert(sheet, [first, *heads])
        _bold_row(sheet, wrap=True)
        for column, group in enumerate(groups, start=2):
            if group["suppressed"]:
                sheet.cell(row=sheet.max_row, column=column).comment = Comment(
                    reason_text(group["reason"], k), "Spindel")
        for label, values in rows:
            append_inert(sheet, [label, *values])
            for column in range(2, len(groups) + 2):
                sheet.cell(row=sheet.max_row, column=column).number_format = number_format
    for column in range(2, len(groups) + 2):
        sheet.column_dimensions[get_column_letter(column)].width = 18


def _write_figures(sheet, tables: list[View], k: int, group_labels: dict[str, str]) -> None:
    """Every statistic of each round's whole (or chosen group), professions and districts
    in one table, one row per group and item or dimension, with a filter on its head."""
    append_inert(sheet, [_("All figures")])
    _bold_row(sheet, size=13)
    append_inert(sheet, [_("One row per round, group and item (or dimension). A hidden group "
                           "or item has no number and the reason in the last column.")])
    sheet.append([])
    append_inert(sheet, [_("Round"), _("Table"), _("Group"), _("Responses"), _("Level"),
                         _("Dimension"), _("Item"), _("n (gave a number)"), _("Mean"),
                         _("Median"), _("Standard deviation"), _("Lower quartile"),
                         _("Upper quartile"), _("Cannot judge"), _("Not shown")])
    _bold_row(sheet, wrap=True)
    header = sheet.max_row
    fractions = [8 + STATISTICS.index(s) for s in _FRACTIONS]  # their 1-based columns
    for view in tables:
        for row in aggregate_rows(view):
            level = row[4]
            append_inert(sheet, [row[0], view.title, row[2], row[3], _level(level),
                                 group_labels.get(row[5], row[5]) if row[5] else None,
                                 row[7] if level == "item" else None, *row[8:15],
                                 reason_text(row[15], k)])
            for column in fractions:
                sheet.cell(row=sheet.max_row, column=column).number_format = ONE_DECIMAL
    sheet.auto_filter.ref = f"A{header}:O{sheet.max_row}"
    sheet.freeze_panes = f"D{header + 1}"  # the head, and round, table and group, stay
    for column, width in zip("ABCDEFG", (10, 30, 26, 10, 12, 20, 30), strict=True):
        sheet.column_dimensions[column].width = width


# --- the CSV --------------------------------------------------------------------------------


def aggregates_csv(project: Project, *, lang: str = "sv", rounds: Sequence[int] | None = None,
                   profession: str | None = None, district: str | None = None,
                   scope: Scope = EVERYTHING) -> bytes:
    """Every table of views() in one CSV, UTF-8 with a byte-order mark (Excel then reads å,
    ä, ö right), one row per group and item or dimension.

    Swedish (lang "sv"), for Swedish Excel, which opens it in columns: semicolons, decimal
    commas, Swedish headings; the table's title, the chosen group's name, the level and
    the reason a group or item is hidden in words. English, for scripts: commas, decimal
    points, CSV_COLUMNS; `breakdown` names the view, `filter` the chosen group
    ("profession:KEY", "district:KEY" or empty), `hidden` the reason's code, like the
    API. Hidden groups and items have empty numbers. Raises SelectionError."""
    tables = views(project, lang=lang, rounds=rounds, profession=profession,
                   district=district, scope=scope)
    swedish = lang == "sv"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if swedish else ",", lineterminator="\r\n")
    with force_locale(lang):
        if swedish:
            k = min_group_size(project)
            chosen = chosen_group(project, profession, district, lang) or _("All responses")
            labels = _group_labels(project, lang)
            writer.writerow(inert_row(_swedish_columns()))
        else:
            chosen = (f"profession:{profession}" if profession is not None
                      else f"district:{district}" if district is not None else "")
            writer.writerow(CSV_COLUMNS)
        for view in tables:
            for row in aggregate_rows(view):
                if swedish:
                    cells = [view.title, chosen, *row[:4], _level(row[4]),
                             labels.get(row[5], row[5]) if row[5] else None, *row[6:-1],
                             reason_text(row[-1], k)]
                else:
                    cells = [view.by, chosen, *row]
                writer.writerow(_csv_value(v, swedish) for v in inert_row(cells))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _swedish_columns() -> list[str]:
    return [_("Table"), _("Chosen group"), _("Round"), _("Group key"), _("Group"), _("Responses"),
            _("Level"), _("Dimension"), _("Item key"), _("Item"), _("n (gave a number)"),
            _("Mean"), _("Median"), _("Standard deviation"), _("Lower quartile"),
            _("Upper quartile"), _("Cannot judge"), _("Not shown")]


def _csv_value(value, decimal_comma: bool):
    """A cell as the CSV writes it: empty for none, a fraction with a decimal comma in
    Swedish (in full: Excel shows what its column's format says)."""
    if value is None:
        return ""
    if decimal_comma and isinstance(value, float):
        return repr(value).replace(".", ",")
    return value


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
        # What the answers are answers to: the instrument, and that it is reconstructed.
        instrument = instruments.for_project(project)
        about.append([])
        append_inert(about, [_("%(name)s, version %(version)s.", name=instrument.name.get(
            lang), version=instrument.version)])
        append_inert(about, [instrument.notice.get(lang)])
        about.cell(row=about.max_row, column=1).alignment = Alignment(wrap_text=True,
                                                                      vertical="top")
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
