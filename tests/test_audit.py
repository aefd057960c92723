"""The disclosure audit as a supporter, a data protection officer and an operator meet it: the
`spindel audit` command, the printable page, and the privacy document."""

from __future__ import annotations

import random

from spindel.models import RoundState
from spindel.services import disclosure

from .test_disclosure import Recorder, policy_example


def test_the_audit_command_passes_and_says_what_is_hidden(app, runner):
    rec = Recorder()
    policy_example(rec, random.Random(1))
    result = runner.invoke(args=["audit", rec.project.slug, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output and "FAIL" not in result.output
    assert "release 1" in result.output and "breakdowns published" in result.output
    assert "hidden: Maternity clinic (BMM): fewer than k answers" in result.output
    # North (6) minus BVC (5, all in North) would be the BMM answer: BVC goes too.
    assert "hidden: Child health centre (BVC): hidden because, with everything else " \
        "published" in result.output


def test_the_audit_command_fails_on_a_broken_rule(app, runner, monkeypatch):
    monkeypatch.setattr(disclosure, "_exact", lambda *args, **kwargs: None)
    rec = Recorder()
    policy_example(rec, random.Random(1))
    result = runner.invoke(args=["audit", rec.project.slug, "--lang", "en"])
    assert result.exit_code == 1
    assert "FAIL" in result.output and "follows from the published figures" in result.output


def test_unknown_project_is_a_clear_error(app, runner):
    result = runner.invoke(args=["audit", "nope"])
    assert result.exit_code != 0 and "no project 'nope'" in result.output


def test_the_audit_page_for_members_only(app, client, login_as, make_user, auth):
    rec = Recorder(rounds=2, state=RoundState.CLOSED)
    policy_example(rec, random.Random(1))
    login_as(projects=[rec.project])
    page = client.get(f"/projects/{rec.project.slug}/audit?lang=en")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Result: passed" in text
    assert "Release 1" in text and "Mätning 2" in text
    assert "Fewer than 5 answers: nothing is published for this round." in text
    sv = client.get(f"/projects/{rec.project.slug}/audit?lang=sv").get_data(as_text=True)
    assert "Anonymitetsgranskning" in sv and "Resultat: godkänt" in sv
    auth.logout()
    stranger = make_user()
    auth.login(stranger)
    assert client.get(f"/projects/{rec.project.slug}/audit").status_code == 404


def test_the_privacy_document_in_both_languages(client):
    sv = client.get("/privacy?lang=sv").get_data(as_text=True)
    en = client.get("/privacy?lang=en").get_data(as_text=True)
    assert "<h1>Integritet och anonymitet i Spindel</h1>" in sv
    assert "<h1>Privacy and anonymity in Spindel</h1>" in en
    for text in (sv, en):
        assert "spindel audit" in text and "k−1" in text
