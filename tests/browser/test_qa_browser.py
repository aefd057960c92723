"""At 360 px in a real Chromium: choices are laid out as tappable rows, and the lists of
districts, professions and district links keep every column on the screen."""

from __future__ import annotations

import pytest

from tests.browser.test_workspace_browser import log_in
from tests.conftest import axe_violations

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


def test_radio_buttons_sit_in_the_middle_of_their_row(live_server, new_page, make_project):
    round_ = make_project().rounds[0]
    page = new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/r/{round_.token}")
    label = page.locator("label.choice").first
    box, radio = label.bounding_box(), label.locator("input").bounding_box()
    assert box["height"] >= 44
    middle, radio_middle = box["y"] + box["height"] / 2, radio["y"] + radio["height"] / 2
    assert abs(middle - radio_middle) <= 3, (box, radio)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_project_and_round_tables_fit_a_phone(live_server, new_page, make_project, make_user,
                                              lang):
    project = make_project()
    supporter = make_user(projects=[project])
    page = new_page(viewport=PHONE)
    log_in(page, live_server.url, supporter, lang)
    page.goto(f"{live_server.url}/projects/{project.slug}")
    for row in page.locator("table.parts tbody tr").all():
        for cell in row.locator("td").all():
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], cell.inner_text()
    # Every action can be seen and tapped without scrolling sideways.
    delete = page.locator("#professions td.actions button").last
    assert delete.bounding_box()["x"] + delete.bounding_box()["width"] <= PHONE["width"]
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/projects/{project.slug}/rounds/1")
    links = page.locator("table.stack td code.link")
    assert links.count() == 2
    for i in range(links.count()):
        # A link is read on a line or two, not broken into a column of three letters.
        assert links.nth(i).bounding_box()["width"] > PHONE["width"] / 2
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(page) == []


def test_spider_labels_fit_beside_the_spider_on_a_phone(live_server, new_page, make_project,
                                                        make_user, add_answer):
    project = make_project(min_group_size=3)
    for _ in range(3):
        add_answer(project.rounds[0], value=6)
    supporter = make_user(projects=[project])
    page = new_page(viewport=PHONE)
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
