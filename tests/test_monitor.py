"""Watching answers arrive: counts per profession and district, small groups hidden."""

from __future__ import annotations

import datetime as dt


def monitor(client, project, number=1):
    reply = client.get(f"/projects/{project.slug}/rounds/{number}/monitor.json")
    assert reply.status_code == 200
    return reply.get_json()


def test_counts_by_profession_and_district_with_small_groups_hidden(client, login_as,
                                                                   make_project, add_answer):
    project = make_project(min_group_size=3)
    login_as(projects=[project])
    round_ = project.rounds[0]
    yesterday = dt.date.today() - dt.timedelta(days=1)
    for _ in range(4):
        add_answer(round_, profession="bvc", district="north", today=yesterday)
    for _ in range(3):
        add_answer(round_, profession="bmm", district="north", today=yesterday)
    add_answer(round_, profession="bmm", district="south", today=yesterday)
    data = monitor(client, project)
    assert data["total"] == 8
    assert data["latest"] == "earlier"
    professions = {g["key"]: g for g in data["professions"]}
    assert professions["bvc"]["count"] == 4 and professions["bmm"]["count"] == 4
    districts = {g["key"]: g for g in data["districts"]}
    # South has one answer: hidden; then north would follow from the total, so it hides too.
    assert districts["south"]["suppressed"] and districts["south"]["count"] is None
    assert districts["north"]["suppressed"] and districts["north"]["count"] is None

    add_answer(round_, profession="bmm", district="south")  # today
    add_answer(round_, profession="bmm", district="south")
    data = monitor(client, project)
    assert data["latest"] == "today" and data["total"] == 10
    districts = {g["key"]: g for g in data["districts"]}
    assert districts["north"]["count"] == 7 and districts["south"]["count"] == 3


def test_monitor_never_shows_a_time_of_day(client, login_as, make_project, add_answer):
    import re

    project = make_project()
    login_as(projects=[project])
    add_answer(project.rounds[0])
    html = client.get(f"/projects/{project.slug}/rounds/1/monitor").get_data(as_text=True)
    body = client.get(f"/projects/{project.slug}/rounds/1/monitor.json").get_data(as_text=True)
    assert "i dag" in html
    for text in (html, body):
        assert not re.search(r"\b\d{1,2}:\d{2}\b", text)


def test_the_total_is_shown_even_when_every_group_is_small(client, login_as, make_project,
                                                           add_answer):
    project = make_project()
    login_as(projects=[project])
    add_answer(project.rounds[0])
    data = monitor(client, project)
    assert data["total"] == 1
    assert all(g["suppressed"] for g in data["professions"] + data["districts"])
    html = client.get(f"/projects/{project.slug}/rounds/1/monitor").get_data(as_text=True)
    assert 'id="monitor-total">1<' in html and "färre än 5" in html
