"""In a real Chromium: an admin gives a steering group's member read-only access to a
project on the user page; the member logs in, sees the project with its results,
presentation and exports only, and reads the results. Every page on the way passes axe-core
(WCAG 2.1 A and AA)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from spindel.extensions import db
from spindel.models import VIEWER, ProjectMember, RoundState
from tests.browser.test_workspace_browser import log_in
from tests.conftest import axe_violations

pytestmark = pytest.mark.browser


def test_an_admin_gives_read_only_access_and_the_viewer_reads_results(
        live_server, new_page, make_user, project_with_small_group):
    project = project_with_small_group
    for round_ in project.rounds:
        round_.state = RoundState.CLOSED
    db.session.commit()
    admin = make_user(admin=True)
    member = make_user(email="styrgrupp@example.se")

    page = new_page(viewport={"width": 1024, "height": 900})
    log_in(page, live_server.url, admin)
    page.goto(f"{live_server.url}/admin/users/{member.id}")
    expect(page.get_by_role("heading", name="Endast läsrätt")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Projekt", exact=True).select_option(label=project.name)
    with page.expect_navigation():
        page.get_by_role("button", name="Ge läsrätt").click()
    page.goto(f"{live_server.url}/admin/users/{member.id}")
    expect(page.get_by_role("button", name=f"Avsluta läsrätten till {project.name}")
           ).to_be_visible()
    assert axe_violations(page) == []

    reader = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    log_in(reader, live_server.url, member)
    expect(reader.get_by_text("Endast läsrätt")).to_be_visible()
    expect(reader.get_by_role("link", name="Resultat")).to_be_visible()
    expect(reader.get_by_role("link", name="Inställningar och mätningar")).to_have_count(0)
    assert axe_violations(reader) == []
    with reader.expect_navigation():
        reader.get_by_role("link", name="Resultat").click()
    expect(reader.locator(".js-plotly-plot").first).to_be_visible()
    assert axe_violations(reader) == []
    # Back leads to the workspace, not to the project's settings.
    reader.locator(".breadcrumb a").click()
    reader.wait_for_url("**/workspace")


def test_a_viewer_limited_to_a_district_reads_the_whole_rounds_and_the_district(
        live_server, new_page, make_user, project_with_small_group):
    """Given access to Norr only: the workspace says so; results, presentation and exports
    offer all answers and Norr and nothing else; a choice of Söder by hand is refused at the
    field. Every page passes axe."""
    project = project_with_small_group
    for round_ in project.rounds:
        round_.state = RoundState.CLOSED
    north = next(d for d in project.districts if d.key == "north")
    member = make_user(email="styrgrupp-norr@example.se")
    member.memberships.append(ProjectMember(project=project, role=VIEWER, district=north))
    db.session.commit()

    reader = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    log_in(reader, live_server.url, member)
    expect(reader.get_by_text("Endast läsrätt: hela mätningarna och Norr")).to_be_visible()
    assert axe_violations(reader) == []
    for path in ("results", "present", "exports"):
        reader.goto(f"{live_server.url}/projects/{project.slug}/{path}")
        choice = reader.get_by_label("Vems svar")
        expect(choice.locator("option")).to_have_text(["Alla svar", "Norr"])
        assert axe_violations(reader) == [], path
    reader.goto(f"{live_server.url}/projects/{project.slug}/results")
    expect(reader.locator(".js-plotly-plot").first).to_be_visible()
    assert "Söder" not in reader.content() and "Österort" not in reader.content()
    reader.goto(f"{live_server.url}/projects/{project.slug}/results?group=district:south")
    expect(reader.locator("#group-error")).to_contain_text(
        "Din läsrätt gäller hela mätningarna och Norr: andra stadsdelsområden visas inte")
    assert axe_violations(reader) == []
    reader.goto(f"{live_server.url}/projects/{project.slug}/present/slides?rounds=1&rounds=2")
    expect(reader.locator(".slide").first).to_be_attached()
    assert "Söder" not in reader.content()
    assert axe_violations(reader) == []
