"""Handing out links: the round's link, QR codes, a printable handout and district links
(single-use personal links: test_codes.py)."""

from __future__ import annotations

import io

from sqlalchemy import select

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import Response
from tests.conftest import full_answer, hidden_fields


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
