"""In a real Chromium: answering on a phone and by keyboard alone, and every respondent page
passing axe-core (WCAG 2.1 A and AA) in Swedish and English."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import Rating, Response, RoundState
from spindel.services.codes import code_by_text, generate_codes, use_code
from tests.conftest import axe_violations

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


def stored() -> list[Response]:
    db.session.expire_all()
    return db.session.scalars(select(Response)).all()


def test_a_respondent_answers_on_a_phone(live_server, new_page, make_project):
    round_ = make_project().rounds[0]
    instrument = instruments.for_project(round_.project)
    page = new_page(**PHONE)
    page.goto(f"{live_server.url}/r/{round_.token}")
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_text("Öppen förskola").tap()
    page.get_by_text("Söder").tap()
    for number, item in enumerate(instrument.items):
        group = page.get_by_role("group", name=item.text.sv)
        if item.key == "user_influence":
            group.get_by_text("Kan inte bedöma").tap()
        else:
            group.locator(f"label:has(input[value='{number % 10 + 1}'])").tap()
    page.get_by_role("button", name="Skicka mitt svar").tap()
    page.wait_for_url("**/thanks*")
    assert page.get_by_role("heading", level=1).inner_text() == "Tack för ditt svar!"
    responses = stored()
    assert len(responses) == 1
    ratings = {r.item_key: r.value for r in db.session.scalars(select(Rating))}
    assert ratings["user_influence"] is None
    assert ratings["rules"] == 1 and ratings["roles"] == 5


def test_a_respondent_answers_by_keyboard_alone(live_server, new_page, make_project):
    round_ = make_project().rounds[0]
    instrument = instruments.for_project(round_.project)
    page = new_page(viewport={"width": 1024, "height": 800})
    page.goto(f"{live_server.url}/r/{round_.token}")
    # Skip link first, then the language switch, then the first profession.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")

    def tab_to(name: str):
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.name") == name:
                return
        raise AssertionError(f"could not reach {name} by Tab")

    tab_to("profession")
    page.keyboard.press("ArrowDown")  # second profession: BMM
    tab_to("district")
    page.keyboard.press("Space")  # first district
    for item in instrument.items:
        tab_to(f"item_{item.key}")
        page.keyboard.press("Space")  # 1
        for _ in range(6):
            page.keyboard.press("ArrowRight")  # ... 7
    tab_to("")  # the submit button has no name
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_url("**/thanks*")
    responses = stored()
    assert len(responses) == 1
    assert responses[0].district_id == round_.project.districts[0].id
    assert responses[0].profession_id == round_.project.professions[1].id
    values = {r.value for r in db.session.scalars(select(Rating))}
    assert values == {7}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_respondent_page_passes_axe(live_server, new_page, make_project, client, lang):
    open_round = make_project().rounds[0]
    closed = make_project(state=RoundState.CLOSED).rounds[0]
    later = make_project(state=RoundState.SCHEDULED).rounds[0]
    later.opens_on = later.opens_on.replace(year=later.opens_on.year + 1)
    db.session.commit()
    page = new_page()
    base = live_server.url
    checked = {}

    def check(name: str, url: str | None = None):
        if url:
            page.goto(f"{url}{'&' if '?' in url else '?'}lang={lang}")
        assert page.evaluate("document.documentElement.lang") == lang
        checked[name] = axe_violations(page)

    check("form", f"{base}/r/{open_round.token}")
    with page.expect_navigation():
        page.get_by_role("button").last.click()  # send an empty form: errors everywhere
    assert page.locator(".error-summary").count() == 1
    check("form with errors")
    page.get_by_label(instruments.for_project(open_round.project).scale.cannot_judge_label
                      .get(lang)).first.check()
    check("form with errors and an answer")
    check("closed", f"{base}/r/{closed.token}")
    check("not yet open", f"{base}/r/{later.token}")
    check("404", f"{base}/r/no-such-token-here")
    check("start page", f"{base}/")
    # thank-you page after a real answer
    page.goto(f"{base}/r/{open_round.token}?lang={lang}")
    page.locator("input[name=profession]").first.check()
    page.locator("input[name=district]").first.check()
    for name in page.evaluate(
            "[...new Set([...document.querySelectorAll('input[name^=item_]')].map(e => e.name))]"):
        page.locator(f"input[name={name}]").nth(4).check()
    page.get_by_role("button").last.click()
    page.wait_for_url("**/thanks*")
    check("thank you")
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    # an answer sent through a personal link that someone has already used
    code = generate_codes(open_round, 1)[0]
    use_code(code_by_text(code))
    db.session.commit()
    page.goto(f"{base}/r/c/{code}?lang={lang}")
    page.locator("input[name=profession]").first.check()
    page.locator("input[name=district]").first.check()
    for name in page.evaluate(
            "[...new Set([...document.querySelectorAll('input[name^=item_]')].map(e => e.name))]"):
        page.locator(f"input[name={name}]").nth(4).check()
    with page.expect_navigation():
        page.get_by_role("button").last.click()
    assert page.locator(".error-summary[role=alert]").is_visible()
    assert page.locator("input[name=profession]").first.is_checked()
    check("personal link already used")
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert {name: v for name, v in checked.items() if v} == {}


def test_the_axe_harness_does_find_violations(new_page):
    """Guard against a silent harness: a page with known faults must fail."""
    page = new_page()
    page.set_content('<html><body><img src="data:,"><input type="text"></body></html>')
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label", "html-has-lang"} <= found
