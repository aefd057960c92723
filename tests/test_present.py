"""Presentation mode without a browser: who may open it, the setup form with its one group
choice, slide data that shows only published cells of releases, and a clear 400 for anything
that would add groups together or cross them."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import RoundState
from tests.conftest import AuthActions


@pytest.fixture
def supporter_of(make_user, client):
    def factory(project):
        user = make_user(projects=[project])
        AuthActions(client).login(user)
        return user

    return factory


def slides_url(project, **args) -> str:
    query = {"rounds": [r.number for r in project.rounds]}
    query.update(args)
    parts = []
    for name, values in query.items():
        for value in values if isinstance(values, list) else [values]:
            parts.append(f"{name}={value}")
    return f"/projects/{project.slug}/present/slides?" + "&".join(parts)


def data_url(project, key, **args) -> str:
    page = slides_url(project, **args)
    path, query = page.split("?", 1)
    return f"{path}/{key}.json?{query}"


def close(round_) -> None:
    round_.state = RoundState.CLOSED
    db.session.commit()


def test_anonymous_visitors_are_sent_to_log_in(client, make_project):
    project = make_project()
    for url in (f"/projects/{project.slug}/present", slides_url(project),
                data_url(project, "spider-rounds")):
        reply = client.get(url)
        assert reply.status_code == 302
        assert "/login" in reply.headers["Location"]


def test_a_supporter_of_another_project_gets_404(client, make_project, supporter_of):
    mine, other = make_project(), make_project()
    supporter_of(mine)
    assert client.get(f"/projects/{mine.slug}/present").status_code == 200
    for url in (f"/projects/{other.slug}/present", slides_url(other),
                data_url(other, "spider-rounds")):
        assert client.get(url).status_code == 404
    assert client.get("/projects/no-such-project/present").status_code == 404


def test_setup_offers_every_round_one_group_and_the_open_round(client, make_project,
                                                              supporter_of):
    project = make_project(rounds=2)
    close(project.rounds[0])
    supporter_of(project)
    html = client.get(f"/projects/{project.slug}/present").get_data(as_text=True)
    assert 'method="get"' in html
    for label in ("Mätning 1", "Mätning 2"):
        assert label in html
    # One select for whose answers: all, one profession or one district.
    assert '<select aria-describedby="group-hint" id="group" name="group">' in html
    assert '<option selected value="">Alla svar</option>' in html
    assert '<option value="profession:bvc">Barnavårdscentral (BVC)</option>' in html
    assert '<option value="district:south">Söder</option>' in html
    assert 'name="professions"' not in html and 'name="districts"' not in html
    # The open round is chosen to answer now.
    assert '<option selected value="2">' in html or '<option value="2" selected>' in html


def test_an_empty_choice_is_explained_at_the_field_and_keeps_the_rest(client, make_project,
                                                                      supporter_of):
    project = make_project(rounds=2)
    supporter_of(project)
    reply = client.get(slides_url(project, rounds=[], live=2, group="district:north"))
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert "Välj minst en mätning." in html
    assert '<option selected value="district:north">Norr</option>' in html
    # Nonsense never becomes a 500.
    assert client.get(slides_url(project, rounds=["x"])).status_code == 422
    assert client.get(slides_url(project, live="99")).status_code == 422
    assert client.get(slides_url(project, live="x")).status_code == 422
    assert client.get(slides_url(project, group="profession:nobody")).status_code == 422
    assert client.get(data_url(project, "trend", rounds=["x"])).status_code == 400
    assert client.get(data_url(project, "no-such-slide")).status_code == 404
    assert client.get(data_url(project, "title")).status_code == 404


BOTH = "Välj en yrkesgrupp eller ett stadsdelsområde, inte båda"
TWO = "Välj högst en yrkesgrupp eller ett stadsdelsområde: grupper slås aldrig ihop."


@pytest.mark.parametrize("group, message", [
    ({"group": ["profession:bvc", "profession:bmm"]}, TWO),
    ({"group": ["profession:bvc", "district:north"]}, BOTH),
    # The arguments of the presentation's older addresses are read, and refused the same way.
    ({"professions": ["bvc", "bmm"]}, TWO),
    ({"professions": "bvc", "districts": "north"}, BOTH),
])
def test_two_groups_are_refused_never_added_together_or_crossed(client, make_project,
                                                               supporter_of, rate, group,
                                                               message):
    project = make_project(min_group_size=3)
    supporter_of(project)
    rate(project.rounds[0], times=3, profession="bvc")
    rate(project.rounds[0], times=3, profession="bmm")
    close(project.rounds[0])
    for key in ("spider-rounds", "trend", "agreement", "points"):
        reply = client.get(data_url(project, key, **group))
        assert reply.status_code == 400, key
        assert reply.is_json and message in reply.get_json()["error"]
        assert "figure" not in reply.get_json()
    page = client.get(slides_url(project, **group))
    assert page.status_code == 422 and message in page.get_data(as_text=True)


def test_slides_show_the_qr_code_of_the_round_and_every_slide(client, make_project,
                                                             supporter_of):
    project = make_project()
    supporter_of(project)
    html = client.get(slides_url(project, live=1)).get_data(as_text=True)
    round_ = project.rounds[0]
    # The short link, to scan and to type; it leads on to the round's link.
    assert f"localhost/s/{round_.short_code}</p>" in html and "<svg" in html
    assert 'viewBox="0 0' in html  # the QR code is as large as the slide makes it
    assert client.get(f"/s/{round_.short_code}").headers["Location"] == f"/r/{round_.token}"
    for key in ("title", "answer", "spider-rounds", "spider-professions", "spider-districts",
                "dimensions-rounds", "agreement", "trend", "points"):
        assert f'id="slide-{key}"' in html
    assert "/assets/plotly.min.js" in html and "present.js" in html
    assert "<script>" not in html  # CSP: no inline script
    assert "Alla svar" in html
    # Without a round to answer now, no answer slide.
    html = client.get(slides_url(project)).get_data(as_text=True)
    assert 'id="slide-answer"' not in html


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_title_slide_says_the_instrument_is_a_reconstruction(client, make_project,
                                                                 supporter_of, lang):
    """Issue 13: the seminar sees the instrument's notice before the first chart."""
    project = make_project()
    supporter_of(project)
    instrument = instruments.for_project(project)
    html = client.get(slides_url(project, lang=lang)).get_data(as_text=True)
    title = re.search(r'<section class="slide slide-title".*?</section>', html, re.S).group(0)
    notice = re.search(r'<p class="slide-instrument">(.*?)</p>', title, re.S).group(1)
    said = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", notice)).strip())
    name = instrument.name.get(lang)
    assert said == f"{name}, version {instrument.version}. {instrument.notice.get(lang)}"


def test_while_the_focus_round_is_open_professions_and_districts_wait(client, make_project,
                                                                      supporter_of, rate):
    project = make_project(min_group_size=3)
    supporter_of(project)
    rate(project.rounds[0], times=3, profession="bvc")
    rate(project.rounds[0], times=3, profession="bmm")
    waiting = "Yrkesgrupper och stadsdelsområden visas när Mätning 1 har stängt."
    html = client.get(slides_url(project, live=1)).get_data(as_text=True)
    for key in ("spider-professions", "spider-districts"):
        assert re.search(f'data-key="{key}"\\s+data-kind="waiting"', html)
        data = client.get(data_url(project, key, live=1)).get_json()
        assert data["note"] == waiting and "figure" not in data
    assert html.count(waiting) == 2

    close(project.rounds[0])
    html = client.get(slides_url(project)).get_data(as_text=True)
    assert waiting not in html
    professions = client.get(data_url(project, "spider-professions")).get_json()
    assert sorted(t["name"] for t in outlines(professions)) == [
        "Barnavårdscentral (BVC) (3 svar)", "Barnmorskemottagning (BMM) (3 svar)"]

    # One profession chosen: no slides of professions or districts at all.
    html = client.get(slides_url(project, group="profession:bvc")).get_data(as_text=True)
    assert 'id="slide-spider-professions"' not in html
    assert 'id="slide-spider-districts"' not in html
    assert "Svar från: Barnavårdscentral (BVC)" in html
    assert client.get(data_url(project, "spider-professions", group="profession:bvc")
                      ).status_code == 404


def round_of(trace: dict) -> str:
    """The round's number in a legend name such as "Mätning 2 (pågår, 7 svar)"."""
    return re.match(r"\D+ (\d+) \(", trace["name"]).group(1)


def outlines(data: dict) -> list[dict]:
    """A chart's traces of groups: without a spider's shade behind the added questions."""
    return [t for t in data["figure"]["data"] if t["type"] != "barpolar"]


def traces(reply) -> list[dict]:
    assert reply.status_code == 200
    return outlines(reply.get_json())


def test_chart_data_has_figure_table_and_count(client, make_project, supporter_of, rate):
    project = make_project(rounds=2, min_group_size=5)
    supporter_of(project)
    first, second = project.rounds
    rate(first, times=6, base=4)
    close(first)
    rate(second, times=7, base=6)
    data = client.get(data_url(project, "spider-rounds")).get_json()
    assert [round_of(t) for t in outlines(data)] == ["1", "2"]
    assert outlines(data)[1]["r"][0] == 6
    assert "13 svar" in data["count"]
    assert "<table" in data["table"] and "6,0" in data["table"] and "4,0" in data["table"]
    assert data["figure"]["layout"]["font"]["size"] >= 18  # large type for the projector
    english = client.get(data_url(project, "spider-rounds") + "&lang=en").get_json()
    assert "13 responses" in english["count"] and "6.0" in english["table"]


def test_slide_data_never_shows_a_group_under_k(client, make_project, supporter_of, rate):
    project = make_project(rounds=3, min_group_size=5)
    supporter_of(project)
    first, second, third = project.rounds
    rate(first, times=6, base=2)
    rate(second, times=7, base=7)
    rate(third, times=3, base=9)  # under k: no figures at all yet
    data = client.get(data_url(project, "spider-rounds")).get_json()
    assert [round_of(t) for t in outlines(data)] == ["1", "2"]
    assert "9,0" not in data["table"]
    assert "Färre än 5 svar hittills: Mätning 3." in data["caption"]
    trend = client.get(data_url(project, "trend")).get_json()
    assert {v for t in trend["figure"]["data"] for v in t["y"]} == {2, 7}

    # Round 2 closes with BMM at 2 answers: hidden, and social services (5, the smallest
    # other group) with it, or BMM would follow from the round's total.
    rate(second, times=2, profession="bmm", base=1)
    rate(second, times=5, profession="social_services", base=8)
    close(second)
    professions = client.get(data_url(project, "spider-professions", rounds=[2])).get_json()
    names = [t["name"] for t in outlines(professions)]
    assert names == ["Barnavårdscentral (BVC) (7 svar)"]
    shown = json.dumps([professions["figure"]["data"], professions["table"]], ensure_ascii=False)
    assert "Barnmorske" not in shown and "Socialtj" not in shown
    assert "1,0" not in professions["table"] and "8,0" not in professions["table"]
    points = client.get(data_url(project, "points", rounds=[2])).get_json()["html"]
    assert "Barnmorske" not in points and "1,0" not in points
    # Asking for the hidden group alone shows nothing of it either.
    alone = client.get(data_url(project, "spider-rounds", rounds=[2],
                                group="profession:bmm")).get_json()
    assert alone["figure"]["data"] == [] and "1,0" not in alone["table"]


def test_the_answer_slide_counts_every_answer_and_the_charts_move_in_releases(
        client, make_project, supporter_of, rate):
    project = make_project(min_group_size=5)
    supporter_of(project)
    round_ = project.rounds[0]
    rate(round_, times=2)
    data = client.get(data_url(project, "answer", live=1)).get_json()
    assert data["count"] == "2 svar hittills" and data["live"] is True
    assert data["next_update"] == "Diagrammen uppdateras efter 3 svar till."
    rate(round_, times=1)
    data = client.get(data_url(project, "answer", live=1)).get_json()
    assert data["count"] == "3 svar hittills"
    assert data["next_update"] == "Diagrammen uppdateras efter 2 svar till."
    # Under k the charts have no trace yet.
    assert traces(client.get(data_url(project, "spider-rounds", live=1))) == []

    rate(round_, times=2, base=4)  # five answers: the first release
    spider = traces(client.get(data_url(project, "spider-rounds", live=1)))
    assert spider[0]["r"][0] == pytest.approx((3 * 5 + 2 * 4) / 5)
    rate(round_, times=4, base=10)  # four more: the count moves, the figures do not
    data = client.get(data_url(project, "answer", live=1)).get_json()
    assert data["count"] == "9 svar hittills"
    assert data["next_update"] == "Diagrammen uppdateras efter 1 svar till."
    assert traces(client.get(data_url(project, "spider-rounds", live=1))) == spider
    rate(round_, times=1, base=10)  # the fifth: a new release, and the figures move
    moved = traces(client.get(data_url(project, "spider-rounds", live=1)))
    assert moved[0]["r"][0] == pytest.approx((3 * 5 + 2 * 4 + 5 * 10) / 10)


def test_talking_points_slide_lists_the_points(client, make_project, supporter_of, rate):
    project = make_project()
    supporter_of(project)
    rate(project.rounds[0], times=5, base=7, rules=2)
    data = client.get(data_url(project, "points", live=1)).get_json()
    assert "Lagar och regler" in data["html"] and "2,0" in data["html"]


def test_the_round_answered_now_is_always_on_the_spider(client, make_project, supporter_of,
                                                       rate):
    project = make_project(rounds=2, min_group_size=3)
    supporter_of(project)
    rate(project.rounds[0], times=3, base=4)
    rate(project.rounds[1], times=3, base=8)
    data = client.get(data_url(project, "spider-rounds", rounds=[1], live=2)).get_json()
    assert [round_of(t) for t in outlines(data)] == ["1", "2"]
