"""A steering group reads a project's results and takes them home, and runs nothing: an
admin gives a user read-only access to one project; that viewer sees the project in the
workspace with results, presentation and exports only, opens them and downloads the
aggregates, and gets a 404 for setup, links and codes, import, monitor and raw answers.
(Every route, by the URL map: tests/test_permissions.py.)"""

from __future__ import annotations

import io
import itertools
import json
import math
import re
import zipfile
from fractions import Fraction

import pytest
from openpyxl import load_workbook

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import VIEWER, ProjectMember, RoundState, User
from spindel.services import accounts
from tests.conftest import api_results, post_form
from tests.test_permissions import (  # noqa: F401  (open_app is a fixture)
    ADMIN_ENDPOINTS,
    LOGGING_OUT,
    World,
    _request,
    _rules,
    _url,
    open_app,
)


@pytest.fixture
def make_viewer(make_user):
    def factory(project, district=None):
        user = make_user()
        user.memberships.append(ProjectMember(project=project, role=VIEWER,
                                              district=district))
        db.session.commit()
        return user

    return factory


def test_a_viewer_sees_the_project_with_its_reading_pages_only(client, auth, make_viewer,
                                                               closed_project):
    auth.login(make_viewer(closed_project))
    page = client.get("/workspace").get_data(as_text=True)
    slug = closed_project.slug
    assert closed_project.name in page and "Endast läsrätt" in page
    for reading in ("results", "present", "exports"):
        assert f"/projects/{slug}/{reading}" in page
    assert f'href="/projects/{slug}"' not in page
    assert f"/projects/{slug}/import" not in page


def test_a_viewer_reads_results_presentation_and_aggregate_exports(client, auth, make_viewer,
                                                                   closed_project):
    auth.login(make_viewer(closed_project))
    slug = closed_project.slug
    results = client.get(f"/projects/{slug}/results")
    assert results.status_code == 200
    # The project's own page is not theirs: the way back leads to the workspace.
    assert f'href="/projects/{slug}"' not in results.get_data(as_text=True)
    assert client.get(f"/projects/{slug}/present").status_code == 200
    slides = client.get(f"/projects/{slug}/present/slides", query_string={"rounds": [1, 2]})
    assert slides.status_code == 200
    assert client.get(f"/projects/{slug}/exports").status_code == 200
    workbook = client.get(f"/projects/{slug}/exports/results.xlsx")
    assert workbook.status_code == 200
    assert "Om data" in load_workbook(io.BytesIO(workbook.data)).sheetnames
    csv = client.get(f"/projects/{slug}/exports/results.csv")
    assert csv.status_code == 200 and csv.data
    deck = client.get(f"/projects/{slug}/exports/deck.pptx")
    assert deck.status_code == 200 and deck.data[:2] == b"PK"
    assert api_results(client, slug, by="role", round=2)["groups"]
    assert client.get(f"/projects/{slug}/audit").status_code == 200


def test_a_viewer_runs_nothing(client, auth, make_viewer, closed_project):
    auth.login(make_viewer(closed_project))
    slug = closed_project.slug
    for path in (f"/projects/{slug}", f"/projects/{slug}/rounds/1",
                 f"/projects/{slug}/rounds/1/monitor", f"/projects/{slug}/rounds/1/monitor.json",
                 f"/projects/{slug}/rounds/1/handout", f"/projects/{slug}/rounds/1/qr.svg",
                 f"/projects/{slug}/rounds/new", f"/projects/{slug}/import",
                 f"/projects/{slug}/import/template.xlsx",
                 f"/projects/{slug}/exports/raw-answers.xlsx", f"/projects/{slug}/delete"):
        assert client.get(path).status_code == 404, path
    assert post_form(client, f"/projects/{slug}/rounds/1/codes", {"count": "5"},
                     ).status_code == 404
    assert post_form(client, f"/projects/{slug}/rounds/1/state", {"state": "open"},
                     ).status_code == 404


def test_an_admin_gives_and_ends_read_only_access(client, login_as, make_user,
                                                  closed_project):
    login_as(admin=True)
    person = make_user()
    page = client.get(f"/admin/users/{person.id}")
    assert page.status_code == 200 and "viewer-project" in page.get_data(as_text=True)
    reply = post_form(client, f"/admin/users/{person.id}/viewing",
                      {"viewer-project": str(closed_project.id)})
    assert reply.status_code == 302
    db.session.refresh(person)
    assert [(m.project_id, m.role) for m in person.memberships] == [(closed_project.id,
                                                                      VIEWER)]
    assert person.projects == []  # reading is not running
    shown = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert f"/admin/users/{person.id}/viewing/{closed_project.id}/end" in shown
    # A project already given is not offered again; an unknown one is refused.
    assert post_form(client, f"/admin/users/{person.id}/viewing",
                     {"viewer-project": str(closed_project.id)}).status_code == 422
    reply = post_form(client, f"/admin/users/{person.id}/viewing/{closed_project.id}/end")
    assert reply.status_code == 302
    db.session.refresh(person)
    assert person.memberships == []


def test_making_a_viewer_a_supporter_replaces_the_read_only_access(app, make_viewer,
                                                                   closed_project):
    person = make_viewer(closed_project)
    accounts.update_user(person, active=True, is_admin=False, projects=[closed_project])
    db.session.commit()
    db.session.refresh(person)
    assert [(m.project_id, m.role) for m in person.memberships] == [(closed_project.id,
                                                                      "supporter")]
    # And a supporter given read-only access keeps running the project.
    accounts.make_viewer(person, closed_project)
    db.session.commit()
    assert person.projects == [closed_project]


def test_a_viewers_token_reads_the_results_of_that_project_only(app, make_viewer,
                                                                 closed_project, make_project):
    other = make_project(slug="annat")
    viewer = make_viewer(closed_project)
    token = accounts.create_api_token(viewer, "styrgrupp")
    db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    reply = client.get(f"/api/v1/projects/{closed_project.slug}/results",
                       query_string={"by": "area", "round": 2}, headers=headers)
    assert reply.status_code == 200 and reply.get_json()["groups"]
    assert client.get(f"/api/v1/projects/{other.slug}/results",
                      headers=headers).status_code == 404


# --- a viewer limited to one district --------------------------------------------------------
#
# The project below plants answers whose figures nobody but a full reader may see: the other
# districts' and the professions' cells. Its names are found nowhere else, and its means are
# computed here from the planted ratings (not by the code under test); a limited viewer's
# every response is searched for both.

OWN = ("north", "Norrviken")
OTHERS = (("south", "Sydkustenby"), ("east", "Östanbyviken"))
PROFESSIONS = (("alfa", "Yrkeskåralfa", "Tradealfa"), ("beta", "Yrkeskårbeta", "Tradebeta"))
SECRET_NAMES = ("Sydkustenby", "Östanbyviken", "Yrkeskåralfa", "Tradealfa", "Yrkeskårbeta",
                "Tradebeta")
BASE = {"north": 6, "south": 2, "east": 8}  # each district's typical rating
# Per round: (profession, district, answers). Every cell has at least k = 3 answers, so
# every cell of a closed round is published to a full reader.
PLAN = {1: [("alfa", "north", 4), ("beta", "north", 4), ("alfa", "south", 7),
            ("beta", "east", 5)],
        2: [("alfa", "north", 5), ("beta", "north", 3), ("alfa", "south", 7),
            ("beta", "east", 4)],
        3: [("alfa", "north", 3), ("alfa", "south", 3)]}  # still open


@pytest.fixture
def planted(make_project, add_answer):
    """Rounds 1 and 2 closed, round 3 open; returns (project, {(round, profession,
    district): [ratings, ...]})."""
    project = make_project(districts=(OWN, *OTHERS), professions=list(PROFESSIONS),
                           rounds=3, min_group_size=3)
    items = instruments.for_project(project).item_keys
    answers: dict = {}
    for number, cells in PLAN.items():
        round_ = project.rounds[number - 1]
        for profession, district, count in cells:
            for j in range(count):
                ratings = {key: BASE[district] + ((i + j + number) % 3 == 0)
                           + (j % 2 == 0 and i % 4 == 1) - (j % 3 == 1 and i % 2 == 0)
                           for i, key in enumerate(items)}
                add_answer(round_, profession=profession, district=district, ratings=ratings)
                answers.setdefault((number, profession, district), []).append(ratings)
    for round_ in project.rounds[:2]:
        round_.state = RoundState.CLOSED
    db.session.commit()
    return project, answers


def _six_decimals(value: Fraction) -> str:
    whole = math.floor(value)
    return f"{whole}.{math.floor((value - whole) * 10 ** 6):06d}"


def secret_figures(project, answers) -> set[str]:
    """The item means of the other districts' and the professions' cells of the closed
    rounds, to six decimals, where they do not end sooner (a "7.5" is found everywhere)."""
    secrets = set()
    for number in (1, 2):
        cells = [[a for (n, _p, d), a in answers.items() if n == number and d == district]
                 for district, _name in OTHERS]
        cells += [[a for (n, p, _d), a in answers.items() if n == number and p == profession]
                  for profession, *_names in PROFESSIONS]
        for cell in cells:
            ratings = [r for group in cell for r in group]
            for item in instruments.for_project(project).item_keys:
                mean = Fraction(sum(r[item] for r in ratings), len(ratings))
                if (mean * 10 ** 6).denominator != 1:  # a decimal that does not end
                    secrets.add(_six_decimals(mean))
    return secrets


def readable(response) -> str:
    """A response as text: JSON without \\u escapes, and every XML file of a workbook or
    deck (the deck's charts' own workbooks too)."""
    data = response.get_data()
    if data[:2] == b"PK":
        return _unzipped(data)
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return data.decode("utf-8", "replace")


def _unzipped(data: bytes) -> str:
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            member = archive.read(name)
            parts.append(_unzipped(member) if member[:2] == b"PK"
                         else member.decode("utf-8", "replace"))
    return "\n".join(parts)


def leaks(text: str, secrets: set[str]) -> list[str]:
    """The other groups' names and figures found in a text (names also as JSON escapes,
    figures with a decimal point or comma)."""
    found = [name for name in SECRET_NAMES
             if name in text or json.dumps(name)[1:-1] in text]
    found += [figure for figure in secrets
              if figure in text or figure.replace(".", ",") in text]
    return found


@pytest.fixture
def limited_world(planted, make_viewer, client, auth):
    """The planted project, its secrets (minus any that a limited viewer may see by
    coincidence), and a client logged in as a viewer limited to the own district."""
    project, answers = planted
    full = make_viewer(project)
    auth.login(full)
    allowed = set()
    for query in ([("by", "round")], [("by", "round"), ("area", OWN[0])]):
        payload = client.get(f"/api/v1/projects/{project.slug}/results",
                             query_string=query).get_json()
        for group in payload["groups"]:
            for stats in group["items"].values():
                allowed |= {_six_decimals(Fraction(v)) for k, v in stats.items()
                            if isinstance(v, float)}
            allowed |= {_six_decimals(Fraction(v)) for v in group["dimensions"].values()
                        if v is not None}
    secrets = secret_figures(project, answers) - allowed
    assert len(secrets) >= 10  # enough planted figures left to look for
    # The search finds them in what a full reader gets: the test can fail.
    found = leaks(readable(client.get(f"/projects/{project.slug}/exports/results.csv")),
                  secrets)
    assert "Sydkustenby" in found and set(found) & secrets
    auth.logout()
    own = next(d for d in project.districts if d.key == OWN[0])
    viewer = make_viewer(project, district=own)
    auth.login(viewer)
    return project, secrets, viewer


def _no_leak(client, url, secrets, query=(), codes=(200, 400)) -> int:
    reply = client.get(url, query_string=list(query))
    assert reply.status_code in codes, (url, query, reply.status_code)
    found = leaks(readable(reply), secrets)
    assert found == [], (url, query, found)
    return reply.status_code


def test_a_limited_viewers_api_never_gives_another_group(client, limited_world):
    project, secrets, _viewer = limited_world
    url = f"/api/v1/projects/{project.slug}/results"
    for by, rounds, role, area in itertools.product(
            ("round", "role", "area", "none", "bogus"), ((), (1,), (2,), (3,), (1, 2)),
            (None, "alfa"), (None, OWN[0], "south", "-")):
        query = [("by", by)] + [("round", n) for n in rounds]
        query += [("role", role)] if role else []
        query += [("area", area)] if area else []
        code = _no_leak(client, url, secrets, query)
        if by == "role" or role or area in ("south", "-"):
            assert code == 400, query
    refused = client.get(url, query_string={"by": "role", "round": 1}).get_json()
    assert "Norrviken" in refused["error"]["message"]
    # By area: the one own row.
    rows = api_results(client, project.slug, by="area", round=1)["groups"]
    assert [(g["key"], g["suppressed"]) for g in rows] == [(OWN[0], False)]


def test_a_limited_viewers_pages_and_files_never_give_another_group(client, limited_world):
    project, secrets, _viewer = limited_world
    base = f"/projects/{project.slug}"
    groups = ("", f"district:{OWN[0]}", "district:south", "district:-", "profession:alfa")
    for rounds, group in itertools.product(((), (1,), (1, 2, 3)), groups):
        query = [("round", n) for n in rounds] + ([("group", group)] if group else [])
        expected = 400 if group not in ("", f"district:{OWN[0]}") else 200
        assert _no_leak(client, f"{base}/results", secrets, query) == expected, query
        assert _no_leak(client, f"{base}/exports", secrets, query) == expected, query
        for path in ("results.csv", "results.xlsx", "deck.pptx"):
            for lang in ("sv", "en"):
                assert _no_leak(client, f"{base}/exports/{path}", secrets,
                                query + [("export_lang", lang)]) == expected, (path, query)
    for legacy in ([("district", "south")], [("profession", "alfa")],
                   [("districts", OWN[0]), ("districts", "south")],
                   [("group", f"district:{OWN[0]}"), ("group", "district:south")],
                   [("group", "nonsense:south")]):
        assert _no_leak(client, f"{base}/results", secrets, legacy) == 400, legacy
    # The charts of a round's groups side by side are no downloads of theirs.
    for key in ("spider-professions-1", "spider-districts-1", "dimensions-professions-1"):
        assert client.get(f"{base}/exports/charts/{key}.svg").status_code == 404, key
    assert _no_leak(client, f"{base}/exports/charts/spider-rounds.svg", secrets,
                    [("group", "district:south")]) == 400
    _no_leak(client, "/workspace", secrets, codes=(200,))
    assert client.get(f"{base}/audit").status_code == 404  # it names every group


def test_a_limited_viewers_presentation_never_shows_another_group(client, limited_world):
    project, secrets, _viewer = limited_world
    base = f"/projects/{project.slug}/present"
    _no_leak(client, base, secrets, codes=(200,))
    keys = ("answer", "spider-rounds", "spider-professions", "spider-districts",
            "dimensions-rounds", "agreement", "trend", "points")
    for group, live in itertools.product(("", f"district:{OWN[0]}", "district:south",
                                          "profession:alfa"), ("", "3")):
        query = [("rounds", 1), ("rounds", 2), ("live", live)]
        query += [("group", group)] if group else []
        allowed = group in ("", f"district:{OWN[0]}")
        _no_leak(client, f"{base}/slides", secrets, query, codes=(200,) if allowed else (422,))
        for key in keys:
            _no_leak(client, f"{base}/slides/{key}.json", secrets, query,
                     codes=(200, 404) if allowed else (400,))
        if allowed:
            assert client.get(f"{base}/slides/spider-districts.json",
                              query_string=query).status_code == 404


def test_a_limited_viewer_sees_the_whole_rounds_as_a_full_viewer_does(
        app, planted, make_viewer):
    project, _answers = planted
    own = next(d for d in project.districts if d.key == OWN[0])
    full, limited = app.test_client(), app.test_client()
    for client, user in ((full, make_viewer(project)),
                         (limited, make_viewer(project, district=own))):
        token = accounts.create_api_token(user, "styrgrupp")
        db.session.commit()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def get(client, **query):
        reply = client.get(f"/api/v1/projects/{project.slug}/results", query_string=query)
        assert reply.status_code == 200
        return reply.get_json()

    assert get(limited) == get(full)  # every round's whole, side by side
    assert get(limited, area=OWN[0]) == get(full, area=OWN[0])
    for number in (1, 2, 3):
        assert get(limited, by="none", round=number) == get(full, by="none", round=number)
        own_row = [g for g in get(full, by="area", round=number)["groups"]
                   if g["key"] == OWN[0]]
        assert get(limited, by="area", round=number)["groups"] == own_row
    # The whole of round 1, checked against the planted answers (20 of them).
    whole = get(limited, by="none", round=1)["groups"][0]
    assert whole["responses"] == sum(count for *_cell, count in PLAN[1])


def test_a_limited_viewer_chooses_among_all_answers_and_the_own_district(
        client, auth, limited_world):
    project, _secrets, _viewer = limited_world
    for path in ("results", "exports", "present"):
        page = client.get(f"/projects/{project.slug}/{path}").get_data(as_text=True)
        choices = re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>',
                             page.split('name="group"', 1)[1].split("</select>", 1)[0])
        assert choices == [("", "Alla svar"), (f"district:{OWN[0]}", "Norrviken")], path
        assert "hela mätningarna och Norrviken" in page, path
    page = client.get(f"/projects/{project.slug}/results",
                      query_string={"group": "district:south"}).get_data(as_text=True)
    assert "Din läsrätt gäller hela mätningarna och Norrviken" in page
    dashboard = client.get("/workspace").get_data(as_text=True)
    assert project.name in dashboard and "Endast läsrätt" in dashboard
    assert "Norrviken" in dashboard


# Every route of the URL map, for a viewer limited to the project's one district: the pages
# that narrow their figures to the whole rounds and that district; everything else is a 404
# as for a project not theirs — the audit too (it names every group), and any new reading
# page until it is made to narrow. (Who else may open what: test_permissions.py.)
LIMITED_READABLE = {"results.page", "present.setup", "present.slides", "present.slide_data",
                    "exports.index", "exports.chart", "exports.deck", "exports.workbook",
                    "exports.table_csv", "api.project_results",
                    "agreements.index"}  # the room's agreements: text, no figures


@pytest.mark.parametrize(("rule", "endpoint", "method"), _rules())
def test_every_route_lets_a_limited_viewer_read_only_its_scope(open_app, rule,  # noqa: F811
                                                               endpoint, method):
    world = World(0)
    viewer = User(email="district-viewer@example.se", password_hash="x")
    viewer.memberships.append(ProjectMember(project=world.project, role=VIEWER,
                                            district=world.project.districts[0]))
    db.session.add(viewer)
    db.session.commit()
    url, known = _url(open_app, endpoint, rule, world.values(viewer))
    reply = _request(open_app, viewer, method, url)
    code = reply.status_code
    if endpoint in ADMIN_ENDPOINTS or ("<slug>" in rule and endpoint not in LIMITED_READABLE):
        assert code == 404, (method, url, code)
    else:
        denied = {401, 403} | ({404} if known else set())
        assert code < 500 and code not in denied, (method, url, code)
        assert "/login" not in reply.headers.get("Location", "") or endpoint in LOGGING_OUT


def test_an_admin_gives_read_only_access_for_one_district(client, login_as, make_user,
                                                           closed_project, make_project):
    login_as(admin=True)
    person = make_user()
    south = next(d for d in closed_project.districts if d.key == "south")
    elsewhere = make_project(slug="annat").districts[0]
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Bara ett stadsdelsområde (valfritt)" in page and "Alla stadsdelsområden" in page
    # A district of another project is refused at its field, and nothing is given.
    reply = post_form(client, f"/admin/users/{person.id}/viewing",
                      {"viewer-project": str(closed_project.id),
                       "viewer-district": str(elsewhere.id)})
    assert reply.status_code == 422
    assert "Välj ett stadsdelsområde i det valda projektet." in reply.get_data(as_text=True)
    db.session.refresh(person)
    assert person.memberships == []
    reply = post_form(client, f"/admin/users/{person.id}/viewing",
                      {"viewer-project": str(closed_project.id),
                       "viewer-district": str(south.id)})
    assert reply.status_code == 302
    db.session.refresh(person)
    assert [(m.project_id, m.role, m.district_id) for m in person.memberships] == [
        (closed_project.id, VIEWER, south.id)]
    shown = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "bara hela mätningarna och Söder" in shown
