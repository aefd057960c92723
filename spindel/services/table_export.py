"""Tables for steering groups and researchers: the aggregates as XLSX and CSV, exactly as
the API gives them, and the raw anonymous answers (admins only).

The aggregates come from results_payload, so they are the API's numbers with the same
suppression. A hidden group gets no row at all — not even its name — and each table says how
many groups are hidden and why.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

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
from .anonymity import min_group_size
from .results import BREAKDOWNS, results_payload

STATISTICS = ("n", "mean", "median", "sd", "q1", "q3", "min", "max", "cannot_judge")
# CSV column names are fixed English identifiers, like the API's keys, for scripts.
CSV_COLUMNS = ("breakdown", "group_key", "group", "responses", "level", "dimension",
               "item_key", "item", *STATISTICS)


def _breakdown_title(by: str) -> str:
    return {"round": _("By round"), "profession": _("By profession"),
            "district": _("By district"), "none": _("All responses")}[by]


def _headers() -> list[str]:
    return [_("Group key"), _("Group"), _("Responses"), _("Level"), _("Dimension"),
            _("Item key"), _("Item"), _("n (gave a number)"), _("Mean"), _("Median"),
            _("Standard deviation"), _("Lower quartile"), _("Upper quartile"), _("Min"),
            _("Max"), _("Cannot judge")]


def aggregate_rows(payload: dict) -> list[list]:
    """One row per shown group and item, then per shown group and dimension (its mean)."""
    dimension_label = {d["key"]: d["label"] for d in payload["instrument"]["dimensions"]}
    rows = []
    for group in payload["groups"]:
        if group["suppressed"]:
            continue
        for item in payload["instrument"]["items"]:
            stats = group["items"][item["key"]]
            rows.append([group["key"], group["label"], group["responses"], "item",
                         item["dimension"], item["key"], item["label"],
                         *(stats[s] for s in STATISTICS)])
        for key, mean in group["dimensions"].items():
            rows.append([group["key"], group["label"], group["responses"], "dimension", key,
                         "", dimension_label[key], None, mean,
                         *([None] * (len(STATISTICS) - 2))])
    return rows


def _hidden_note(payload: dict) -> str | None:
    hidden = sum(1 for g in payload["groups"] if g["suppressed"])
    if not hidden:
        return None
    return _("%(n)s group(s) not shown: fewer than %(k)s responses, or hidden so that a "
             "small group cannot be worked out from the others.", n=hidden,
             k=payload["min_group_size"])


def payloads(project: Project, *, lang: str = "sv", rounds=None, professions=None,
             districts=None) -> dict[str, dict]:
    return {by: results_payload(project, by, rounds=rounds, professions=professions,
                                districts=districts, lang=lang) for by in BREAKDOWNS}


def aggregates_xlsx(project: Project, *, lang: str = "sv", rounds: list[int] | None = None,
                    professions: list[str] | None = None,
                    districts: list[str] | None = None) -> bytes:
    """A workbook: an about sheet, then one sheet per breakdown (round, profession,
    district, none) with the API's numbers."""
    with force_locale(lang):
        book = Workbook()
        about = book.active
        about.title = _("About")
        k = min_group_size(project)
        about.append([project.name])
        about["A1"].font = Font(bold=True, size=14)
        for line in (_("Results from Spindeln, exported %(date)s.", date=local_today()),
                     _("Groups with fewer than %(k)s responses are hidden.", k=k),
                     _("The same numbers as the API: mean, median and quartiles of the "
                       "answers that gave a number; “cannot judge” is counted apart."),
                     _("Level “dimension”: the mean of the item means of that dimension.")):
            about.append([line])
        about.column_dimensions["A"].width = 110

        for by, payload in payloads(project, lang=lang, rounds=rounds,
                                    professions=professions, districts=districts).items():
            sheet = book.create_sheet(_breakdown_title(by)[:31])
            if note := _hidden_note(payload):
                sheet.append([note])
                sheet["A1"].font = Font(bold=True, color="9C0006")
                sheet["A1"].fill = PatternFill("solid", fgColor="FFC7CE")
            sheet.append(_headers())
            header_row = sheet.max_row
            for cell in sheet[header_row]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for row in aggregate_rows(payload):
                sheet.append(row)
            for column in range(9, 16):  # the statistics, shown with two decimals
                for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=column,
                                               max_col=column):
                    cell.number_format = "0.00"
            sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)
            for column, width in zip(range(1, 17), (10, 30, 10, 10, 18, 16, 34),
                                     strict=False):
                sheet.column_dimensions[get_column_letter(column)].width = width
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def aggregates_csv(project: Project, *, lang: str = "sv", rounds: list[int] | None = None,
                   professions: list[str] | None = None,
                   districts: list[str] | None = None) -> bytes:
    """Every breakdown in one CSV with a `breakdown` column; UTF-8 with a BOM so Excel reads
    å, ä, ö right. Comma-separated with decimal points, like the API, for scripts."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for by, payload in payloads(project, lang=lang, rounds=rounds, professions=professions,
                                districts=districts).items():
        for row in aggregate_rows(payload):
            writer.writerow([by, *("" if v is None else v for v in row)])
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
