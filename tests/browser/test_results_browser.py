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
from tests.browser.test_workspace_browser import log_in
from tests.conftest import PASSWORD, axe_violations

PHONE_VIEWPORT = {"width": 360, "height": 740}

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
        "document.querySelector('#chart-spider-rounds .chart').data"
        ".filter(t => t.type !== 'barpolar').map(t => t.name)")
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
        "document.querySelector('#chart-spider-rounds .chart').data"
        ".filter(t => t.type !== 'barpolar').map(t => t.name)")
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
    assert table.locator("thead th").first.inner_text() == "Fråga"  # items are questions in 2026.2
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


# --- charts and tables that fit -------------------------------------------------------------

DESKTOP = {"viewport": {"width": 1366, "height": 768}}


def open_everything(page) -> None:
    """Open every round's section and wait until each chart is drawn and fitted."""
    page.evaluate("document.querySelectorAll('details.results-section')"
                  ".forEach(d => { d.open = true; })")
    page.wait_for_function(
        "[...document.querySelectorAll('.chart[data-figure]')]"
        ".every(c => c.getAttribute('data-fitted'))", timeout=60_000)


# Labels outside their chart, left out by plotly, or on the legend (its lines and markers).
LABELS_OUTSIDE = """() => [...document.querySelectorAll('.chart[data-figure]')].flatMap(chart => {
  const frame = chart.querySelector('.main-svg').getBoundingClientRect();
  const legend = chart.querySelector('.legend .bg');
  const l = legend ? legend.getBoundingClientRect() : null;
  const onLegend = b => l && Math.min(b.right, l.right) - Math.max(b.left, l.left) > .5 &&
    Math.min(b.bottom, l.bottom) - Math.max(b.top, l.top) > .5;
  return [...chart.querySelectorAll('.angularaxistick text, .xtick text, .ytick text')]
    .map(t => [t.textContent, t.getBoundingClientRect()])
    .filter(([text, b]) => text && (!b.width || b.left < frame.left - .5 ||
      b.right > frame.right + .5 || b.top < frame.top - .5 || b.bottom > frame.bottom + .5 ||
      onLegend(b)))
    .map(([text]) => chart.closest('figure').id + ': ' + text);
})"""


@pytest.mark.parametrize("options", [DESKTOP, PHONE], ids=["1366", "360"])
def test_no_chart_label_is_clipped(supporter_page, live_server, options):
    """Every spider's item labels (the top one too) and every axis label lie inside their
    chart's drawing, on a wide screen and on a phone."""
    page = supporter_page(**options)
    page.goto(f"{live_server.url}/projects/demo/results")
    open_everything(page)
    spiders = page.evaluate("document.querySelectorAll('.angularaxistick text').length")
    assert spiders >= 9 * 4
    assert page.evaluate(LABELS_OUTSIDE) == []
    assert page.errors == []


TABLES = """() => [...document.querySelectorAll('.table-wrap')].map(wrap => {
  const box = wrap.getBoundingClientRect();
  const heads = wrap.querySelectorAll('thead th');
  const newest = heads[heads.length - 1].getBoundingClientRect();
  const hint = wrap.previousElementSibling;
  return {id: wrap.closest('figure').id, overflows: wrap.scrollWidth > wrap.clientWidth + 1,
          cue: wrap.classList.contains('scrolls') && !!hint && !hint.hidden &&
               hint.getBoundingClientRect().height > 0,
          newest_last: wrap.hasAttribute('data-newest-last'),
          newest_shown: newest.left >= box.left - 1 && newest.right <= box.right + 1};
})"""


def test_tables_fit_a_laptop_and_say_they_scroll_on_a_phone(supporter_page, live_server):
    """At 1366 px every table fits, newest round included; at 360 px a wide table scrolls
    inside its own box, says so above it, and starts at the newest round."""
    page = supporter_page(**DESKTOP)
    page.goto(f"{live_server.url}/projects/demo/results")
    open_everything(page)
    tables = page.evaluate(TABLES)
    assert len(tables) >= 20
    assert [t["id"] for t in tables if t["overflows"]] == []
    assert all(t["newest_shown"] for t in tables)
    assert axe_violations(page) == []

    page = supporter_page(**PHONE)
    page.goto(f"{live_server.url}/projects/demo/results")
    open_everything(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    tables = page.evaluate(TABLES)
    wide = [t for t in tables if t["overflows"]]
    assert wide and all(t["cue"] for t in wide), wide
    assert all(t["newest_shown"] for t in wide if t["newest_last"])
    assert {t["id"] for t in wide if t["newest_last"]} >= {"chart-spider-rounds",
                                                            "chart-trend"}
    assert axe_violations(page) == []


PHISH = '<a href="https://evil.example/phish">Klicka</a>'


def test_a_district_named_like_a_link_is_shown_as_text(live_server, new_page, make_user,
                                                       add_answer):
    """Issue 11: plotly would draw a name like this as a link in the spider's legend."""
    from spindel.services.projects import create_project

    project = create_project("Phish", "phish", min_group_size=3,
                             districts=[("north", "Norr"), ("evil", PHISH)])
    project.rounds.append(Round(number=1, label="Mätning 1", state=RoundState.CLOSED,
                                opens_on=dt.date(2021, 1, 4)))
    db.session.commit()
    for district in ("north", "evil"):
        for value in (4, 6, 8):
            add_answer(project.rounds[0], district=district, value=value)
    user = make_user(projects=[project])
    page = new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.goto(f"{live_server.url}/projects/phish/results")
    chart = "#chart-spider-districts-1 .chart"
    page.wait_for_selector(f"{chart}[data-fitted]")
    assert page.locator(f"{chart} svg a").count() == 0
    legend = page.locator(f"{chart} .legendtext").all_text_contents()
    assert f"{PHISH} (3 svar)" in legend
    assert page.locator("#chart-spider-districts-1 table").inner_text().count(PHISH) == 1


def test_spider_labels_fit_beside_the_spider_on_a_phone(live_server, new_page, make_project,
                                                        make_user, add_answer):
    project = make_project(min_group_size=3)
    for _ in range(3):
        add_answer(project.rounds[0], value=6)
    supporter = make_user(projects=[project])
    page = new_page(viewport=PHONE_VIEWPORT)
    log_in(page, live_server.url, supporter)
    page.goto(f"{live_server.url}/projects/{project.slug}/results")
    chart = page.locator(".chart[data-figure]").first
    chart.locator(".angularaxistick text").first.wait_for()
    box = chart.bounding_box()
    labels = chart.locator(".angularaxistick text")
    assert labels.count() >= 9
    for i in range(labels.count()):
        label = labels.nth(i).bounding_box()
        assert box["x"] <= label["x"] and label["x"] + label["width"] <= box["x"] + box[
            "width"], labels.nth(i).text_content()
