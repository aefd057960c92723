"""Agreements in a real Chromium: on a phone, with the keyboard alone, a supporter goes from
the round's page to its agreements, records one (an empty action is refused at its field and
what was typed stays), marks it done and deletes another after confirming; the next round's
presentation opens with "Förra gången kom vi överens om…" and the questions' change, and
ends with the round's own agreements. Every page and slide passes axe-core (WCAG 2.1 A, AA)
and nothing is wider than the phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import RoundState
from spindel.services import agreements
from tests.conftest import PASSWORD, axe_violations

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
PROJECTOR = {"viewport": {"width": 1280, "height": 720}}


def log_in(page, base: str, user) -> None:
    page.goto(f"{base}/login?lang=sv")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(#password) button[type=submit]").click()


def fits(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def tab_to(page, locator, presses: int = 80) -> None:
    """Press Tab until the locator has the focus (fails if it never does)."""
    for _ in range(presses):
        if locator.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"never reached {locator}")


@pytest.fixture
def seminar(make_project, make_user, add_answer):
    """Round 1 closed with 10 answers and an agreement; round 2 closed with 10 answers:
    routines moved from 4 to 6 (everyone alike: clear), management from 4.0 to 4.5 (wide
    spread: not clear)."""
    project = make_project(rounds=2)
    keys = instruments.for_project(project).item_keys
    for round_, routines, management in ((project.rounds[0], [4] * 10, [3, 5] * 5),
                                         (project.rounds[1], [6] * 10, [3, 6] * 5)):
        for i in range(10):
            ratings = dict.fromkeys(keys, 5)
            ratings.update(routines=routines[i], management=management[i])
            add_answer(round_, ratings=ratings)
        round_.state = RoundState.CLOSED
    agreements.add(project.rounds[0], ["routines", "management"],
                   "Gemensamma rutinträffar varje månad", "Styrgruppen Farsta", "våren 2020")
    db.session.commit()
    return project, make_user(projects=[project])


def test_a_supporter_records_and_marks_agreements_by_keyboard_on_a_phone(live_server,
                                                                         new_page, seminar):
    project, user = seminar
    page = new_page(**PHONE)
    log_in(page, live_server.url, user)
    page.goto(f"{live_server.url}/projects/{project.slug}/rounds/2")
    found = {}

    def check(name: str) -> None:
        assert fits(page, 360), name
        if violations := axe_violations(page):
            found[name] = violations

    link = page.get_by_role("link", name="Överenskommelser", exact=True)
    tab_to(page, link)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Inga överenskommelser än")).to_be_visible()
    check("empty list")

    # Keyboard only: a question checked with space, the rest typed; no action at first.
    routines = page.get_by_label("Rutiner", exact=True)
    tab_to(page, routines)
    page.keyboard.press("Space")
    expect(routines).to_be_checked()
    tab_to(page, page.get_by_label("Vem (team eller styrgrupp)"))
    page.keyboard.type("BVC-teamet i Farsta")
    tab_to(page, page.get_by_role("button", name="Registrera överenskommelsen"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Säg vad som ska göras.")
    expect(page.get_by_label("Vem (team eller styrgrupp)")).to_have_value(
        "BVC-teamet i Farsta")
    expect(page.get_by_label("Rutiner", exact=True)).to_be_checked()
    check("refused")

    tab_to(page, page.get_by_label("Vad som ska göras"))
    page.keyboard.type("Hospitera hos varandra en dag per termin")
    tab_to(page, page.get_by_role("button", name="Registrera överenskommelsen"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Överenskommelsen är registrerad.")
    item = page.locator(".agreement").first
    expect(item).to_contain_text("Hospitera hos varandra en dag per termin")
    expect(item).to_contain_text("Status: Pågår")
    check("recorded")

    tab_to(page, item.get_by_role("button", name="Markera som klar"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".agreement").first).to_contain_text("Status: Klar")

    # A second one, then deleted after the confirmation page.
    page.get_by_label("Vad som ska göras").fill("Ta bort mig")
    page.get_by_role("button", name="Registrera överenskommelsen").click()
    expect(page.locator(".agreement")).to_have_count(2)
    tab_to(page, page.get_by_role("link", name="Ta bort överenskommelse 2"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Ta bort överenskommelsen?")).to_be_visible()
    check("confirm delete")
    tab_to(page, page.get_by_role("button", name="Ta bort överenskommelsen"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".agreement")).to_have_count(1)

    page.get_by_role("link", name="Redigera överenskommelse 1").click()
    expect(page.get_by_label("Vad som ska göras")).to_have_value(
        "Hospitera hos varandra en dag per termin")
    check("edit")
    assert found == {}


def slide_text(page, key: str) -> str:
    slide = page.locator(f"#slide-{key}")
    expect(slide).to_have_attribute("data-loaded", "true")
    return slide.inner_text()


@pytest.mark.parametrize("size", ["projector", "phone"])
def test_the_next_rounds_presentation_opens_and_ends_with_agreements(live_server, new_page,
                                                                     seminar, size):
    project, user = seminar
    agreements.add(project.rounds[1], ["knowledge"], "Bjuda in BMM till nätverksträffen",
                   "Styrgruppen", "hösten 2021")
    # Three agreements side by side on a projector, each question's change inside its column.
    agreements.add(project.rounds[0], ["management", "routines", "roles"],
                   "Ledningsgrupperna bjuder in BVC, BMM och öppna förskolan till en "
                   "genomgång av ansvarsfördelningen", "Lokala styrgruppen i Farsta")
    agreements.add(project.rounds[0], ["roles"], "Kortare enkät", "Processtödet")
    db.session.commit()
    page = new_page(**(PROJECTOR if size == "projector" else PHONE))
    log_in(page, live_server.url, user)
    page.goto(f"{live_server.url}/projects/{project.slug}/present?lang=sv")
    expect(page.get_by_role("link", name="Mätning 1")).to_be_visible()  # agreements' pages
    page.locator("form.present-setup button[type=submit]").click()
    page.wait_for_url("**/present/slides?**")
    page.wait_for_function("window.spindelPresent !== undefined")
    page.keyboard.press("ArrowRight")
    shown = page.locator(".slide:not([hidden])")
    expect(shown).to_have_attribute("data-key", "agreed-last")
    expect(shown.get_by_role("heading", level=2)).to_have_text(
        "Förra gången kom vi överens om…")
    text = slide_text(page, "agreed-last")
    assert "Gemensamma rutinträffar varje månad" in text
    assert "Rutiner: ↑ 4,0 → 6,0 (+2,0; tydlig förändring; 10 och 10 svar)" in text
    assert "Ledningens stöd: ↑ 4,0 → 4,5 (+0,5; ingen tydlig förändring; 10 och 10 svar)" \
        in text
    width = 1280 if size == "projector" else 360
    assert fits(page, width)
    assert page.evaluate("""[...document.querySelectorAll('#slide-agreed-last .agreed-one')]
        .every(li => li.scrollWidth <= li.clientWidth + 1)"""), "a line runs out of its column"
    assert axe_violations(page) == []
    # Its list scrolls by keyboard if it is longer than the slide.
    region = shown.get_by_role("region")
    tab_to(page, region)

    page.keyboard.press("End")
    expect(shown).to_have_attribute("data-key", "agreed")
    expect(shown.get_by_role("heading", level=2)).to_have_text(
        "Det här kom vi överens om – Mätning 2")
    text = slide_text(page, "agreed")
    assert "Bjuda in BMM till nätverksträffen" in text and "Kunskap om varandra" in text
    assert fits(page, width)
    assert axe_violations(page) == []


def test_a_form_that_expired_keeps_the_agreement_and_says_why(live_server, new_page, seminar):
    """A refused form token shows the form again with what was typed; a login that ended
    while she typed gives her text back to copy; any other form sent then says that nothing
    was saved. Each page passes axe and fits the phone."""
    project, user = seminar
    page = new_page(**PHONE)
    log_in(page, live_server.url, user)
    page.goto(f"{live_server.url}/projects/{project.slug}/rounds/2/agreements")
    found = {}

    def check(name: str) -> None:
        assert fits(page, 360), name
        if violations := axe_violations(page):
            found[name] = violations

    action = "Gemensamma träffar med öppna förskolan varje månad"
    page.get_by_label("Vad som ska göras").fill(action)
    page.locator("section.agreement-add input[name=csrf_token]").evaluate(
        "el => el.value = 'gammal'")
    with page.expect_navigation():
        page.get_by_role("button", name="Registrera överenskommelsen").click()
    expect(page.get_by_role("alert")).to_contain_text("Allt du har fyllt i finns kvar")
    expect(page.get_by_label("Vad som ska göras")).to_have_value(action)
    check("token refused")

    page.context.clear_cookies()
    with page.expect_navigation():
        page.get_by_role("button", name="Registrera överenskommelsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Du hade loggats ut – överenskommelsen sparades inte")
    expect(page.get_by_label("Vad som ska göras")).to_have_value(action)
    check("logged out")

    log_in(page, live_server.url, user)
    page.goto(f"{live_server.url}/projects/{project.slug}/rounds/1/agreements")
    page.context.clear_cookies()
    with page.expect_navigation():
        page.get_by_role("button", name="Markera som klar").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Formuläret hade gått ut – inget sparades")
    expect(page.get_by_role("link", name="Logga in")).to_be_visible()
    check("expired elsewhere")
    assert found == {}
    assert [a.action for a in agreements.for_round(project.rounds[1])] == []
    assert [a.status for a in agreements.for_round(project.rounds[0])] == ["in_progress"]
