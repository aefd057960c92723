"""In a real Chromium, on a phone and a desktop: the small things of issue 12 a supporter
meets — a new project's short name made from its name (with and without JavaScript), the
handout's closing date, a round's status without "by its dates" when it has none, and "answer
now" offering only open rounds — each page passing axe-core (WCAG 2.1 A and AA)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from spindel.extensions import db
from spindel.models import RoundState
from tests.conftest import PASSWORD, axe_as_served, axe_violations

pytestmark = pytest.mark.browser
SIZES = {"phone": {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
                   "is_mobile": True, "has_touch": True},
         "desktop": {"viewport": {"width": 1280, "height": 720}}}
SCREENSHOTS = "/tmp/spindel-workspace"


def log_in(page, base: str, user) -> None:
    page.goto(f"{base}/login?lang=sv")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(#password) button[type=submit]").click()


def fits(page, size: str) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= \
        SIZES[size]["viewport"]["width"]


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_new_projects_short_name_is_made_from_its_name(live_server, new_page, make_user,
                                                         size, js):
    page = new_page(java_script_enabled=js, **SIZES[size])
    log_in(page, live_server.url, make_user())
    page.goto(f"{live_server.url}/projects/new")
    found = {}

    def check(name: str) -> None:
        assert fits(page, size), name
        violations = axe_violations(page) if js else axe_as_served(page, new_page,
                                                                   **SIZES[size])
        if violations:
            found[name] = violations

    check("new project")
    expect(page.get_by_text("Lämnas det tomt görs det av namnet.")).to_be_visible()
    name, slug = page.get_by_label("Namn", exact=True), page.get_by_label("Kort namn i adresser")
    name.fill("Tidigt stöd i Järva")
    if js:  # shown as she types; a short name typed by hand is then left alone
        expect(slug).to_have_value("tidigt-stod-i-jarva")
        slug.fill("jarva")
        name.fill("Tidigt stöd i Järva och Spånga")
        expect(slug).to_have_value("jarva")
        slug.fill("")
        name.fill("Tidigt stöd i Järva")
        expect(slug).to_have_value("tidigt-stod-i-jarva")
    else:  # left empty: the server makes it
        expect(slug).to_have_value("")
    page.screenshot(path=f"{SCREENSHOTS}-new-project-{size}-{'js' if js else 'nojs'}.png")
    with page.expect_navigation():
        page.get_by_role("button", name="Skapa projekt").click()
    assert page.url.endswith("/projects/tidigt-stod-i-jarva")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tidigt stöd i Järva")
    check("project page")
    assert found == {}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_handout_says_by_when_to_answer(live_server, new_page, make_user, make_project,
                                            size):
    project = make_project()
    project.rounds[0].closes_on = dt.date(2026, 12, 15)
    db.session.commit()
    page = new_page(**SIZES[size])
    log_in(page, live_server.url, make_user(projects=[project]))
    found = {}
    for lang, text in (("sv", "Svara senast den 15 december 2026."),
                       ("en", "Answer by December 15, 2026 at the latest.")):
        page.goto(f"{live_server.url}/projects/{project.slug}/rounds/1/handout?language={lang}")
        expect(page.get_by_text(text)).to_be_visible()
        assert fits(page, size)
        if violations := axe_violations(page):
            found[lang] = violations
        page.screenshot(path=f"{SCREENSHOTS}-handout-{lang}-{size}.png", full_page=True)
    assert found == {}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_round_without_dates_and_the_rounds_to_answer_now(live_server, new_page, make_user,
                                                            make_project, size):
    project = make_project(rounds=3)
    no_dates, open_round, closed = project.rounds
    no_dates.state, no_dates.opens_on = RoundState.SCHEDULED, None
    closed.state = RoundState.CLOSED
    db.session.commit()
    page = new_page(**SIZES[size])
    log_in(page, live_server.url, make_user(projects=[project]))
    found = {}

    page.goto(f"{live_server.url}/projects/{project.slug}/rounds/1")
    expect(page.locator("h1 .subtitle")).to_have_text("Status: inte öppnad än")
    expect(page.get_by_text("Inga datum: mätningen öppnas och stängs för hand.")).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}-round-no-dates-{size}.png")
    found["round without dates"] = axe_violations(page)

    page.goto(f"{live_server.url}/projects/{project.slug}/present")
    live = page.locator("select[name=live]")
    assert live.locator("option").all_inner_texts() == ["Ingen – visa bara resultat",
                                                        open_round.label]
    expect(live).to_have_value(str(open_round.number))
    found["presentation setup"] = axe_violations(page)
    assert fits(page, size)
    assert {name: v for name, v in found.items() if v} == {}
