"""Importing earlier rounds: every row checked first, all or nothing, every error listed."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import Project, RatingTally, Response, RoundState
from spindel.services.responses import recount_tallies
from tests.conftest import ROOT, AuthActions, csrf_token


def item_keys():
    return instruments.registry()[instruments.default_ident()].item_keys


def csv_text(rows: list[list[str]], delimiter: str = ";") -> str:
    header = ["round", "area", "role", *item_keys()]
    return "\n".join(delimiter.join(map(str, r)) for r in [header, *rows]) + "\n"


def good_row(round_="1", area="Norr", role="bvc", value="7"):
    return [round_, area, role, *[value] * len(item_keys())]


def count_responses() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def upload(client, project, text: str | bytes, filename="earlier.csv", add_unknown=False):
    data = {"csrf_token": csrf_token(client, f"/projects/{project.slug}/import"),
            "file": (io.BytesIO(text.encode() if isinstance(text, str) else text), filename)}
    if add_unknown:
        data["add_unknown"] = "y"
    return client.post(f"/projects/{project.slug}/import", data=data,
                       content_type="multipart/form-data")


def tallies() -> set[tuple]:
    return {(t.round_id, t.profession_id, t.district_id, t.item_key, t.value, t.count)
            for t in db.session.scalars(select(RatingTally))}


def test_a_file_with_errors_lists_every_one_and_stores_nothing(client, login_as,
                                                               make_project):
    project = make_project()
    login_as(projects=[project])
    bad_value = good_row()
    bad_value[3] = "11"
    bad_value[5] = "sju"
    rows = [good_row(), bad_value, good_row(round_="första"), good_row(role=""),
            good_row(area="Väster")]
    reply = upload(client, project, csv_text(rows))
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    keys = item_keys()
    assert f"rad 3, kolumn {keys[0]}: ”11”" in html
    assert f"rad 3, kolumn {keys[2]}: ”sju”" in html
    assert "rad 4, kolumn round" in html
    assert "rad 5, kolumn role" in html
    assert "rad 6, kolumn area" in html and "Väster" in html
    assert count_responses() == 0


def test_unknown_districts_are_offered_and_added_on_request(client, login_as, make_project):
    project = make_project(state=RoundState.CLOSED)
    login_as(projects=[project])
    text = csv_text([good_row(area="Väster"), good_row(area="north")])
    first = upload(client, project, text)
    assert first.status_code == 422
    assert "Finns inte i projektet än" in first.get_data(as_text=True)
    assert count_responses() == 0
    second = upload(client, project, text, add_unknown=True)
    assert second.status_code == 302
    assert count_responses() == 2
    db.session.expire_all()
    assert "Väster" in [d.name for d in project.districts]


def test_a_correct_file_is_stored_like_web_answers(client, login_as, make_project):
    project = make_project(rounds=1, state=RoundState.CLOSED)
    login_as(projects=[project])
    rows = [good_row(round_="2", value="3"), good_row(round_="2", area="Söder", role="BMM"),
            good_row(round_="1", area="south", role="barnavårdscentral (bvc)")]
    rows[0][4] = ""  # cannot judge
    reply = upload(client, project, csv_text(rows, delimiter=","))
    assert reply.status_code == 302, reply.get_data(as_text=True).split("<ul>", 2)[-1][:3000]
    assert count_responses() == 3
    db.session.expire_all()
    assert [r.number for r in project.rounds] == [1, 2]  # round 2 created
    # The tallies kept while storing equal a recount from the ratings themselves.
    kept = tallies()
    recount_tallies([r.id for r in project.rounds])
    db.session.flush()
    assert tallies() == kept
    db.session.rollback()


def test_excel_files_are_read_too(client, login_as, make_project):
    project = make_project(state=RoundState.CLOSED)
    login_as(projects=[project])
    book = Workbook()
    sheet = book.active
    sheet.append(["round", "area", "role", *item_keys()])
    sheet.append([1, "Norr", "bvc", *[8] * len(item_keys())])
    sheet.append([1, "Söder", "bmm", None, *[2] * (len(item_keys()) - 1)])
    out = io.BytesIO()
    book.save(out)
    reply = upload(client, project, out.getvalue(), filename="earlier.xlsx")
    assert reply.status_code == 302
    assert count_responses() == 2


def test_a_broken_file_is_an_error_at_the_field(client, login_as, make_project):
    project = make_project()
    login_as(projects=[project])
    reply = upload(client, project, b"PK\x03\x04 not really excel", filename="x.xlsx")
    assert reply.status_code == 422
    assert "Excelfilen kunde inte läsas" in reply.get_data(as_text=True)
    missing = upload(client, project, "round;area\n1;Norr\n")
    assert missing.status_code == 422 and "Kolumnen saknas" in missing.get_data(as_text=True)


def test_cli_import_creates_a_project_and_is_all_or_nothing(app, runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text([good_row(), good_row(value="0")]), encoding="utf-8")
    result = runner.invoke(args=["import", str(bad), "--project", "gamla", "--create"])
    assert result.exit_code != 0
    assert f"line 3, column {item_keys()[0]}" in result.output
    assert db.session.scalar(select(Project).where(Project.slug == "gamla")) is None

    good = tmp_path / "good.csv"
    good.write_text(csv_text([good_row(), good_row(round_="2", area="Söder", role="bmm")]),
                    encoding="utf-8")
    result = runner.invoke(args=["import", str(good), "--project", "gamla", "--create"])
    assert result.exit_code == 0, result.output
    project = db.session.scalar(select(Project).where(Project.slug == "gamla"))
    assert sorted(d.name for d in project.districts) == ["Norr", "Söder"]
    assert sorted(p.key for p in project.professions) == ["bmm", "bvc"]
    assert [r.number for r in project.rounds] == [1, 2]
    assert count_responses() == 2

    unknown = tmp_path / "unknown.csv"
    unknown.write_text(csv_text([good_row(area="Öster")]), encoding="utf-8")
    result = runner.invoke(args=["import", str(unknown), "--project", "gamla"])
    assert result.exit_code != 0 and "Öster" in result.output
    result = runner.invoke(args=["import", str(unknown), "--project", "gamla",
                                 "--add-unknown"])
    assert result.exit_code == 0 and count_responses() == 3


def test_imported_answers_count_exactly_like_the_same_answers_sent_by_the_form(app, backend):
    """Round 1 imported from a file, round 2 the same answers through store_answer: their
    tallies are identical, on SQLite and PostgreSQL."""
    import random

    from spindel.models import Round, RoundState
    from spindel.services.imports import import_table
    from spindel.services.projects import create_project
    from spindel.services.responses import Answer, store_answer
    from spindel.services.round_setup import RoundSetup

    project = create_project("P", "p", districts=[("north", "Norr"), ("south", "Söder")])
    for number in (1, 2):
        project.rounds.append(Round(number=number, label=f"Mätning {number}",
                                    state=RoundState.CLOSED))
    db.session.commit()
    instrument = instruments.for_project(project)
    rng = random.Random(7)
    answers = []
    for _ in range(60):
        ratings = {k: (None if rng.random() < 0.1 else rng.randint(1, 10))
                   for k in instrument.item_keys}
        answers.append(Answer(rng.choice(["bvc", "bmm", "other"]),
                              rng.choice(["north", "south"]), ratings))
    table = [(1, ["round", "area", "role", *instrument.item_keys])]
    for line, a in enumerate(answers, start=2):
        table.append((line, ["1", a.district, a.profession,
                             *["" if a.ratings[k] is None else str(a.ratings[k])
                               for k in instrument.item_keys]]))
    result = import_table(table, project)
    assert result.ok and result.stored == 60
    setup = RoundSetup.of(project.rounds[1])
    for answer in answers:
        store_answer(setup, instrument, answer, check_open=False)
    db.session.commit()
    by_round = {1: set(), 2: set()}
    number = {r.id: r.number for r in project.rounds}
    for t in db.session.scalars(select(RatingTally)):
        by_round[number[t.round_id]].add((t.profession_id, t.district_id, t.item_key,
                                          t.value, t.count))
    assert by_round[1] == by_round[2] and len(by_round[1]) > 100
    imported = db.session.scalars(select(Response.id).where(
        Response.round_id == project.rounds[0].id)).all()
    assert len(set(imported)) == 60 and min(imported) > 2**20  # drawn at random, not counted


# --- numbers and names that cannot be stored ------------------------------------------------


@pytest.fixture
def supporter(app, backend, password_hash):
    """A logged-in supporter's client and a project with districts Norr and Söder, on SQLite
    and PostgreSQL."""
    from spindel.models import User
    from spindel.services.projects import create_project

    project = create_project("P", "p", districts=[("north", "Norr"), ("south", "Söder")])
    user = User(email="supporter@example.se", password_hash=password_hash)
    user.projects.append(project)
    db.session.add(user)
    db.session.commit()
    client = app.test_client()
    assert AuthActions(client).login(user).status_code == 302
    return client, project


UNSTORABLE = ["inf", "-inf", "nan", "1e20", "1e400", "3000000000", "-1", "1.5", "0", "1000"]


def test_numbers_outside_what_is_stored_are_problems_at_their_line_and_column(supporter):
    """round=inf was an OverflowError, 1e20 an SQLite overflow and 3000000000 out of
    PostgreSQL's integer range: each is now a problem at its line and column."""
    client, project = supporter
    keys = item_keys()
    rows = []
    for value in UNSTORABLE:
        rows.append(good_row(round_=value))
        bad_rating = good_row()
        bad_rating[4] = value
        rows.append(bad_rating)
    reply = upload(client, project, csv_text(rows))
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    for i, value in enumerate(UNSTORABLE):
        line = 2 + 2 * i
        assert f"rad {line}, kolumn round: ”{value}” är inget mätningsnummer" in html, value
        assert f"rad {line + 1}, kolumn {keys[1]}: ”{value}”" in html, value
    assert count_responses() == 0


def test_number_cells_of_a_workbook_are_checked_the_same_way(supporter):
    client, project = supporter
    numbers = ["INF", "NaN", "1E+20", "1E+400", "3000000000", "-1", "1.5"]
    sevens = "".join(f'<c r="{chr(69 + i)}{{line}}"><v>7</v></c>'
                     for i in range(len(item_keys()) - 1))
    rows = []
    for i, number in enumerate(numbers):
        line = 2 + 2 * i
        rows.append(f'<row r="{line}"><c r="A{line}"><v>{number}</v></c>'
                    f'<c r="B{line}" t="inlineStr"><is><t>Norr</t></is></c>'
                    f'<c r="C{line}" t="inlineStr"><is><t>bvc</t></is></c>'
                    f'<c r="D{line}"><v>7</v></c>{sevens.format(line=line)}</row>')
        line += 1
        rows.append(f'<row r="{line}"><c r="A{line}"><v>1</v></c>'
                    f'<c r="B{line}" t="inlineStr"><is><t>Norr</t></is></c>'
                    f'<c r="C{line}" t="inlineStr"><is><t>bvc</t></is></c>'
                    f'<c r="D{line}"><v>{number}</v></c>{sevens.format(line=line)}</row>')
    book = workbook(f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{header_cells()}</row>'
                    f'{"".join(rows)}</sheetData></worksheet>')
    reply = upload(client, project, book, filename="earlier.xlsx")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    for i, number in enumerate(numbers):
        assert f"rad {2 + 2 * i}, kolumn round: ”{number}”" in html, number
        assert f"rad {3 + 2 * i}, kolumn {item_keys()[0]}: ”{number}”" in html, number
    assert count_responses() == 0


def test_names_added_by_an_import_follow_the_rule_for_names(supporter):
    """"Add unknown" creates districts and professions: a name with a control or
    text-direction character, or an overlong one, is a problem at its line; a name is stored
    trimmed and composed, as the workspace's forms store it."""
    client, project = supporter
    rows = [good_row(area="Väster\u202egpj.exe"), good_row(area="Öster", role="x" * 201),
            good_row(area="Nord\x07ost")]
    reply = upload(client, project, csv_text(rows), add_unknown=True)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "rad 2, kolumn area: " in html and "rad 3, kolumn role: Högst 200 tecken" in html
    assert "rad 4, kolumn area: " in html and "gpj.exe" not in html
    assert count_responses() == 0
    db.session.expire_all()
    assert sorted(d.name for d in project.districts) == ["Norr", "Söder"]

    reply = upload(client, project, csv_text([good_row(area="  Va\u0308ster ")]),
                   add_unknown=True)
    assert reply.status_code == 302
    db.session.expire_all()
    assert "Väster" in [d.name for d in project.districts]  # composed, trimmed


# --- files that claim more than they hold ---------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook(sheet: str | bytes | None = None, shared_strings: str | None = None, *,
             sheet_size: tuple[bytes, int] | None = None, absolute=False) -> bytes:
    """An XLSX written by hand, part by part: the sheet's XML as given, or sheet_size=(block,
    times) to stream a large sheet into the zip without holding it."""
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    kinds = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    strings_rel = (f'<Relationship Id="rId2" Type="{kinds}/sharedStrings" '
                   f'Target="sharedStrings.xml"/>' if shared_strings is not None else "")
    target = "/xl/worksheets/sheet1.xml" if absolute else "worksheets/sheet1.xml"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               'content-types"><Default Extension="xml" ContentType='
                               '"application/xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{package}"><Relationship Id="rId1" '
                       f'Type="{kinds}/officeDocument" Target="xl/workbook.xml"/>'
                       f'</Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
                           f'<sheet name="Svar" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{package}"><Relationship '
                                      f'Id="rId1" Type="{kinds}/worksheet" Target="{target}"/>'
                                      f'{strings_rel}</Relationships>',
    }
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        if sheet_size is None:
            archive.writestr("xl/worksheets/sheet1.xml", sheet)
        else:
            block, times = sheet_size
            with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=False) as part:
                part.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
                for _ in range(times):
                    part.write(block)
    return out.getvalue()


def header_cells() -> str:
    names = ["round", "area", "role", *item_keys()]
    return "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>'
                   for i, name in enumerate(names))


def dimension_bomb() -> bytes:
    """The finding: a workbook that claims A1:XFD8000, with cells only in the first and
    the last row."""
    return workbook(f'<worksheet xmlns="{MAIN}"><dimension ref="A1:XFD8000"/><sheetData>'
                    f'<row r="1">{header_cells()}</row><row r="8000"><c r="XFD8000"><v>1</v>'
                    f'</c></row></sheetData></worksheet>')


def lying_sizes() -> bytes:
    """A zip whose directory states 2 KB for a sheet that unpacks to 50 MB."""
    data = bytearray(workbook(sheet_size=(b"<row><c><v>1</v></c></row>" * 40_000, 50)))
    stated = struct.pack("<I", 2048)
    local = data.find(b"PK\x03\x04", data.find(b"workbook.xml.rels"))
    while local >= 0:
        name_length = struct.unpack("<H", data[local + 26:local + 28])[0]
        if data[local + 30:local + 30 + name_length] == b"xl/worksheets/sheet1.xml":
            data[local + 22:local + 26] = stated
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack("<H", data[central + 28:central + 30])[0]
        if data[central + 46:central + 46 + name_length] == b"xl/worksheets/sheet1.xml":
            data[central + 24:central + 28] = stated
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def many_members() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(5_000):
            archive.writestr(f"x/{i}.xml", "")
    return out.getvalue()


def largest_workbook() -> bytes:
    """The most a workbook may hold: a header and 50,000 answers, written as spreadsheets
    write them (1.7 MB zipped, 1.35 million XML elements)."""
    rows = []
    for line in range(2, 50_002):
        cells = "".join(f'<c r="{chr(68 + i)}{line}"><v>{(line + i) % 10 + 1}</v></c>'
                        for i in range(len(item_keys())))
        rows.append(f'<row r="{line}" spans="1:12"><c r="A{line}"><v>1</v></c><c r="B{line}" '
                    f't="s"><v>0</v></c><c r="C{line}" t="s"><v>1</v></c>{cells}</row>')
    return workbook(f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{header_cells()}</row>'
                    f'{"".join(rows)}</sheetData></worksheet>',
                    f'<sst xmlns="{MAIN}"><si><t>Norr</t></si><si><t>bvc</t></si></sst>')


def hostile_files() -> dict[str, tuple[str, bytes, str]]:
    """name -> (file name, content, how reading it ends: "read N rows" or the refusal)."""
    rows_of = "".join
    cell = "<c><v>1</v></c>"
    sheet_end = "</sheetData></worksheet>"
    laughs = ('<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + "]>")
    return {
        "dimension A1:XFD8000": ("claims.xlsx", dimension_bomb(), "read 1 rows"),
        "sheet of 100 MB": ("bomb.xlsx", workbook(sheet_size=(
            f"<row>{cell * 40}</row>".encode() * 1_000, 160)), "holds too much"),
        "shared strings of 100 MB": ("bomb.xlsx", workbook(
            f'<worksheet xmlns="{MAIN}"><sheetData><row><c t="s"><v>0</v></c></row>'
            f'{sheet_end}', f'<sst xmlns="{MAIN}"><si><t>{"a" * 100_000_000}</t></si></sst>'),
            "holds too much"),
        "one string of 30 MB": ("bomb.xlsx", workbook(
            f'<worksheet xmlns="{MAIN}"><sheetData><row><c t="s"><v>0</v></c></row>'
            f'{sheet_end}', f'<sst xmlns="{MAIN}"><si><t>{"a" * 30_000_000}</t></si></sst>'),
            "holds too much"),
        "a row of a million cells": ("bomb.xlsx", workbook(
            f'<worksheet xmlns="{MAIN}"><sheetData><row>{"<c/>" * 1_000_000}</row>'
            f'{sheet_end}'), "holds too much"),
        "1.8 million elements": ("bomb.xlsx", workbook(
            f'<worksheet xmlns="{MAIN}"><sheetData>'
            f'{rows_of(["<row>" + "<c/>" * 40 + "</row>"] * 45_000)}{sheet_end}'),
            "holds too much"),
        "60,000 rows": ("bomb.xlsx", workbook(
            f'<worksheet xmlns="{MAIN}"><sheetData><row>{header_cells()}</row>'
            f'{rows_of(["<row>" + cell + "</row>"] * 60_000)}{sheet_end}'), "Line 50002"),
        "sizes that lie": ("bomb.xlsx", lying_sizes(), "could not be read"),
        "entities": ("bomb.xlsx", workbook(
            f'{laughs}<worksheet xmlns="{MAIN}"><sheetData><row><c t="inlineStr"><is><t>&i;'
            f'</t></is></c></row>{sheet_end}'), "could not be read"),
        "5,000 members": ("bomb.xlsx", many_members(), "holds too much"),
        "CSV of 17 MB": ("big.csv", b"round;area\n" + b"1;" * 8_500_000, "larger than"),
        "CSV line of 2 MB": ("big.csv", b"round;area\n" + b"1" * 2_000_000 + b"\n",
                             "Line 2 is longer"),
        "CSV of 60,000 rows": ("big.csv", b"round;area\n" + b"1;Norr\n" * 60_000,
                               "Line 50002"),
        "CSV field over many lines": ("big.csv", b'round;area\n1;"' + b"a\n" * 500_000,
                                      "could not be read"),
    }


LARGEST = "50,000 answers (admissible)"
# Runs in a fresh interpreter, so that the peak memory is the reading's own: the peak
# (VmHWM) is reset before each file and read after it.
MEASURE = r"""
import json, sys, time, gc
from pathlib import Path
from flask_babel import force_locale
from spindel import create_app
from spindel.services.table_reader import ImportFileError, read_table

def status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
results = {}
with app.test_request_context(), force_locale("en"):
    read_table("warm.xlsx", Path(sys.argv[1], "warm.xlsx").read_bytes())
    for path in sorted(Path(sys.argv[1]).glob("case-*")):
        data = path.read_bytes()
        gc.collect()
        Path("/proc/self/clear_refs").write_text("5")  # resets the peak to the current size
        before = status("VmRSS")
        start, cpu = time.perf_counter(), time.process_time()
        try:
            outcome = f"read {len(read_table(path.suffix, data))} rows"
        except ImportFileError as exc:
            outcome = str(exc)
        results[path.stem] = {"seconds": time.perf_counter() - start,
                              "cpu": time.process_time() - cpu,
                              "mb": status("VmHWM") - before, "outcome": outcome}
        del data
print(json.dumps(results))
"""


def test_hostile_files_are_refused_within_two_seconds_and_50_mb(app, tmp_path):
    """Whatever a file claims — a sheet 16,384 columns wide, parts that unpack to 100 MB,
    one row of a million cells, sizes that lie, entities that multiply — it is read or
    refused within two seconds and with at most 50 MB more memory (measured: the process's
    peak resident size, reset before each file). The time asserted is the reading's CPU
    time, which other processes on a busy test machine cannot stretch; wall time is
    printed beside it."""
    cases = {**hostile_files(), LARGEST: ("largest.xlsx", largest_workbook(),
                                          "read 50001 rows")}
    names = {}
    for i, (name, (filename, data, _expected)) in enumerate(cases.items()):
        assert len(data) < 2 * 1024 * 1024 or filename.endswith(".csv"), name
        path = tmp_path / f"case-{i:02d}{Path(filename).suffix}"
        path.write_bytes(data)
        names[path.stem] = name
    book = Workbook()
    book.active.append(["round", "area", "role"])
    book.save(tmp_path / "warm.xlsx")
    run = subprocess.run([sys.executable, "-c", MEASURE, str(tmp_path)], cwd=ROOT, check=False,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    measured = json.loads(run.stdout)
    report = []
    for stem, figures in measured.items():
        name = names[stem]
        expected = cases[name][2]
        report.append(f"{name:26} {figures['cpu']:5.2f} s CPU {figures['seconds']:5.2f} s "
                      f"{figures['mb']:5.1f} MB {len(cases[name][1]):>9} B  "
                      f"{figures['outcome'][:60]}")
        assert expected in figures["outcome"], (name, figures)
        assert figures["cpu"] < (4.0 if name == LARGEST else 2.0), (name, figures)
        assert figures["mb"] < 50, (name, figures)
    print("\n" + "\n".join(report))


def test_a_hostile_workbook_is_a_message_at_the_field(client, login_as, make_project):
    project = make_project()
    login_as(projects=[project])
    claims = upload(client, project, dimension_bomb(), filename="claims.xlsx")
    assert claims.status_code == 422 and "Filen innehåller inga svar" in \
        claims.get_data(as_text=True)
    wide = workbook(f'<worksheet xmlns="{MAIN}"><sheetData><row>{"<c/>" * 200_000}</row>'
                    f'</sheetData></worksheet>')
    reply = upload(client, project, wide, filename="wide.xlsx")
    assert reply.status_code == 422 and "Excelfilen innehåller för mycket" in \
        reply.get_data(as_text=True)
    assert count_responses() == 0


def test_workbooks_as_other_programs_write_them_are_read(app):
    """A prefixed namespace, cells without references, rich and phonetic text in shared
    strings, inline strings, booleans, a formula's cached value, an absolute part name."""
    from spindel.services.table_reader import read_table

    sheet = (f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData>'
             '<x:row><x:c t="inlineStr"><x:is><x:t>round</x:t></x:is></x:c>'
             '<x:c t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c></x:row>'
             '<x:row r="3"><x:c><x:f>1+1</x:f><x:v>2.0</x:v></x:c>'
             '<x:c t="inlineStr"><x:is><x:r><x:t>No</x:t></x:r><x:r><x:t>rr</x:t></x:r>'
             '</x:is></x:c><x:c t="b"><x:v>1</x:v></x:c><x:c r="F3" t="str"><x:v> bvc </x:v>'
             '</x:c></x:row></x:sheetData></x:worksheet>')
    strings = (f'<sst xmlns="{MAIN}"><si><r><t>ar</t></r><r><t>ea</t></r></si>'
               '<si><t>role</t><rPh sb="0" eb="1"><t>ロール</t></rPh></si></sst>')
    with app.test_request_context():
        table = read_table("x.xlsx", workbook(sheet, strings, absolute=True))
    assert table == [(1, ["round", "area", "role"]), (3, ["2", "Norr", "True"])]
