"""A process supporter runs a project: account, project, districts, professions, rounds."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from spindel import instrument as instruments
from spindel.dates import local_today
from spindel.extensions import db
from spindel.models import ApiToken, District, Profession, Project, RoundState, RoundStatus
from spindel.services.accounts import user_for_api_token
from tests.conftest import PASSWORD, post_form


def test_a_supporter_changes_her_own_password(client, auth, login_as):
    user = login_as()
    wrong = post_form(client, "/account/password",
                      {"current": "not it", "new": "a new long password",
                       "confirm": "a new long password"})
    assert wrong.status_code == 422
    assert "Det nuvarande lösenordet är fel" in wrong.get_data(as_text=True)
    mismatch = post_form(client, "/account/password",
                         {"current": PASSWORD, "new": "a new long password",
                          "confirm": "another password!"})
    assert mismatch.status_code == 422
    assert post_form(client, "/account/password",
                     {"current": PASSWORD, "new": "a new long password",
                      "confirm": "a new long password"}).status_code == 302
    auth.logout()
    assert auth.login(user).status_code == 422
    assert auth.login(user, password="a new long password").status_code == 302


def test_api_tokens_are_shown_once_and_can_be_revoked_by_their_owner_only(client, auth,
                                                                         login_as, make_user):
    login_as()
    reply = post_form(client, "/account/tokens", {"name": "R-skript"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200
    token = html.split('id="new-token">')[1].split("<")[0]
    assert token.startswith("spd_") and user_for_api_token(token) is not None
    assert token not in client.get("/account").get_data(as_text=True)  # shown once
    stored = db.session.scalar(select(ApiToken))
    unnamed = post_form(client, "/account/tokens", {"name": ""})
    assert unnamed.status_code == 422
    assert "Ge nyckeln ett namn" in unnamed.get_data(as_text=True)
    assert len(db.session.scalars(select(ApiToken)).all()) == 1  # nothing stored

    auth.logout()
    login_as()  # someone else cannot revoke it
    assert post_form(client, f"/account/tokens/{stored.id}/revoke").status_code == 404
    assert user_for_api_token(token) is not None
    auth.logout()
    auth.login(stored.user)
    assert post_form(client, f"/account/tokens/{stored.id}/revoke").status_code == 302
    assert user_for_api_token(token) is None


def test_dashboard_lists_only_my_projects_with_links_to_their_pages(client, login_as,
                                                                    make_project):
    mine, other = make_project(), make_project()
    login_as(projects=[mine])
    html = client.get("/workspace").get_data(as_text=True)
    assert mine.name in html and other.name not in html
    for page in ("results", "present", "exports"):
        assert f"/projects/{mine.slug}/{page}" in html
    assert client.get(f"/projects/{other.slug}").status_code == 404


def test_creating_a_project_keeps_what_was_typed_and_explains_at_the_field(client, login_as,
                                                                           make_project):
    taken = make_project()
    user = login_as()
    reply = post_form(client, "/projects/new", {
        "name": "Tidigt stöd", "slug": taken.slug, "description": "Vår samverkan",
        "instrument": instruments.default_ident(), "min_group_size": "2"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert 'value="Tidigt stöd"' in html and "Vår samverkan" in html
    assert "från 3 till 100" in html  # minimum group size at least 3
    reply = post_form(client, "/projects/new", {
        "name": "Tidigt stöd", "slug": "tidigt-stod", "description": "Vår samverkan",
        "instrument": instruments.default_ident(), "min_group_size": "5"})
    assert reply.status_code == 302
    project = db.session.scalar(select(Project).where(Project.slug == "tidigt-stod"))
    assert project in db.session.get(type(user), user.id).projects
    again = post_form(client, "/projects/new", {
        "name": "X", "slug": "tidigt-stod", "instrument": project.instrument,
        "min_group_size": "5"})
    assert again.status_code == 422
    assert "Ett annat projekt använder redan" in again.get_data(as_text=True)


def test_instrument_version_is_locked_once_an_answer_exists(client, login_as, make_project,
                                                            add_answer):
    project = make_project()
    login_as(projects=[project])
    assert '<select' in client.get(f"/projects/{project.slug}").get_data(as_text=True)
    add_answer(project.rounds[0])
    html = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    assert 'name="instrument"' not in html and "låst" in html
    assert project.instrument in html
    reply = post_form(client, f"/projects/{project.slug}", {
        "name": "Nytt namn", "slug": project.slug, "instrument": "other@9",
        "min_group_size": "4"})
    assert reply.status_code == 302
    db.session.refresh(project)
    assert project.name == "Nytt namn" and project.min_group_size == 4
    assert project.instrument != "other@9"


def test_districts_are_added_renamed_reordered_deactivated_never_deleted_with_answers(
        client, login_as, make_project, add_answer):
    project = make_project()
    login_as(projects=[project])
    url = f"/projects/{project.slug}/districts"
    assert post_form(client, url, {"name": "Spånga-Tensta"}).status_code == 302
    bad = post_form(client, url, {"name": "", "key": "Bad Key"})
    assert bad.status_code == 422
    added = db.session.scalar(select(District).where(District.name == "Spånga-Tensta"))
    assert added.key == "spanga_tensta"
    assert post_form(client, f"{url}/{added.id}", {"name": "Spånga–Tensta"}).status_code == 302
    assert post_form(client, f"{url}/{added.id}/move", {"direction": "up"}).status_code == 302
    db.session.expire_all()
    names = [d.name for d in sorted(project.districts, key=lambda d: d.position)]
    assert names == ["Norr", "Spånga–Tensta", "Söder"]
    north = next(d for d in project.districts if d.key == "north")
    add_answer(project.rounds[0], district="north")
    assert post_form(client, f"{url}/{north.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(District, north.id) is not None  # has answers: kept
    assert post_form(client, f"{url}/{north.id}/active", follow_redirects=True).status_code == 200
    db.session.expire_all()
    assert db.session.get(District, north.id).active is False
    form = client.get(f"/r/{project.rounds[0].token}").get_data(as_text=True)
    assert "Norr" not in form and "Söder" in form
    assert post_form(client, f"{url}/{added.id}/delete").status_code == 302
    assert db.session.get(District, added.id) is None  # no answers: gone


def test_professions_are_added_in_both_languages(client, login_as, make_project):
    project = make_project()
    login_as(projects=[project])
    reply = post_form(client, f"/projects/{project.slug}/professions",
                      {"name_sv": "Förskola", "name_en": "Preschool"})
    assert reply.status_code == 302
    added = db.session.scalar(select(Profession).where(Profession.name_sv == "Förskola"))
    assert added.key == "preschool" and added.label("en") == "Preschool"


def test_rounds_are_created_opened_closed_and_reopened(client, login_as, make_project):
    project = make_project(rounds=0)
    login_as(projects=[project])
    base = f"/projects/{project.slug}/rounds"
    page = client.get(f"{base}/new").get_data(as_text=True)
    assert 'value="Mätning 1"' in page
    bad = post_form(client, f"{base}/new", {"number": "1", "label": "Mätning 1",
                                            "opens_on": "2026-05-10", "closes_on": "2026-05-01"})
    assert bad.status_code == 422 and 'value="2026-05-10"' in bad.get_data(as_text=True)
    assert post_form(client, f"{base}/new", {"number": "1", "label": "Mätning 1 – hösten"}
                     ).status_code == 302
    round_ = project.rounds[0]
    assert round_.status() == RoundStatus.NOT_YET_OPEN
    post_form(client, f"{base}/1/state", {"action": "open"})
    db.session.refresh(round_)
    assert round_.status() == RoundStatus.OPEN
    post_form(client, f"{base}/1/state", {"action": "close"})
    db.session.refresh(round_)
    assert round_.status() == RoundStatus.CLOSED
    round_.closes_on = local_today() - dt.timedelta(days=2)
    db.session.commit()
    post_form(client, f"{base}/1/state", {"action": "reopen"})
    db.session.refresh(round_)
    assert round_.status() == RoundStatus.OPEN  # a passed closing date does not undo it
    duplicate = post_form(client, f"{base}/new", {"number": "1", "label": "Igen"})
    assert duplicate.status_code == 422
    assert "Projektet har redan en mätning med det numret." in duplicate.get_data(as_text=True)
    assert [r.label for r in project.rounds if r.number == 1] != ["Igen"]


def test_rounds_open_and_close_by_their_dates(make_project):
    round_ = make_project(state=RoundState.SCHEDULED).rounds[0]
    round_.opens_on = dt.date(2026, 3, 1)
    round_.closes_on = dt.date(2026, 3, 14)
    assert round_.status(dt.date(2026, 2, 28)) == RoundStatus.NOT_YET_OPEN
    assert round_.status(dt.date(2026, 3, 1)) == RoundStatus.OPEN
    assert round_.status(dt.date(2026, 3, 14)) == RoundStatus.OPEN
    assert round_.status(dt.date(2026, 3, 15)) == RoundStatus.CLOSED


def test_admin_creates_users_gives_membership_and_deactivates(client, auth, login_as,
                                                              make_project):
    from spindel.models import User

    project = make_project()
    login_as(admin=True)
    short = post_form(client, "/admin/users", {"email": "eva@example.se", "password": "kort"})
    assert short.status_code == 422 and 'value="eva@example.se"' in short.get_data(as_text=True)
    assert post_form(client, "/admin/users", {"email": "eva@example.se",
                                              "password": "ett långt lösenord"}
                     ).status_code == 302
    eva = db.session.scalar(select(User).where(User.email == "eva@example.se"))
    assert post_form(client, f"/admin/users/{eva.id}",
                     {"active": "y", "projects": str(project.id)}).status_code == 302
    db.session.refresh(eva)
    assert [p.id for p in eva.projects] == [project.id]
    auth.logout()
    assert auth.login(eva, password="ett långt lösenord").status_code == 302
    assert client.get(f"/projects/{project.slug}").status_code == 200
    assert client.get("/admin/users").status_code == 404  # not an admin
    auth.logout()
    login_as(admin=True)
    assert post_form(client, f"/admin/users/{eva.id}", {}).status_code == 302  # deactivated
    auth.logout()
    assert auth.login(eva, password="ett långt lösenord").status_code == 422


def test_admin_deletes_a_project_only_with_its_name_typed(client, login_as, make_project,
                                                          add_answer):
    from sqlalchemy import func

    from spindel.models import RatingTally, Response

    project = make_project()
    add_answer(project.rounds[0])
    login_as(admin=True)
    page = client.get(f"/projects/{project.slug}/delete").get_data(as_text=True)
    assert f"/projects/{project.slug}/exports" in page  # the Excel export is offered first
    wrong = post_form(client, f"/projects/{project.slug}/delete", {"confirm_name": "fel"})
    assert wrong.status_code == 422
    assert db.session.get(Project, project.id) is not None
    right = post_form(client, f"/projects/{project.slug}/delete",
                      {"confirm_name": project.name})
    assert right.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert db.session.scalar(select(func.count()).select_from(RatingTally)) == 0


def test_demo_prints_an_admin_login_that_works(app, runner, client, auth, tmp_path):
    import types

    app.config["SPINDEL_DEMO_PASSWORD_FILE"] = tmp_path / "demo_password"
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "demo@spindel.local" in result.output
    password = (tmp_path / "demo_password").read_text().strip()
    assert password in result.output
    again = runner.invoke(args=["demo"])
    assert password in again.output  # the same login every time
    user = types.SimpleNamespace(email="demo@spindel.local")
    assert auth.login(user, password=password).status_code == 302
    assert "Demo" in client.get("/workspace").get_data(as_text=True)


def test_a_project_cannot_take_the_reserved_short_name_new(client, login_as):
    login_as()
    reply = post_form(client, "/projects/new", {
        "name": "Ny", "slug": "new", "instrument": instruments.default_ident(),
        "min_group_size": "5"})
    assert reply.status_code == 422
    assert "Det korta namnet är reserverat; välj ett annat." in reply.get_data(as_text=True)
    assert db.session.scalars(select(Project)).all() == []


# --- issue 12: small things found on the way -----------------------------------------------


def new_project(client, name: str, slug: str = ""):
    return post_form(client, "/projects/new", {
        "name": name, "slug": slug, "instrument": instruments.default_ident(),
        "min_group_size": "5"})


def test_a_short_name_left_empty_is_made_from_the_name(client, login_as):
    login_as()
    assert "Lämnas det tomt görs det av namnet." in client.get("/projects/new").get_data(True)
    reply = new_project(client, "Tidigt stöd i Järva – Spånga")
    assert reply.status_code == 302
    assert reply.headers["Location"].endswith("/projects/tidigt-stod-i-jarva-spanga")
    # Taken, or reserved for /projects/new: the next free one.
    again = new_project(client, "Tidigt stöd i Järva – Spånga")
    assert again.headers["Location"].endswith("/projects/tidigt-stod-i-jarva-spanga-2")
    assert new_project(client, "New").headers["Location"].endswith("/projects/new-2")
    # A short name typed is kept as typed; a name with nothing to make one from says so.
    assert new_project(client, "Bromma", "bromma-bvc").headers["Location"].endswith(
        "/projects/bromma-bvc")
    empty = new_project(client, "–")
    assert empty.status_code == 422
    assert "Ge projektet ett kort namn" in empty.get_data(as_text=True)
    assert sorted(db.session.scalars(select(Project.slug))) == [
        "bromma-bvc", "new-2", "tidigt-stod-i-jarva-spanga", "tidigt-stod-i-jarva-spanga-2"]


def test_the_handout_says_by_when_to_answer(client, login_as, make_project):
    project = make_project()
    login_as(projects=[project])
    round_ = project.rounds[0]
    url = f"/projects/{project.slug}/rounds/1/handout"
    assert "Svara senast" not in client.get(f"{url}?language=sv").get_data(as_text=True)
    round_.closes_on = dt.date(2026, 12, 15)
    db.session.commit()
    swedish = client.get(f"{url}?language=sv").get_data(as_text=True)
    assert "Svara senast den 15 december 2026." in swedish
    assert "Det tar ungefär 3 minuter" in swedish  # as the form says
    english = client.get(f"{url}?language=en").get_data(as_text=True)
    assert "Answer by December 15, 2026 at the latest." in english
    district = client.get(f"{url}?language=sv&district=north").get_data(as_text=True)
    assert "Svara senast den 15 december 2026." in district


def test_a_round_status_says_by_its_dates_only_where_a_date_decides(client, login_as,
                                                                    make_project):
    project = make_project(rounds=4, state=RoundState.SCHEDULED)
    login_as(projects=[project])
    no_dates, later, closed_by_date, closed_by_hand = project.rounds
    no_dates.opens_on = None
    later.opens_on = local_today() + dt.timedelta(days=7)
    closed_by_date.state, closed_by_date.closes_on = RoundState.OPEN, dt.date(2020, 1, 1)
    closed_by_hand.state = RoundState.CLOSED
    db.session.commit()

    def status(number: int) -> str:
        html = client.get(f"/projects/{project.slug}/rounds/{number}").get_data(as_text=True)
        return re.sub(r"<[^>]+>|\s+", " ", html.split('class="subtitle">')[1].split("</h1>")[0]
                      ).split()

    page = client.get(f"/projects/{project.slug}/rounds/1").get_data(as_text=True)
    assert "Inga datum: mätningen öppnas och stängs för hand." in page
    assert status(1) == ["Status:", "inte", "öppnad", "än"]  # and the status agrees
    assert status(2) == ["Status:", "inte", "öppnad", "än", "(enligt", "datumen)"]
    assert status(3) == ["Status:", "stängd", "(enligt", "datumen)"]
    assert status(4) == ["Status:", "stängd"]
    table = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    assert table.count("(enligt datumen)") == 2


def test_answer_now_offers_only_open_rounds(client, login_as, make_project):
    project = make_project(rounds=3)
    login_as(projects=[project])
    first, second, third = project.rounds
    first.state = RoundState.CLOSED
    third.state, third.opens_on = RoundState.SCHEDULED, local_today() + dt.timedelta(days=3)
    db.session.commit()
    html = client.get(f"/projects/{project.slug}/present").get_data(as_text=True)
    live = html[html.index('name="live"'):]
    live = live[:live.index("</select>")]
    assert re.findall(r'<option[^>]*value="(\d*)"', live) == ["", "2"]
    # A show already running for a round keeps working when that round closes.
    second.state = RoundState.CLOSED
    db.session.commit()
    query = "rounds=1&rounds=2&live=2"
    assert client.get(f"/projects/{project.slug}/present/slides?{query}").status_code == 200
    assert client.get(f"/projects/{project.slug}/present/slides/answer.json?{query}"
                      ).status_code == 200


@pytest.mark.parametrize(("state", "action", "said"), [
    (RoundState.SCHEDULED, "open", "Mätningen är öppen och tar emot svar."),
    (RoundState.OPEN, "close", "Mätningen är stängd och tar inte emot svar."),
])
def test_opening_and_closing_say_what_the_round_now_does(client, login_as, make_project,
                                                         state, action, said):
    project = make_project(state=state)
    login_as(projects=[project])
    reply = post_form(client, f"/projects/{project.slug}/rounds/1/state", {"action": action},
                      follow_redirects=True)
    assert said in reply.get_data(as_text=True)


def test_pages_below_a_project_link_back_to_it(client, login_as, make_project):
    project = make_project()
    login_as(projects=[project])
    back = f'href="/projects/{project.slug}'
    for path in (f"/projects/{project.slug}/rounds/1/edit",
                 f"/projects/{project.slug}/rounds/new",
                 f"/projects/{project.slug}/districts/{project.districts[0].id}",
                 f"/projects/{project.slug}/results"):
        html = client.get(path).get_data(as_text=True)
        assert f'class="breadcrumb"><a {back}' in html, path


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_handout_links_back_and_hides_that_line_in_print(client, login_as, make_project,
                                                            language):
    project = make_project()
    login_as(projects=[project])
    html = client.get(f"/projects/{project.slug}/rounds/1/handout?language={language}"
                      ).get_data(as_text=True)
    assert 'class="handout-nav no-print"' in html
    assert f'href="/projects/{project.slug}/rounds/1"' in html
    assert ("Tillbaka till Mätning 1" if language == "sv" else "Back to Mätning 1") in html


@pytest.mark.parametrize(("kind", "data", "taken"), [
    ("districts", {"name": "Norr igen", "key": "north"},
     "Ett annat stadsdelsområde använder redan den nyckeln."),
    ("professions", {"name_sv": "BVC igen", "name_en": "", "key": "bvc"},
     "En annan yrkesgrupp använder redan den nyckeln."),
])
def test_adding_a_district_or_profession_keeps_its_form_on_a_taken_key(
        client, login_as, make_project, kind, data, taken):
    project = make_project()
    login_as(projects=[project])
    url = f"/projects/{project.slug}/{kind}"
    reply = post_form(client, url, data)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422 and taken in html
    assert f'value="{data.get("name") or data["name_sv"]}"' in html
    new = {**data, "key": ""}
    added = post_form(client, url, new, follow_redirects=True)
    assert ("Stadsdelsområdet är tillagt." if kind == "districts"
            else "Yrkesgruppen är tillagd.") in added.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["districts", "professions"])
def test_a_district_or_profession_with_answers_is_kept(client, login_as, make_project,
                                                       add_answer, kind):
    project = make_project()
    login_as(projects=[project])
    add_answer(project.rounds[0])  # profession bvc, district north
    parts = project.districts if kind == "districts" else project.professions
    used = next(p for p in parts if p.key in ("north", "bvc"))
    unused = next(p for p in parts if p.key not in ("north", "bvc"))
    kept = post_form(client, f"/projects/{project.slug}/{kind}/{used.id}/delete",
                     follow_redirects=True)
    assert "Inaktivera den i stället" in kept.get_data(as_text=True)
    post_form(client, f"/projects/{project.slug}/{kind}/{unused.id}/delete")
    from spindel.extensions import db

    db.session.expire_all()
    keys = [p.key for p in (project.districts if kind == "districts" else project.professions)]
    assert used.key in keys and unused.key not in keys


@pytest.mark.parametrize("kind", ["districts", "professions"])
def test_deactivating_activating_and_deleting_say_so(client, login_as, make_project, kind):
    project = make_project()
    login_as(projects=[project])
    part = (project.districts if kind == "districts" else project.professions)[-1]
    name = part.label("sv")
    url = f"/projects/{project.slug}/{kind}/{part.id}"
    off = post_form(client, f"{url}/active", follow_redirects=True).get_data(as_text=True)
    assert f"{name} är inaktiverad" in off
    on = post_form(client, f"{url}/active", follow_redirects=True).get_data(as_text=True)
    assert f"{name} är aktiv igen" in on
    gone = post_form(client, f"{url}/delete", follow_redirects=True).get_data(as_text=True)
    assert f"{name} är borttagen." in gone
    # Deleted: moving it is a 404 (with a valid token, so the refusal is for the part).
    assert post_form(client, f"{url}/move", {"direction": "up"}).status_code == 404
