"""The downloads page and its files, for supporters; raw answers for admins only; the
`spindel export` command. The filter is the results page's: rounds side by side and one group
choice; anything else is a 400 with the reason, never a 500."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook
from pptx import Presentation

from spindel.extensions import db
from spindel.models import RoundState
from spindel.services.exports import images
from tests.conftest import SMALL_GROUP, png_size


@pytest.fixture
def supporter(auth, make_user, project_with_small_group):
    auth.login(make_user(projects=[project_with_small_group]))
    return project_with_small_group


@pytest.fixture
def admin(auth, make_user, project_with_small_group):
    auth.login(make_user(admin=True))
    return project_with_small_group


@pytest.fixture
def shared_engine(app, monkeypatch, export_engine):
    """The routes use the app's engine: hand them the session's kept Chromium."""
    monkeypatch.setitem(app.extensions, "spindel_export_engine", export_engine)
    return export_engine


def base(project) -> str:
    return f"/projects/{project.slug}/exports"


def test_the_page_needs_a_login_and_the_project(client, make_project, make_user, auth):
    project = make_project()
    reply = client.get(base(project))
    assert reply.status_code == 302 and reply.headers["Location"].startswith("/login")
    auth.login(make_user())  # a supporter of other projects
    assert client.get(base(project)).status_code == 404


def test_the_page_lists_the_downloads(client, supporter, shared_engine):
    page = client.get(base(supporter) + "?export_lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for href in ("deck.pptx?export_lang=en", "results.xlsx?export_lang=en",
                 "results.csv?export_lang=en"):
        assert f'{base(supporter)}/{href}' in html
    assert "raw-answers" not in html


def test_the_page_offers_rounds_and_one_group_and_its_links_carry_them(client, supporter):
    for round_ in supporter.rounds:  # closed: professions and districts are published
        round_.state = RoundState.CLOSED
    db.session.commit()
    html = client.get(base(supporter) + "?lang=en").get_data(as_text=True)
    assert html.count('type="checkbox" id="round-') == 2
    assert html.count('name="group"') == 1  # one select: all, one profession or one district
    for name in ("profession", "district", "professions", "districts"):
        assert f'name="{name}"' not in html
    assert '<option selected value="">' in html or '<option value="" selected' in html
    assert "/charts/spider-professions-2.png" in html
    html = client.get(base(supporter) + "?round=1&round=2&group=profession:bvc&export_lang=en"
                      ).get_data(as_text=True)
    query = "export_lang=en&amp;round=1&amp;round=2&amp;group=profession:bvc"
    for name in ("deck.pptx", "results.xlsx", "results.csv", "charts/spider-rounds.png"):
        assert f"{base(supporter)}/{name}?{query}" in html
    assert "/charts/spider-professions-" not in html  # never a profession within a district


def test_a_supporter_gets_404_for_raw_answers_an_admin_gets_the_file(client, supporter, auth,
                                                                    make_user):
    assert client.get(base(supporter) + "/raw-answers.xlsx").status_code == 404
    auth.logout()
    auth.login(make_user(admin=True))
    assert "raw-answers.xlsx" in client.get(base(supporter)).get_data(as_text=True)
    # Next to the link: what k-anonymous means here, and the residual risk (disclosure.md).
    html = client.get(base(supporter) + "?lang=en").get_data(as_text=True)
    hint = html[html.index("raw-answers.xlsx"):].split("</li>")[0]
    assert "k-anonymous" in hint and "at least 5 answers" in hint
    assert "only under a data-processing agreement" in hint
    html = client.get(base(supporter) + "?lang=sv").get_data(as_text=True)
    assert "personuppgiftsbiträdesavtal" in html
    response = client.get(base(supporter) + "/raw-answers.xlsx?export_lang=sv")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.data)).sheetnames == ["Varning", "Svar"]


def test_deck_workbook_and_csv_download(client, supporter):
    response = client.get(base(supporter) + "/deck.pptx?export_lang=en&round=2")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    titles = [s.shapes.title.text for s in Presentation(io.BytesIO(response.data)).slides]
    assert "By profession – Mätning 2" in titles
    response = client.get(base(supporter) + "/results.xlsx?export_lang=sv")
    assert load_workbook(io.BytesIO(response.data)).sheetnames[1] == "Per mätning"
    # Swedish (the default here) for Swedish Excel, English for scripts.
    response = client.get(base(supporter) + "/results.csv")
    assert response.data.startswith("\ufeffTabell;Urval;Mätning;".encode())
    assert response.mimetype == "text/csv"
    response = client.get(base(supporter) + "/results.csv?export_lang=en")
    assert response.data.startswith(b"\xef\xbb\xbfbreakdown,filter,round,")


def test_a_filtered_download_holds_that_group_round_by_round(client, supporter):
    for round_ in supporter.rounds:
        round_.state = RoundState.CLOSED
    db.session.commit()
    response = client.get(base(supporter) + "/results.csv?round=2&group=district:north"
                                            "&export_lang=en")
    assert response.status_code == 200
    assert '-2-north-en.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert {(r["breakdown"], r["round"], r["filter"]) for r in rows} == {
        ("round", "2", "district:north"), ("none", "2", "district:north")}
    titles = [s.shapes.title.text for s in Presentation(io.BytesIO(client.get(
        base(supporter) + "/deck.pptx?group=profession:bvc&export_lang=en").data)).slides]
    assert not any(t.startswith(("By profession", "By district")) for t in titles)


INVALID = {
    "round=99": "Choose only from the list.",
    "round=abc": "Choose only from the list.",
    "group=profession:nope": "Choose only from the list.",
    "group=profession:bvc&group=district:north": "Choose one profession or one district",
    "group=profession:bvc&group=profession:bmm": "Choose at most one profession",
    "profession=bvc&district=north": "Choose one profession or one district",
}


@pytest.mark.parametrize("path", ["", "/deck.pptx", "/results.xlsx", "/results.csv",
                                  "/charts/trend.png"])
def test_a_filter_spindel_does_not_publish_is_a_400_that_says_why(client, supporter, path):
    for query, reason in INVALID.items():
        response = client.get(f"{base(supporter)}{path}?{query}&lang=en")
        assert response.status_code == 400, query
        assert reason in response.get_data(as_text=True), query


def test_the_page_says_so_when_chromium_is_missing(app, client, supporter, monkeypatch,
                                                   tmp_path):
    monkeypatch.setitem(app.extensions, "spindel_export_engine",
                        images.ExportEngine(str(tmp_path / "no-chromium")))
    page = client.get(base(supporter) + "?lang=en")
    assert page.status_code == 200
    assert "Chart images cannot be made right now" in page.get_data(as_text=True)
    assert client.get(base(supporter) + "/deck.pptx").status_code == 200


# --- chart images (need the results helper's charts) ---------------------------------------


@pytest.fixture
def chart_keys(app, supporter):
    return [c.key for c in images.seminar_charts(supporter, "sv")]


def test_each_chart_downloads_as_png_svg_and_pdf(client, supporter, chart_keys,
                                                 shared_engine):
    key = chart_keys[0]
    png = client.get(f"{base(supporter)}/charts/{key}.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png_size(png.data)[0] >= 1600
    svg = client.get(f"{base(supporter)}/charts/{key}.svg?export_lang=en")
    assert ET.fromstring(svg.data).tag.endswith("svg")
    assert b"fewer than 5 responses are hidden" in svg.data
    pdf = client.get(f"{base(supporter)}/charts/{key}.pdf")
    assert pdf.data.startswith(b"%PDF")
    svg = client.get(f"{base(supporter)}/charts/{key}.svg?group=profession:bvc&export_lang=en")
    assert b"Only: Child health centre (BVC)" in svg.data
    assert client.get(f"{base(supporter)}/charts/nope.png").status_code == 404
    assert client.get(f"{base(supporter)}/charts/{key}.gif").status_code == 404


def test_a_chart_download_when_chromium_is_missing_is_a_page_not_a_500(
        app, client, supporter, chart_keys, monkeypatch, tmp_path):
    monkeypatch.setitem(app.extensions, "spindel_export_engine",
                        images.ExportEngine(str(tmp_path / "no-chromium")))
    response = client.get(f"{base(supporter)}/charts/{chart_keys[0]}.png?lang=en")
    assert response.status_code == 503
    assert "Chart images cannot be made right now" in response.get_data(as_text=True)


def test_the_hidden_group_is_in_no_chart_trace_or_table(app, supporter, chart_keys):
    for round_ in supporter.rounds:
        round_.state = RoundState.CLOSED
    db.session.commit()
    charts = images.seminar_charts(supporter, "sv", [2])
    assert "spider-professions-2" in [c.key for c in charts]
    for chart in charts:
        names = [trace.name or "" for trace in chart.figure.data]
        cells = [cell for row in chart.table for cell in row]
        for text in names + cells:
            assert SMALL_GROUP["label"] not in text
            assert SMALL_GROUP["district_label"] not in text


# --- spindel export ------------------------------------------------------------------------


def test_cli_writes_deck_workbook_and_csv(app, project_with_small_group, tmp_path):
    runner = app.test_cli_runner()
    slug = project_with_small_group.slug
    for fmt in ("pptx", "xlsx", "csv"):
        out = tmp_path / f"out.{fmt}"
        result = runner.invoke(args=["export", slug, "--format", fmt, "--out", str(out),
                                     "--round", "2", "--lang", "en"])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    assert Presentation(tmp_path / "out.pptx").slides[2].shapes.title.text == \
        "All chosen rounds"
    result = runner.invoke(args=["export", slug, "--format", "csv", "--out",
                                 str(tmp_path / "bvc.csv"), "--round", "1", "--round", "2",
                                 "--profession", "bvc", "--lang", "en"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "bvc.csv").read_text("utf-8-sig"))))
    assert {(r["round"], r["filter"]) for r in rows} == {("1", "profession:bvc"),
                                                          ("2", "profession:bvc")}


def test_cli_refuses_unknown_project_and_round(app, project_with_small_group, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export", "nope", "--format", "csv", "--out",
                                 str(tmp_path / "x.csv")])
    assert result.exit_code != 0 and "no project" in result.output
    result = runner.invoke(args=["export", project_with_small_group.slug, "--format", "csv",
                                 "--out", str(tmp_path / "x.csv"), "--round", "9"])
    assert result.exit_code != 0 and "no round 9" in result.output
    result = runner.invoke(args=["export", project_with_small_group.slug, "--format", "csv",
                                 "--out", str(tmp_path / "x.csv"), "--profession", "bvc",
                                 "--district", "north"])
    assert result.exit_code != 0 and "not both" in result.output
    result = runner.invoke(args=["export", project_with_small_group.slug, "--format", "csv",
                                 "--out", str(tmp_path / "x.csv"), "--profession", "nope",
                                 "--lang", "en"])
    assert result.exit_code != 0 and "Unknown profession nope" in result.output
    assert not (tmp_path / "x.csv").exists()


def test_cli_writes_every_chart_of_the_seminar_set(app, project_with_small_group, tmp_path,
                                                   chart_keys, shared_engine):
    result = app.test_cli_runner().invoke(args=[
        "export", project_with_small_group.slug, "--format", "png", "--out",
        str(tmp_path / "charts")])
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "charts").glob("*.png"))
    assert len(files) == len(chart_keys)
    assert all(png_size(f.read_bytes())[0] >= 1600 for f in files)
