"""In a real Chromium: answering on a phone and by keyboard alone, and every respondent page
passing axe-core (WCAG 2.1 A and AA) in Swedish and English."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import Rating, Response, RoundState
from spindel.services.codes import code_by_text, generate_codes, use_code
from tests.conftest import axe_as_served, axe_violations

PHONE_VIEWPORT = {"width": 360, "height": 740}

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


# --- issue 12: language switch, Back after sending, the scale's ends, the time it takes -----

DESKTOP = {"viewport": {"width": 1280, "height": 720}}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
SCREENSHOTS = "/tmp/spindel-respond"


def open_form(new_page, live_server, round_, size: str, js: bool = True, lang: str = "sv"):
    page = new_page(java_script_enabled=js, **SIZES[size])
    page.goto(f"{live_server.url}/r/{round_.token}?lang={lang}")
    return page


def checked(page) -> dict[str, str]:
    """What the page shows as chosen: {input name: value}."""
    return page.evaluate("Object.fromEntries([...document.querySelectorAll('input:checked')]"
                         ".map(e => [e.name, e.value]))")


def choose(page, choices: dict[str, str]) -> None:
    for name, value in choices.items():
        page.locator(f"input[name={name}][value='{value}']").check()


def send(page, label: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=label).click()


def axe_of(page, new_page, size: str, js: bool) -> list[dict]:
    """axe-core needs scripts: a page seen without JavaScript is checked as it was served."""
    return axe_violations(page) if js else axe_as_served(page, new_page, **SIZES[size])


def answers_of(instrument, start: int = 2) -> dict[str, str]:
    """A whole answer: BMM in Söder, item n rated n + start (cannot judge for the last)."""
    choices = {"profession": "bmm", "district": "south"}
    for n, item in enumerate(instrument.items):
        choices[f"item_{item.key}"] = "x" if n == len(instrument.items) - 1 else str(n + start)
    return choices


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_switching_language_part_way_keeps_every_choice(live_server, new_page, make_project,
                                                        size, js):
    round_ = make_project().rounds[0]
    instrument = instruments.for_project(round_.project)
    page = open_form(new_page, live_server, round_, size, js)
    assert page.get_by_text("Det tar ungefär 3 minuter.").is_visible()
    everything = answers_of(instrument)
    first_half = dict(list(everything.items())[:6])  # profession, district and four items
    choose(page, first_half)
    found = {"form (sv)": axe_of(page, new_page, size, js)}

    send(page, "In English")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.get_by_role("group", name=instrument.items[0].text.en).is_visible()
    assert page.get_by_text("It takes about 3 minutes.").is_visible()
    assert checked(page) == first_half
    assert page.locator(".error-summary").count() == 0  # a switch is not a sending
    assert stored() == []
    page.screenshot(path=f"{SCREENSHOTS}-switched-{size}-{'js' if js else 'nojs'}.png",
                    full_page=False)
    found["form switched to English"] = axe_of(page, new_page, size, js)

    choose(page, everything)  # the rest in English, then back to Swedish before sending
    send(page, "På svenska")
    assert page.evaluate("document.documentElement.lang") == "sv"
    assert checked(page) == everything
    assert stored() == []
    send(page, "Skicka mitt svar")
    assert page.url.endswith("/thanks")
    assert page.get_by_role("heading", level=1).inner_text() == "Tack för ditt svar!"
    found["thank you"] = axe_of(page, new_page, size, js)
    responses = stored()
    assert len(responses) == 1
    assert responses[0].profession_id == round_.project.professions[1].id  # BMM
    ratings = {r.item_key: r.value for r in db.session.scalars(select(Rating))}
    assert ratings == {item.key: None if everything[f"item_{item.key}"] == "x"
                       else int(everything[f"item_{item.key}"]) for item in instrument.items}
    assert {name: v for name, v in found.items() if v} == {}


@pytest.fixture
def page_with_history(browser):
    """Pages whose browser keeps pages for Back as a phone's does. new_page's guard routes
    every request, and routing turns Chromium's cache off; here requests that leave
    localhost are recorded instead (nothing on these pages asks for any)."""
    contexts, outside = [], []

    def factory(size: str, js: bool):
        context = browser.new_context(java_script_enabled=js, **SIZES[size])
        contexts.append(context)
        context.on("request", lambda r: None if re.match(
            r"^https?://127\.0\.0\.1(:\d+)?/", r.url) else outside.append(r.url))
        context.set_default_timeout(10_000)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()
    assert outside == []


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("before", ["nothing", "a missing answer", "a language switch"])
def test_back_after_sending_shows_the_form_as_sent_never_a_browser_error(
        live_server, page_with_history, new_page, make_project, size, js, before):
    """Back from the thank-you page shows the page she sent from (the loaded form, or the one
    that came back with an answer missing or in the other language) as she sent it — not
    the browser's "Confirm form resubmission" error — and sending it again stores nothing
    new."""
    round_ = make_project().rounds[0]
    instrument = instruments.for_project(round_.project)
    page = page_with_history(size, js)
    page.goto(f"{live_server.url}/r/{round_.token}")
    everything = answers_of(instrument)
    first_item = f"item_{instrument.items[0].key}"
    send_label = "Skicka mitt svar"
    if before == "a missing answer":
        choose(page, {k: v for k, v in everything.items() if k != first_item})
        send(page, send_label)
        assert page.locator(".error-summary").is_visible()
        choose(page, {first_item: everything[first_item]})
    elif before == "a language switch":
        choose(page, everything)
        send(page, "In English")
        send_label = "Send my answer"
    else:
        choose(page, everything)
    key = page.locator("input[name=submission_key]").get_attribute("value")
    send(page, send_label)
    assert page.url.endswith("/thanks") and len(stored()) == 1

    page.go_back()  # raises net::ERR_CACHE_MISS where Chromium shows its resubmission error
    assert page.url.split("?")[0] == f"{live_server.url}/r/{round_.token}"
    assert page.locator("form.answer-form").is_visible()
    assert page.locator("input[name=submission_key]").get_attribute("value") == key
    assert checked(page) == everything
    page.screenshot(path=f"{SCREENSHOTS}-back-{before.replace(' ', '-')}-{size}.png")
    found = axe_of(page, new_page, size, js)
    send(page, send_label)  # the same answer again: the thank-you page, nothing new stored
    assert page.url.endswith("/thanks")
    assert page.locator("h1").inner_text() in ("Tack för ditt svar!", "Thank you for your answer!")
    assert len(stored()) == 1
    assert found == []


def box_gap(a: dict, b: dict) -> tuple[float, float]:
    """Horizontal and vertical gap between two boxes (negative: they overlap that way)."""
    dx = max(b["x"] - (a["x"] + a["width"]), a["x"] - (b["x"] + b["width"]))
    dy = max(b["y"] - (a["y"] + a["height"]), a["y"] - (b["y"] + b["height"]))
    return dx, dy


@pytest.mark.parametrize("size, widths", [("phone", [320, 360, 414, 639]),
                                          ("desktop", [640, 1024, 1280, 1920])])
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_scale_end_labels_sit_at_their_ends(live_server, new_page, make_project, size,
                                                widths, lang):
    """'1 = …' starts where the 1 starts and '10 = …' ends where the 10 ends, each right next
    to its button's row and over no button, at phone and desktop widths."""
    round_ = make_project().rounds[0]
    instrument = instruments.for_project(round_.project)
    page = open_form(new_page, live_server, round_, size, lang=lang)
    for width in widths:
        page.set_viewport_size({"width": width, "height": 740 if size == "phone" else 720})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for item in instrument.items:
            group = page.locator(f"fieldset#item_{item.key}")
            start = group.locator(".scale-min").bounding_box()
            end = group.locator(".scale-max").bounding_box()
            assert group.locator(".scale-min").inner_text() == \
                f"1 = {instrument.scale.min_label.get(lang)}"
            buttons = {value: group.locator(f"label:has(input[value='{value}'])").bounding_box()
                       for value in [*map(str, range(1, 11)), "x"]}
            one, ten = buttons["1"], buttons["10"]
            assert abs(start["x"] - one["x"]) <= 1, (width, item.key)
            assert abs((end["x"] + end["width"]) - (ten["x"] + ten["width"])) <= 1, (width,
                                                                                     item.key)
            assert 0 <= box_gap(start, one)[1] <= 8, (width, item.key)  # right above the 1
            assert 0 <= box_gap(end, ten)[1] <= 8, (width, item.key)  # next to the 10's row
            for value, button in buttons.items():
                assert max(box_gap(start, button)) >= 0, (width, item.key, value)
                assert max(box_gap(end, button)) >= 0, (width, item.key, value)
            if width < 640:  # two rows of five: "10 = …" under the 10, not over the 5
                assert end["y"] >= ten["y"] + ten["height"]
            else:  # one row: both labels above it
                assert end["y"] + end["height"] <= ten["y"]
        if width in (360, 1280):
            page.locator(f"fieldset#item_{instrument.items[0].key}").screenshot(
                path=f"{SCREENSHOTS}-scale-{lang}-{width}.png")


def test_radio_buttons_sit_in_the_middle_of_their_row(live_server, new_page, make_project):
    round_ = make_project().rounds[0]
    page = new_page(viewport=PHONE_VIEWPORT)
    page.goto(f"{live_server.url}/r/{round_.token}")
    label = page.locator("label.choice").first
    box, radio = label.bounding_box(), label.locator("input").bounding_box()
    assert box["height"] >= 44
    middle, radio_middle = box["y"] + box["height"] / 2, radio["y"] + radio["height"] / 2
    assert abs(middle - radio_middle) <= 3, (box, radio)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
