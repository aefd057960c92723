"""In a real Chromium: an admin gives a steering group's member read-only access to a
project on the user page; the member logs in, sees the project with its results,
presentation and exports only, and reads the results. Every page on the way passes axe-core
(WCAG 2.1 A and AA)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from spindel.extensions import db
from spindel.models import RoundState
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
