"""Reading an uploaded table (CSV or XLSX) within fixed limits, whatever the file claims.

A file comes from a stranger's computer: a 1.6 KB workbook can claim a sheet 16,384 columns
wide, a zip can unpack a few kilobytes into gigabytes, and one XML row can hold a million
cells. So every limit is checked while reading, before the work or the memory it would cost:

- the file's size, and for a workbook the unpacked size of every zip member (from the zip's
  directory, which zipfile also holds each member to) before any of it is unpacked;
- at most MAX_ROWS rows of answers after the header, at most MAX_COLUMNS columns named in
  the header, and nothing kept right of the header's last column;
- a CSV line at most MAX_LINE_CHARS characters; a workbook cell at most MAX_CELL_CHARS
  (Excel's own limit), its sheet at most MAX_SHEET_ELEMENTS XML elements.

The workbook's first sheet is read with a streaming XML parser that keeps one row at a time:
openpyxl's read-only mode builds each XML row whole before it looks at its width (a 5 KB file
with one row of a million empty cells took 345 MB there), and parses styles and other parts
as whole trees. Comments and formulas are not needed; a formula's cached value is read.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from xml.parsers import expat

from flask_babel import format_number
from flask_babel import gettext as _

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_ROWS = 50_000  # answers, after the header
MAX_COLUMNS = 64  # the header names 12 for the instrument of nine items
MAX_LINE_CHARS = 100_000
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
# A workbook's parts: how many, and how large each and all of them may be once unpacked. A
# 50,000-row answer sheet is about 22 MB of XML.
MAX_PARTS = 1_000
MAX_PART_BYTES = 32 * 1024 * 1024
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
# Every XML element of the sheet costs parsing time (about a microsecond): a 50,000-row answer
# sheet has 1.25 to 1.35 million (a row, and per cell its <c> and <v>, or <c><is><t>).
MAX_SHEET_ELEMENTS = 32 * MAX_ROWS
MAX_SHARED_STRINGS = 200_000
MAX_SHARED_CHARS = 8_000_000
MAX_PACKAGE_ELEMENTS = 100_000  # the small parts that say where the sheet is

_CHUNK = 64 * 1024
_COLUMN_LETTERS = re.compile(r"[A-Z]{1,3}")
_COLUMNS: dict[str, int] = {}


class ImportFileError(ValueError):
    """The file cannot be read as a table at all, or breaks a limit; the message says which."""


Table = list[tuple[int, list[str]]]


def read_table(filename: str, data: bytes) -> Table:
    """The non-empty rows of a CSV or XLSX file as (line number, cells as text), at most
    MAX_ROWS after the header and no wider than the header. Raises ImportFileError."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than %(max)s MB.",
                                max=MAX_FILE_BYTES // (1024 * 1024)))
    rows = _xlsx_rows(data) if filename.lower().endswith(".xlsx") else _csv_rows(data)
    return _bounded(rows)


def _bounded(rows: Iterable[tuple[int, list[str]]]) -> Table:
    """The header's width and the row limit, applied while the rows are read."""
    table: Table = []
    width = 0
    for line, row in rows:
        if not width:
            named = [i for i, cell in enumerate(row) if cell]
            if not named:
                continue  # blank lines before the header
            width = named[-1] + 1
            if width > MAX_COLUMNS:
                raise ImportFileError(_(
                    "Line %(line)s names more than %(max)s columns.", line=line,
                    max=MAX_COLUMNS))
        cells = row[:width]
        if not any(cells):
            continue
        if len(table) > MAX_ROWS:
            raise ImportFileError(_(
                "Line %(line)s: the file has more than %(max)s rows of answers; import it in "
                "smaller parts.", line=line, max=format_number(MAX_ROWS)))
        table.append((line, cells))
    return table


# --- CSV -------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise ImportFileError(_("The file is not a text (CSV) file."))
    if "\x00" in text:
        raise ImportFileError(_("The file is not a text (CSV) file."))
    end = text.find("\n", 0, MAX_LINE_CHARS + 1)
    first = text[:end if end >= 0 else MAX_LINE_CHARS + 1]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(_short_lines(text), delimiter=delimiter)
    try:
        for row in reader:
            yield reader.line_num, [c.strip() for c in row[:MAX_COLUMNS + 1]]
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file could not be read: %(error)s", error=exc)) \
            from exc


def _short_lines(text: str) -> Iterator[str]:
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise ImportFileError(_("Line %(line)s is longer than %(max)s characters.",
                                    line=number, max=MAX_LINE_CHARS))
        yield line


# --- XLSX ------------------------------------------------------------------------------------


def _unreadable() -> ImportFileError:
    return ImportFileError(_("The Excel file could not be read."))


def _too_large() -> ImportFileError:
    return ImportFileError(_(
        "The Excel file holds too much to import (more than %(rows)s rows, or very large "
        "parts); save the sheet as CSV, or split it.",
        rows=format_number(MAX_ROWS)))


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    archive = _open_archive(data)
    try:
        sheet, strings_part = _first_sheet(archive)
        strings = _shared_strings(archive, strings_part) if strings_part else []
        yield from _sheet_rows(archive, sheet, strings)
    except (zipfile.BadZipFile, zlib.error, EOFError, expat.ExpatError, KeyError,
            NotImplementedError, RuntimeError, ValueError) as exc:
        if isinstance(exc, ImportFileError):
            raise
        raise _unreadable() from exc
    finally:
        archive.close()


def _open_archive(data: bytes) -> zipfile.ZipFile:
    """The workbook's zip, once its directory says nothing in it is too large: the number of
    members is read from the end record before zipfile builds its list of them, and each
    member's unpacked size from that list (zipfile stops a member at its stated size)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        raise _unreadable()
    members, directory_size = struct.unpack("<HI", data[end + 10:end + 16])
    # A zip64 record (its locator sits right before the end record) would state other
    # numbers, which zipfile believes; no workbook of answers needs one.
    if members > MAX_PARTS or directory_size > MAX_PARTS * 1024 \
            or data[max(0, end - 20):end - 16] == b"PK\x06\x07":
        raise _too_large()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
        raise _unreadable() from exc
    infos = archive.infolist()
    if len(infos) > MAX_PARTS or any(i.file_size > MAX_PART_BYTES for i in infos) \
            or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        archive.close()
        raise _too_large()
    return archive


_SPREADSHEET_NAMESPACES = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                           "http://purl.oclc.org/ooxml/spreadsheetml/main")  # strict OOXML
_RELATIONSHIP_IDS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships id",
                     "http://purl.oclc.org/ooxml/officeDocument/relationships id")


def _tags(*names: str) -> dict[str, str]:
    """Expat's "namespace local" element names -> local name, for the spreadsheet elements
    a handler acts on (one dict look-up per element: the sheet has over a million)."""
    return {f"{ns} {name}": name for ns in _SPREADSHEET_NAMESPACES for name in names}


class _Part:
    """Expat handlers for one XML part. Every element is counted against max_elements, and
    against max_run the elements since the current run began (begin_run: a sheet's row, a
    shared string), so no row or string can be made of a million elements."""

    max_elements = MAX_PACKAGE_ELEMENTS
    max_run = MAX_PACKAGE_ELEMENTS

    def __init__(self):
        self.elements = 0
        self.limit = min(self.max_elements, self.max_run)

    def count(self) -> None:
        self.elements += 1
        if self.elements > self.limit:
            raise _too_large()

    def begin_run(self) -> None:
        self.limit = min(self.max_elements, self.elements + self.max_run)

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.count()

    def end(self, tag: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


def _parse(archive: zipfile.ZipFile, name: str, part: _Part) -> Iterator[None]:
    """Stream one XML part through expat into a handler, yielding after each chunk so that
    the caller can take what it collected. A DTD (and so any entity) is refused, as no
    spreadsheet writes one."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = part.start
    parser.EndElementHandler = part.end
    parser.CharacterDataHandler = part.text

    def refuse(*_args):
        raise _unreadable()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    with archive.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
            yield
        parser.Parse(b"", True)
        yield


def _read(archive: zipfile.ZipFile, name: str, part: _Part) -> None:
    for _chunk in _parse(archive, name, part):
        pass


class _Relationships(_Part):
    """Id -> (type, member name) from a part's relationships."""

    def __init__(self, folder: str):
        super().__init__()
        self.folder = folder
        self.found: dict[str, tuple[str, str]] = {}

    def start(self, tag, attributes):
        self.count()
        if tag.endswith(" Relationship") and attributes.get("TargetMode") != "External":
            target = attributes.get("Target", "")
            path = target if target.startswith("/") else posixpath.join(self.folder, target)
            self.found[attributes.get("Id", "")] = (attributes.get("Type", ""),
                                                    posixpath.normpath(path).lstrip("/"))


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    handler = _Relationships(folder)
    if rels in archive.namelist():
        _read(archive, rels, handler)
    return handler.found


class _Sheets(_Part):
    """The relationship ids of a workbook's sheets, in order."""

    tags = _tags("sheet")

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []

    def start(self, tag, attributes):
        self.count()
        if tag in self.tags:
            self.ids.append(next((attributes[n] for n in _RELATIONSHIP_IDS if n in attributes),
                                 ""))


def _first_sheet(archive: zipfile.ZipFile) -> tuple[str, str | None]:
    """The member names of the workbook's first worksheet and of its shared strings."""
    office = [t for kind, t in _relationships(archive, "").values()
              if kind.endswith("/officeDocument")]
    workbook = office[0] if office else "xl/workbook.xml"
    parts = _relationships(archive, workbook)
    sheets = _Sheets()
    _read(archive, workbook, sheets)
    worksheets = [parts[i][1] for i in sheets.ids
                  if i in parts and parts[i][0].endswith("/worksheet")]
    strings = [t for kind, t in parts.values() if kind.endswith("/sharedStrings")]
    if not worksheets:
        raise _unreadable()
    return worksheets[0], strings[0] if strings else None


class _Texts(_Part):
    """The text of runs (<t>) within a unit (a cell, a shared string), leaving out phonetic
    guides (<rPh>) that Japanese text may carry."""

    def __init__(self):
        super().__init__()
        self.value: list[str] | None = None  # the unit's text so far, if it is kept
        self.length = 0
        self.in_text = False
        self.phonetic = 0

    def text(self, data):
        if self.in_text and self.value is not None:
            self.length += len(data)
            if self.length > MAX_CELL_CHARS:
                raise self.too_long()
            self.value.append(data)

    def too_long(self) -> ImportFileError:
        return _too_large()


class _SharedStrings(_Texts):
    max_elements = MAX_SHARED_STRINGS * 3  # <si><t>, and some rich text
    max_run = 1_000
    tags = _tags("si", "t", "rPh")

    def __init__(self):
        super().__init__()
        self.strings: list[str] = []
        self.chars = 0

    def start(self, tag, attributes):
        self.count()
        name = self.tags.get(tag)
        if name == "si":
            if len(self.strings) >= MAX_SHARED_STRINGS:
                raise _too_large()
            self.begin_run()
            self.value, self.length = [], 0
        elif name == "t":
            self.in_text = not self.phonetic
        elif name == "rPh":
            self.phonetic += 1

    def end(self, tag):
        name = self.tags.get(tag)
        if name == "si" and self.value is not None:
            self.chars += self.length
            if self.chars > MAX_SHARED_CHARS:
                raise _too_large()
            self.strings.append("".join(self.value))
            self.value = None
        elif name == "t":
            self.in_text = False
        elif name == "rPh":
            self.phonetic -= 1


class _SheetRows(_Texts):
    """A worksheet's rows as (line, cells as text). Only the first MAX_COLUMNS + 1 columns are
    kept (reading goes on to find the header's width; _bounded cuts every row to it)."""

    max_elements = MAX_SHEET_ELEMENTS
    # Excel's widest row is 16,384 cells of a few elements each.
    max_run = 100_000
    tags = _tags("row", "c", "v", "t", "rPh")

    def __init__(self, strings: list[str]):
        super().__init__()
        self.strings = strings
        self.done: list[tuple[int, list[str]]] = []
        self.line = 0
        self.cells: dict[int, str] | None = None
        self.column = 0
        self.kind = ""
        self.numbers: dict[str, str] = {}  # number cells hold few different values

    def start(self, tag, attributes):
        self.elements += 1  # count(), written out: this runs for every element of the sheet
        if self.elements > self.limit:
            raise _too_large()
        name = self.tags.get(tag)
        if name is None:
            return
        if name == "c":
            if self.cells is None:
                return
            reference = attributes.get("r")
            self.column = _column(reference) if reference else self.column + 1
            self.kind = attributes.get("t", "n")
            self.value = [] if self.column <= MAX_COLUMNS + 1 else None
            self.length = 0
        elif name == "row":
            self.begin_run()
            number = attributes.get("r")
            self.line = int(number) if number else self.line + 1
            self.cells, self.column = {}, 0
        elif name == "rPh":
            self.phonetic += 1
        else:  # <v>, or <t> of an inline string
            self.in_text = not self.phonetic

    def end(self, tag):
        name = self.tags.get(tag)
        if name is None:
            return
        if name == "c":
            if self.value is not None and self.cells is not None:
                raw = "".join(self.value).strip()
                if not raw:
                    text = ""
                elif self.kind == "n":
                    text = self.numbers.get(raw) or _number_text(raw)
                    if len(self.numbers) < 10_000:
                        self.numbers[raw] = text
                elif self.kind == "s":
                    text = self.shared_string(raw)
                elif self.kind == "b":
                    text = "True" if raw == "1" else "False"
                else:  # inline strings, formula text, errors, ISO dates
                    text = raw
                if text:
                    self.cells[self.column] = text
            self.value = None
        elif name == "row":
            if self.cells is not None:
                width = max(self.cells, default=0)
                self.done.append((self.line, [self.cells.get(i, "")
                                              for i in range(1, width + 1)]))
            self.cells = None
        elif name == "rPh":
            self.phonetic -= 1
        else:
            self.in_text = False

    def too_long(self) -> ImportFileError:
        return ImportFileError(_("Line %(line)s: a cell holds more than %(max)s characters.",
                                 line=self.line, max=MAX_CELL_CHARS))

    def shared_string(self, raw: str) -> str:
        index = int(raw)
        if not 0 <= index < len(self.strings):
            raise _unreadable()
        return self.strings[index].strip()

    def take(self) -> list[tuple[int, list[str]]]:
        done, self.done = self.done, []
        return done


def _shared_strings(archive: zipfile.ZipFile, name: str) -> list[str]:
    strings = _SharedStrings()
    _read(archive, name, strings)
    return strings.strings


def _column(reference: str) -> int:
    """The column number of a cell reference ("C12" -> 3)."""
    letters = reference.rstrip("0123456789")
    if (column := _COLUMNS.get(letters)) is None:
        if not _COLUMN_LETTERS.fullmatch(letters):
            raise _unreadable()
        column = 0
        for letter in letters:
            column = column * 26 + ord(letter) - 64
        _COLUMNS[letters] = column  # at most 18,278 (A to ZZZ)
    return column


def _number_text(raw: str) -> str:
    """A number cell as it was typed: 7 for 7.0 (how spreadsheets store whole numbers),
    anything else (1.5, 1E+20, INF) as written, for the checks to refuse with its line."""
    try:
        number = float(raw)
    except ValueError:
        return raw
    return str(int(number)) if number.is_integer() and abs(number) < 2**53 else raw


def _sheet_rows(archive: zipfile.ZipFile, name: str,
                strings: list[str]) -> Iterator[tuple[int, list[str]]]:
    rows = _SheetRows(strings)
    for _chunk in _parse(archive, name, rows):
        yield from rows.take()
