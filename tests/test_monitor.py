"""Watching answers arrive: exact counts per profession and district (counts of answers, never
ratings), and a sentence on when the figures move next — only in steps of k answers."""

from __future__ import annotations

import datetime as dt
import re

from spindel.dates import local_today
from spindel.extensions import db
from spindel.models import RoundState


def monitor(client, project, number=1):
    reply = client.get(f"/projects/{project.slug}/rounds/{number}/monitor.json")
    assert reply.status_code == 200
    return reply.get_json()


def page(client, project, number=1) -> str:
    html = client.get(f"/projects/{project.slug}/rounds/{number}/monitor").get_data(as_text=True)
    return re.sub(r"\s+", " ", html)


def test_exact_counts_by_profession_and_district(client, login_as, make_project, add_answer):
    project = make_project(min_group_size=3)
    login_as(projects=[project])
    round_ = project.rounds[0]
    yesterday = local_today() - dt.timedelta(days=1)
    for _ in range(4):
        add_answer(round_, profession="bvc", district="north", today=yesterday)
    for _ in range(3):
        add_answer(round_, profession="bmm", district="north", today=yesterday)
    add_answer(round_, profession="bmm", district="south", today=yesterday)
    data = monitor(client, project)
    assert data["total"] == 8
    assert data["latest"] == "earlier"
    professions = {g["key"]: g["count"] for g in data["professions"]}
    assert professions["bvc"] == 4 and professions["bmm"] == 4
    # One answer from the south: a count of answers, so it is shown as it is.
    districts = {g["key"]: g["count"] for g in data["districts"]}
    assert districts == {"north": 7, "south": 1}
    html = page(client, project)
    assert '<td class="num" data-key="south">1</td>' in html
    assert "färre än" not in html

    add_answer(round_, profession="bmm", district="south")  # today
    data = monitor(client, project)
    assert data["latest"] == "today" and data["total"] == 9
    assert {g["key"]: g["count"] for g in data["districts"]} == {"north": 7, "south": 2}


def test_the_figures_move_only_in_steps_of_k(client, login_as, make_project, add_answer):
    project = make_project(min_group_size=5)
    login_as(projects=[project])
    round_ = project.rounds[0]
    for _ in range(3):
        add_answer(round_)
    data = monitor(client, project)
    assert data["released"] is None and data["next_update_in"] == 2
    assert data["figures"] == ("Inga siffror än: bedömningarna visas när mätningen har 5 svar, "
                               "efter 2 svar till.")
    assert data["figures"] in page(client, project)

    for _ in range(3):
        add_answer(round_)
    data = monitor(client, project)  # six answers: the first release
    assert data["released"] == 6
    assert data["figures"] == ("Bedömningarna visas bara i steg om 5 svar: siffrorna bygger på "
                               "6 svar, och nästa uppdatering av siffrorna kommer efter 5 svar "
                               "till.")
    add_answer(round_)
    add_answer(round_)
    data = monitor(client, project)
    assert data["total"] == 8 and data["released"] == 6
    assert data["figures"].endswith("siffrorna bygger på 6 svar, och nästa uppdatering av "
                                    "siffrorna kommer efter 3 svar till.")
    assert data["figures"] in page(client, project)

    round_.state = RoundState.CLOSED
    db.session.commit()
    data = monitor(client, project)
    assert data["figures"] == "Mätningen är stängd. Dess publicerade siffror bygger på 6 svar."
    english = client.get(f"/projects/{project.slug}/rounds/1/monitor.json?lang=en").get_json()
    assert english["figures"] == ("The round is closed. Its published figures include 6 "
                                  "answers.")


def test_monitor_never_shows_a_time_of_day(client, login_as, make_project, add_answer):
    project = make_project()
    login_as(projects=[project])
    add_answer(project.rounds[0])
    html = page(client, project)
    body = client.get(f"/projects/{project.slug}/rounds/1/monitor.json").get_data(as_text=True)
    assert "i dag" in html
    for text in (html, body):
        assert not re.search(r"\b\d{1,2}:\d{2}\b", text)


def test_the_total_and_every_count_are_shown_from_the_first_answer(client, login_as,
                                                                   make_project, add_answer):
    project = make_project()
    login_as(projects=[project])
    add_answer(project.rounds[0])
    data = monitor(client, project)
    assert data["total"] == 1
    assert {g["key"]: g["count"] for g in data["districts"]} == {"north": 1, "south": 0}
    html = page(client, project)
    assert 'id="monitor-total">1<' in html
    assert '<td class="num" data-key="bvc">1</td>' in html
