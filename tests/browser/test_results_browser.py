"""In a real Chromium: the results page draws its charts with the app's own plotly.js, passes
axe-core in Swedish and English (also with an error and with nothing to show), works at
360 px with rounds side by side and one group chosen in one select, and nothing leaves
localhost."""

from __future__ import annotations

import datetime as dt

import pytest

from spindel.extensions import db
from spindel.models import Round, RoundState
from spindel.services.demo import create_demo
from spindel.services.projects import project_by_slug
from tests.conftest import PASSWORD, axe_violations

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


@pytest.fixture
def supporter_page(live_server, new_page, make_user):
    project = create_demo()
    db.session.commit()
    user = make_user(projects=[project])

    def open_page(**options):
        page = new_page(**options)
        page.set_default_timeout(30_000)  # plotly draws many charts; the machine is shared
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server.url}/login")
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():  # wait for the login's redirect, not the old page
            page.locator("form:has(input[name=password]) button[type=submit]").click()
        page.errors = errors
        return page

    return open_page


def charts_drawn(page) -> int:
    page.wait_for_function(
        "document.querySelectorAll('.chart[data-drawn] .main-svg').length > 0")
    return page.evaluate("document.querySelectorAll('.chart[data-drawn] .main-svg').length")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_results_page_passes_axe_with_the_charts_drawn(supporter_page, live_server, lang):
    # The CSP stays on here: plotly must draw without inline script or eval.
    page = supporter_page(viewport={"width": 1200, "height": 900}, bypass_csp=False)
    page.goto(f"{live_server.url}/projects/demo/results?lang={lang}")
    assert charts_drawn(page) >= 6
    assert page.errors == []
    # Traces: all six rounds on the first spider, the open round 6 with what it has so far.
    traces = page.evaluate(
        "document.querySelector('#chart-spider-rounds .chart').data.map(t => t.name)")
    word = "Mätning" if lang == "sv" else "Round"
    assert [t.split(" (")[0] for t in traces] == [f"{word} {n}" for n in range(1, 7)]
    page.close()
    page = supporter_page(viewport={"width": 1200, "height": 900})  # axe needs its script
    page.goto(f"{live_server.url}/projects/demo/results?lang={lang}")
    charts_drawn(page)
    assert axe_violations(page) == []


def test_results_page_at_360_px(supporter_page, live_server):
    page = supporter_page(**PHONE)
    page.goto(f"{live_server.url}/projects/demo/results")
    assert charts_drawn(page) >= 6
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    width = page.evaluate("document.querySelector('#chart-spider-rounds .main-svg')"
                          ".getBoundingClientRect().width")
    assert 300 <= width <= 360
    # A closed round section draws its charts when opened.
    closed = page.locator("details.results-section:not([open])").first
    closed.locator("summary").tap()
    page.wait_for_function("document.querySelectorAll('details[open] .chart[data-drawn]')"
                           ".length >= 5")
    # Filter by tapping: rounds 2 and 3 side by side, BVC only.
    page.get_by_role("checkbox", name="Mätning 2 – våren 2019").check()
    page.get_by_role("checkbox", name="Mätning 3 – hösten 2019").check()
    page.get_by_label("Vems svar").select_option(label="Barnavårdscentral (BVC)")
    with page.expect_navigation():
        page.get_by_role("button", name="Visa resultat").tap()
    charts_drawn(page)
    names = page.evaluate(
        "document.querySelector('#chart-spider-rounds .chart').data.map(t => t.name)")
    assert [n.split(" (")[0] for n in names] == ["Mätning 2", "Mätning 3"]
    assert page.get_by_label("Vems svar").input_value() == "profession:bvc"
    # Within one profession there is no breakdown by profession or district.
    assert page.locator("[id^=chart-spider-professions], [id^=chart-spider-districts]"
                        ).count() == 0
    notes = page.locator(".round-notes li").all_inner_texts()
    assert len(notes) == 2 and notes[0].startswith("Mätning 2 – våren 2019: siffrorna bygger")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_tables_work_without_javascript(supporter_page, live_server):
    page = supporter_page(java_script_enabled=False, viewport={"width": 800, "height": 900})
    page.goto(f"{live_server.url}/projects/demo/results")
    table = page.locator("#chart-spider-rounds table")
    assert table.locator("thead th").first.inner_text() == "Dimension"
    assert table.locator("tbody tr").count() == 10  # nine items and the responses
    assert page.locator("table").count() >= 20


def test_two_groups_and_nothing_to_show_are_said_in_words_and_pass_axe(supporter_page,
                                                                       live_server):
    page = supporter_page(viewport={"width": 1200, "height": 900})
    # A hand-made address asking for a profession within a district.
    response = page.goto(f"{live_server.url}/projects/demo/results"
                         "?group=profession:bvc&group=district:skarpnack")
    assert response.status == 400
    summary = page.locator(".error-summary")
    assert "inte båda" in summary.inner_text()
    summary.locator("a").click()
    assert page.evaluate("document.activeElement.id") == "group"
    assert page.locator("#group-error").is_visible()
    assert axe_violations(page) == []
    # A round just opened, without answers: one sentence instead of charts.
    project = project_by_slug("demo")
    project.rounds.append(Round(number=7, label="Mätning 7 – hösten 2021",
                                opens_on=dt.date(2021, 10, 4), state=RoundState.OPEN))
    db.session.commit()
    page.goto(f"{live_server.url}/projects/demo/results?round=7")
    assert page.locator("#results-empty").inner_text() == (
        "Ingen av de valda mätningarna har siffror att visa än.")
    assert page.locator(".round-notes li").inner_text() == (
        "Mätning 7 – hösten 2021: färre än 5 svar hittills. Siffrorna visas efter 5 svar till.")
    assert page.locator(".chart").count() == 0
    assert axe_violations(page) == []
    # The console notes the 400 of the page itself, and nothing else.
    assert [e for e in page.errors if "status of 400" not in e] == []
