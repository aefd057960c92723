"""The demo, as the Stockholm project it imitates: made up and said to be, its seven districts
and four services, six rounds from autumn 2018 to spring 2021 of 40–60 answers each, and
patterns a process supporter would recognise — read back from the published figures."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from sqlalchemy import func, select

from spindel.extensions import db
from spindel.models import District, Profession, Response, RoundStatus
from spindel.services.demo import create_demo
from spindel.services.results import results_payload
from spindel.services.selection import Selection

DISTRICTS = ["Enskede-Årsta-Vantör", "Farsta", "Hässelby-Vällingby", "Rinkeby-Kista",
             "Skarpnäck", "Skärholmen", "Spånga-Tensta"]
SERVICES = ["bvc", "bmm", "open_preschool", "social_services"]
LOW_AND_SLOW = {"management", "early_support", "user_influence"}


@pytest.fixture
def demo(app):
    project = create_demo()
    db.session.commit()
    return project


def whole_round_means(project) -> dict[int, dict[str, float]]:
    """Item means of each round's whole population, as published."""
    payload = results_payload(project, Selection(by="round"))
    assert not any(g["suppressed"] for g in payload["groups"])
    return {g["key"]: {item: stats["mean"] for item, stats in g["items"].items()}
            for g in payload["groups"]}


def test_the_demo_says_it_is_made_up_and_uses_the_new_instrument(demo):
    assert demo.description.startswith("Påhittade demonstrationsdata.")
    assert "Stärkt tidigt stöd i samverkan" in demo.description
    assert demo.instrument == "spindeln@2026.2"


def test_the_seven_districts_and_four_services_of_the_source(demo):
    assert sorted(d.name for d in demo.districts) == DISTRICTS
    assert "Bromma" not in {d.name for d in demo.districts}
    assert [p.key for p in demo.professions] == SERVICES


def test_six_rounds_each_spring_and_autumn_from_autumn_2018_the_last_still_open(demo):
    rounds = sorted(demo.rounds, key=lambda r: r.number)
    assert [(r.opens_on.year, r.opens_on.month < 7) for r in rounds] == [
        (2018, False), (2019, True), (2019, False), (2020, True), (2020, False), (2021, True)]
    assert [r.status() for r in rounds] == [RoundStatus.CLOSED] * 5 + [RoundStatus.OPEN]
    assert all(r.closes_on.year <= 2021 for r in rounds[:5])
    first, last = db.session.execute(select(func.min(Response.submitted_on),
                                            func.max(Response.submitted_on))).one()
    assert dt.date(2017, 1, 1) <= first and last <= dt.date(2021, 12, 31)


def test_every_round_has_40_to_60_answers_from_every_district_and_service(demo):
    for round_ in demo.rounds:
        rows = db.session.execute(
            select(District.name, Profession.key, func.count())
            .select_from(Response).join(District).join(Profession)
            .where(Response.round_id == round_.id)
            .group_by(District.name, Profession.key)).all()
        assert 40 <= sum(n for *_, n in rows) <= 60, round_.label
        assert {d for d, _p, _n in rows} == set(DISTRICTS), round_.label
        assert {p for _d, p, _n in rows} == set(SERVICES), round_.label


def test_the_published_means_dip_in_2020(demo):
    means = {number: statistics.fmean(items.values())
             for number, items in whole_round_means(demo).items()}
    # 3 = autumn 2019, 4 = spring 2020, 5 = autumn 2020, 6 = spring 2021
    assert means[4] < means[3] - 0.5, means
    assert means[4] < means[5] < means[6], means
    assert means[6] > means[1] + 1, means


def test_management_and_the_added_questions_are_low_and_slow_to_move(demo):
    means = whole_round_means(demo)
    for number, items in means.items():
        lowest = sorted(items, key=items.get)[:3]
        assert set(lowest) == LOW_AND_SLOW, (number, items)
    change = {item: means[6][item] - means[1][item] for item in means[1]}
    slow = statistics.fmean(change[i] for i in LOW_AND_SLOW)
    others = statistics.fmean(v for i, v in change.items() if i not in LOW_AND_SLOW)
    assert slow < others / 2, change


def dimension_scores(payload: dict, dimension: str) -> dict[str, float]:
    """One dimension's published score per shown group (a score is left out where one of
    its items is hidden, policy §2)."""
    return {g["key"]: g["dimensions"][dimension] for g in payload["groups"]
            if not g["suppressed"] and g["dimensions"][dimension] is not None}


def test_open_preschool_rates_the_organisation_lowest(demo):
    for round_ in demo.rounds:
        if round_.status() != RoundStatus.CLOSED:
            continue
        payload = results_payload(demo, Selection(by="profession", rounds=[round_.number]))
        organisation = dimension_scores(payload, "organisation")
        views = dimension_scores(payload, "views")
        assert "open_preschool" in organisation and len(organisation) >= 3
        assert min(organisation, key=organisation.get) == "open_preschool", (round_.label,
                                                                             organisation)
        # …though not on everything: its views and knowledge are not the lowest.
        assert min(views, key=views.get) != "open_preschool", (round_.label, views)


def test_the_small_group_is_hidden_in_its_round_and_only_there(demo):
    skarpnack = next(d for d in demo.districts if d.key == "skarpnack")
    for round_ in demo.rounds:
        answers = db.session.scalars(
            select(Profession.key).select_from(Response).join(Profession)
            .where(Response.round_id == round_.id,
                   Response.district_id == skarpnack.id)).all()
        if round_.number != 2:
            assert len(answers) >= 5
            continue
        assert answers == ["bvc", "bvc"]  # two staff from one service
        payload = results_payload(demo, Selection(by="district", rounds=[2]))
        groups = {g["key"]: g for g in payload["groups"]}
        assert groups["skarpnack"]["suppressed"] and groups["skarpnack"]["items"] == {}
        assert groups["skarpnack"]["reason"] == "small"
        # One other district goes with it, or Skarpnäck would follow from the total.
        assert [k for k, g in groups.items() if g["suppressed"]
                and g["reason"] == "complement"] != []
        assert sum(not g["suppressed"] for g in groups.values()) == 5


def test_the_open_round_shows_its_whole_and_waits_with_its_groups(demo):
    [open_round] = [r for r in demo.rounds if r.status() == RoundStatus.OPEN]
    payload = results_payload(demo, Selection(by="round", rounds=[open_round.number]))
    [whole] = payload["groups"]
    assert not whole["suppressed"] and whole["responses"] > 5
    by_district = results_payload(demo, Selection(by="district", rounds=[open_round.number]))
    assert all(g["suppressed"] and g["reason"] == "open" for g in by_district["groups"])


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
