"""The downloads page in a real Chromium: axe-core (WCAG 2.1 A and AA) in Swedish and English,
for a supporter and an admin, on a phone-width screen too."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, axe_violations

pytestmark = pytest.mark.browser


def log_in(page, base: str, user) -> None:
    page.goto(f"{base}/login")
    page.locator("input[name=email]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("admin", [False, True])
def test_the_downloads_page_passes_axe(live_server, new_page, make_user,
                                       project_with_small_group, lang, admin):
    project = project_with_small_group
    user = make_user(admin=True) if admin else make_user(projects=[project])
    page = new_page(viewport={"width": 360, "height": 740})
    log_in(page, live_server.url, user)
    page.goto(f"{live_server.url}/projects/{project.slug}/exports?lang={lang}&round=2")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.get_by_role("heading", level=1).count() == 1
    assert (page.locator("a[href*='raw-answers']").count() == 1) is admin
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
