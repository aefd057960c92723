"""An import a supporter can trust (issue 12): columns named in Swedish or English, a template
of her own project to fill in, no file imported twice, a question before answers go into a
round that is not closed, and every import listed and undone as a whole — on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from spindel import instrument as instruments
from spindel.dates import local_today
from spindel.extensions import db
from spindel.models import ImportBatch, Rating, RatingTally, Response, Round, RoundState
from spindel.services import imports
from spindel.services.responses import recount_tallies
from spindel.services.results import results_payload
from spindel.services.selection import Selection
from tests.conftest import AuthActions, csrf_token, hidden_fields


@pytest.fixture
def app(app, backend):
    """Every test here on SQLite and PostgreSQL."""
    return app


@pytest.fixture
def project(app):
    """Districts Norr and Söder, k = 5; round 1 closed, round 2 open since yesterday."""
    from spindel.services.projects import create_project

    project = create_project("Tidigt stöd", "tidigt", districts=[("north", "Norr"),
                                                                  ("south", "Söder")])
    project.rounds.append(Round(number=1, label="Mätning 1", state=RoundState.CLOSED))
    project.rounds.append(Round(number=2, label="Mätning 2", state=RoundState.OPEN,
                                opens_on=local_today() - dt.timedelta(days=1)))
    db.session.commit()
    return project


@pytest.fixture
def client(app, project, password_hash):
    """A supporter of the project, logged in."""
    from spindel.models import User

    user = User(email="supporter@example.se", password_hash=password_hash)
    user.projects.append(project)
    db.session.add(user)
    db.session.commit()
    client = app.test_client()
    assert AuthActions(client).login(user).status_code == 302
    return client


def instrument():
    return instruments.registry()[instruments.default_ident()]


def table_file(header: list[str], rows: list[list]) -> bytes:
    return ("\n".join(";".join(map(str, r)) for r in [header, *rows]) + "\n").encode()


def keys_header() -> list[str]:
    return ["round", "area", "role", *instrument().item_keys]


def rows(round_=1, area="Norr", role="bvc", value=7, times=1) -> list[list]:
    return [[round_, area, role, *[value] * len(instrument().item_keys)]
            for _ in range(times)]


def upload(client, project, data: bytes, filename="earlier.csv", **fields):
    path = f"/projects/{project.slug}/import"
    return client.post(path, data={"csrf_token": csrf_token(client, path),
                                   "file": (io.BytesIO(data), filename), **fields},
                       content_type="multipart/form-data")


def count(model=Response) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def page_text(reply) -> str:
    """The page's text without tags, spaces made single: what a person reads."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", reply.get_data(as_text=True))).split())


# --- columns by their Swedish and English names ---------------------------------------------


def test_columns_in_swedish_and_english_whatever_the_case_and_accents(client, project):
    items = instrument().items
    header = ["Mätning", "STADSDELSOMRADE", "yrkesgrupp"]
    # Short names in Swedish and English, keys, with another case and without accents.
    for n, item in enumerate(items):
        header.append([item.short.sv, item.short.en.upper(), item.key.replace("_", " "),
                       item.short.sv.replace("ö", "o").replace("ä", "a").lower()][n % 4])
    data = table_file(header, [[1, "Söder", "BMM", *range(1, len(items) + 1)]])
    reply = upload(client, project, data)
    assert reply.status_code == 302, page_text(reply)[-1500:]
    answer = db.session.scalar(select(Response))
    ratings = {r.item_key: r.value for r in answer.ratings}
    assert ratings == {item.key: n for n, item in enumerate(items, start=1)}
    assert answer.district_id == project.districts[1].id


@pytest.mark.parametrize("names", [
    ("round", "area", "role"), ("mätning", "stadsdel", "yrkesgrupp"),
    ("Matning", "Område", "Profession"), ("ROUND", "district", "YRKESGRUPP"),
    (" mätning ", "stadsdelsområde", "role")])
def test_every_name_of_the_fixed_columns_is_taken(app, project, names):
    table = [(1, [*names, *instrument().item_keys]), (2, [str(v) for v in rows()[0]])]
    check = imports.check_rows(table, instrument(), project)
    assert check.ok, check.problems
    assert [(r.round, r.area, r.role) for r in check.rows] == [(1, "Norr", "bvc")]


def test_unknown_repeated_and_missing_columns_are_named(client, project):
    items = instrument().items
    header = ["mätning", "stadsdel", "yrkesgrupp", "round", "Kommentar",
              *[item.short.sv for item in items[1:]]]
    reply = upload(client, project, table_file(header, [[1, "Norr", "bvc", 1, "x",
                                                         *[5] * (len(items) - 1)]]))
    text = page_text(reply)
    assert reply.status_code == 422 and count() == 0
    assert "rad 1, kolumn round: Det här är samma kolumn som ”mätning” (mätning)" in text
    assert "rad 1, kolumn Kommentar: Okänd kolumn. En import tar mätning (round), " \
        "stadsdelsområde (area), yrkesgrupp (role) och en kolumn per fråga" in text
    assert items[1].short.sv in text.split("Kommentar", 1)[1]  # the names it takes
    assert f"rad 1, kolumn {items[0].short.sv}: Kolumnen saknas" in text


def test_a_problem_names_the_column_as_the_file_does(client, project):
    items = instrument().items
    header = ["Mätning", "Stadsdel", "Yrkesgrupp", *[item.short.sv for item in items]]
    bad = rows()[0]
    bad[4] = 11
    reply = upload(client, project, table_file(header, [bad, rows(area="Väster")[0]]))
    text = page_text(reply)
    assert f"rad 2, kolumn {items[1].short.sv}: ”11”" in text
    assert "rad 3, kolumn Stadsdel: Okänt stadsdelsområde ”Väster”" in text


def test_the_page_lists_every_name_a_column_takes(client, project):
    text = page_text(client.get(f"/projects/{project.slug}/import"))
    assert "mätning round" in text and "yrkesgrupp role, profession" in text
    assert "stadsdelsområde area, district, stadsdel, område" in text
    item = instrument().items[0]
    assert f"{item.short.sv} {item.key}, {item.short.en} {item.text.sv}" in text


# --- the template ---------------------------------------------------------------------------


def template(client, project, lang="sv"):
    reply = client.get(f"/projects/{project.slug}/import/template.xlsx?lang={lang}")
    assert reply.status_code == 200
    assert reply.mimetype.endswith("spreadsheetml.sheet")
    assert f'filename="{project.slug}-' in reply.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(reply.data))


def validations(sheet) -> dict[str, object]:
    """The first cell of each range -> its data validation."""
    found = {}
    for check in sheet.data_validations.dataValidation:
        for cell_range in check.sqref.ranges:
            found[cell_range.coord.split(":")[0]] = check
    return found


def list_values(book, formula: str) -> list[str]:
    sheet_name, cells = formula.lstrip("=").rsplit("!", 1)
    sheet = book[sheet_name.strip("'")]
    return [c.value for row in sheet[cells.replace("$", "")] for c in row]


def test_the_template_has_the_projects_lists_and_explains_the_scale(client, project):
    book = template(client, project)
    answers = book.worksheets[0]  # the sheet an import reads
    items = instrument().items
    assert [c.value for c in answers[1]] == ["mätning", "stadsdelsområde", "yrkesgrupp",
                                             *[i.short.sv for i in items]]
    checks = validations(answers)
    assert checks["B2"].type == "list" and checks["C2"].type == "list"
    assert list_values(book, checks["B2"].formula1) == ["Norr", "Söder"]
    assert list_values(book, checks["C2"].formula1) == [p.name_sv for p in project.professions]
    assert (checks["A2"].type, checks["A2"].formula1, checks["A2"].formula2) == \
        ("whole", "1", "999")
    assert (checks["D2"].type, checks["D2"].formula1, checks["D2"].formula2) == \
        ("whole", "1", "10")
    assert str(checks["D2"].sqref).endswith(f"{answers.cell(1, 3 + len(items)).column_letter}"
                                            "50001")
    note = answers["D1"].comment.text
    assert items[0].text.sv in note and "1 = Mycket dåligt … 10 = Mycket bra" in note
    assert "Lämna cellen tom för ”Kan inte bedöma”" in note
    about = " ".join(str(c.value) for row in book["Om mallen"].iter_rows() for c in row
                     if c.value)
    assert "Kan inte bedöma" in about and items[-1].text.sv in about

    english = template(client, project, "en")
    assert [c.value for c in english.worksheets[0][1]][:4] == [
        "round", "district", "profession", items[0].short.en]
    checks = validations(english.worksheets[0])
    assert list_values(english, checks["C2"].formula1) == [
        p.label("en") for p in project.professions]


def test_a_filled_in_template_imports(client, project):
    for lang in ("sv", "en"):
        book = template(client, project, lang)
        sheet = book.worksheets[0]
        professions = [p.label(lang) for p in project.professions]
        sheet.append([1, "Norr", professions[0], *[8] * len(instrument().items)])
        sheet.append([1, "Söder", professions[1], None, *[3] * (len(instrument().items) - 1)])
        out = io.BytesIO()
        book.save(out)
        reply = upload(client, project, out.getvalue(), filename=f"mall-{lang}.xlsx")
        assert reply.status_code == 302, page_text(reply)[-1500:]
    assert count() == 4
    assert count(Rating) == 4 * len(instrument().items)
    assert db.session.scalar(select(func.count()).select_from(Rating)
                             .where(Rating.value.is_(None))) == 2  # cannot judge, kept


def test_names_a_spreadsheet_would_evaluate_stay_text_in_the_template_and_import(client,
                                                                                 project):
    from spindel.services.projects import add_district

    add_district(project, '=HYPERLINK("http://evil.example","x")')
    db.session.commit()
    book = template(client, project)
    checks = validations(book.worksheets[0])
    cells = list_values(book, checks["B2"].formula1)
    assert cells[-1] == '\'=HYPERLINK("http://evil.example","x")'
    lists = book.worksheets[2]
    assert all(c.data_type == "s" for row in lists.iter_rows() for c in row if c.value)
    book.worksheets[0].append([1, cells[-1], "bvc", *[5] * len(instrument().items)])
    out = io.BytesIO()
    book.save(out)
    reply = upload(client, project, out.getvalue(), filename="mall.xlsx")
    assert reply.status_code == 302, page_text(reply)[-1500:]
    assert db.session.scalar(select(Response)).district_id == project.districts[-1].id


# --- the same file twice --------------------------------------------------------------------


def test_an_identical_file_is_refused_until_its_import_is_undone(client, project):
    data = table_file(keys_header(), rows(times=3))
    assert upload(client, project, data).status_code == 302
    again = upload(client, project, data, filename="another-name.csv")
    assert again.status_code == 422
    assert f"Den här filen är redan importerad, den {local_today().isoformat()} (3 svar)" \
        in page_text(again)
    assert count() == 3 and count(ImportBatch) == 1
    different = table_file(keys_header(), rows(times=3, value=8))
    assert upload(client, project, different).status_code == 302 and count() == 6

    batch = imports.live_batch(project, imports.file_digest(data))
    undo(client, project, batch)
    assert upload(client, project, data).status_code == 302 and count() == 6


def test_the_same_file_sent_twice_at_once_is_stored_once(app, project, monkeypatch):
    """A double click: the second request's check ran before the first committed, so it
    finds no import of the file; the unique index of live imports stops it when it writes
    (PostgreSQL waits for the first to commit, then refuses), and it says so."""
    data = table_file(keys_header(), rows(times=2))
    assert imports.import_file("a.csv", data, project).stored == 2
    db.session.commit()
    looks = []
    found = imports.live_batch

    def live_batch(project, digest):
        # The checks before writing (on the file, then on its table) find nothing yet.
        looks.append(digest)
        return None if len(looks) <= 2 else found(project, digest)

    monkeypatch.setattr(imports, "live_batch", live_batch)
    with pytest.raises(imports.AlreadyImported):
        imports.import_file("a.csv", data, project)
    assert len(looks) == 3  # refused on writing, then named
    assert count() == 2 and count(ImportBatch) == 1


# --- a round that is not closed -------------------------------------------------------------


def test_answers_for_an_open_round_wait_for_a_confirmation(client, project):
    data = table_file(keys_header(), rows(round_=2, times=2) + rows(round_=1))
    first = upload(client, project, data)
    text = page_text(first)
    assert first.status_code == 422 and count() == 0 and count(ImportBatch) == 0
    assert "Ingenting importerat än: filen har svar till en mätning som inte är stängd" in text
    assert "Mätningar: Mätning 2" in text
    fields = hidden_fields(first.get_data(as_text=True))
    assert fields["confirmed_file"] == imports.file_digest(data)
    assert 'name="confirm_open"' in first.get_data(as_text=True)

    # The same file without the box ticked, or the box ticked for another file: nothing.
    assert upload(client, project, data, confirmed_file=fields["confirmed_file"]) \
        .status_code == 422
    other = table_file(keys_header(), rows(round_=2, value=3))
    assert upload(client, project, other, confirm_open="y",
                  confirmed_file=fields["confirmed_file"]).status_code == 422
    assert count() == 0
    confirmed = upload(client, project, data, confirm_open="y",
                       confirmed_file=fields["confirmed_file"])
    assert confirmed.status_code == 302 and count() == 3
    listed = page_text(client.get(confirmed.headers["Location"]))
    assert "3 svar importerade." in listed


def test_a_round_opening_by_its_dates_asks_too_and_a_closed_one_does_not(client, project):
    round_ = project.rounds[1]
    round_.state, round_.opens_on = RoundState.SCHEDULED, local_today() + dt.timedelta(days=3)
    db.session.commit()
    asked = upload(client, project, table_file(keys_header(), rows(round_=2)))
    assert asked.status_code == 422 and count() == 0
    text = page_text(asked)
    assert "Ingenting importerat än: filen har svar till en mätning som inte är stängd" in text
    assert "Mätningar: Mätning 2" in text and 'name="confirm_open"' in asked.get_data(as_text=True)
    # A round the file creates is created closed, and asks nothing.
    created = upload(client, project, table_file(keys_header(), rows(round_=7)))
    assert created.status_code == 302 and count() == 1
    assert "1 svar importerat." in page_text(client.get(created.headers["Location"]))
    db.session.expire_all()
    assert [r.state for r in project.rounds if r.number == 7] == [RoundState.CLOSED]


def test_the_command_imports_into_an_open_round_only_when_told(app, project, tmp_path):
    path = tmp_path / "open.csv"
    path.write_bytes(table_file(keys_header(), rows(round_=2, times=2)))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["import", str(path), "--project", project.slug])
    assert refused.exit_code != 0 and "not closed: Mätning 2" in refused.output
    assert count() == 0
    done = runner.invoke(args=["import", str(path), "--project", project.slug, "--into-open"])
    assert done.exit_code == 0, done.output
    assert count() == 2
    again = runner.invoke(args=["import", str(path), "--project", project.slug, "--into-open"])
    assert again.exit_code != 0 and "imported already" in again.output and count() == 2


# --- undoing an import ----------------------------------------------------------------------


def undo(client, project, batch):
    path = f"/projects/{project.slug}/import"
    return client.post(f"/projects/{project.slug}/imports/{batch.id}/undo",
                       data={"csrf_token": csrf_token(client, path)})


def whole_round(project, number: int) -> dict:
    """The whole-round figures of one round as published (the API's numbers)."""
    db.session.expire_all()
    payload = results_payload(project, Selection(by="round", rounds=(number,)))
    group = payload["groups"][0]
    item = group["items"].get(instrument().item_keys[0], {})
    return {"responses": group["responses"], "mean": item.get("mean")}


def tallies(round_id: int) -> set[tuple]:
    return {(t.profession_id, t.district_id, t.item_key, t.value, t.count)
            for t in db.session.scalars(select(RatingTally).where(
                RatingTally.round_id == round_id))}


def test_undo_removes_exactly_the_imports_answers_and_the_figures_move_back(
        client, project, add_answer):
    round_ = project.rounds[0]
    for _ in range(6):  # answers from the form, before any import
        add_answer(round_, value=3, district="north")
    own = set(db.session.scalars(select(Response.id)))
    assert whole_round(project, 1) == {"responses": 6, "mean": 3.0}

    first = table_file(keys_header(), rows(value=9, times=6, area="Söder", role="bmm"))
    second = table_file(keys_header(), rows(value=9, times=2, round_=3))
    assert upload(client, project, first, filename="hösten.csv").status_code == 302
    assert upload(client, project, second, filename="våren.csv").status_code == 302
    assert whole_round(project, 1) == {"responses": 12, "mean": 6.0}
    batches = imports.batches_of(project)
    assert [(b.filename, b.rows) for b in batches] == [("våren.csv", 2), ("hösten.csv", 6)]
    kept = {r.id for r in db.session.scalars(select(Response).where(
        Response.import_batch_id == batches[0].id))}

    reply = undo(client, project, batches[1])
    assert reply.status_code == 302
    assert "Importen av hösten.csv är ångrad: 6 svar togs bort." in \
        page_text(client.get(reply.headers["Location"]))
    # The form's answers and the other import's are all there, and nothing else.
    assert set(db.session.scalars(select(Response.id))) == own | kept
    assert count(Rating) == (6 + 2) * len(instrument().item_keys)
    # The tallies are what the ratings say, and a new release takes the figures back.
    kept_tallies = tallies(round_.id)
    recount_tallies([round_.id])
    assert tallies(round_.id) == kept_tallies
    db.session.rollback()
    assert whole_round(project, 1) == {"responses": 6, "mean": 3.0}
    assert whole_round(project, 3)["responses"] is None  # 2 answers: too small, as before
    batch = db.session.get(ImportBatch, batches[1].id)
    assert batch.undone and batch.rows == 6

    # Undone once: the button is gone, and sending it again changes nothing.
    page = client.get(f"/projects/{project.slug}/import").get_data(as_text=True)
    assert f"/imports/{batch.id}/undo" not in page
    assert undo(client, project, batch).status_code == 302
    assert set(db.session.scalars(select(Response.id))) == own | kept


def test_another_projects_import_cannot_be_undone_from_here(client, project, app):
    from spindel.services.projects import create_project

    other = create_project("Annat", "annat")
    db.session.commit()
    data = table_file(keys_header(), rows(area="", times=1))
    result = imports.import_file("x.csv", data, other)
    db.session.commit()
    assert undo(client, project, result.batch).status_code == 404  # not this project's
    reply = client.post(f"/projects/{other.slug}/imports/{result.batch.id}/undo",
                        data={"csrf_token": csrf_token(client, f"/projects/{project.slug}")})
    assert reply.status_code == 404  # not her project
    no_token = client.post(f"/projects/{project.slug}/imports/{result.batch.id}/undo")
    assert no_token.status_code == 400  # the form token is checked first
    assert count() == 1


def test_the_import_page_lists_each_import_by_day_file_and_answers(client, project):
    assert "Ingen fil har importerats" in page_text(client.get(
        f"/projects/{project.slug}/import"))
    upload(client, project, table_file(keys_header(), rows(times=4)),
           filename="Mätning 1\u202e.csv")
    text = page_text(client.get(f"/projects/{project.slug}/import"))
    today = local_today().isoformat()
    assert f"Importerad Fil Svar Ångra {today} Mätning 1.csv 4 Ångra importen av " \
        f"Mätning 1.csv den {today}" in text
    batch = db.session.scalar(select(ImportBatch))
    assert batch.created_on == local_today() and batch.filename == "Mätning 1.csv"
    assert len(batch.file_sha256) == 64


def test_file_names_are_listed_short_and_clean():
    assert imports.short_filename("/tmp/upload/svar.csv") == "svar.csv"
    assert imports.short_filename("C:\\Users\\anna\\svar.csv") == "svar.csv"
    assert imports.short_filename("a\x00b\u202ec\tdef.xlsx") == "abcdef.xlsx"
    long = imports.short_filename("x" * 300 + ".xlsx")
    assert len(long) == 100 and long.endswith("….xlsx")


def test_a_table_imported_without_its_file_is_a_batch_too(app, project):
    table = [(1, keys_header()), (2, [str(v) for v in rows()[0]])]
    first = imports.import_table(table, project)
    assert first.stored == 1 and len(first.batch.file_sha256) == 64
    db.session.commit()
    with pytest.raises(imports.AlreadyImported):
        imports.import_table(table, project)
    assert imports.undo_batch(first.batch) == 1
    db.session.commit()
    assert count() == 0


def test_a_workbook_written_by_hand_reads_like_the_template(app, project):
    """Headers as a person types them in Excel: with spaces, in another case."""
    book = Workbook()
    sheet = book.active
    sheet.append(["  Mätning ", "Stadsdelsområde", "Yrkesgrupp",
                  *[i.short.en for i in instrument().items]])
    sheet.append([1, "norr", "bvc", *[4] * len(instrument().items)])
    out = io.BytesIO()
    book.save(out)
    result = imports.import_file("hand.xlsx", out.getvalue(), project)
    assert result.ok and result.stored == 1, result.check.problems
