"""The short address on the "answer now" slide: /s/<code> leads to the round's link. A
person types it from the back of the room, so the code is short, random, unique and free of
characters that look alike; like every respondent path it leaves no line in the logs."""

from __future__ import annotations

import logging
import re
import urllib.request

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from spindel import models
from spindel.extensions import db
from spindel.models import SHORT_CODE_ALPHABET, Round
from spindel.services.links import short_url
from tests.conftest import make_app

CODE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4,5}$")


def test_every_round_gets_a_short_random_code_without_look_alike_characters(make_project):
    projects = [make_project(rounds=6) for _ in range(5)]
    codes = [r.short_code for p in projects for r in p.rounds]
    assert all(CODE.match(code) for code in codes), codes
    assert not set("01OIL") & set(SHORT_CODE_ALPHABET)
    assert len(set(codes)) == len(codes) == 30
    assert short_url(projects[0].rounds[0]).endswith(f"/s/{projects[0].rounds[0].short_code}")


def test_a_code_already_taken_is_drawn_again(make_project, monkeypatch):
    taken = make_project().rounds[0].short_code
    # The first draws repeat the code that exists (and, in one insert, a code already
    # drawn for the other new round); the rounds get fresh ones.
    draws = iter(list(taken) + list(taken) + list("ABCDE") + list("ABCDE") + list("FGHJK"))
    monkeypatch.setattr(models.secrets, "choice", lambda alphabet: next(draws))
    project = make_project(rounds=2)
    assert sorted(r.short_code for r in project.rounds) == ["ABCDE", "FGHJK"]


def test_the_short_address_leads_to_the_rounds_link(client, make_project):
    round_ = make_project().rounds[0]
    for typed in (round_.short_code, round_.short_code.lower()):
        reply = client.get(f"/s/{typed}")
        assert reply.status_code == 302 and reply.headers["Location"] == f"/r/{round_.token}"
    assert client.get("/s/ZZZZZZ").status_code == 404
    assert client.get("/s/").status_code == 404


def test_the_short_address_leaves_no_line_in_the_access_log(live_server, make_project,
                                                            caplog):
    round_ = make_project().rounds[0]
    caplog.set_level(logging.INFO, logger="werkzeug")
    page = urllib.request.urlopen(f"{live_server.url}/s/{round_.short_code}", timeout=10)
    assert page.url.endswith(f"/r/{round_.token}") and page.status == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert lines == []
    assert round_.short_code not in caplog.text and round_.token not in caplog.text


def test_the_migration_gives_existing_rounds_their_codes(tmp_path, backend):
    """0008 adds round.short_code: each round stored before it gets its own code."""
    app = make_app(tmp_path, backend)
    with app.app_context():
        upgrade(revision="0007")
        table = sa.table
        with db.engine.begin() as conn:
            conn.execute(table("project", *map(sa.column, (
                "id", "slug", "name", "description", "instrument", "min_group_size",
                "setup_version"))).insert().values(
                id=1, slug="p", name="P", description="", instrument="spindeln@1",
                min_group_size=5, setup_version=1))
            conn.execute(table("round", *map(sa.column, (
                "id", "project_id", "number", "label", "state", "token"))).insert(),
                [{"id": n, "project_id": 1, "number": n, "label": f"M{n}",
                  "state": "closed", "token": f"token-{n}"} for n in range(1, 41)])
        upgrade(revision="0008")
        with db.engine.connect() as conn:
            codes = [c for (c,) in conn.execute(sa.text("SELECT short_code FROM round"))]
        assert len(codes) == 40 and len(set(codes)) == 40
        assert all(CODE.match(code) for code in codes)
        unique = {tuple(c["column_names"]) for c in inspect(db.engine).get_unique_constraints(
            "round")}
        assert ("short_code",) in unique
        downgrade(revision="0007")
        assert "short_code" not in {c["name"] for c in inspect(db.engine).get_columns("round")}
        db.engine.dispose()


def test_a_round_made_by_hand_gets_its_code_on_insert(app, make_project):
    project = make_project(rounds=0)
    round_ = Round(number=1, label="Mätning 1")
    project.rounds.append(round_)
    db.session.commit()
    assert CODE.match(round_.short_code)
