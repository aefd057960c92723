"""Personal single-use links: a supporter makes them in the workspace and downloads a CSV for
a mail merge; each link takes one answer, and opening a link never tells whether it has been
used. Every test here runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, inspect, select

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import AccessCode, Response
from spindel.services.codes import code_by_text
from tests.conftest import full_answer, hidden_fields, post_form


@pytest.fixture
def app(app, backend):
    """The client, the project and the supporter of every test here on both databases."""
    return app


def download_links(client, project, count: int) -> list[str]:
    """Press "Make personal links (CSV)" on the round's page; the links as the CSV has them."""
    reply = post_form(client, f"/projects/{project.slug}/rounds/1/codes", {"count": str(count)})
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert "attachment" in reply.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(reply.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0] == ["number", "round", "link"] and len(rows) == count + 1
    return [row[2] for row in rows[1:]]


class Respondent:
    """Someone's own browser: its own cookies, and every request in an app context of its
    own, so nothing of the supporter's requests (her login, kept on the test's app context)
    shows on the respondent's pages."""

    def __init__(self, app):
        self.app, self.client = app, app.test_client()

    def get(self, path: str):
        with self.app.app_context():
            return self.client.get(path)

    def post(self, path: str, data: dict):
        with self.app.app_context():
            return self.client.post(path, data=data)


def code_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def is_used(link: str) -> bool:
    db.session.expire_all()  # the answer was stored by another request's session
    return code_by_text(code_of(link)).used


def count_responses() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def test_every_link_in_the_downloaded_csv_opens_the_form_and_takes_one_answer(
        app, client, login_as, make_project):
    project = make_project()
    login_as(projects=[project])
    links = download_links(client, project, 3)
    assert len(set(links)) == 3
    # Only hashes are kept: no code appears in what the database stores.
    stored = db.session.scalars(select(AccessCode.code_hash)).all()
    assert len(stored) == 3 and not any(code_of(link) in h for link in links for h in stored)

    instrument = instruments.for_project(project)
    for n, link in enumerate(links, start=1):
        url = urlsplit(link)
        assert url.scheme == "http" and url.netloc == "localhost"  # the test client's host
        respondent = Respondent(app)  # someone else's phone, not the supporter's browser
        page = respondent.get(url.path)
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert '<form method="post"' in html and 'name="profession"' in html
        assert "Skicka mitt svar" in html
        assert not is_used(link)
        sent = respondent.post(url.path, data={**hidden_fields(html),
                                               **full_answer(instrument, value=str(n))})
        assert sent.status_code == 303
        thanks = respondent.get(sent.headers["Location"])
        assert thanks.status_code == 200 and "Tack för ditt svar!" in thanks.get_data(True)
        assert is_used(link) and count_responses() == n

    page = client.get(f"/projects/{project.slug}/rounds/1").get_data(as_text=True)
    assert "3 personliga länkar skapade, 3 använda." in page
    # The response table has no column that could point at a code.
    columns = {c["name"] for c in inspect(db.engine).get_columns("response")}
    assert not any("code" in c for c in columns)


def test_a_round_with_personal_links_takes_no_answer_through_its_shared_link(
        client, login_as, make_project):
    project = make_project()
    login_as(projects=[project])
    download_links(client, project, 1)
    shared = client.get(f"/r/{project.rounds[0].token}")
    html = shared.get_data(as_text=True)
    assert shared.status_code == 200 and "personliga länkar" in html
    assert 'name="profession"' not in html


def without_secrets(html: str, link: str) -> str:
    """The page with its per-load values blanked: CSRF token, submission key, and the code
    itself (in the language switch's link, which points back at the page)."""
    html = html.replace(code_of(link), "CODE")
    return re.sub(r'(<input[^>]*name="(?:csrf_token|submission_key)"[^>]*value=")[^"]*"',
                  r'\1"', html)


def test_opening_a_personal_link_shows_the_same_page_whether_it_was_used_or_not(
        app, client, login_as, make_project):
    """Whoever holds the mail-merge list must not learn who has answered by opening links."""
    project = make_project()
    login_as(projects=[project])
    used, unused = (urlsplit(link).path for link in download_links(client, project, 2))
    instrument = instruments.for_project(project)
    respondent = Respondent(app)
    form = respondent.get(used).get_data(as_text=True)
    assert respondent.post(used, data={**hidden_fields(form),
                                       **full_answer(instrument)}).status_code == 303
    assert is_used(used) and count_responses() == 1

    def opened(path: str):
        reply = Respondent(app).get(path)
        return (reply.status_code, without_secrets(reply.get_data(as_text=True), path),
                sorted((k, v) for k, v in reply.headers.items() if k != "Set-Cookie"),
                sorted(k for k, _ in reply.headers.items()))

    page = opened(used)
    assert page == opened(unused)
    assert page[0] == 200 and 'name="profession"' in page[1]
    assert not is_used(unused)  # opening it used nothing up
    # A form sent with an answer missing is refused alike, before the code is looked at.
    incomplete = full_answer(instrument)
    incomplete.pop("profession")

    def sent_incomplete(path: str):
        visitor = Respondent(app)
        html = visitor.get(path).get_data(as_text=True)
        reply = visitor.post(path, data={**hidden_fields(html), **incomplete})
        return reply.status_code, without_secrets(reply.get_data(as_text=True), path)

    assert sent_incomplete(used) == sent_incomplete(unused)
    assert sent_incomplete(unused)[0] == 422
    assert not is_used(unused) and count_responses() == 1
    # Only an answer sent in full tells, and through the unused link it is taken.
    form = respondent.get(unused).get_data(as_text=True)
    assert respondent.post(unused, data={**hidden_fields(form),
                                         **full_answer(instrument)}).status_code == 303
    assert is_used(unused) and count_responses() == 2
    # An unknown code has no round to show: a 404 that says nothing about the codes handed out.
    assert client.get("/r/c/not-a-real-code-at-all").status_code == 404


def test_an_answer_through_a_used_link_is_refused_and_what_was_typed_is_kept(
        app, client, login_as, make_project):
    project = make_project()
    login_as(projects=[project])
    path = urlsplit(download_links(client, project, 1)[0]).path
    instrument = instruments.for_project(project)
    first, second = Respondent(app), Respondent(app)  # a colleague took her link first
    first_form = first.get(path).get_data(as_text=True)
    second_form = second.get(path).get_data(as_text=True)
    assert first.post(path, data={**hidden_fields(first_form),
                                  **full_answer(instrument)}).status_code == 303

    refused = second.post(path, data={**hidden_fields(second_form),
                                      **full_answer(instrument, profession="bmm", value="9")})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 410
    assert "Ditt svar sparades inte" in html and "redan använts" in html
    assert 'role="alert"' in html
    assert 'value="bmm" checked' in html
    for key in instrument.item_keys:
        assert re.search(rf'name="item_{key}"\s+value="9"[^>]*\schecked', html), key
    assert count_responses() == 1
    # Sending it again changes nothing.
    again = second.post(path, data={**hidden_fields(html),
                                    **full_answer(instrument, profession="bmm", value="9")})
    assert again.status_code == 410 and count_responses() == 1


def test_a_double_click_with_a_personal_link_stores_once_and_thanks_twice(
        client, login_as, make_project):
    project = make_project()
    login_as(projects=[project])
    path = urlsplit(download_links(client, project, 1)[0]).path
    form = client.get(path).get_data(as_text=True)
    data = {**hidden_fields(form), **full_answer(instruments.for_project(project))}
    assert client.post(path, data=data).status_code == 303
    assert client.post(path, data=data).status_code == 303
    assert count_responses() == 1


def test_personal_link_paths_are_redacted_in_logs():
    from spindel.security import redact

    assert "abcdefghijklmnop" not in redact("GET /r/c/abcdefghijklmnop HTTP/1.1")
    assert "abcdefghijklmnop" not in redact("GET /r/c/abcdefghijklmnop/thanks HTTP/1.1")
    assert "abcdefghijklmnop" not in redact("GET /r/abcdefghijklmnop/d/north HTTP/1.1")
