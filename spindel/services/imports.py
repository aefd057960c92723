"""Importing earlier rounds from CSV or XLSX: every row is checked first, all or nothing.

Columns: `round`, `area` (district), `role` (profession), then one column per item key.
Values 1–10 (the instrument's scale); an empty cell means "cannot judge". Districts and
professions by key or by name. Answers are inserted in bulk and the rounds' tallies recounted
from the ratings (responses.recount_tallies), so every result treats them like web answers.
The file itself is read within fixed limits by table_reader; here every cell is checked, and
nothing that cannot be stored (a round number of 1e20, a name with a control character)
gets past the check.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import insert

from .. import instrument as instruments
from ..dates import local_today
from ..extensions import db
from ..instrument import Instrument
from ..models import Project, Rating, Response, RoundState
from .names import MAX_NAME_LENGTH, clean_name, name_problem
from .projects import add_district, add_profession, add_round, create_project, round_by_number
from .responses import recount_tallies
from .table_reader import MAX_ROWS, read_table
from .table_reader import ImportFileError as ImportFileError  # what import_file raises

FIXED_COLUMNS = ("round", "area", "role")
# The round numbers the workspace's round form takes.
MAX_ROUND_NUMBER = 999


@dataclass
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("line %(line)s", line=self.line)
        if self.column:
            where += ", " + _("column %(column)s", column=self.column)
        return f"{where}: {self.message}"


@dataclass
class Row:
    line: int
    round: int
    area: str  # as written in the file ("" if none)
    role: str
    ratings: dict[str, int | None]


@dataclass
class ImportCheck:
    """The outcome of checking a file: rows, problems, and what the project lacks."""

    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unknown_districts: list[str] = field(default_factory=list)
    unknown_professions: list[str] = field(default_factory=list)
    new_rounds: list[int] = field(default_factory=list)
    # (line, column, name as written) for every district or profession the project lacks
    unknown_refs: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- checking --------------------------------------------------------------------------------


def _lookup(parts, names) -> dict[str, str]:
    """Lower-cased key or name -> key."""
    found = {}
    for part in parts:
        found[part.key.lower()] = part.key
        for name in names(part):
            if name:
                found.setdefault(name.strip().lower(), part.key)
    return found


def district_lookup(project: Project | None) -> dict[str, str]:
    return _lookup(project.districts if project else [], lambda d: [d.name])


def profession_lookup(project: Project | None) -> dict[str, str]:
    return _lookup(project.professions if project else [], lambda p: [p.name_sv, p.name_en])


def check_rows(table: list[tuple[int, list[str]]], instrument: Instrument,
               project: Project | None) -> ImportCheck:
    """Check every row; collect every problem with its line and column."""
    result = ImportCheck()
    table = [(n, cells) for n, cells in table if any(cells)]
    if not table:
        result.problems.append(Problem(1, "", _("The file is empty.")))
        return result
    header_line, header = table[0]
    header = [h.strip().lower() for h in header]
    columns = {name: i for i, name in enumerate(header) if name}
    for name in (*FIXED_COLUMNS, *instrument.item_keys):
        if name not in columns:
            result.problems.append(Problem(header_line, name, _("The column is missing.")))
    known = set(FIXED_COLUMNS) | set(instrument.item_keys)
    for name in columns:
        if name not in known:
            result.problems.append(Problem(
                header_line, name, _("Unknown column: not one of round, area, role or the "
                                     "instrument's item keys.")))
    if result.problems:
        return result
    if len(table) > MAX_ROWS + 1:  # the header and MAX_ROWS answers
        result.problems.append(Problem(header_line, "", _("Too many rows.")))
        return result

    scale = instrument.scale
    districts, professions = district_lookup(project), profession_lookup(project)
    has_districts = bool(project.districts) if project else False
    unknown_d: dict[str, None] = {}
    unknown_p: dict[str, None] = {}
    rounds: set[int] = set()
    for line, raw_cells in table[1:]:
        padded = raw_cells + [""] * (len(header) - len(raw_cells))
        values = {name: padded[i].strip() for name, i in columns.items()}
        cell = values.__getitem__

        problems_before = len(result.problems)
        raw_round = cell("round")
        round_number = _round_number(raw_round)
        if round_number is None:
            result.problems.append(Problem(line, "round", _(
                "“%(value)s” is not a round number from 1 to %(max)s.", value=raw_round,
                max=MAX_ROUND_NUMBER)))
        area, role = clean_name(cell("area")), clean_name(cell("role"))
        if not role:
            result.problems.append(Problem(line, "role", _("The profession is missing.")))
        elif role.lower() not in professions:
            if problem := _name_problem(role):
                result.problems.append(Problem(line, "role", problem))
            else:
                unknown_p.setdefault(role)
                result.unknown_refs.append((line, "role", role))
        if area:
            if area.lower() not in districts:
                if problem := _name_problem(area):
                    result.problems.append(Problem(line, "area", problem))
                else:
                    unknown_d.setdefault(area)
                    result.unknown_refs.append((line, "area", area))
        elif has_districts:
            result.problems.append(Problem(line, "area", _("The district is missing.")))
        ratings: dict[str, int | None] = {}
        for key in instrument.item_keys:
            raw = cell(key)
            if raw == "" or (scale.cannot_judge and raw.lower() == "x"):
                ratings[key] = None
                continue
            try:
                value = int(raw)
                if not scale.min <= value <= scale.max:
                    raise ValueError
            except ValueError:
                result.problems.append(Problem(line, key, _(
                    "“%(value)s” is not a whole number from %(min)s to %(max)s "
                    "(leave the cell empty for “cannot judge”).",
                    value=raw, min=scale.min, max=scale.max)))
                continue
            ratings[key] = value
        if len(result.problems) == problems_before and round_number is not None:
            rounds.add(round_number)
            result.rows.append(Row(line, round_number, area, role, ratings))
    if not has_districts and unknown_d:
        # Districts will be added for this file, so every row must then name one.
        for row in result.rows:
            if not row.area:
                result.problems.append(Problem(row.line, "area", _("The district is missing.")))
    if not result.rows and not result.problems:
        result.problems.append(Problem(header_line, "", _("The file has no answers.")))
    result.unknown_districts = list(unknown_d)
    result.unknown_professions = list(unknown_p)
    existing = {r.number for r in project.rounds} if project else set()
    result.new_rounds = sorted(rounds - existing)
    return result


def _round_number(raw: str) -> int | None:
    """The round number a cell holds ("2", or "2.0" as a spreadsheet may write it), if it is
    one the workspace takes; None for anything else (empty, 1.5, -1, 1e20, inf, nan …)."""
    try:
        number = float(raw)
    except ValueError:
        return None
    if math.isfinite(number) and number.is_integer() and 1 <= number <= MAX_ROUND_NUMBER:
        return int(number)
    return None


def _name_problem(name: str) -> str | None:
    """Why a district or profession the file would add cannot be a name (the one rule for
    names, services/names.py), in the words the workspace's forms use; None if it can."""
    problem = name_problem(name)
    if problem == "too_long":
        return _("At most %(max)s characters.", max=MAX_NAME_LENGTH)
    if problem == "control":
        return _("This contains an invisible control or text-direction character (a tab, "
                 "for instance, or one that came along when pasting); remove it.")
    return None


def _unknown_problems(result: ImportCheck) -> list[Problem]:
    """Each row naming an unknown district or profession, as a problem at its line."""
    return [Problem(line, column,
                    _("Unknown district “%(name)s”.", name=name) if column == "area"
                    else _("Unknown profession “%(name)s”.", name=name))
            for line, column, name in result.unknown_refs]


# --- storing ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    check: ImportCheck
    stored: int = 0
    project: Project | None = None

    @property
    def ok(self) -> bool:
        return self.check.ok


def _add_missing(project: Project, result: ImportCheck, instrument: Instrument) -> None:
    defaults = {}
    for p in instrument.professions:
        for name in (p.key, p.label.sv, p.label.en):
            defaults[name.lower()] = p
    for name in result.unknown_districts:
        add_district(project, name)
    for name in result.unknown_professions:
        default = defaults.get(name.lower())
        if default and default.key not in {p.key for p in project.professions}:
            add_profession(project, default.label.sv, default.label.en, default.key)
        else:
            add_profession(project, name)


def import_table(table: list[tuple[int, list[str]]], project: Project | None, *,
                 add_unknown: bool = False, create_slug: str | None = None,
                 today: dt.date | None = None) -> ImportResult:
    """Check every row, then store all answers or none.

    With add_unknown, districts and professions the project lacks are added first; without
    it each row naming one is a problem. With create_slug (and no project) the project is
    created with what the file names. Missing rounds are created, closed. The caller
    commits on success and rolls back otherwise.
    """
    instrument = (instruments.for_project(project) if project
                  else instruments.registry()[instruments.default_ident()])
    result = check_rows(table, instrument, project)
    creating = project is None and create_slug is not None
    if not (add_unknown or creating):
        result.problems.extend(_unknown_problems(result))
        result.problems.sort(key=lambda p: p.line)
    if not result.ok:
        return ImportResult(result)

    if project is None:
        project = create_project(create_slug, create_slug, instrument=instrument.ident,
                                 professions=[])
    _add_missing(project, result, instrument)
    today = today or local_today()
    for number in result.new_rounds:
        add_round(project, number, f"Mätning {number}", state=RoundState.CLOSED)
    _store_rows(project, result.rows, today)
    return ImportResult(result, stored=len(result.rows), project=project)


def _store_rows(project: Project, rows: list[Row], today: dt.date) -> None:
    """Insert the checked rows in bulk, then recount the tallies of the rounds they touch.

    Every row passed the same checks store_answer makes (known profession and district,
    every item, values on the scale); inserting in bulk and recounting keeps a file of
    thousands of rows well within one request, and leaves the tallies exactly as if each
    answer had come through the form.
    """
    districts, professions = district_lookup(project), profession_lookup(project)
    district_ids = {d.key: d.id for d in project.districts}
    profession_ids = {p.key: p.id for p in project.professions}
    rounds = {number: round_by_number(project, number) for number in {r.round for r in rows}}
    responses = []
    for row in rows:
        round_ = rounds[row.round]
        responses.append({
            "round_id": round_.id,
            "profession_id": profession_ids[professions[row.role.lower()]],
            "district_id": district_ids[districts[row.area.lower()]] if row.area else None,
            # The day is the round's: an import has no day of its own to tell.
            "submitted_on": round_.closes_on or round_.opens_on or today,
        })
    # Each row's id is drawn at random by the column's default (models.new_response_id), so
    # not even an import's rows are numbered in the file's order.
    ids = db.session.scalars(insert(Response).returning(Response.id,
                                                        sort_by_parameter_order=True),
                             responses).all()
    db.session.execute(insert(Rating), [
        {"response_id": response_id, "item_key": key, "value": value}
        for response_id, row in zip(ids, rows, strict=True)
        for key, value in row.ratings.items()])
    recount_tallies([r.id for r in rounds.values()])


def import_file(filename: str, data: bytes, project: Project | None, **options) -> ImportResult:
    """Read a CSV/XLSX file and import it (see import_table). Raises ImportFileError."""
    return import_table(read_table(filename, data), project, **options)
