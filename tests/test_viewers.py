"""A steering group reads a project's results and takes them home, and runs nothing: an
admin gives a user read-only access to one project; that viewer sees the project in the
workspace with results, presentation and exports only, opens them and downloads the
aggregates, and gets a 404 for setup, links and codes, import, monitor and raw answers.
(Every route, by the URL map: tests/test_permissions.py.)"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from spindel.extensions import db
from spindel.models import VIEWER, ProjectMember, RoundState
from spindel.services import accounts
from tests.conftest import api_results, post_form


@pytest.fixture
def make_viewer(make_user):
    def factory(project, district=None):
        user = make_user()
        user.memberships.append(ProjectMember(project=project, role=VIEWER,
                                              district=district))
        db.session.commit()
        return user

    return factory


@pytest.fixture
def closed_project(project_with_small_group):
    for round_ in project_with_small_group.rounds:
        round_.state = RoundState.CLOSED
    db.session.commit()
    return project_with_small_group


def test_a_viewer_sees_the_project_with_its_reading_pages_only(client, auth, make_viewer,
                                                               closed_project):
    auth.login(make_viewer(closed_project))
    page = client.get("/workspace").get_data(as_text=True)
    slug = closed_project.slug
    assert closed_project.name in page and "Endast läsrätt" in page
    for reading in ("results", "present", "exports"):
        assert f"/projects/{slug}/{reading}" in page
    assert f'href="/projects/{slug}"' not in page
    assert f"/projects/{slug}/import" not in page


def test_a_viewer_reads_results_presentation_and_aggregate_exports(client, auth, make_viewer,
                                                                   closed_project):
    auth.login(make_viewer(closed_project))
    slug = closed_project.slug
    results = client.get(f"/projects/{slug}/results")
    assert results.status_code == 200
    # The project's own page is not theirs: the way back leads to the workspace.
    assert f'href="/projects/{slug}"' not in results.get_data(as_text=True)
    assert client.get(f"/projects/{slug}/present").status_code == 200
    slides = client.get(f"/projects/{slug}/present/slides", query_string={"rounds": [1, 2]})
    assert slides.status_code == 200
    assert client.get(f"/projects/{slug}/exports").status_code == 200
    workbook = client.get(f"/projects/{slug}/exports/results.xlsx")
    assert workbook.status_code == 200
    assert "Om data" in load_workbook(io.BytesIO(workbook.data)).sheetnames
    csv = client.get(f"/projects/{slug}/exports/results.csv")
    assert csv.status_code == 200 and csv.data
    deck = client.get(f"/projects/{slug}/exports/deck.pptx")
    assert deck.status_code == 200 and deck.data[:2] == b"PK"
    assert api_results(client, slug, by="role", round=2)["groups"]
    assert client.get(f"/projects/{slug}/audit").status_code == 200


def test_a_viewer_runs_nothing(client, auth, make_viewer, closed_project):
    auth.login(make_viewer(closed_project))
    slug = closed_project.slug
    for path in (f"/projects/{slug}", f"/projects/{slug}/rounds/1",
                 f"/projects/{slug}/rounds/1/monitor", f"/projects/{slug}/rounds/1/monitor.json",
                 f"/projects/{slug}/rounds/1/handout", f"/projects/{slug}/rounds/1/qr.svg",
                 f"/projects/{slug}/rounds/new", f"/projects/{slug}/import",
                 f"/projects/{slug}/import/template.xlsx",
                 f"/projects/{slug}/exports/raw-answers.xlsx", f"/projects/{slug}/delete"):
        assert client.get(path).status_code == 404, path
    assert post_form(client, f"/projects/{slug}/rounds/1/codes", {"count": "5"},
                     ).status_code == 404
    assert post_form(client, f"/projects/{slug}/rounds/1/state", {"state": "open"},
                     ).status_code == 404


def test_a_viewer_limited_to_a_district_opens_nothing_yet(client, auth, make_viewer,
                                                          closed_project):
    """Not every output narrows to one district yet, so such a membership fails closed."""
    north = next(d for d in closed_project.districts if d.key == "north")
    auth.login(make_viewer(closed_project, district=north))
    slug = closed_project.slug
    for path in (f"/projects/{slug}/results", f"/projects/{slug}/present",
                 f"/projects/{slug}/exports", f"/projects/{slug}/exports/results.csv",
                 f"/api/v1/projects/{slug}/results"):
        assert client.get(path).status_code == 404, path
    assert closed_project.name not in client.get("/workspace").get_data(as_text=True)


def test_an_admin_gives_and_ends_read_only_access(client, login_as, make_user,
                                                  closed_project):
    login_as(admin=True)
    person = make_user()
    page = client.get(f"/admin/users/{person.id}")
    assert page.status_code == 200 and "viewer-project" in page.get_data(as_text=True)
    reply = post_form(client, f"/admin/users/{person.id}/viewing",
                      {"viewer-project": str(closed_project.id)})
    assert reply.status_code == 302
    db.session.refresh(person)
    assert [(m.project_id, m.role) for m in person.memberships] == [(closed_project.id,
                                                                      VIEWER)]
    assert person.projects == []  # reading is not running
    shown = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert f"/admin/users/{person.id}/viewing/{closed_project.id}/end" in shown
    # A project already given is not offered again; an unknown one is refused.
    assert post_form(client, f"/admin/users/{person.id}/viewing",
                     {"viewer-project": str(closed_project.id)}).status_code == 422
    reply = post_form(client, f"/admin/users/{person.id}/viewing/{closed_project.id}/end")
    assert reply.status_code == 302
    db.session.refresh(person)
    assert person.memberships == []


def test_making_a_viewer_a_supporter_replaces_the_read_only_access(app, make_viewer,
                                                                   closed_project):
    person = make_viewer(closed_project)
    accounts.update_user(person, active=True, is_admin=False, projects=[closed_project])
    db.session.commit()
    db.session.refresh(person)
    assert [(m.project_id, m.role) for m in person.memberships] == [(closed_project.id,
                                                                      "supporter")]
    # And a supporter given read-only access keeps running the project.
    accounts.make_viewer(person, closed_project)
    db.session.commit()
    assert person.projects == [closed_project]


def test_a_viewers_token_reads_the_results_of_that_project_only(app, make_viewer,
                                                                 closed_project, make_project):
    other = make_project(slug="annat")
    viewer = make_viewer(closed_project)
    token = accounts.create_api_token(viewer, "styrgrupp")
    db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    reply = client.get(f"/api/v1/projects/{closed_project.slug}/results",
                       query_string={"by": "area", "round": 2}, headers=headers)
    assert reply.status_code == 200 and reply.get_json()["groups"]
    assert client.get(f"/api/v1/projects/{other.slug}/results",
                      headers=headers).status_code == 404
