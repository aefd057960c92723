"""A supporter who enters how many staff a round expects, per profession and per district,
sees participation in per cent on the monitor and on the answer slide: answers counted
against those numbers, never ratings."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from spindel.extensions import db
from spindel.models import ExpectedStaff, Project, Response
from tests.conftest import post_form


def expected_url(project, number=1) -> str:
    return f"/projects/{project.slug}/rounds/{number}/expected"


def field_names(project) -> dict[str, str]:
    """The form's field per profession key ("p:bvc") and district key ("d:north")."""
    names = {f"p:{p.key}": f"p_{p.id}" for p in project.professions}
    names.update({f"d:{d.key}": f"d_{d.id}" for d in project.districts})
    return names


def enter(client, project, numbers: dict[str, str], number=1):
    names = field_names(project)
    return post_form(client, expected_url(project, number),
                     {names[key]: value for key, value in numbers.items()})


def text(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def answers_by(round_, column) -> dict[int, int]:
    """An independent count of the answers stored, straight from the response table."""
    rows = db.session.execute(select(column, func.count()).where(Response.round_id == round_.id)
                              .group_by(column))
    return dict(rows.all())


def test_participation_in_per_cent_against_an_independent_count(client, login_as,
                                                                  make_project, add_answer):
    project = make_project(min_group_size=3)
    login_as(projects=[project])
    round_ = project.rounds[0]
    for profession, district, times in (("bvc", "north", 12), ("bmm", "north", 3),
                                        ("bmm", "south", 4), ("bvc", "south", 1)):
        for _ in range(times):
            add_answer(round_, profession=profession, district=district)
    reply = enter(client, project, {"p:bvc": "20", "p:bmm": "7", "d:north": "30",
                                    "d:south": " 9 "})
    assert reply.status_code == 302

    professions = {p.key: p.id for p in project.professions}
    districts = {d.key: d.id for d in project.districts}
    by_profession = answers_by(round_, Response.profession_id)
    by_district = answers_by(round_, Response.district_id)
    expected = {"bvc": 20, "bmm": 7, "north": 30, "south": 9}

    data = client.get(f"/projects/{project.slug}/rounds/1/monitor.json").get_json()
    shown = {g["key"]: g for g in data["professions"] + data["districts"]}
    for key, part_id, counts in ([(k, professions[k], by_profession) for k in ("bvc", "bmm")]
                                 + [(k, districts[k], by_district) for k in ("north", "south")]):
        count = counts.get(part_id, 0)
        assert shown[key]["count"] == count
        assert shown[key]["expected"] == expected[key]
        assert shown[key]["percent"] == round(100 * count / expected[key])
    assert shown["bvc"]["percent"] == 65  # 13 of 20
    # Professions without a number stay without a per cent.
    for key in set(professions) - {"bvc", "bmm"}:
        assert shown[key]["expected"] is None and shown[key]["percent"] is None
    # The round total needs a number for every listed profession or every district: the
    # districts have them here (30 + 9).
    total = sum(by_district.values())
    assert data["total"] == total == 20
    assert data["expected"] == 39 and data["percent"] == round(100 * total / 39)

    html = text(client.get(f"/projects/{project.slug}/rounds/1/monitor").get_data(as_text=True))
    assert 'data-participation-key="bvc">13 av 20 (65 %)</td>' in html
    assert f"deltagande: 20 av 39 ({round(100 * 20 / 39)} %)" in html


def test_no_per_cent_when_no_numbers_are_known(client, login_as, make_project, add_answer):
    project = make_project(min_group_size=3)
    login_as(projects=[project])
    add_answer(project.rounds[0])
    data = client.get(f"/projects/{project.slug}/rounds/1/monitor.json").get_json()
    assert data["expected"] is None and data["percent"] is None
    assert all(g["percent"] is None and g["expected"] is None
               for g in data["professions"] + data["districts"])
    html = text(client.get(f"/projects/{project.slug}/rounds/1/monitor").get_data(as_text=True))
    assert "Deltagande</th>" not in html and "monitor-participation" not in html
    assert "<td class=\"num\" data-participation-key" not in html
    assert expected_url(project) in html  # where to enter them


def test_the_form_keeps_the_numbers_and_clears_an_emptied_one(client, login_as, make_project):
    project = make_project()
    login_as(projects=[project])
    page = client.get(expected_url(project))
    assert page.status_code == 200
    assert enter(client, project, {"p:bvc": "20", "d:north": "0"}).status_code == 302
    html = client.get(expected_url(project)).get_data(as_text=True)
    names = field_names(project)
    assert f'name="{names["p:bvc"]}" type="text" value="20"' in html
    assert enter(client, project, {"p:bvc": "", "d:north": "5"}).status_code == 302
    rows = db.session.scalars(select(ExpectedStaff)).all()
    assert [(r.kind, r.grouping_id, r.count) for r in rows] == [
        ("district", project.districts[0].id, 5)]
    # Zero expected: nothing to divide by, so no per cent.
    enter(client, project, {"d:north": "0"})
    data = client.get(f"/projects/{project.slug}/rounds/1/monitor.json").get_json()
    north = next(g for g in data["districts"] if g["key"] == "north")
    assert north["expected"] == 0 and north["percent"] is None


def test_wrong_numbers_are_refused_with_the_reason(client, login_as, make_project):
    project = make_project()
    login_as(projects=[project])
    enter(client, project, {"p:bvc": "20"})
    for value, reason in (("tolv", "Skriv ett heltal"), ("1.5", "Skriv ett heltal"),
                          ("-3", "Skriv ett heltal"), ("100001", "från 0 till 100000"),
                          ("99999999999999999999999", "från 0 till 100000"),
                          ("１２", "Skriv ett heltal")):
        reply = enter(client, project, {"p:bvc": value, "d:north": "4"})
        assert reply.status_code == 422, value
        assert reason in text(reply.get_data(as_text=True)), value
    # Nothing of a refused form is stored.
    rows = db.session.scalars(select(ExpectedStaff)).all()
    assert [(r.kind, r.count) for r in rows] == [("profession", 20)]
    assert enter(client, project, {"p:bvc": "100000"}).status_code == 302


def test_expected_staff_does_not_touch_answers(client, login_as, make_project, add_answer):
    project = make_project()
    login_as(projects=[project])
    add_answer(project.rounds[0])
    before = db.session.scalar(select(func.count()).select_from(Response))
    enter(client, project, {"p:bvc": "10"})
    assert db.session.scalar(select(func.count()).select_from(Response)) == before


def test_another_project_cannot_be_reached(client, login_as, make_project):
    mine, other = make_project(), make_project()
    login_as(projects=[mine])
    assert client.get(expected_url(other)).status_code == 404
    assert db.session.get(Project, other.id) is not None


def test_the_answer_slide_shows_participation(client, login_as, make_project, add_answer):
    from tests.test_present import data_url

    project = make_project(min_group_size=3)
    login_as(projects=[project])
    round_ = project.rounds[0]
    data = client.get(data_url(project, "answer", live=1)).get_json()
    assert data["participation"] == "" and data["participation_groups"] == ""

    for _ in range(6):
        add_answer(round_, profession="bvc", district="north")
    add_answer(round_, profession="bmm", district="south")
    enter(client, project, {"p:bvc": "8", "d:north": "10", "d:south": "4"})
    counts = answers_by(round_, Response.district_id)
    north, south = (counts.get(d.id, 0) for d in project.districts)
    total = north + south
    data = client.get(data_url(project, "answer", live=1)).get_json()
    assert data["count"] == f"{total} svar hittills"
    assert data["participation"] == (f"Deltagande: {total} av 14 "
                                     f"({round(100 * total / 14)} %)")
    assert data["participation_groups"] == (
        f"Barnavårdscentral (BVC) 6 av 8 (75 %) · "
        f"Norr {north} av 10 ({round(100 * north / 10)} %) · "
        f"Söder {south} av 4 ({round(100 * south / 4)} %)")
    # Counts only: no rating or mean anywhere in the slide's data.
    assert set(data) <= {"key", "title", "live", "count", "next_update", "participation",
                         "participation_groups"}


def test_a_viewer_sees_only_the_whole_rounds_participation_on_the_answer_slide(
        client, auth, login_as, make_user, make_project, add_answer):
    """An open round's live counts per profession and district are not published cells:
    the monitor is closed to viewers, and so are the answer slide's per-group lines."""
    from spindel.models import VIEWER, ProjectMember
    from tests.test_present import data_url

    project = make_project(min_group_size=3)
    login_as(projects=[project])
    round_ = project.rounds[0]
    for profession, district in (("bvc", "north"),) * 4 + (("bmm", "south"),):
        add_answer(round_, profession=profession, district=district)
    enter(client, project, {"p:bvc": "8", "d:north": "10", "d:south": "4"})
    total = sum(answers_by(round_, Response.district_id).values())
    whole = f"Deltagande: {total} av 14 ({round(100 * total / 14)} %)"
    seen = client.get(data_url(project, "answer", live=1)).get_json()
    assert seen["participation"] == whole and "Norr 4 av 10" in seen["participation_groups"]
    assert client.get(f"/projects/{project.slug}/rounds/1/monitor.json").status_code == 200
    auth.logout()

    names = [p.label() for p in project.professions] + [d.name for d in project.districts]
    for district in (None, project.districts[0]):
        viewer = make_user()
        viewer.memberships.append(ProjectMember(project=project, role=VIEWER,
                                                district=district))
        db.session.commit()
        assert auth.login(viewer).status_code == 302
        reply = client.get(data_url(project, "answer", live=1))
        assert reply.status_code == 200, district
        data = reply.get_json()
        assert data["participation"] == whole, district
        assert data["participation_groups"] == "", district
        assert not any(name in json.dumps(data, ensure_ascii=False) for name in names)
        assert client.get(f"/projects/{project.slug}/rounds/1/monitor.json").status_code == 404
        auth.logout()
