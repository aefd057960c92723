"""Importing earlier rounds: every row checked first, all or nothing, every error listed."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import Project, RatingTally, Response
from spindel.services.responses import recount_tallies
from tests.conftest import csrf_token


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
    project = make_project()
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
    project = make_project(rounds=1)
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
    project = make_project()
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


def test_imported_answers_count_exactly_like_the_same_answers_sent_by_the_form(any_app):
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
