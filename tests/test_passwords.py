"""Passwords: besides the length, common and easily guessed ones are refused — with a
reason in Swedish or English — wherever a password is set: the admin's form for a new user,
My account, and `spindel create-user`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from spindel.extensions import db
from spindel.models import User
from spindel.services.accounts import password_problem
from tests.conftest import PASSWORD, post_form

WEAK = [
    "aaaaaaaaaa",  # the pen test's example: long enough, one repeated letter
    "password1234",
    "qwertyuiop",
    "1234567890",
    "Lösenord2024!",  # Swedish words zxcvbn's English lists do not know
    "Sommar2024!",
    "Spindeln2025",
    "eva.lund1234",  # built from her own email address (for eva.lund@example.se)
]
STRONG = ["lila elefanter dansar tango", "kaffe, regn och tre cyklar"]
TOO_EASY_SV = "Lösenordet är för lätt att gissa"
TOO_EASY_EN = "This password is too easy to guess"


@pytest.mark.parametrize("password", WEAK)
def test_common_and_guessable_passwords_are_refused(app, password):
    assert password_problem(password, "eva.lund@example.se") is not None


@pytest.mark.parametrize("password", STRONG)
def test_a_few_unusual_words_are_accepted(app, password):
    assert password_problem(password, "eva.lund@example.se") is None


def test_length_still_counts_and_very_long_input_is_quick(app):
    assert "10" in str(password_problem("xK9#qw"))
    assert password_problem("lila elefanter " * 40) is not None  # over 500 characters
    assert password_problem("lila elefanter dansar tango " * 10) is None  # 280 characters


def test_my_account_refuses_an_easy_password_in_swedish_and_english(client, login_as):
    login_as()
    for new in ("aaaaaaaaaa", "Lösenord2024!"):
        reply = post_form(client, "/account/password",
                          {"current": PASSWORD, "new": new, "confirm": new})
        assert reply.status_code == 422 and TOO_EASY_SV in reply.get_data(as_text=True)
    client.get("/account?lang=en")
    reply = post_form(client, "/account/password",
                      {"current": PASSWORD, "new": "password1234", "confirm": "password1234"})
    assert reply.status_code == 422 and TOO_EASY_EN in reply.get_data(as_text=True)
    ok = post_form(client, "/account/password",
                   {"current": PASSWORD, "new": STRONG[0], "confirm": STRONG[0]})
    assert ok.status_code == 302


def test_an_admin_cannot_give_a_new_user_an_easy_password(client, login_as):
    login_as(admin=True)
    reply = post_form(client, "/admin/users",
                      {"email": "eva.lund@example.se", "password": "eva.lund1234"})
    assert reply.status_code == 422 and TOO_EASY_SV in reply.get_data(as_text=True)
    client.get("/admin/users?lang=en")
    reply = post_form(client, "/admin/users",
                      {"email": "eva.lund@example.se", "password": "aaaaaaaaaa"})
    assert reply.status_code == 422 and TOO_EASY_EN in reply.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "eva.lund@example.se")) is None
    reply = post_form(client, "/admin/users",
                      {"email": "eva.lund@example.se", "password": STRONG[1]})
    assert reply.status_code == 302


def test_the_command_refuses_an_easy_password(app, runner, monkeypatch):
    monkeypatch.setenv("SPINDEL_PASSWORD", "password1234")
    refused = runner.invoke(args=["create-user", "eva@example.se"])
    assert refused.exit_code != 0 and TOO_EASY_EN in refused.output
    monkeypatch.setenv("SPINDEL_PASSWORD", STRONG[0])
    assert runner.invoke(args=["create-user", "eva@example.se"]).exit_code == 0
