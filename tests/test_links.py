"""Handing out links: the round's link, QR codes, a printable handout, district links and
single-use personal links."""

from __future__ import annotations

import csv
import io
import logging

from sqlalchemy import func, inspect, select

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import AccessCode, Response
from tests.conftest import full_answer, hidden_fields, post_form


def test_round_page_shows_the_link_and_offers_qr_downloads(client, login_as, make_project):
    project = make_project()
    login_as(projects=[project])
    round_ = project.rounds[0]
    html = client.get(f"/projects/{project.slug}/rounds/1").get_data(as_text=True)
    assert f"/r/{round_.token}" in html
    svg = client.get(f"/projects/{project.slug}/rounds/1/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.get_data(as_text=True).lstrip().startswith("<svg")
    assert "attachment" in svg.headers["Content-Disposition"]
    png = client.get(f"/projects/{project.slug}/rounds/1/qr.png")
    assert png.get_data()[:8] == b"\x89PNG\r\n\x1a\n"


def test_qr_codes_encode_the_link_shown_on_the_page(client, login_as, make_project):
    """The downloads are exactly the QR code of the respondent link (and of the district
    link with ?district=), encoded independently here with segno."""
    import segno

    project = make_project()
    login_as(projects=[project])
    token = project.rounds[0].token
    for query, url in (("", f"http://localhost/r/{token}"),
                       ("?district=north", f"http://localhost/r/{token}/d/north")):
        png = client.get(f"/projects/{project.slug}/rounds/1/qr.png{query}").get_data()
        expected = io.BytesIO()
        segno.make(url, error="m").save(expected, kind="png", scale=12, border=2)
        assert png == expected.getvalue()
    assert client.get(f"/projects/{project.slug}/rounds/1/qr.png?district=nowhere"
                      ).status_code == 404


def test_handout_in_swedish_and_english(client, login_as, make_project):
    project = make_project()
    login_as(projects=[project])
    sv = client.get(f"/projects/{project.slug}/rounds/1/handout?language=sv")
    en = client.get(f"/projects/{project.slug}/rounds/1/handout?language=en")
    assert '<html lang="sv">' in sv.get_data(as_text=True)
    assert "Skanna QR-koden" in sv.get_data(as_text=True)
    assert '<html lang="en">' in en.get_data(as_text=True)
    assert "Scan the QR code" in en.get_data(as_text=True)
    assert "<svg" in en.get_data(as_text=True)
    assert project.rounds[0].token in en.get_data(as_text=True)
    assert client.get(f"/projects/{project.slug}/rounds/1/handout?language=de"
                      ).status_code == 404


def test_a_district_link_presets_the_district_and_does_not_ask(client, make_project):
    project = make_project()
    round_ = project.rounds[0]
    page = client.get(f"/r/{round_.token}/d/south")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="district"' not in html and "Söder" in html
    instrument = instruments.for_project(project)
    data = full_answer(instrument, district=None)
    reply = client.post(f"/r/{round_.token}/d/south", data={**hidden_fields(html), **data})
    assert reply.status_code == 303
    response = db.session.scalar(select(Response))
    assert response.district_id == next(d.id for d in project.districts if d.key == "south")
    assert client.get(f"/r/{round_.token}/d/nowhere").status_code == 404


def test_personal_links_work_once_and_the_answer_keeps_no_trace_of_the_code(
        client, app, login_as, make_project, caplog):
    project = make_project()
    login_as(projects=[project])
    reply = post_form(client, f"/projects/{project.slug}/rounds/1/codes", {"count": "3"})
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(reply.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0] == ["number", "round", "link"] and len(rows) == 4
    links = [row[2] for row in rows[1:]]
    assert len(set(links)) == 3
    code = links[0].rsplit("/", 1)[1]
    stored = db.session.scalars(select(AccessCode.code_hash)).all()
    assert len(stored) == 3 and all(code not in h for h in stored)

    round_ = project.rounds[0]
    shared = client.get(f"/r/{round_.token}")
    assert shared.status_code == 200 and "personliga länkar" in shared.get_data(as_text=True)
    assert 'name="profession"' not in shared.get_data(as_text=True)

    instrument = instruments.for_project(project)
    caplog.set_level(logging.INFO, logger="werkzeug")
    path = f"/r/c/{code}"
    form = client.get(path)
    assert form.status_code == 200
    answered = client.post(path, data={**hidden_fields(form.get_data(as_text=True)),
                                       **full_answer(instrument)})
    assert answered.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert db.session.scalar(select(func.count()).select_from(AccessCode)
                             .where(AccessCode.used.is_(True))) == 1
    # The response table has no column that could point at a code.
    columns = {c["name"] for c in inspect(db.engine).get_columns("response")}
    assert not any("code" in c for c in columns)

    again = client.get(path)
    assert again.status_code == 410 and "redan använts" in again.get_data(as_text=True)
    second = client.post(path, data={**hidden_fields(form.get_data(as_text=True)),
                                     "submission_key": "another-key-1234567",
                                     **full_answer(instrument)})
    assert second.status_code == 410
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert client.get("/r/c/not-a-real-code-at-all").status_code == 404


def test_personal_link_paths_are_redacted_in_logs():
    from spindel.security import redact

    assert "abcdefghijklmnop" not in redact("GET /r/c/abcdefghijklmnop HTTP/1.1")
    assert "abcdefghijklmnop" not in redact("GET /r/c/abcdefghijklmnop/thanks HTTP/1.1")
    assert "abcdefghijklmnop" not in redact("GET /r/abcdefghijklmnop/d/north HTTP/1.1")


def test_a_double_click_with_a_personal_link_stores_once_and_thanks_twice(client, login_as,
                                                                          make_project):
    project = make_project()
    login_as(projects=[project])
    reply = post_form(client, f"/projects/{project.slug}/rounds/1/codes", {"count": "1"})
    link = reply.get_data(as_text=True).strip().splitlines()[-1].split(";")[-1]
    path = "/r/c/" + link.rsplit("/", 1)[1]
    form = client.get(path).get_data(as_text=True)
    data = {**hidden_fields(form), **full_answer(instruments.for_project(project))}
    assert client.post(path, data=data).status_code == 303
    assert client.post(path, data=data).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
