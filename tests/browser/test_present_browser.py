"""Presentation mode in a real Chromium: a clicker's keys move through the slides, answers
from phones in the room are counted live without a reload while the charts move only in
releases of k answers, nothing leaves the laptop, and every slide passes axe-core in Swedish
and English."""

from __future__ import annotations

import pytest

from spindel import instrument as instruments
from spindel.extensions import db
from tests.conftest import PASSWORD, axe_violations

pytestmark = pytest.mark.browser
PROJECTOR = {"viewport": {"width": 1280, "height": 720}}
SLIDES = ["title", "answer", "spider-rounds", "spider-professions", "spider-districts",
          "dimensions-rounds", "agreement", "trend", "points", "vote"]


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def start(page, live_server, project, lang="sv"):
    """Open the setup form, keep its defaults (the open round answered now) and start."""
    page.goto(f"{live_server.url}/projects/{project.slug}/present?lang={lang}")
    page.locator("form.present-setup button[type=submit]").click()
    page.wait_for_url("**/present/slides?**")
    page.wait_for_function("window.spindelPresent !== undefined")


def shown(page) -> str:
    return page.evaluate(
        "document.querySelector('.slide:not([hidden])').getAttribute('data-key')")


def answer(page, live_server, round_, value="7"):
    """A staff member answers on the round's link, in her own browser."""
    instrument = instruments.for_project(round_.project)
    page.goto(f"{live_server.url}/r/{round_.token}")
    page.locator("input[name=profession][value=bvc]").check()
    page.locator("input[name=district][value=north]").check()
    for key in instrument.item_keys:
        page.locator(f"input[name=item_{key}][value='{value}']").check()
    page.locator("button.primary[type=submit]").click()
    page.wait_for_url("**/thanks*")


@pytest.fixture
def seminar(make_project, make_user, add_answer):
    """A project with a closed first round with answers and an open second one."""
    project = make_project(rounds=2, min_group_size=3)
    first = project.rounds[0]
    first.state = "closed"
    db.session.commit()
    for profession in ("bvc", "bmm"):
        for value in (4, 5, 6):
            add_answer(first, profession=profession, value=value)
    user = make_user(projects=[project])
    return project, user


def test_a_clickers_keys_move_through_the_slides(live_server, new_page, seminar):
    project, user = seminar
    page = new_page(**PROJECTOR)
    log_in(page, live_server, user)
    start(page, live_server, project)
    assert shown(page) == "title"
    steps = [("ArrowRight", "answer"), ("Space", "spider-rounds"),
             ("PageDown", "spider-professions"), ("PageDown", "spider-districts"),
             ("PageUp", "spider-professions"), ("ArrowLeft", "spider-rounds"),
             ("End", "vote"), ("PageDown", "vote"), ("Home", "title"),
             ("PageUp", "title")]
    for key, expected in steps:
        page.keyboard.press(key)
        assert shown(page) == expected, key
    assert page.locator("#deck-position").inner_text() == f"Bild 1 av {len(SLIDES)}"

    # The slide list: reachable and usable by keyboard alone.
    page.locator("#slide-list-toggle").focus()
    page.keyboard.press("Enter")
    assert page.locator("#slide-list").is_visible()
    page.locator("#slide-list button[data-goto='5']").focus()
    page.keyboard.press("Enter")
    assert shown(page) == SLIDES[5]
    assert not page.locator("#slide-list").is_visible()

    # The chart slide was drawn from its JSON, and its table is there for screen readers.
    page.wait_for_selector("#slide-dimensions-rounds .js-plotly-plot")
    assert page.locator("#slide-dimensions-rounds [data-table] table").count() == 1
    toggle = page.locator("#slide-dimensions-rounds .table-toggle")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#slide-dimensions-rounds [data-table] table").is_visible()
    # A reload keeps the slide (its number is in the address).
    page.reload()
    page.wait_for_function("window.spindelPresent !== undefined")
    assert shown(page) == SLIDES[5]
    # F fills the screen with the slide alone (no bar of buttons), and again leaves it.
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement && document.fullscreenElement.id === 'deck'")
    assert not page.locator("#deck .deck-bar").is_visible()
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement === null")


def test_answers_appear_live_without_a_reload(app, live_server, new_page, seminar):
    app.config["SPINDEL_PRESENT_POLL_MS"] = 400
    project, user = seminar
    second = project.rounds[1]
    presenter = new_page(**PROJECTOR)
    log_in(presenter, live_server, user)
    start(presenter, live_server, project)
    presenter.keyboard.press("ArrowRight")
    count = presenter.locator("#slide-answer [data-count]")
    presenter.wait_for_function(
        "document.querySelector('#slide-answer [data-count]').textContent.includes('0 svar')")
    presenter.evaluate("window.stillHere = 'the same page'")

    phone = new_page(viewport={"width": 360, "height": 740})
    answer(phone, live_server, second, value="9")
    presenter.wait_for_function(
        "document.querySelector('#slide-answer [data-count]').textContent.startsWith('1 ')")
    assert count.inner_text() == "1 svar hittills"
    next_update = presenter.locator("#slide-answer [data-next-update]")
    presenter.wait_for_function("document.querySelector('#slide-answer [data-next-update]')"
                                ".textContent.includes('efter 2 svar')")
    assert next_update.inner_text() == "Diagrammen uppdateras efter 2 svar till."

    # The spider of all rounds: round 2 has no outline while it has fewer than k answers;
    # the closed round 1 has its own.
    presenter.keyboard.press("ArrowRight")
    presenter.wait_for_selector("#slide-spider-rounds .js-plotly-plot")
    # The outlines: the traces but the shade behind the added questions.
    traces = ("document.querySelector('#slide-spider-rounds [data-chart]').data"
              ".filter(t => t.type !== 'barpolar')")
    presenter.wait_for_function(f"{traces}.length === 1")
    assert presenter.evaluate(f"{traces}[0].name") == "Mätning 1 (6 svar)"
    answer(phone, live_server, second, value="9")
    answer(phone, live_server, second, value="9")  # three answers: the first release
    presenter.wait_for_function(f"{traces}.length === 2", timeout=10_000)
    assert set(presenter.evaluate(f"{traces}[1].r")) == {9}
    # The legend says how many answers the open round's figures rest on, and that it is open.
    assert presenter.evaluate(f"{traces}[1].name") == "Mätning 2 (pågår, 3 svar)"
    # One more answer is counted at once, but the figures wait for the next release.
    answer(phone, live_server, second, value="1")
    presenter.keyboard.press("ArrowLeft")
    presenter.wait_for_function(
        "document.querySelector('#slide-answer [data-count]').textContent.startsWith('4 ')")
    presenter.keyboard.press("ArrowRight")
    updates = presenter.evaluate("window.spindelPresent.updates")
    presenter.wait_for_function(f"window.spindelPresent.updates >= {updates + 2}")
    assert set(presenter.evaluate(f"{traces}[1].r")) == {9}
    assert presenter.evaluate("window.stillHere") == "the same page"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_setup_and_every_slide_pass_axe(live_server, new_page, seminar, add_answer, lang):
    project, user = seminar
    for profession in ("bvc", "bmm"):  # every chart of the open round has traces
        for value in (3, 6, 9):
            add_answer(project.rounds[1], profession=profession, value=value)
    page = new_page(**PROJECTOR)
    log_in(page, live_server, user)
    page.goto(f"{live_server.url}/projects/{project.slug}/present?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert axe_violations(page) == []
    start(page, live_server, project, lang)
    for index, key in enumerate(SLIDES):
        if index:
            page.keyboard.press("ArrowRight")
        assert shown(page) == key
        if key != "title":
            page.wait_for_selector(f"#slide-{key}[data-loaded=true]")
        if page.locator(f"#slide-{key} [data-chart]").count():
            page.wait_for_selector(f"#slide-{key} .js-plotly-plot .main-svg")
            assert page.evaluate(
                f"document.querySelector('#slide-{key} [data-chart]').data.length") > 0, key
        if key in ("spider-professions", "spider-districts"):
            # The round answered now is open: one sentence instead of an empty chart.
            waiting = {"sv": "Yrkesgrupper och stadsdelsområden visas när Mätning 2 har "
                             "stängt.",
                       "en": "Professions and districts are shown when Mätning 2 has "
                             "closed."}[lang]
            assert page.locator(f"#slide-{key} .slide-waiting").inner_text() == waiting
        assert axe_violations(page) == [], key


def test_setup_errors_pass_axe_and_setup_and_slides_fit_a_phone(live_server, new_page, seminar):
    project, user = seminar
    page = new_page(viewport={"width": 360, "height": 740})
    log_in(page, live_server, user)
    page.goto(f"{live_server.url}/projects/{project.slug}/present")
    for box in page.locator("input[name=rounds]").all():
        box.uncheck()
    with page.expect_navigation():
        page.locator("form.present-setup button[type=submit]").click()
    assert page.locator(".error-summary").is_visible()
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    start(page, live_server, project)
    for key in SLIDES:
        if key != "title":
            page.wait_for_selector(f"#slide-{key}[data-loaded=true]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, key
        page.keyboard.press("ArrowRight")


def test_one_profession_chosen_in_the_setup_leaves_out_the_breakdowns(live_server, new_page,
                                                                     seminar):
    project, user = seminar
    page = new_page(**PROJECTOR)
    log_in(page, live_server, user)
    page.goto(f"{live_server.url}/projects/{project.slug}/present")
    page.get_by_label("Vems svar").select_option(label="Barnavårdscentral (BVC)")
    page.locator("form.present-setup button[type=submit]").click()
    page.wait_for_url("**/present/slides?**")
    page.wait_for_function("window.spindelPresent !== undefined")
    keys = page.evaluate("[...document.querySelectorAll('.slide')].map(s => s.dataset.key)")
    assert keys == [k for k in SLIDES if k not in ("spider-professions", "spider-districts")]
    assert "Svar från: Barnavårdscentral (BVC)" in page.locator("#slide-title").inner_text()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert shown(page) == "spider-rounds"
    page.wait_for_selector("#slide-spider-rounds .js-plotly-plot .main-svg")
    # BVC in the closed round 1 (3 answers); the open round 2 waits for its close.
    assert page.evaluate("[...document.querySelector('#slide-spider-rounds [data-chart]')"
                         ".data].filter(t => t.type !== 'barpolar').map(t => t.name)"
                         ) == ["Mätning 1 (3 svar)"]
    assert axe_violations(page) == []


# --- a projector from the back of the room ---------------------------------------------------

# Per chart: the plot area's share of the screen's height (a spider's disc, a bar chart's
# axes), the smallest text in px, labels that overlap, stick out of the chart or were left
# out by plotly, and whether a chart is drawn at all.
MEASURE = """key => {
  const chart = document.querySelector('#slide-' + key + ' [data-chart]');
  const H = window.innerHeight;
  const box = el => el.getBoundingClientRect();
  const plot = box(chart.querySelector('.polarsublayer.plotbg path') ||
                   chart.querySelector('.nsewdrag'));
  const frame = box(chart.querySelector('.main-svg'));
  const texts = [...chart.querySelectorAll('.main-svg text, .main-svg tspan')]
    .filter(t => box(t).width > 0 && !t.closest('.hoverlayer'));
  const named = selector => [...chart.querySelectorAll(selector)]
    .map(t => ({text: t.textContent, b: box(t)}));
  const ticks = named('.angularaxistick text, .xtick text, .ytick text');
  const labels = ticks.concat(named('.legendtext'));
  const meet = (a, b) => a.width && b.width &&
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
  const overlaps = [];
  labels.forEach((a, i) => labels.slice(i + 1).forEach(b => {
    if (meet(a.b, b.b)) { overlaps.push([a.text, b.text]); }
  }));
  const legend = chart.querySelector('.legend .bg');  // its lines and markers too
  ticks.forEach(t => { if (legend && meet(t.b, box(legend))) {
    overlaps.push([t.text, 'the legend']); } });
  return {
    plot: plot.height / H,
    font: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize))),
    overlaps: overlaps,
    outside: labels.filter(l => l.b.width && (l.b.left < frame.left - .5 ||
      l.b.right > frame.right + .5 || l.b.top < frame.top - .5 ||
      l.b.bottom > frame.bottom + .5)).map(l => l.text),
    left_out: labels.filter(l => l.text && !l.b.width).map(l => l.text),
    anchors: chart.querySelectorAll('a').length,
  };
}"""

PROJECTORS = [(1280, 720), (1920, 1080)]


@pytest.fixture
def demo_supporter(make_user):
    from spindel.services.demo import create_demo

    project = create_demo()
    db.session.commit()
    return project, make_user(projects=[project])


def show_all_slides(page, full_screen: bool) -> dict:
    """Go through every slide; measure every chart and the answer slide. Returns
    {key: measurements} (the answer slide under "answer")."""
    found = {}
    if full_screen:
        page.keyboard.press("f")
        page.wait_for_function("document.fullscreenElement !== null")
        # Nothing but the slide: no bar of buttons, the slide fills the screen.
        assert not page.locator("#deck .deck-bar").is_visible()
    keys = page.evaluate("[...document.querySelectorAll('.slide')].map(s => s.dataset.key)")
    page.keyboard.press("Home")
    for index, key in enumerate(keys):
        if index:
            page.keyboard.press("ArrowRight")
        assert shown(page) == key
        height = page.evaluate("window.innerHeight")
        if full_screen:
            slide = page.evaluate(f"document.getElementById('slide-{key}')"
                                  ".getBoundingClientRect().height")
            assert slide >= height - 1, key
        if key != "title":
            page.wait_for_selector(f"#slide-{key}[data-loaded=true]")
        if key == "answer":
            qr = page.evaluate("document.querySelector('#slide-answer .qr svg path')"
                               ".getBoundingClientRect().height") / height
            found[key] = {"qr": qr,
                          "address": page.locator("#slide-answer [data-short-address]")
                          .inner_text(),
                          "count": page.locator("#slide-answer [data-count]").inner_text()}
        elif page.locator(f"#slide-{key} [data-chart]").count():
            if page.locator(f"#slide-{key}.chart-empty").count():
                found[key] = {"empty": page.locator(f"#slide-{key} [data-empty]").inner_text()}
            else:
                page.wait_for_selector(f"#slide-{key} [data-chart][data-fitted]")
                found[key] = page.evaluate(MEASURE, key)
        elif key in ("spider-professions", "spider-districts"):
            found[key] = {"empty": page.locator(f"#slide-{key} .slide-waiting").inner_text()}
    return found


@pytest.mark.parametrize("width, height", PROJECTORS)
def test_every_chart_is_readable_on_a_projector(live_server, new_page, demo_supporter,
                                                capsys, width, height):
    """The demo at 1280×720 and 1920×1080, in full screen and in the window: every chart's
    plot at least half the screen's height, every chart text at least 1.8 % of it, no two
    labels overlapping, none outside the chart or left out; the QR code at least 40 % of the
    screen's height beside a short address to type and the live count; a slide with nothing
    to show says why in a sentence. Shows: the open round answered now (rounds 1–6), and the
    closed rounds 1–5 with their professions and districts."""
    project, user = demo_supporter
    live = next(r for r in project.rounds if r.status() == "open")
    closed = "&".join(f"rounds={r.number}" for r in project.rounds if r.number != live.number)
    figures = []
    for full_screen in (True, False):
        for query in (None, f"{closed}&group=&live="):
            page = new_page(viewport={"width": width, "height": height})
            log_in(page, live_server, user)
            if query is None:
                start(page, live_server, project)
            else:
                page.goto(f"{live_server.url}/projects/{project.slug}/present/slides?{query}")
                page.wait_for_function("window.spindelPresent !== undefined")
            found = show_all_slides(page, full_screen)
            for key, seen in found.items():
                if "empty" in seen:
                    assert seen["empty"].endswith("."), key  # one sentence, never blank
                    continue
                if key == "answer":
                    assert seen["qr"] >= 0.40, seen
                    assert seen["address"].endswith(f"/s/{live.short_code}")
                    assert len(seen["address"].split("/s/")[1]) <= 5
                    assert seen["count"].endswith("svar hittills")
                    figures.append(("qr", full_screen, seen["qr"]))
                    continue
                assert seen["plot"] >= 0.50, (key, seen)
                assert seen["font"] >= 0.018 * height, (key, seen)
                assert seen["overlaps"] == [] and seen["outside"] == [], (key, seen)
                assert seen["left_out"] == [] and seen["anchors"] == 0, (key, seen)
                figures.append((key, full_screen, seen["plot"], seen["font"]))
            assert axe_violations(page) == []
            page.close()
    with capsys.disabled():  # the figures for the closing note, on every run
        for full_screen in (True, False):
            drawn = [f for f in figures if f[1] == full_screen and f[0] != "qr"]
            smallest = min(drawn, key=lambda f: f[2])
            qr = min(f[2] for f in figures if f[1] == full_screen and f[0] == "qr")
            text = min(f[3] for f in drawn)
            print(f"\nprojector {width}×{height} {'full screen' if full_screen else 'window'}:"
                  f" smallest plot area {smallest[2]:.1%} of the screen's height"
                  f" ({smallest[0]}), smallest chart text {text:.1f} px ({text / height:.2%}),"
                  f" QR code {qr:.1%}", end="")
    assert {f[0] for f in figures} >= {"qr", "spider-rounds", "spider-professions",
                                       "spider-districts", "dimensions-rounds", "agreement",
                                       "trend"}


def test_a_slide_with_nothing_to_show_says_why(live_server, new_page, seminar):
    """The open round answered now has no answers yet: its agreement slide is a sentence,
    not empty axes."""
    project, user = seminar
    page = new_page(**PROJECTOR)
    log_in(page, live_server, user)
    start(page, live_server, project)
    page.keyboard.press("End")
    for _ in range(3):  # from the vote, past the talking points and the trend
        page.keyboard.press("ArrowLeft")
    assert shown(page) == "agreement"
    page.wait_for_selector("#slide-agreement[data-loaded=true]")
    assert page.locator("#slide-agreement [data-empty]").inner_text() == (
        "Inget att visa än: färre än 3 svar hittills.")
    assert not page.locator("#slide-agreement [data-chart]").is_visible()
    assert not page.locator("#slide-agreement .slide-caption").is_visible()
    assert axe_violations(page) == []


def test_the_title_slide_shows_the_instruments_notice_and_scrolls_when_it_is_long(
        live_server, new_page, demo_supporter):
    """Issue 13: the title slide says the instrument is a reconstruction. With the demo's
    long description a 720p screen cannot hold it all: the slide scrolls, its title stays
    in view at first and the notice is reached, and axe finds nothing."""
    project, user = demo_supporter
    page = new_page(viewport={"width": 1280, "height": 720})
    log_in(page, live_server, user)
    start(page, live_server, project)
    slide = page.locator("#slide-title")
    title = page.locator("#title-title").bounding_box()
    box = slide.bounding_box()
    assert title["y"] >= box["y"] - 1  # the top is never cut off
    notice = page.locator("#slide-title .slide-instrument")
    assert "Frågorna och skalan är en rekonstruktion." in notice.inner_text()
    notice.scroll_into_view_if_needed()
    shown = notice.bounding_box()
    assert shown["y"] + shown["height"] <= box["y"] + box["height"] + 1
    assert axe_violations(page) == []

