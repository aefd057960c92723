"""The room's vote in real Chromium: the presenter's slide at 1280×720 opens the vote, three
phones (360 px wide) vote at the address shown on the slide while the bars move without a
reload, then the presenter locks it and the phones see it is closed and cannot vote. axe-core
finds nothing on the phone's page in any state, nor on the slide."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import VIEWER, ProjectMember, VoteChoice
from spindel.services import votes
from tests.browser.test_present_browser import log_in
from tests.conftest import axe_as_served, axe_violations

pytestmark = pytest.mark.browser
PROJECTOR = {"viewport": {"width": 1280, "height": 720}}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
BARS = "document.querySelector('#slide-vote [data-chart]').data[0]"


@pytest.fixture
def seminar(make_project, make_user, add_answer):
    """The seminar after a closed round with answers: the room decides what to work on."""
    project = make_project(min_group_size=3)
    round_ = project.rounds[0]
    round_.state = "closed"
    db.session.commit()
    for value in (4, 6, 8):
        add_answer(round_, value=value)
    return project, round_, make_user(projects=[project])


def to_vote_slide(page, live_server, project):
    page.goto(f"{live_server.url}/projects/{project.slug}/present/slides?rounds=1")
    page.wait_for_function("window.spindelPresent !== undefined")
    page.keyboard.press("End")
    page.wait_for_selector("#slide-vote[data-loaded=true]")


def vote(phone, items: list[str]):
    for key in items:
        phone.locator(f"input[name=items][value={key}]").check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Skicka min röst").click()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_three_phones_vote_while_the_slide_counts_then_the_presenter_locks(
        app, live_server, new_page, seminar):
    app.config["SPINDEL_PRESENT_POLL_MS"] = 300
    project, round_, user = seminar
    keys = instruments.for_project(project).item_keys
    presenter = new_page(**PROJECTOR)
    log_in(presenter, live_server, user)
    to_vote_slide(presenter, live_server, project)
    presenter.evaluate("window.stillHere = 'the same page'")
    slide = presenter.locator("#slide-vote")
    assert slide.locator("h2").inner_text().startswith("Vad ska vi prioritera?")
    assert slide.locator("[data-count]").inner_text() == "Omröstningen är inte öppen än."
    address = slide.locator("[data-vote-address]").inner_text()
    assert address.endswith(f"/v/{round_.short_code}")
    assert slide.locator(".qr svg").is_visible()

    # A phone that comes before the vote is opened is told so, and has nothing to send.
    phones = [new_page(**PHONE) for _ in range(3)]
    early = phones[0]
    early.goto(f"http://{address}")
    assert "Omröstningen har inte börjat än." in early.locator("main").inner_text()
    assert early.locator("input[type=checkbox]").count() == 0
    assert axe_violations(early) == [] and no_sideways_scroll(early)

    # The presenter opens the vote: the slide stays, the lock button takes the place.
    slide.get_by_role("button", name="Öppna omröstningen").click()
    lock = slide.get_by_role("button", name="Lås omröstningen")
    lock.wait_for()
    # The focus follows once the POST is answered (a poll may show the button first).
    presenter.wait_for_function(
        "document.activeElement && document.activeElement.textContent === 'Lås omröstningen'")
    presenter.wait_for_function(
        "document.querySelector('#slide-vote [data-count]').textContent"
        ".startsWith('Omröstningen är öppen')")
    presenter.wait_for_function(f"{BARS}.x.every(n => n === 0)")

    expected: Counter = Counter()
    choices = [["rules", "management"], ["management", "early_support", "user_influence"],
               ["management", "roles", "rules"]]
    for phone, picked in zip(phones, choices, strict=True):
        phone.goto(f"http://{address}")
        assert phone.locator("input[type=checkbox]").count() == len(keys)
        assert no_sideways_scroll(phone)
        if phone is phones[2]:
            # A fourth box: refused with a clear message, the four kept checked.
            vote(phone, [*picked, "goals"])
            error = phone.locator(".field-error")
            assert "Välj högst tre frågor – du valde 4." in error.inner_text()
            assert phone.locator("input[name=items]:checked").count() == 4
            assert axe_violations(phone) == [] and no_sideways_scroll(phone)
            phone.locator("input[name=items][value=goals]").uncheck()
            with phone.expect_navigation():
                phone.get_by_role("button", name="Skicka min röst").click()
        else:
            assert axe_violations(phone) == []
            vote(phone, picked)
        assert "Tack för din röst!" in phone.locator("h1").inner_text()
        assert "Du kan ändra din röst tills omröstningen låses." in phone.locator(
            "main").inner_text()
        expected.update(picked)
        # The presenter's bars follow, read back from the figure's data.
        counts = [expected[k] for k in keys]
        presenter.wait_for_function(f"JSON.stringify({BARS}.x) === JSON.stringify({counts})",
                                    timeout=10_000)
    assert axe_violations(phones[0]) == [] and no_sideways_scroll(phones[0])

    # A phone changes its mind: its ballot is replaced, not added.
    phones[0].get_by_role("link", name="Ändra min röst").click()
    assert phones[0].locator("input[name=items]:checked").count() == 2
    phones[0].locator("input[name=items][value=rules]").uncheck()
    vote(phones[0], ["shared_view"])
    expected.subtract(["rules"])
    expected.update(["shared_view"])
    counts = [expected[k] for k in keys]
    presenter.wait_for_function(f"JSON.stringify({BARS}.x) === JSON.stringify({counts})")
    assert presenter.evaluate(f"{BARS}.customdata") == keys
    assert slide.locator("[data-count]").inner_text() == \
        "Omröstningen är öppen: 3 personer har röstat."
    # The bars' labels: the items in the instrument's order, the added ones marked.
    labels = presenter.evaluate(f"{BARS}.y")
    assert labels[-1] == "Föräldrars inflytande<br><i>tillagd av projektet</i>"
    assert presenter.evaluate("window.stillHere") == "the same page"
    assert axe_violations(presenter) == []

    # A phone that loaded the page before the lock and sends after it.
    late = new_page(**PHONE)
    late.goto(f"http://{address}")
    late.locator("input[name=items][value=goals]").check()

    lock.click()
    slide.get_by_role("button", name="Öppna omröstningen igen").wait_for()
    presenter.wait_for_function(
        "document.querySelector('#slide-vote [data-count]').textContent"
        ".startsWith('Omröstningen är låst: 3 ')")
    stored = db.session.scalar(select(func.count()).select_from(VoteChoice))
    assert stored == sum(expected.values())

    with late.expect_navigation():
        late.get_by_role("button", name="Skicka min röst").click()
    assert "Omröstningen är stängd." in late.locator("main").inner_text()
    for phone in phones:
        phone.goto(f"http://{address}")
        text = phone.locator("main").inner_text()
        assert "Omröstningen är stängd." in text
        assert phone.locator("input[type=checkbox]").count() == 0
        assert phone.get_by_role("button", name="Skicka min röst").count() == 0
        assert axe_violations(phone) == [] and no_sideways_scroll(phone)
    assert "Din röst:" in phones[0].locator("main").inner_text()
    assert db.session.scalar(select(func.count()).select_from(VoteChoice)) == stored
    # The locked slide's bars have not moved, and the slide passes axe.
    assert presenter.evaluate(f"{BARS}.x") == counts
    assert axe_violations(presenter) == []


def test_the_phone_page_in_english_and_without_scripts(live_server, new_page, seminar):
    project, round_, _ = seminar
    votes.open_vote(round_)
    db.session.commit()
    phone = new_page(java_script_enabled=False, **PHONE)
    phone.goto(f"{live_server.url}/v/{round_.short_code}")
    phone.locator("input[name=items][value=roles]").check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="In English").click()
    assert phone.locator("h1").inner_text().startswith("What should we prioritise?")
    assert phone.locator("input[name=items][value=roles]").is_checked()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send my vote").click()
    assert phone.locator("h1").inner_text().startswith("Thank you for your vote!")
    assert axe_as_served(phone, new_page, **PHONE) == []


def test_a_viewer_sees_the_slide_without_the_buttons(live_server, new_page, seminar,
                                                     make_user):
    project, round_, _ = seminar
    viewer = make_user()
    viewer.memberships.append(ProjectMember(project=project, role=VIEWER))
    db.session.commit()
    page = new_page(**PROJECTOR)
    log_in(page, live_server, viewer)
    to_vote_slide(page, live_server, project)
    assert page.locator("#slide-vote form").count() == 0
    assert page.locator("#slide-vote [data-vote-address]").is_visible()
    page.wait_for_selector("#slide-vote .js-plotly-plot .main-svg")
    assert axe_violations(page) == []
