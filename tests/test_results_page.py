"""The results page: supporters of the project only; rounds side by side and one group choice
(all, one profession or one district) that keeps what was chosen; every chart with its table;
per round where the published figures stand; a clear 400 for anything that would add groups
together or cross them; plotly.js from the app."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import RoundState
from spindel.services.demo import create_demo


@pytest.fixture
def demo(app):
    project = create_demo()
    db.session.commit()
    return project


def figures(html: str) -> dict[str, dict]:
    return {m.group(1): json.loads(m.group(2)) for m in re.finditer(
        r'<script type="application/json" id="figure-([^"]+)">(.*?)</script>', html, re.S)}


def text(html: str) -> str:
    """The page as a reader sees it: tags gone, white space collapsed."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".")


def notes(html: str) -> list[str]:
    """The sentences under "About the figures", one per round."""
    section = re.search(r'<section class="round-notes".*?</section>', html, re.S)
    return [text(li).strip() for li in re.findall(r"<li>(.*?)</li>", section.group(0), re.S)]


def close(round_) -> None:
    round_.state = RoundState.CLOSED
    db.session.commit()


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
    assert "spider-professions-5" in found and "spider-districts-5" in found
    # Round 6 is still open, with answers: on the spider and its agreement chart as a whole,
    # no professions and districts yet, and a sentence says why.
    assert [t["name"].split(" (")[0] for t in found["spider-rounds"]["data"]
            if t["type"] == "scatterpolar"] == [
        f"Mätning {n}" for n in range(1, 7)]
    assert "agreement-6" in found
    assert "spider-professions-6" not in found and "spider-districts-6" not in found
    said = notes(html)
    assert len(said) == 6
    assert said[0].startswith("Mätning 1 – hösten 2018: siffrorna bygger på alla ")
    assert said[5].startswith("Mätning 6 – våren 2021 har inte stängt än: siffrorna bygger på ")
    assert said[5].endswith("Yrkesgrupper och stadsdelsområden visas när mätningen har stängt.")
    # Swedish numbers in the tables.
    assert re.search(r'<td class="num">\d,\d</td>', html)
    assert "<script>" not in html and "onclick" not in html  # the CSP forbids inline script
    assert '/assets/plotly.min.js?v=' in html


@pytest.mark.parametrize("lang, heading, sources", [("sv", "Om instrumentet", "Källor"),
                                                     ("en", "About the instrument", "Sources")])
def test_the_page_ends_with_the_instruments_notice_and_sources(client, auth, make_user, demo,
                                                               lang, heading, sources):
    """Issue 13: wherever results are shown, the reader learns that the questions and the
    scale are a reconstruction, and which sources the instrument rests on."""
    instrument = instruments.for_project(demo)
    auth.login(make_user(projects=[demo]))
    html = client.get(f"/projects/demo/results?lang={lang}").get_data(as_text=True)
    footer = re.search(r'<footer class="instrument-about".*?</footer>', html, re.S).group(0)
    shown = unescape(text(footer))
    assert heading in shown and sources in shown
    assert f"version {instrument.version}" in shown
    assert instrument.notice.get(lang) in shown
    for reference in instrument.references:
        assert reference.get(lang) in shown
    assert html.index(footer) > html.rindex('class="chart-block"')  # after the charts


def test_one_group_is_one_select_and_is_kept(client, auth, make_user, demo):
    auth.login(make_user(projects=[demo]))
    html = client.get("/projects/demo/results?round=1&group=district:skarpnack&lang=en"
                      ).get_data(as_text=True)
    found = figures(html)
    assert [t["name"].split(" (")[0] for t in found["spider-rounds"]["data"]
            if t["type"] == "scatterpolar"] == ["Round 1"]
    # One district: no breakdown by profession inside it, ever.
    assert not any(key.startswith(("spider-professions", "spider-districts",
                                   "dimensions-professions")) for key in found)
    assert "agreement-1" in found
    # One field for the group: all, or one profession, or one district.
    select = re.search(r'<select[^>]*name="group".*?</select>', html, re.S).group(0)
    assert '<option value="">All answers</option>' in select
    assert '<optgroup label="Professions">' in select
    assert '<optgroup label="Districts">' in select
    assert '<option selected value="district:skarpnack">Skarpnäck</option>' in select
    assert 'value="1" checked' in html
    # The language switch keeps the filter.
    assert "round=1&amp;group=district%3Askarpnack&amp;lang=sv" in html


BOTH = "Välj en yrkesgrupp eller ett stadsdelsområde, inte båda"
TWO = "Välj högst en yrkesgrupp eller ett stadsdelsområde: grupper slås aldrig ihop."


@pytest.mark.parametrize("query, message", [
    ("group=profession:bvc&group=district:skarpnack", BOTH),
    ("group=profession:bvc&group=profession:bmm", TWO),
    # The arguments of older addresses: one group still works, two are refused the same way.
    ("profession=bvc&district=skarpnack", BOTH),
    ("profession=bvc&profession=bmm", TWO),
])
def test_two_groups_are_refused_at_the_field_never_added_or_crossed(client, auth, make_user,
                                                                    demo, query, message):
    auth.login(make_user(projects=[demo]))
    response = client.get(f"/projects/demo/results?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="group-error"' in html and message in html
    assert 'href="#group"' in html  # the error summary leads to the field
    assert not figures(html)


def test_an_unknown_filter_value_is_explained_at_the_field(client, auth, make_user, demo):
    auth.login(make_user(projects=[demo]))
    response = client.get("/projects/demo/results?round=99&group=profession:bvc")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="round-error"' in html and "Välj bara bland alternativen" in html
    assert '<option selected value="profession:bvc">' in html
    assert not figures(html)
    response = client.get("/projects/demo/results?group=profession:nobody")
    assert response.status_code == 400
    assert 'id="group-error"' in response.get_data(as_text=True)
    # An older address with one profession still works.
    html = client.get("/projects/demo/results?round=2&profession=bvc").get_data(as_text=True)
    assert '<option selected value="profession:bvc">' in html and figures(html)


def test_an_open_round_shows_its_total_in_steps_of_k(client, login_as, make_project, rate):
    project = make_project(min_group_size=5)
    login_as(projects=[project])
    round_ = project.rounds[0]
    url = f"/projects/{project.slug}/results"
    rate(round_, times=4, base=3)
    html = client.get(url).get_data(as_text=True)
    assert notes(html) == ["Mätning 1: färre än 5 svar hittills. Siffrorna visas efter 1 svar "
                           "till."]
    assert "Ingen av de valda mätningarna har siffror att visa än." in text(html)
    assert not figures(html)

    rate(round_, times=2, base=3, profession="bmm")  # 6 answers: the first release
    html = client.get(url).get_data(as_text=True)
    found = figures(html)
    assert found["spider-rounds"]["data"][0]["r"][0] == 3
    assert notes(html) == ["Mätning 1 har inte stängt än: siffrorna bygger på 6 svar och "
                           "uppdateras efter 5 svar till. Yrkesgrupper och stadsdelsområden "
                           "visas när mätningen har stängt."]
    # While open: the whole round only (agreement), no professions or districts.
    assert "agreement-1" in found
    assert not any(key.startswith(("spider-professions", "spider-districts")) for key in found)

    rate(round_, times=3, base=9)  # fewer than k new answers: the figures do not move
    html = client.get(url).get_data(as_text=True)
    assert figures(html)["spider-rounds"]["data"][0]["r"][0] == 3
    assert "uppdateras efter 2 svar till" in notes(html)[0]

    close(round_)  # closed with 3 late answers: the release becomes the publication
    html = client.get(url).get_data(as_text=True)
    found = figures(html)
    assert found["spider-rounds"]["data"][0]["r"][0] == 3
    assert notes(html) == ["Mätning 1: siffrorna bygger på 6 svar; 3 svar är inte med än."]
    assert 'id="chart-spider-professions-1"' in html and 'id="chart-spider-districts-1"' in html
    # BMM (2 answers) is hidden, and BVC with it, since it would follow from the total.
    assert "spider-professions-1" not in found
    assert ("Inget att visa: alla grupper döljs för att skydda anonymiteten (färre än 5 "
            "svar, eller så skulle en liten grupp kunna räknas fram).") in html


def test_a_group_hidden_in_a_round_is_said_in_words(client, login_as, make_project, rate):
    project = make_project(rounds=2, min_group_size=5)
    login_as(projects=[project])
    first, second = project.rounds
    rate(first, times=6, profession="bvc", base=4)
    rate(first, times=2, profession="bmm", base=8)
    close(first)
    rate(second, times=7, profession="bvc", base=6)
    html = client.get(f"/projects/{project.slug}/results?group=profession:bmm"
                      ).get_data(as_text=True)
    said = notes(html)
    assert said[0].endswith("Barnmorskemottagning (BMM) visas inte i den här mätningen, för "
                            "att skydda anonymiteten (färre än 5 svar, eller så skulle en liten "
                            "grupp kunna räknas fram).")
    assert said[1].endswith("Barnmorskemottagning (BMM) visas när mätningen har stängt.")
    assert ("Ingen av de valda mätningarna visar siffror för Barnmorskemottagning (BMM) än."
            in text(html))
    assert not figures(html)
    # Neither is BVC in round 1 (it would give BMM away); the open round 2 waits.
    html = client.get(f"/projects/{project.slug}/results?group=profession:bvc"
                      ).get_data(as_text=True)
    assert not figures(html)
    assert notes(html)[1].endswith("Barnavårdscentral (BVC) visas när mätningen har stängt.")


def test_plotly_js_comes_from_the_installed_package_and_is_cached(client):
    response = client.get("/assets/plotly.min.js?v=1")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "no-store" not in response.headers["Cache-Control"]
    assert b"plotly" in response.data[:2000].lower()
