"""A project's import template: an Excel workbook to fill in and import (services/imports.py).

The first sheet is the one an import reads: a header row in the chosen language (every name
one the import takes), the project's districts and professions as drop-down lists, round
numbers and ratings checked as whole numbers, and a note on each question's column with the
question and the scale. A second sheet explains how to fill it in; a third holds the lists
the drop-downs offer. Every text cell goes through spreadsheet_cells (a name that starts
with "=" stays text).
"""

from __future__ import annotations

import io

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from .. import instrument as instruments
from ..models import Project
from .imports import FIXED_COLUMNS, MAX_ROUND_NUMBER, TEMPLATE_COLUMNS, column_label
from .spreadsheet_cells import append_inert
from .table_reader import MAX_ROWS

# The rows the drop-downs and number checks cover: as many as one import takes.
LAST_ROW = MAX_ROWS + 1


def template_filename(project: Project, lang: str) -> str:
    with force_locale(lang):
        return f"{project.slug}-{_('import-template')}.xlsx"


def import_template(project: Project, lang: str) -> bytes:
    """The project's import template as an .xlsx file, headers and help in `lang`."""
    instrument = instruments.for_project(project)
    scale = instrument.scale
    with force_locale(lang):
        book = Workbook()
        answers = book.active
        answers.title = _("Answers")
        help_sheet = book.create_sheet(_("About this template"))
        lists = book.create_sheet(_("Drop-down lists"))

        header = [column_label(c, instrument, lang) for c in
                  (*FIXED_COLUMNS, *instrument.item_keys)]
        append_inert(answers, header)
        for cell in answers[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        answers.freeze_panes = "A2"
        for index in range(1, len(header) + 1):
            answers.column_dimensions[get_column_letter(index)].width = 18

        scale_text = _scale_text(scale, lang)
        first_item = len(FIXED_COLUMNS) + 1
        for offset, item in enumerate(instrument.items):
            cell = answers.cell(row=1, column=first_item + offset)
            cell.comment = Comment(f"{item.text.get(lang)}\n\n{scale_text}", "Spindel",
                                   width=320, height=160)

        districts = [d.name for d in project.districts]
        professions = [p.label(lang) for p in project.professions]
        append_inert(lists, [_("Districts"), _("Professions")])
        for index in range(max(len(districts), len(professions))):
            append_inert(lists, [districts[index] if index < len(districts) else None,
                                 professions[index] if index < len(professions) else None])
        lists.column_dimensions["A"].width = lists.column_dimensions["B"].width = 30

        checks = [
            _whole_numbers("A", 1, MAX_ROUND_NUMBER,
                           _("A round's number, from 1 to %(max)s.", max=MAX_ROUND_NUMBER)),
            _from_list("C", lists, "B", len(professions),
                       _("Choose one of the project's professions.")),
        ]
        if districts:
            checks.append(_from_list("B", lists, "A", len(districts),
                                     _("Choose one of the project's districts.")))
        last = get_column_letter(len(header))
        checks.append(_whole_numbers(f"{get_column_letter(first_item)}:{last}", scale.min,
                                     scale.max, scale_text))
        for check in checks:
            if check is not None:
                answers.add_data_validation(check)

        _write_help(help_sheet, project, instrument, lang, scale_text, bool(districts))

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _scale_text(scale, lang: str) -> str:
    return _("%(min)s = %(min_label)s … %(max)s = %(max_label)s. Leave the cell empty for "
             "“%(cannot)s”.", min=scale.min, min_label=scale.min_label.get(lang),
             max=scale.max, max_label=scale.max_label.get(lang),
             cannot=scale.cannot_judge_label.get(lang))


def _rows(columns: str) -> str:
    """"A" or "D:L" -> the cell range of those columns from row 2 to LAST_ROW."""
    first, _colon, last = columns.partition(":")
    return f"{first}2:{last or first}{LAST_ROW}"


def _whole_numbers(columns: str, low: int, high: int, message: str) -> DataValidation:
    check = DataValidation(type="whole", operator="between", formula1=str(low),
                           formula2=str(high), allow_blank=True, showErrorMessage=True,
                           showInputMessage=True, errorTitle=_("Not a valid value"),
                           error=message[:255], prompt=message[:255])
    check.add(_rows(columns))
    return check


def _from_list(column: str, lists, source: str, count: int,
               message: str) -> DataValidation | None:
    """A drop-down list of the names in `source` (a column of the lists sheet)."""
    if not count:
        return None
    reference = f"{quote_sheetname(lists.title)}!${source}$2:${source}${count + 1}"
    check = DataValidation(type="list", formula1=reference, allow_blank=True,
                           showErrorMessage=True, errorTitle=_("Not a valid value"),
                           error=message[:255])
    check.add(_rows(column))
    return check


def _write_help(sheet, project: Project, instrument, lang: str, scale_text: str,
                has_districts: bool) -> None:
    round_, area, role = TEMPLATE_COLUMNS[lang]
    lines = [
        [_("Import template for %(name)s", name=project.name)],
        [],
        [_("Fill in one answer per row on the first sheet, from the second row on, and import "
           "the file on the project's import page. Every row is checked first: if anything "
           "is wrong, nothing is imported and every problem is listed.")],
        [],
        [_("Column"), _("What to fill in")],
        [round_, _("The round's number (1, 2, 3 …); rounds the project does not have are "
                   "created, closed.")],
        [area, _("The district, from the drop-down list.") if has_districts
         else _("Leave empty: the project has no districts.")],
        [role, _("The profession, from the drop-down list.")],
    ]
    for item in instrument.items:
        lines.append([item.short.get(lang), item.text.get(lang)])
    lines += [
        [],
        [_("Scale"), scale_text],
        [],
        [_("The names in the first row may also be written in the other language, or as the "
           "keys (round, area, role and the questions' keys); case and accents do not "
           "matter.")],
    ]
    for line in lines:
        append_inert(sheet, line)
        if len(line) == 1:  # a paragraph: across both columns
            sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row,
                              end_column=2)
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in sheet[5]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 90
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
