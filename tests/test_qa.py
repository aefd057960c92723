"""What a first-time user meets: a way to log in from the start page, flashes that say what
happened, a way back from every page, respondent pages headed like the form."""

from __future__ import annotations

import pytest

from spindel.models import RoundState
from tests.conftest import post_form


def test_the_start_page_leads_supporters_to_the_login(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/login"' in html and "Processtödjare eller administratör?" in html


def test_the_start_page_leads_a_logged_in_supporter_to_the_workspace(client, login_as):
    login_as()
    html = client.get("/?lang=en").get_data(as_text=True)
    assert 'href="/workspace"' in html and "Go to your workspace" in html
    assert 'href="/login"' not in html


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


def test_thanks_and_closed_pages_carry_the_instrument_name_like_the_form(client,
                                                                        make_project):
    from spindel import instrument as instruments
    from tests.conftest import full_answer, hidden_fields

    round_ = make_project().rounds[0]
    name = instruments.for_project(round_.project).name.get("sv")
    form = client.get(f"/r/{round_.token}").get_data(as_text=True)
    assert f'<span class="brand">{name}</span>' in form
    data = {**hidden_fields(form), **full_answer(instruments.for_project(round_.project))}
    thanks = client.post(f"/r/{round_.token}", data=data, follow_redirects=True)
    assert f'<span class="brand">{name}</span>' in thanks.get_data(as_text=True)


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


def test_text_fields_keep_type_autocomplete_and_error_links(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<input autocomplete="username" id="email"' in html and 'type="email"' in html
    assert 'autocomplete="current-password"' in html and 'type="password"' in html
    from tests.conftest import hidden_fields

    reply = client.post("/login", data={**hidden_fields(html), "email": "", "password": ""})
    html = reply.get_data(as_text=True)
    field = html[html.index('<input', html.index('for="email"')):]
    field = field[:field.index(">")]
    assert 'aria-invalid="true"' in field and 'aria-describedby="email-error"' in field


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_spiders_per_profession_and_district_name_their_groups(make_project, add_answer,
                                                               lang):
    from spindel.models import RoundState
    from spindel.services.charts import spider_districts, spider_professions

    # Closed: an open round publishes only its whole round.
    project = make_project(min_group_size=3, state=RoundState.CLOSED)
    round_ = project.rounds[0]
    for profession, district, value in (("bvc", "north", 4), ("bmm", "south", 8)):
        for _ in range(3):
            add_answer(round_, profession=profession, district=district, value=value)
    by_profession = spider_professions(project, 1, lang=lang)
    by_district = spider_districts(project, 1, lang=lang)
    assert by_profession.key == "spider-professions-1"
    assert by_district.key == "spider-districts-1"
    assert by_profession.title == ("Yrkesgrupper: Mätning 1" if lang == "sv"
                                   else "Professions: Mätning 1")
    assert by_district.title == ("Stadsdelsområden: Mätning 1" if lang == "sv"
                                 else "Districts: Mätning 1")
    # The outlines (not the shade behind the added questions), each with its answers.
    answers = "svar" if lang == "sv" else "answers"
    assert [t.name for t in by_district.figure.data if t.type == "scatterpolar"] == [
        f"Norr (3 {answers})", f"Söder (3 {answers})"]
    assert len([t for t in by_profession.figure.data if t.type == "scatterpolar"]) == 2
    assert by_district.table[-1][2:] == ["3", "3"]


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


def test_the_printed_demo_login_works_even_if_the_file_was_replaced(app, tmp_path, client):
    from spindel.extensions import db
    from spindel.services.demo import ensure_demo_admin
    from tests.conftest import hidden_fields

    path = tmp_path / "demo_password"
    ensure_demo_admin(path)
    db.session.commit()
    path.write_text("written-by-another-run\n")  # e.g. a test that used the same file
    email, password = ensure_demo_admin(path)
    db.session.commit()
    assert password == "written-by-another-run"
    token = hidden_fields(client.get("/login").get_data(as_text=True))["csrf_token"]
    reply = client.post("/login", data={"email": email, "password": password,
                                        "csrf_token": token})
    assert reply.status_code == 302
