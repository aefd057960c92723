"""In a real Chromium: a supporter enters how many staff a round expects, is told plainly
what is wrong with a number, and then sees participation in per cent on the monitor (moving
with an answer, without a reload) and on the answer slide; every page passes axe-core."""

from __future__ import annotations

import pytest

from spindel.extensions import db
from tests.browser.test_present_browser import log_in, start
from tests.conftest import axe_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_expected_staff_then_participation_on_monitor_and_slide(app, live_server, new_page,
                                                               make_project, make_user,
                                                               add_answer, lang):
    app.config["SPINDEL_PRESENT_POLL_MS"] = 400
    project = make_project(min_group_size=3)
    round_ = project.rounds[0]
    for _ in range(3):
        add_answer(round_, profession="bvc", district="north")
    supporter = make_user(projects=[project])
    width = 360 if lang == "en" else 1024
    page = new_page(viewport={"width": width, "height": 900})
    log_in(page, live_server, supporter)
    base = f"{live_server.url}/projects/{project.slug}/rounds/1"

    page.goto(f"{base}?lang={lang}")
    page.locator(f"a[href$='/projects/{project.slug}/rounds/1/expected']").click()
    assert page.locator("html").get_attribute("lang") == lang
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    bvc = next(p for p in project.professions if p.key == "bvc")
    north, south = project.districts
    page.locator(f"#p_{bvc.id}").fill("tolv")
    page.locator(f"#d_{north.id}").fill("4")
    page.locator("form button[type=submit].primary").click()
    assert page.locator(".error-summary").is_visible()
    reason = {"sv": "Skriv ett heltal", "en": "Write a whole number"}[lang]
    assert reason in page.locator(f"#p_{bvc.id}-error").inner_text()
    assert page.locator(f"#p_{bvc.id}").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []

    page.locator(f"#p_{bvc.id}").fill("10")
    page.locator(f"#d_{south.id}").fill("6")
    with page.expect_navigation():
        page.locator("form button[type=submit].primary").click()

    page.goto(f"{base}/monitor")
    cell = page.locator("table[data-kind=professions] td[data-participation-key=bvc]")
    of = {"sv": "av", "en": "of"}[lang]
    assert cell.inner_text() == f"3 {of} 10 (30 %)"
    assert axe_violations(page) == []
    add_answer(round_, profession="bvc", district="south")
    page.wait_for_function("document.querySelector('td[data-participation-key=bvc]')"
                           f".textContent === '4 {of} 10 (40 %)'", timeout=15_000)
    # The round: every district has a number (4 + 6).
    assert f"4 {of} 10 (40 %)" in page.locator("#monitor-participation").inner_text()

    db.session.expire_all()
    presenter = new_page(viewport={"width": 1280, "height": 720})
    log_in(presenter, live_server, supporter)
    start(presenter, live_server, project, lang)
    presenter.keyboard.press("ArrowRight")
    presenter.wait_for_selector("#slide-answer[data-loaded=true]")
    total = presenter.locator("#slide-answer [data-participation]")
    label = {"sv": "Deltagande", "en": "Participation"}[lang]
    assert total.inner_text() == f"{label}: 4 {of} 10 (40 %)"
    assert f"4 {of} 10 (40 %)" in presenter.locator(
        "#slide-answer [data-participation-groups]").inner_text()
    assert axe_violations(presenter) == []
