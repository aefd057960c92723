"""Talking points: the seminar's lowest items, largest changes, widest spread and the
professions' differences — built from data where the answer is known by construction. A
change or a difference is named only on evidence (both sides at least 2k ratings, more than
twice its Welch standard error, computed here independently), and every point says how many
answers it rests on."""

from __future__ import annotations

import math
import statistics

import pytest

from spindel.extensions import db
from spindel.models import RoundState
from spindel.services.talking_points import talking_points

LABEL_SV = {"rules": "Lagar och regler", "routines": "Rutiner", "goals": "Gemensamma mål",
            "management": "Ledningens stöd", "roles": "Ansvarsfördelning",
            "knowledge": "Kunskap om varandra", "shared_view": "Gemensam syn"}


def kinds(points, kind):
    return [p for p in points if p.kind == kind]


def close(round_) -> None:
    round_.state = RoundState.CLOSED
    db.session.commit()


def test_the_three_lowest_items_in_order_with_their_means(make_project, rate):
    project = make_project()
    round_ = project.rounds[0]
    rate(round_, times=5, base=7, rules=2, routines=3, goals=4, roles=5)

    sv = kinds(talking_points(project, 1, lang="sv"), "lowest")
    assert [p.item for p in sv] == ["rules", "routines", "goals"]
    assert "Lagar och regler" in sv[0].text and "2,0" in sv[0].text
    assert sv[0].text.endswith("(5 svar).")
    en = kinds(talking_points(project, 1, lang="en"), "lowest")
    assert "Laws and regulations" in en[0].text and "2.0" in en[0].text
    assert "," not in en[1].text.split("mean")[-1]


def test_largest_changes_since_the_previous_round_with_direction_and_size(make_project,
                                                                         rate):
    project = make_project(rounds=3)  # k = 5: a change needs 10 ratings on each side
    first, second, third = project.rounds
    rate(first, times=10, base=1)  # not the previous round of round 3: must not be used
    rate(second, times=10, base=5)
    rate(third, times=12, base=5, knowledge=8, management=3, roles=6)

    points = kinds(talking_points(project, 3, lang="sv"), "change")
    # knowledge +3, management −2, roles +1; every other item unchanged. Everyone rated
    # alike (sd 0), so each change is certain however small.
    assert [p.item for p in points] == ["knowledge", "management", "roles"]
    assert "ökade med 3,0" in points[0].text and "från 5,0 till 8,0" in points[0].text
    assert "Mätning 2" in points[0].text
    assert points[0].text.endswith("(10 och 12 svar).")
    assert "minskade med 2,0" in points[1].text
    en = kinds(talking_points(project, 3, lang="en"), "change")
    assert "rose by 3.0" in en[0].text and "fell by 2.0" in en[1].text


def test_the_first_round_has_no_changes(make_project, rate):
    project = make_project()
    rate(project.rounds[0], times=5)
    assert kinds(talking_points(project, 1), "change") == []


def test_widest_spread_by_standard_deviation(make_project, rate):
    project = make_project()
    round_ = project.rounds[0]
    answers = {"goals": [1, 10] * 3, "rules": [3, 8] * 3, "roles": [4, 6] * 3,
               "knowledge": [5, 5, 5, 5, 5, 6]}
    for i in range(6):
        rate(round_, **{k: v[i] for k, v in answers.items()})

    points = kinds(talking_points(project, 1, lang="sv"), "spread")
    assert [p.item for p in points] == ["goals", "rules", "roles"]
    sd = f"{statistics.stdev(answers['goals']):.1f}".replace(".", ",")
    assert f"standardavvikelse {sd}" in points[0].text


def test_professions_differ_most_only_among_groups_that_are_shown(make_project, rate):
    project = make_project(min_group_size=5)
    round_ = project.rounds[0]
    rate(round_, times=10, profession="bvc", shared_view=9)
    rate(round_, times=10, profession="bmm", shared_view=2, knowledge=8)
    rate(round_, times=10, profession="social_services", goals=7)
    # Two small groups, both hidden: their extreme ratings of rules (range 5) must not count.
    rate(round_, times=2, profession="open_preschool", rules=10)
    rate(round_, times=3, profession="other", rules=10)
    # While the round is open, professions are not published: no such points.
    assert kinds(talking_points(project, 1, lang="sv"), "professions") == []
    close(round_)

    points = kinds(talking_points(project, 1, lang="sv"), "professions")
    assert [p.item for p in points] == ["shared_view", "knowledge", "goals"]
    assert "Barnmorskemottagning" in points[0].text or "BMM" in points[0].text
    assert "7,0" in points[0].text and points[0].text.endswith("10 och 10 svar).")
    assert not any("Öppen förskola" in p.text for p in points)


def test_a_round_under_k_gives_no_points(make_project, rate):
    project = make_project(rounds=2, min_group_size=5)
    first, second = project.rounds
    rate(first, times=5, base=5)
    rate(second, times=4, base=9, rules=1)  # four answers: below k
    assert talking_points(project, 2, lang="sv") == []


def test_a_hidden_previous_round_gives_no_changes(make_project, rate):
    project = make_project(rounds=2, min_group_size=5)
    first, second = project.rounds
    rate(first, times=3, base=1)
    rate(second, times=5, base=5)
    points = talking_points(project, 2, lang="sv")
    assert kinds(points, "change") == []
    assert len(kinds(points, "lowest")) == 3


def test_one_profession_narrows_the_points_once_the_round_has_closed(make_project, rate):
    project = make_project()
    round_ = project.rounds[0]
    rate(round_, times=5, profession="bvc", base=8, goals=2)
    rate(round_, times=5, profession="bmm", base=8, roles=2)
    # Open: only the whole round is published, so one profession has no points yet.
    assert talking_points(project, 1, lang="sv", profession="bmm") == []
    close(round_)

    points = talking_points(project, 1, lang="sv", profession="bmm")
    assert kinds(points, "lowest")[0].item == "roles"
    assert kinds(points, "professions") == []  # one profession has nothing to compare
    points = talking_points(project, 1, lang="sv", district="north")
    assert {p.item for p in kinds(points, "lowest")[:2]} == {"goals", "roles"}


def test_two_groups_at_once_are_refused(make_project):
    project = make_project()
    with pytest.raises(ValueError, match="inte båda|not both"):
        talking_points(project, 1, profession="bvc", district="north")


def test_unknown_round_is_an_error(make_project):
    project = make_project()
    with pytest.raises(ValueError):
        talking_points(project, 7)


def test_every_item_label_is_the_instruments(make_project, rate):
    project = make_project()
    rate(project.rounds[0], times=5, base=7, rules=1, routines=1, goals=1)
    texts = [p.text for p in kinds(talking_points(project, 1), "lowest")]
    assert [LABEL_SV[k] in t for k, t in zip(["rules", "routines", "goals"], texts,
                                               strict=True)] == [True] * 3


def test_the_same_points_on_sqlite_and_postgresql(app, backend):
    """Items in order: rules routines goals management roles knowledge shared_view
    early_support user_influence."""
    from tests.test_results import new_project, store

    project = new_project(rounds=2, k=3)  # closed rounds: professions are published
    before = [6, 2, 6, 7, 7, 7, 7, 7, 7]
    now = [6, 7, 7, 7, 4, 5, 7, 7, 7]  # routines +5, roles −3, knowledge −2, goals +1
    store(project, [(1, "bvc", "north", before) for _ in range(6)]
          + [(2, "bvc", "north", now) for _ in range(6)]
          + [(2, "bmm", "south", now) for _ in range(6)])
    points = talking_points(project, 2, lang="en")
    assert [p.item for p in kinds(points, "lowest")] == ["roles", "knowledge", "rules"]
    assert [p.item for p in kinds(points, "change")] == ["routines", "roles", "knowledge"]
    assert "rose by 5.0 (from 2.0 to 7.0)" in kinds(points, "change")[0].text
    assert kinds(points, "professions") == []  # both professions rated alike


def welch_evident(before: list[int], now: list[int], k: int) -> bool:
    """The rule, computed here from the raw ratings: both sides at least 2k ratings and the
    difference of the means more than twice sqrt(sd1²/n1 + sd2²/n2)."""
    if min(len(before), len(now)) < 2 * k:
        return False
    se = math.sqrt(statistics.variance(before) / len(before)
                   + statistics.variance(now) / len(now))
    return abs(statistics.fmean(now) - statistics.fmean(before)) > 2 * se


def test_a_change_is_named_only_when_it_exceeds_twice_its_standard_error(make_project,
                                                                          rate):
    project = make_project(rounds=2)  # k = 5: at least 10 ratings on each side
    first, second = project.rounds
    spread = [3, 4, 5, 6, 7] * 2
    before = {"routines": spread, "knowledge": spread, "goals": [5] * 10,
              "roles": [4] * 10}
    now = {"routines": [v + 1 for v in spread],  # +1.0, but se 0.67: within chance
           "knowledge": [v + 3 for v in spread],  # +3.0: far beyond 2 se = 1.33
           "goals": [5] * 5 + [6] * 5,  # +0.5, yet se only 0.17: named
           "roles": [4] * 10}  # no change at all
    for ratings, round_ in ((before, first), (now, second)):
        for i in range(10):
            rate(round_, base=5, **{key: values[i] for key, values in ratings.items()})
    expected = [key for key in ("knowledge", "goals", "routines")
                if welch_evident(before[key], now[key], k=5)]
    assert expected == ["knowledge", "goals"]  # the test's own arithmetic agrees

    points = kinds(talking_points(project, 2, lang="sv"), "change")
    assert [p.item for p in points] == expected
    assert "Kunskap om varandra ökade med 3,0 (från 5,0 till 8,0) sedan Mätning 1 " \
           "(10 och 10 svar)." == points[0].text
    assert "ökade med 0,5 (från 5,0 till 5,5)" in points[1].text


def test_a_change_resting_on_fewer_than_2k_ratings_is_not_named(make_project, rate):
    project = make_project(rounds=2)
    first, second = project.rounds
    rate(first, times=9, base=2)
    rate(first, times=1, base=2, rules=None)  # rules: 9 ratings < 2k = 10
    rate(second, times=40, base=9, rules=10)  # the largest change, but not on evidence
    points = kinds(talking_points(project, 2, lang="sv"), "change")
    assert [p.item for p in points] == ["routines", "goals", "management"]
    assert all("ökade med 7,0" in p.text and "(10 och 40 svar)" in p.text for p in points)


def test_professions_differ_only_on_evidence(make_project, rate):
    project = make_project()
    round_ = project.rounds[0]
    bvc = {"goals": [6, 7, 8, 9] * 3, "roles": [2, 5, 8] * 4, "rules": [5] * 12}
    bmm = {"goals": [2, 3, 4, 5] * 3, "roles": [3, 6, 9] * 4, "rules": [5] * 11 + [6]}
    for profession, ratings in (("bvc", bvc), ("bmm", bmm)):
        for i in range(12):
            rate(round_, profession=profession, base=5,
                 **{key: values[i] for key, values in ratings.items()})
    close(round_)
    expected = [key for key in ("goals", "roles", "rules")
                if welch_evident(bmm[key], bvc[key], k=5)]
    assert expected == ["goals"]  # roles differ by 1.0 with sd 2.6; rules by 0.08

    points = kinds(talking_points(project, 1, lang="sv"), "professions")
    assert [p.item for p in points] == expected
    assert points[0].text.endswith("(en skillnad på 4,0; 12 och 12 svar).")
