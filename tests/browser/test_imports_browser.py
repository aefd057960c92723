"""In a real Chromium: a supporter downloads her project's import template, fills it in, is
asked before answers go into the open round, sees the import listed, is refused the same
file twice, and undoes the import — every state of the page passing axe-core (WCAG 2.1 A
and AA), in Swedish on a phone and in English on a laptop."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import func, select

from spindel import instrument as instruments
from spindel.dates import local_today
from spindel.extensions import db
from spindel.models import Response, Round, RoundState
from tests.browser.test_workspace_browser import log_in
from tests.conftest import axe_violations

pytestmark = pytest.mark.browser

WORDS = {
    "sv": {"template": "Ladda ner en mall (Excel)", "import": "Kontrollera och importera",
           "waiting": "Ingenting importerat än", "confirm": "Ja, importera svaren",
           "imported": "3 svar importerade", "again": "redan importerad",
           "undo": "Ångra", "undone": "Importen av mall.xlsx är ångrad: 3 svar togs bort.",
           "listed": "Ångrad"},
    "en": {"template": "Download a template (Excel)", "import": "Check and import",
           "waiting": "Nothing imported yet", "confirm": "Yes, import these answers",
           "imported": "3 answers imported", "again": "imported already",
           "undo": "Undo", "undone": "The import of mall.xlsx is undone: 3 answers removed.",
           "listed": "Undone"},
}


def count_responses() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Response))


@pytest.mark.parametrize(("lang", "width", "height"), [("sv", 360, 740), ("en", 1366, 768)])
def test_a_template_filled_in_imported_into_the_open_round_and_undone(
        live_server, new_page, make_user, make_project, tmp_path, lang, width, height):
    words = WORDS[lang]
    project = make_project(state=RoundState.CLOSED)
    project.rounds.append(Round(number=2, label="Mätning 2", state=RoundState.OPEN,
                                opens_on=local_today()))
    db.session.commit()
    supporter = make_user(projects=[project])
    page = new_page(viewport={"width": width, "height": height}, accept_downloads=True)
    log_in(page, live_server.url, supporter, lang=lang)
    address = f"{live_server.url}/projects/{project.slug}/import"
    found = {}

    def check(state: str) -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= width, state
        if violations := axe_violations(page):
            found[state] = violations

    page.goto(address)
    check("empty")
    with page.expect_download() as download:
        page.get_by_role("link", name=words["template"]).click()
    assert download.value.suggested_filename.startswith(project.slug)
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = book.worksheets[0]
    professions = [p.label(lang) for p in project.professions]
    items = instruments.for_project(project).items
    for n in range(3):
        sheet.append([2, "Söder", professions[n], *[n + 4] * len(items)])
    filled = tmp_path / "mall.xlsx"
    book.save(filled)

    page.locator("input[type=file]").set_input_files(str(filled))
    with page.expect_navigation():
        page.get_by_role("button", name=words["import"]).click()
    expect(page.locator("#import-confirm")).to_contain_text(words["waiting"])
    expect(page.locator("#import-confirm")).to_contain_text("Mätning 2")
    assert count_responses() == 0
    check("waiting for confirmation")

    page.locator("input[type=file]").set_input_files(str(filled))
    page.get_by_label(words["confirm"]).check()
    with page.expect_navigation():
        page.get_by_role("button", name=words["import"]).click()
    expect(page.locator(".flash")).to_contain_text(words["imported"])
    assert count_responses() == 3
    rows = page.locator("table.imports tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("mall.xlsx")
    expect(rows.first).to_contain_text(local_today().isoformat())
    check("imported")

    page.locator("input[type=file]").set_input_files(str(filled))
    with page.expect_navigation():
        page.get_by_role("button", name=words["import"]).click()
    expect(page.locator(".field-error")).to_contain_text(words["again"])
    assert count_responses() == 3
    check("the same file again")

    with page.expect_navigation():
        rows.first.get_by_role("button", name=words["undo"]).click()
    expect(page.locator(".flash")).to_contain_text(words["undone"])
    expect(page.locator("table.imports tbody tr").first).to_contain_text(words["listed"])
    assert count_responses() == 0
    check("undone")
    assert found == {}
