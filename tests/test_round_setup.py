"""Each app process keeps a round's setup in memory (services/round_setup). An edit made in
another process — a supporter's worker, another machine — must show on the very next request,
and answers themselves must not throw the cached setup away."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from spindel import create_app
from spindel import instrument as instruments
from spindel.dates import local_today
from spindel.extensions import db
from spindel.models import District, Profession, Project, Response, Round, RoundState
from spindel.services.codes import generate_codes
from spindel.services.projects import create_project
from tests.conftest import full_answer, hidden_fields, make_app


@pytest.fixture
def two_processes(tmp_path, backend):
    """Two apps on one database, as two gunicorn workers: `respondents` serves the links,
    `supporter` edits the project. Each has its own cache."""
    respondents = make_app(tmp_path, backend)
    supporter = create_app({**{k: respondents.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "SPINDEL_RATELIMIT_STORAGE_URL")}})
    with supporter.app_context():
        db.create_all()
        project = create_project("Samverkan", "samverkan", districts=[("north", "Norr")])
        project.rounds.append(Round(number=1, label="Mätning 1", state=RoundState.OPEN,
                                    opens_on=local_today() - dt.timedelta(days=1)))
        db.session.commit()
        token = project.rounds[0].token
    yield respondents, supporter, token
    for app in (respondents, supporter):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def edit(app, change) -> None:
    with app.app_context():
        project = db.session.scalar(select(Project).where(Project.slug == "samverkan"))
        change(project)
        db.session.commit()


def version(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Project.setup_version))


def instrument(app):
    with app.app_context():
        return instruments.registry()[instruments.default_ident()]


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def test_an_edit_in_another_process_shows_on_the_next_request(two_processes):
    respondents, supporter, token = two_processes
    client = respondents.test_client()
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert "Norr" in page and "Förskola Ekorren" not in page

    edit(supporter, lambda p: p.professions.append(
        Profession(key="ekorren", name_sv="Förskola Ekorren", name_en="Ekorren", position=9)))
    edit(supporter, lambda p: setattr(p.districts[0], "name", "Norra staden"))
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert "Förskola Ekorren" in page and "Norra staden" in page and "Norr<" not in page

    # The new profession is accepted at once; a deactivated one is refused with a message.
    hidden = hidden_fields(page)
    assert client.post(f"/r/{token}", data={**hidden, **full_answer(
        instrument(respondents), profession="ekorren")}).status_code == 303
    edit(supporter, lambda p: setattr(
        next(x for x in p.professions if x.key == "ekorren"), "active", False))
    page = client.get(f"/r/{token}").get_data(as_text=True)
    refused = client.post(f"/r/{token}", data={**hidden_fields(page), **full_answer(
        instrument(respondents), profession="ekorren")})
    assert refused.status_code == 422 and "Förskola Ekorren" not in refused.get_data(True)
    assert stored(supporter) == 1


def test_closing_a_round_or_handing_out_codes_elsewhere_stops_the_shared_link(two_processes):
    respondents, supporter, token = two_processes
    client = respondents.test_client()
    hidden = hidden_fields(client.get(f"/r/{token}").get_data(as_text=True))
    answer = full_answer(instrument(respondents))

    edit(supporter, lambda p: generate_codes(p.rounds[0], 3))
    reply = client.post(f"/r/{token}", data={**hidden, **answer})
    assert reply.status_code == 403 and "personliga länkar" in reply.get_data(True)

    edit(supporter, lambda p: setattr(p.rounds[0], "state", RoundState.CLOSED))
    assert client.get(f"/r/{token}").status_code == 410
    assert stored(supporter) == 0


def test_every_kind_of_setup_edit_raises_the_version_and_answers_do_not(two_processes):
    respondents, supporter, token = two_processes
    client = respondents.test_client()
    before = version(supporter)
    for _ in range(3):
        page = client.get(f"/r/{token}").get_data(as_text=True)
        assert client.post(f"/r/{token}", data={**hidden_fields(page), **full_answer(
            instrument(respondents))}).status_code == 303
    assert version(supporter) == before  # a burst of answers keeps every cache warm

    changes = [
        lambda p: setattr(p, "name", "Samverkan Norr"),
        lambda p: p.districts.append(District(key="south", name="Söder", position=2)),
        lambda p: setattr(p.professions[0], "name_sv", "Barnavårdscentral"),
        lambda p: setattr(p.rounds[0], "label", "Mätning 1 – hösten"),
        lambda p: p.rounds.append(Round(number=2, label="Mätning 2")),
        lambda p: generate_codes(p.rounds[0], 1),
    ]
    for change in changes:
        seen = version(supporter)
        edit(supporter, change)
        assert version(supporter) == seen + 1

