"""Importing earlier rounds from CSV or XLSX: every row is checked first, all or nothing.

Columns: `round`, `area` (district), `role` (profession), then one column per item, each by
its key or by another name it is known by (COLUMN_NAMES: mätning, stadsdel, yrkesgrupp …;
an item by its short name in Swedish or English), matched without regard to case or accents.
Values 1–10 (the instrument's scale); an empty cell means "cannot judge". Districts and
professions by key or by name. Answers are inserted in bulk and the rounds' tallies recounted
from the ratings (responses.recount_tallies), so every result treats them like web answers.
The file itself is read within fixed limits by table_reader; here every cell is checked, and
nothing that cannot be stored (a round number of 1e20, a name with a control character)
gets past the check.

Every import is an ImportBatch that can be undone (undo_batch); a file whose import is still
there is refused (AlreadyImported), and a file with answers for a round that is not closed
is stored only when that was confirmed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from .. import instrument as instruments
from ..dates import local_today
from ..extensions import db
from ..i18n import current_lang
from ..instrument import Instrument
from ..models import ImportBatch, Project, Rating, Response, Round, RoundState, RoundStatus
from .names import MAX_NAME_LENGTH, clean_name, name_problem
from .projects import add_district, add_profession, add_round, create_project
from .responses import recount_tallies
from .spreadsheet_cells import inert
from .table_reader import MAX_ROWS, read_table
from .table_reader import ImportFileError as ImportFileError  # what import_file raises

FIXED_COLUMNS = ("round", "area", "role")
# The other names a fixed column may have in the first row. Matched after header_key(), so
# "Mätning", "MATNING" and "mätning " are all the round.
COLUMN_NAMES = {
    "round": ("round", "mätning"),
    "area": ("area", "district", "stadsdel", "stadsdelsområde", "område"),
    "role": ("role", "profession", "yrkesgrupp"),
}
# The names a template writes in its first row, per language (all of them in COLUMN_NAMES).
TEMPLATE_COLUMNS = {"sv": ("mätning", "stadsdelsområde", "yrkesgrupp"),
                    "en": ("round", "district", "profession")}
# The round numbers the workspace's round form takes.
MAX_ROUND_NUMBER = 999
MAX_FILENAME_LENGTH = 100  # ImportBatch.filename


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
    # column ("round", "area", "role" or an item key) -> its name in the file's first row
    written: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- columns ---------------------------------------------------------------------------------


def header_key(text: str) -> str:
    """A column's name as it is matched: no accents, no case, spaces trimmed and single, and
    _ and - read as spaces ("Mätning" = "matning", "shared_view" = "Shared view")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("_", " ").replace("-", " ").split())


def column_names(instrument: Instrument) -> dict[str, str]:
    """header_key of every name a column may have -> the column: "round", "area", "role" or
    an item key. The keys come first, so no short name can take another column's key."""
    names: dict[str, str] = {}
    for column, aliases in COLUMN_NAMES.items():
        for alias in aliases:
            names.setdefault(header_key(alias), column)
    for item in instrument.items:
        names.setdefault(header_key(item.key), item.key)
    for item in instrument.items:
        for short in (item.short.sv, item.short.en):
            names.setdefault(header_key(short), item.key)
    return names


def column_label(column: str, instrument: Instrument, lang: str) -> str:
    """A column's name in a language: as a template writes it (an item by its short name)."""
    if column in FIXED_COLUMNS:
        return TEMPLATE_COLUMNS[lang][FIXED_COLUMNS.index(column)]
    return next(item.short.get(lang) for item in instrument.items if item.key == column)


@dataclass
class ColumnNames:
    """One column for the import page: its name in the interface's language, the other names
    it is known by, and for an item its question."""

    key: str
    label: str
    others: list[str]
    question: str = ""


def accepted_columns(instrument: Instrument, lang: str) -> list[ColumnNames]:
    """Every column an import needs, in order, with every name the import takes for it."""
    found = []
    for column in (*FIXED_COLUMNS, *instrument.item_keys):
        label = column_label(column, instrument, lang)
        if column in FIXED_COLUMNS:
            names, question = list(COLUMN_NAMES[column]), ""
        else:
            item = next(i for i in instrument.items if i.key == column)
            names, question = [item.key, item.short.sv, item.short.en], item.text.get(lang)
        # Each name once, as it is matched ("routines" and "Routines" are one name).
        others, seen = [], {header_key(label)}
        for name in names:
            if header_key(name) not in seen:
                seen.add(header_key(name))
                others.append(name)
        found.append(ColumnNames(column, label, others, question))
    return found


def _shown(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[:length - 1] + "…"


def _unknown_column(instrument: Instrument) -> str:
    lang = current_lang()
    fixed = ", ".join(f"{column_label(c, instrument, lang)} ({c})" if
                      header_key(column_label(c, instrument, lang)) != c else c
                      for c in FIXED_COLUMNS)
    items = ", ".join(item.short.get(lang) for item in instrument.items)
    return _("Unknown column. An import takes %(fixed)s and one column per question, by its "
             "key or its short name in Swedish or English: %(items)s.", fixed=fixed,
             items=items)


def _read_header(line: int, header: list[str], instrument: Instrument,
                 result: ImportCheck) -> dict[str, int]:
    """The column of each name in the first row (column -> index); unknown, repeated and
    missing columns are problems at the header's line."""
    names = column_names(instrument)
    lang = current_lang()
    columns: dict[str, int] = {}
    for index, raw in enumerate(header):
        title = raw.strip()
        if not title:
            continue
        column = names.get(header_key(title))
        if column is None:
            result.problems.append(Problem(line, _shown(title), _unknown_column(instrument)))
        elif column in columns:
            result.problems.append(Problem(line, _shown(title), _(
                "This is the same column as “%(other)s” (%(name)s); keep only one of them.",
                other=_shown(result.written[column]),
                name=column_label(column, instrument, lang))))
        else:
            columns[column] = index
            result.written[column] = _shown(title)
    for column in (*FIXED_COLUMNS, *instrument.item_keys):
        if column not in columns:
            result.problems.append(Problem(line, column_label(column, instrument, lang),
                                           _("The column is missing.")))
    return columns


# --- checking --------------------------------------------------------------------------------


def _lookup(groupings, names) -> dict[str, str]:
    """Lower-cased key or name -> key. A name is also found as a template's drop-down list
    writes it when a spreadsheet would evaluate it: with a quote in front (inert)."""
    found = {}
    for grouping in groupings:
        found[grouping.key.lower()] = grouping.key
        for name in names(grouping):
            if name:
                found.setdefault(name.strip().lower(), grouping.key)
                found.setdefault(inert(name.strip()).lower(), grouping.key)
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
    columns = _read_header(header_line, header, instrument, result)
    column = result.written.__getitem__  # a column's name as the file writes it
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
            result.problems.append(Problem(line, column("round"), _(
                "“%(value)s” is not a round number from 1 to %(max)s.", value=raw_round,
                max=MAX_ROUND_NUMBER)))
        area, role = clean_name(cell("area")), clean_name(cell("role"))
        if not role:
            result.problems.append(Problem(line, column("role"),
                                           _("The profession is missing.")))
        elif role.lower() not in professions:
            if problem := _name_problem(role):
                result.problems.append(Problem(line, column("role"), problem))
            else:
                unknown_p.setdefault(role)
                result.unknown_refs.append((line, "role", role))
        if area:
            if area.lower() not in districts:
                if problem := _name_problem(area):
                    result.problems.append(Problem(line, column("area"), problem))
                else:
                    unknown_d.setdefault(area)
                    result.unknown_refs.append((line, "area", area))
        elif has_districts:
            result.problems.append(Problem(line, column("area"),
                                           _("The district is missing.")))
        ratings: dict[str, int | None] = {}
        for key in instrument.item_keys:
            raw = cell(key)
            try:
                value = scale.parse(raw)
            except ValueError:
                result.problems.append(Problem(line, column(key), _(
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
                result.problems.append(Problem(row.line, column("area"),
                                               _("The district is missing.")))
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
    return [Problem(line, result.written.get(column, column),
                    _("Unknown district “%(name)s”.", name=name) if column == "area"
                    else _("Unknown profession “%(name)s”.", name=name))
            for line, column, name in result.unknown_refs]


# --- storing ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What became of an import: the check, and if it was stored, how many answers in which
    batch. `unclosed_rounds` names the rounds that are not closed when the file has answers
    for them and that was not confirmed: then nothing was stored."""

    check: ImportCheck
    stored: int = 0
    project: Project | None = None
    batch: ImportBatch | None = None
    file_sha256: str = ""
    unclosed_rounds: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.check.ok

    @property
    def waiting(self) -> bool:
        """The file is right, and waits for the confirmation that it may go into rounds that
        are not closed."""
        return self.ok and bool(self.unclosed_rounds) and not self.stored


class AlreadyImported(ImportFileError):
    """The same file (byte for byte) was imported into the project, and is still there."""

    def __init__(self, batch: ImportBatch):
        self.batch = batch
        super().__init__(_(
            "This file was imported already, on %(day)s (%(num)s answers), and nothing was "
            "imported now. To import it again, undo that import first.",
            day=batch.created_on.isoformat(), num=batch.rows))


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
                 confirm_open: bool = False, today: dt.date | None = None,
                 filename: str = "", file_sha256: str = "") -> ImportResult:
    """Check every row, then store all answers or none, as one ImportBatch.

    With add_unknown, districts and professions the project lacks are added first; without
    it each row naming one is a problem. With create_slug (and no project) the project is
    created with what the file names. Missing rounds are created, closed. Answers for a round
    that is not closed (respondents may be answering it) are stored only with confirm_open;
    without it nothing is, and the result names those rounds. Raises AlreadyImported for a
    file (file_sha256; without it, the table's content) whose import is in the project and
    not undone. The caller commits when something was stored and rolls back otherwise.
    """
    file_sha256 = file_sha256 or _table_digest(table)
    if project is not None and (earlier := live_batch(project, file_sha256)) is not None:
        raise AlreadyImported(earlier)
    instrument = (instruments.for_project(project) if project
                  else instruments.registry()[instruments.default_ident()])
    result = check_rows(table, instrument, project)
    creating = project is None and create_slug is not None
    if not (add_unknown or creating):
        result.problems.extend(_unknown_problems(result))
        result.problems.sort(key=lambda p: p.line)
    if not result.ok:
        return ImportResult(result, file_sha256=file_sha256)
    today = today or local_today()
    unclosed = unclosed_rounds(project, result, today) if project else []
    if unclosed and not confirm_open:
        return ImportResult(result, project=project, file_sha256=file_sha256,
                            unclosed_rounds=[r.label for r in unclosed])

    if project is None:
        project = create_project(create_slug, create_slug, instrument=instrument.ident,
                                 professions=[])
        db.session.flush()
    batch = _add_batch(project, today, len(result.rows), file_sha256, filename)
    _add_missing(project, result, instrument)
    for number in result.new_rounds:
        add_round(project, number, f"Mätning {number}", state=RoundState.CLOSED)
    _store_rows(project, result.rows, today, batch.id)
    return ImportResult(result, stored=len(result.rows), project=project, batch=batch,
                        file_sha256=file_sha256, unclosed_rounds=[r.label for r in unclosed])


def _add_batch(project: Project, today: dt.date, rows: int, digest: str,
               filename: str) -> ImportBatch:
    """The import's batch, written before anything else: the same file sent twice at once (a
    double click) is stopped here by the unique index of live imports, once the first
    request has committed. The import is its transaction's only work, so that ends it."""
    batch = ImportBatch(project_id=project.id, created_on=today, rows=rows,
                        file_sha256=digest, filename=short_filename(filename), undone=False)
    db.session.add(batch)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        if (earlier := live_batch(project, digest)) is not None:
            raise AlreadyImported(earlier) from None
        raise
    return batch


def _table_digest(table: list[tuple[int, list[str]]]) -> str:
    """A SHA-256 of a table's cells, for a table imported without its file."""
    digest = hashlib.sha256()
    for _line, cells in table:
        digest.update("\x1f".join(cells).encode() + b"\x1e")
    return digest.hexdigest()


def unclosed_rounds(project: Project, result: ImportCheck, today: dt.date) -> list[Round]:
    """The project's rounds the checked rows would add answers to that are not closed today:
    open, or opening by their dates, so respondents' answers mix with the file's."""
    numbers = {row.round for row in result.rows}
    return [r for r in project.rounds
            if r.number in numbers and r.status(today) != RoundStatus.CLOSED]


def _store_rows(project: Project, rows: list[Row], today: dt.date, batch_id: int) -> None:
    """Insert the checked rows in bulk, then recount the tallies of the rounds they touch.

    Every row passed the same checks store_answer makes (known profession and district,
    every item, values on the scale); inserting in bulk and recounting keeps a file of
    thousands of rows well within one request, and leaves the tallies exactly as if each
    answer had come through the form.
    """
    districts, professions = district_lookup(project), profession_lookup(project)
    district_ids = {d.key: d.id for d in project.districts}
    profession_ids = {p.key: p.id for p in project.professions}
    rounds = {number: project.round(number) for number in {r.round for r in rows}}
    responses = []
    for row in rows:
        round_ = rounds[row.round]
        responses.append({
            "round_id": round_.id,
            "profession_id": profession_ids[professions[row.role.lower()]],
            "district_id": district_ids[districts[row.area.lower()]] if row.area else None,
            # The day is the round's: an import has no day of its own to tell.
            "submitted_on": round_.closes_on or round_.opens_on or today,
            "import_batch_id": batch_id,
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


def file_digest(data: bytes) -> str:
    """The SHA-256 of a file's content, as an ImportBatch keeps it."""
    return hashlib.sha256(data).hexdigest()


def import_file(filename: str, data: bytes, project: Project | None, **options) -> ImportResult:
    """Read a CSV/XLSX file and import it (see import_table). Raises ImportFileError, and
    AlreadyImported (one) when the project holds an import of the same file that was not
    undone."""
    digest = file_digest(data)
    # Checked before reading too: a file sent again is refused without parsing it.
    if project is not None and (earlier := live_batch(project, digest)) is not None:
        raise AlreadyImported(earlier)
    return import_table(read_table(filename, data), project, filename=filename,
                        file_sha256=digest, **options)


def short_filename(name: str) -> str:
    """A file name to list an import by: without its folder, a sane name (names.py's rule:
    control and direction characters dropped), at most MAX_FILENAME_LENGTH characters with
    its extension kept."""
    name = clean_name(name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if name_problem(c) is None)
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if not dot or len(extension) > 8:
            stem, extension = name, ""
        keep = MAX_FILENAME_LENGTH - 1 - (len(extension) + 1 if extension else 0)
        name = stem[:keep] + "…" + ("." + extension if extension else "")
    return name


# --- the list of imports, and undoing one ------------------------------------------------------


def live_batch(project: Project, digest: str) -> ImportBatch | None:
    """The project's import of a file with this SHA-256 that was not undone, if any."""
    return db.session.scalar(select(ImportBatch).where(
        ImportBatch.project_id == project.id, ImportBatch.file_sha256 == digest,
        ImportBatch.undone.is_(False)))


def batches_of(project: Project) -> list[ImportBatch]:
    """The project's imports, the newest first."""
    return list(db.session.scalars(select(ImportBatch).where(
        ImportBatch.project_id == project.id).order_by(ImportBatch.id.desc())))


def batch_of(project: Project, batch_id: int) -> ImportBatch | None:
    """One of the project's imports (None for another project's)."""
    batch = db.session.get(ImportBatch, batch_id)
    return batch if batch is not None and batch.project_id == project.id else None


def undo_batch(batch: ImportBatch) -> int:
    """Delete the answers an import brought in, with their ratings, and recount the
    tallies of the rounds they were in; return how many answers went. The batch stays,
    marked undone, and its file may be imported again.

    Releases follow by themselves (disclosure.refresh): removed answers count as changes, so
    at least k of them cut a new release; fewer wait, as any k − 1 changes do. Rounds,
    districts and professions the import created stay. The caller commits.
    """
    if batch.undone:
        return 0
    answers = select(Response.id).where(Response.import_batch_id == batch.id)
    round_ids = list(db.session.scalars(select(Response.round_id).where(
        Response.import_batch_id == batch.id).distinct()))
    db.session.execute(delete(Rating).where(Rating.response_id.in_(answers)))
    removed = db.session.execute(delete(Response).where(
        Response.import_batch_id == batch.id)).rowcount
    if round_ids:
        recount_tallies(round_ids)
    batch.undone = True
    db.session.flush()
    return removed
