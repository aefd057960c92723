"""In a real Chromium: a supporter sets up a project and a round, hands out the link, and
watches an answer arrive without reloading; an import with errors stores nothing; every
workspace page passes axe-core (WCAG 2.1 A and AA) in Swedish and English."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import Project, Response
from tests.conftest import PASSWORD, axe_violations

PHONE_VIEWPORT = {"width": 360, "height": 740}

pytestmark = pytest.mark.browser


def log_in(page, base: str, user, lang: str = "sv") -> None:
    page.goto(f"{base}/login?lang={lang}")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form:has(#password) button[type=submit]").click()
    page.wait_for_url("**/workspace")


def count_responses() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Response))


def test_a_supporter_sets_up_a_round_and_watches_an_answer_arrive(live_server, new_page,
                                                                  make_user, tmp_path):
    supporter = make_user()
    page = new_page(viewport={"width": 1024, "height": 900}, accept_downloads=True)
    log_in(page, live_server.url, supporter)

    page.get_by_role("link", name="Nytt projekt").first.click()
    page.get_by_label("Namn", exact=True).fill("Tidigt stöd")
    page.get_by_label("Kort namn i adresser").fill("tidigt-stod")
    page.get_by_label("Minsta gruppstorlek").fill("3")
    page.get_by_role("button", name="Skapa projekt").click()
    page.wait_for_url("**/projects/tidigt-stod")
    for name in ("Rinkeby-Kista", "Bromma"):
        page.get_by_label("Stadsdelsområdets namn").fill(name)
        with page.expect_navigation():
            page.get_by_role("button", name="Lägg till stadsdelsområde").click()
    expect(page.get_by_role("cell", name="Bromma", exact=True)).to_be_visible()

    page.get_by_role("link", name="Ny mätning").click()
    page.get_by_label("Benämning").fill("Mätning 1 – hösten 2026")
    page.get_by_role("button", name="Skapa mätning").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Öppna nu").click()
    expect(page.locator(".status-open").first).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner QR-kod (PNG)").click()
    saved = tmp_path / "qr.png"
    download_info.value.save_as(saved)
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    link = page.locator("#round-link").inner_text()

    page.get_by_role("link", name="Följ svaren som kommer in").click()
    assert page.locator("#monitor-total").inner_text() == "0"

    respondent = new_page(viewport={"width": 360, "height": 740})
    respondent.goto(link.replace("http://localhost", live_server.url))
    respondent.get_by_text("Barnmorskemottagning (BMM)").click()
    respondent.get_by_text("Bromma").click()
    project = db.session.scalar(select(Project).where(Project.slug == "tidigt-stod"))
    for item in instruments.for_project(project).items:
        respondent.get_by_role("group", name=item.text.sv).locator(
            "label:has(input[value='6'])").click()
    respondent.get_by_role("button", name="Skicka mitt svar").click()
    respondent.wait_for_url("**/thanks*")
    assert count_responses() == 1

    # No reload: the monitor's script fetches the count.
    page.wait_for_function("document.getElementById('monitor-total').textContent === '1'",
                           timeout=15_000)
    assert page.locator("#monitor-latest").inner_text() == "i dag"
    # Exact counts of answers; the ratings wait for k answers, and the page says so.
    assert page.locator("table[data-kind=districts] tr:has-text('Bromma') td").inner_text() == "1"
    assert page.locator("#monitor-figures").inner_text() == (
        "Inga siffror än: bedömningarna visas när mätningen har 3 svar, efter 2 svar till.")


def test_an_import_with_errors_stores_nothing_then_a_correct_one_does(live_server, new_page,
                                                                      make_user, make_project,
                                                                      tmp_path):
    # An earlier round, closed (an open one asks first: tests/browser/test_imports_browser.py).
    project = make_project(state="closed")
    supporter = make_user(projects=[project])
    keys = instruments.for_project(project).item_keys
    header = ";".join(["round", "area", "role", *keys])
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([header, ";".join(["1", "Norr", "bvc", *["12"] * len(keys)]),
                              ";".join(["x", "Väster", "bvc", *["5"] * len(keys)])]),
                   encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text("\n".join([header, ";".join(["1", "Norr", "bvc", *["5"] * len(keys)]),
                               ";".join(["2", "south", "bmm", *["8"] * len(keys)])]),
                    encoding="utf-8")
    page = new_page(viewport={"width": 1024, "height": 900})
    log_in(page, live_server.url, supporter)
    page.goto(f"{live_server.url}/projects/{project.slug}/import")
    page.locator("input[type=file]").set_input_files(str(bad))
    with page.expect_navigation():
        page.get_by_role("button", name="Kontrollera och importera").click()
    problems = page.locator(".problems li").all_inner_texts()
    # Nine values out of range on line 2, then on line 3 the round and the district.
    assert len(problems) == len(keys) + 2
    assert all(p.startswith("rad 2, kolumn") for p in problems[:len(keys)])
    assert "rad 3, kolumn round" in problems[len(keys)]
    assert "Väster" in page.locator(".unknown").inner_text()
    assert count_responses() == 0

    page.locator("input[type=file]").set_input_files(str(good))
    page.get_by_role("button", name="Kontrollera och importera").click()
    page.wait_for_url(f"**/projects/{project.slug}/import")
    assert "2 svar importerade" in page.locator(".flash").inner_text()
    assert count_responses() == 2


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_workspace_page_passes_axe(live_server, new_page, make_user, make_project,
                                         add_answer, lang, tmp_path):
    project = make_project()
    add_answer(project.rounds[0])
    admin = make_user(admin=True)
    member = make_user(projects=[project])
    slug = project.slug
    district = project.districts[0]
    # English on a 360 px phone, Swedish on a desktop: both sizes and languages are covered.
    width = 360 if lang == "en" else 1024
    page = new_page(viewport={"width": width, "height": 900})
    log_in(page, live_server.url, admin, lang=lang)
    paths = [
        "/workspace", "/account", "/projects/new", f"/projects/{slug}",
        f"/projects/{slug}/districts/{district.id}", f"/projects/{slug}/rounds/new",
        f"/projects/{slug}/rounds/1", f"/projects/{slug}/rounds/1/edit",
        f"/projects/{slug}/rounds/1/monitor", f"/projects/{slug}/import",
        f"/projects/{slug}/rounds/1/handout?language={lang}", "/admin/users",
        f"/admin/users/{member.id}", f"/projects/{slug}/delete",
    ]
    found = {}
    for path in paths:
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == lang, path
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        if violations := axe_violations(page):
            found[path] = violations
    # Pages with their errors showing: a form sent empty, a token just created.
    page.goto(f"{live_server.url}/projects/new")
    page.locator("form button[type=submit].primary").click()
    if violations := axe_violations(page):
        found["/projects/new (errors)"] = violations
    bad = tmp_path / "bad.csv"
    bad.write_text("round;area;role\n1;Väster;bvc\n", encoding="utf-8")
    page.goto(f"{live_server.url}/projects/{slug}/import")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.locator("form button[type=submit].primary").click()
    assert page.locator(".error-summary").is_visible()
    if violations := axe_violations(page):
        found["/import (errors)"] = violations
    # Personal links: the round page counting them, and a used link as a respondent sees it.
    page.goto(f"{live_server.url}/projects/{slug}/rounds/1")
    page.locator("#count").fill("1")
    with page.expect_download() as download_info:
        page.locator("form:has(#count) button[type=submit]").click()
    csv_text = download_info.value.path().read_text(encoding="utf-8-sig")
    code_path = urlsplit(csv_text.strip().splitlines()[-1].split(";")[-1]).path
    page.goto(f"{live_server.url}/projects/{slug}/rounds/1")
    if violations := axe_violations(page):
        found["/rounds/1 (personal links)"] = violations
    # The shared link now says to use a personal link; the personal link shows the form.
    for path in (f"/r/{project.rounds[0].token}", code_path):
        page.goto(live_server.url + path)
        if violations := axe_violations(page):
            found[path] = violations
    page.goto(f"{live_server.url}/account")
    page.locator("#name").fill("R")
    page.locator("form:has(#name) button[type=submit]").click()
    assert page.locator("#new-token").is_visible()
    if violations := axe_violations(page):
        found["/account (new token)"] = violations
    assert found == {}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_log_out_everywhere_ends_the_login_on_the_phone_too(live_server, new_page, make_user,
                                                            lang):
    """A supporter logged in on her laptop and her phone is told an easy password is refused,
    then logs out everywhere from My account: the phone is logged out as well."""
    words = {"sv": ("inloggad i 2 webbläsare", "Byt lösenord", "för lätt att gissa",
                    "Logga ut överallt", "Du är utloggad i alla webbläsare"),
             "en": ("logged in in 2 browsers", "Change password", "too easy to guess",
                    "Log out everywhere", "You are logged out in every browser")}[lang]
    two_browsers, change, too_easy, everywhere, logged_out = words
    supporter = make_user()
    laptop = new_page(viewport={"width": 1024, "height": 900})
    phone = new_page(viewport={"width": 360, "height": 740})
    for page in (laptop, phone):
        log_in(page, live_server.url, supporter, lang=lang)

    laptop.goto(f"{live_server.url}/account")
    expect(laptop.locator("section[aria-labelledby=sessions-title]")).to_contain_text(
        two_browsers)
    laptop.locator("#current").fill(PASSWORD)
    laptop.locator("#new").fill("aaaaaaaaaa")
    laptop.locator("#confirm").fill("aaaaaaaaaa")
    laptop.get_by_role("button", name=change).click()
    expect(laptop.locator(".error-summary")).to_contain_text(too_easy)
    found = {}
    if violations := axe_violations(laptop):
        found["/account (easy password)"] = violations

    laptop.get_by_role("button", name=everywhere).click()
    laptop.wait_for_url("**/login")
    expect(laptop.locator(".flash")).to_contain_text(logged_out)
    if violations := axe_violations(laptop):
        found["/login (logged out everywhere)"] = violations
    phone.goto(f"{live_server.url}/workspace")
    phone.wait_for_url("**/login**")
    assert found == {}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_project_and_round_tables_fit_a_phone(live_server, new_page, make_project, make_user,
                                              lang):
    project = make_project()
    supporter = make_user(projects=[project])
    page = new_page(viewport=PHONE_VIEWPORT)
    log_in(page, live_server.url, supporter, lang)
    page.goto(f"{live_server.url}/projects/{project.slug}")
    for row in page.locator("table.groupings tbody tr").all():
        for cell in row.locator("td").all():
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"], \
                cell.inner_text()
    # Every action can be seen and tapped without scrolling sideways.
    delete = page.locator("#professions td.actions button").last
    assert delete.bounding_box()["x"] + delete.bounding_box()["width"] <= PHONE_VIEWPORT["width"]
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/projects/{project.slug}/rounds/1")
    links = page.locator("table.stack td code.link")
    assert links.count() == 2
    for i in range(links.count()):
        # A link is read on a line or two, not broken into a column of three letters.
        assert links.nth(i).bounding_box()["width"] > PHONE_VIEWPORT["width"] / 2
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    assert axe_violations(page) == []
