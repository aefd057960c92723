"""The results page: supporters of the project only, filters that keep what was chosen,
every chart with its table, hidden groups nowhere on the page, plotly.js from the app."""

from __future__ import annotations

import json
import re

import pytest

from spindel.extensions import db
from spindel.services.demo import create_demo


@pytest.fixture
def demo(app):
    project = create_demo()
    db.session.commit()
    return project


def figures(html: str) -> dict[str, dict]:
    return {m.group(1): json.loads(m.group(2)) for m in re.finditer(
        r'<script type="application/json" id="figure-([^"]+)">(.*?)</script>', html, re.S)}


def test_results_need_a_login_and_membership(client, auth, make_user, demo, make_project):
    response = client.get("/projects/demo/results")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login(make_user(projects=[make_project()]))
    assert client.get("/projects/demo/results").status_code == 404
    assert client.get("/projects/nope/results").status_code == 404


def test_the_page_has_every_chart_with_its_table(client, auth, make_user, demo):
    auth.login(make_user(projects=[demo]))
    response = client.get("/projects/demo/results")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    found = figures(html)
    assert len(found) >= 20
    assert html.count("<table>") == len(found)
    assert "spider-rounds" in found and "agreement-5" in found
    # Round 6 has no answers yet: no trace, no section, named as not shown.
    assert [t["name"] for t in found["spider-rounds"]["data"]] == [
        f"Mätning {n}" for n in range(1, 6)]
    assert "round-6" not in html
    assert "Mätning 6 – våren 2020" in html
    # Swedish numbers in the tables.
    assert re.search(r'<td class="num">\d,\d</td>', html)
    assert "<script>" not in html and "onclick" not in html  # the CSP forbids inline script
    assert '/assets/plotly.min.js?v=' in html


def test_filters_narrow_the_charts_and_hide_small_groups(client, auth, make_user, demo):
    auth.login(make_user(projects=[demo]))
    html = client.get("/projects/demo/results?round=1&district=bromma&lang=en"
                      ).get_data(as_text=True)
    found = figures(html)
    assert [t["name"] for t in found["spider-rounds"]["data"]] == ["Round 1"]
    # Per profession in one district in one round every group is small: no trace at all.
    assert 'id="chart-spider-professions-1"' in html
    assert "spider-professions-1" not in found
    assert "Nothing to show: no group has enough responses." in html
    assert 'value="1" checked' in html and 'value="bromma" checked' in html
    # The language switch keeps every filter.
    assert "round=1&amp;district=bromma&amp;lang=sv" in html


def test_an_unknown_filter_value_is_explained_at_the_field(client, auth, make_user, demo):
    auth.login(make_user(projects=[demo]))
    response = client.get("/projects/demo/results?round=99&profession=bvc")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="round-error"' in html and "Välj bara bland alternativen" in html
    assert 'value="bvc" checked' in html
    assert not figures(html)


def test_plotly_js_comes_from_the_installed_package_and_is_cached(client):
    response = client.get("/assets/plotly.min.js?v=1")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "no-store" not in response.headers["Cache-Control"]
    assert b"plotly" in response.data[:2000].lower()
