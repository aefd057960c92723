"""Results: the aggregates match an independent computation with Python's statistics over the
raw answers, on SQLite and PostgreSQL; small groups are hidden by the one anonymity rule."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import statistics

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import Round, RoundState
from spindel.services.anonymity import min_group_size, suppressed_keys
from spindel.services.projects import create_project
from spindel.services.responses import Answer, store_answer
from spindel.services.results import group_statistics, item_stats, results_payload
from spindel.services.round_setup import RoundSetup

PROFESSIONS = [("bvc", "BVC", "CHC"), ("bmm", "BMM", "MC"), ("other", "Annan", "Other")]
DISTRICTS = [("north", "Norr"), ("south", "Söder")]
_slugs = itertools.count(1)


def new_project(rounds: int = 3, k: int = 3):
    project = create_project(f"P{next(_slugs)}", f"p-{next(_slugs)}", min_group_size=k,
                             districts=DISTRICTS, professions=PROFESSIONS)
    for number in range(1, rounds + 1):
        project.rounds.append(Round(number=number, label=f"Mätning {number}",
                                    state=RoundState.OPEN, opens_on=dt.date(2020, 1, 1)))
    db.session.flush()
    return project


def store(project, rows):
    """rows: (round number, profession, district, [value or None per item])."""
    instrument = instruments.for_project(project)
    by_number = {r.number: r for r in project.rounds}
    for number, profession, district, values in rows:
        store_answer(RoundSetup.of(by_number[number]), instrument,
                     Answer(profession, district, dict(zip(instrument.item_keys, values,
                                                           strict=True))),
                     today=dt.date(2020, 1, 2), check_open=False)
    db.session.commit()


# --- the independent computation ----------------------------------------------------------


def expected(rows, item_keys, dimensions, by, rounds=None, professions=None, districts=None):
    """Per group: responses and per item n/mean/median/sd/q1/q3/min/max/cannot_judge."""
    chosen = [r for r in rows if (rounds is None or r[0] in rounds)
              and (professions is None or r[1] in professions)
              and (districts is None or r[2] in districts)]
    position = {"round": 0, "profession": 1, "district": 2}.get(by)
    groups: dict = {}
    for row in chosen:
        groups.setdefault("all" if position is None else row[position], []).append(row)
    out = {}
    for key, members in groups.items():
        items = {}
        for index, item in enumerate(item_keys):
            values = [m[3][index] for m in members if m[3][index] is not None]
            stats = {"n": len(values), "cannot_judge": len(members) - len(values)}
            if values:
                quartiles = (statistics.quantiles(values, n=4, method="inclusive")
                             if len(values) > 1 else [values[0]] * 3)
                stats.update(mean=statistics.fmean(values), median=statistics.median(values),
                             sd=statistics.stdev(values) if len(values) > 1 else None,
                             q1=quartiles[0], q3=quartiles[2], min=min(values),
                             max=max(values))
            else:
                stats.update(mean=None, median=None, sd=None, q1=None, q3=None, min=None,
                             max=None)
            items[item] = stats
        dims = {}
        for dimension, keys in dimensions.items():
            means = [items[k]["mean"] for k in keys if items[k]["mean"] is not None]
            dims[dimension] = statistics.fmean(means) if means else None
        out[key] = {"responses": len(members), "items": items, "dimensions": dims}
    return out


def same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def assert_matches(groups, wanted):
    for group in groups:
        want = wanted.get(group.key)
        if want is None:  # an empty group: no responses, no numbers
            assert group.responses == 0
            assert all(s.n == 0 and s.mean is None and s.cannot_judge == 0
                       for s in group.items.values())
            continue
        assert group.responses == want["responses"], group.key
        for item, stats in group.items.items():
            for name, value in want["items"][item].items():
                assert same(getattr(stats, name), value), (group.key, item, name)
        for dimension, value in want["dimensions"].items():
            assert same(group.dimensions[dimension], value), (group.key, dimension)
    assert set(wanted) <= {g.key for g in groups}


# --- statistics from counts ----------------------------------------------------------------

@given(st.lists(st.one_of(st.none(), st.integers(1, 10)), max_size=60))
def test_item_stats_from_counts_match_statistics_over_the_values(values):
    counts: dict[int, int] = {}
    for v in values:
        counts[0 if v is None else v] = counts.get(0 if v is None else v, 0) + 1
    got = item_stats(counts)
    numbers = [v for v in values if v is not None]
    assert got.cannot_judge == len(values) - len(numbers)
    assert got.n == len(numbers)
    if not numbers:
        assert got.mean is got.median is got.sd is got.q1 is got.q3 is got.min is None
        return
    assert same(got.mean, statistics.fmean(numbers))
    assert same(got.median, statistics.median(numbers))
    if len(numbers) > 1:
        q1, _, q3 = statistics.quantiles(numbers, n=4, method="inclusive")
        assert same(got.q1, q1) and same(got.q3, q3)
        assert same(got.sd, statistics.stdev(numbers))
    else:
        assert got.q1 == got.q3 == numbers[0] and got.sd is None
    assert (got.min, got.max) == (min(numbers), max(numbers))


# --- aggregation in the database ------------------------------------------------------------

ratings = st.lists(st.one_of(st.none(), st.integers(1, 10)), min_size=9, max_size=9)
rows_strategy = st.lists(
    st.tuples(st.integers(1, 3), st.sampled_from(["bvc", "bmm", "other"]),
              st.sampled_from(["north", "south"]), ratings),
    max_size=25)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=rows_strategy, by=st.sampled_from(["round", "profession", "district", "none"]),
       rounds=st.one_of(st.none(), st.lists(st.integers(1, 3), unique=True, max_size=3)),
       professions=st.one_of(st.none(), st.lists(st.sampled_from(["bvc", "bmm", "other"]),
                                                 unique=True, min_size=1)),
       districts=st.one_of(st.none(), st.lists(st.sampled_from(["north", "south"]),
                                               unique=True, min_size=1)))
def test_aggregates_in_sql_match_statistics_over_raw_rows(any_app, rows, by, rounds,
                                                          professions, districts):
    project = new_project()
    store(project, rows)
    instrument = instruments.for_project(project)
    dimensions = {d.key: [i.key for i in instrument.items_in(d.key)]
                  for d in instrument.dimensions}
    groups = group_statistics(project, by, rounds, professions, districts)
    assert_matches(groups, expected(rows, instrument.item_keys, dimensions, by, rounds,
                                    professions, districts))


def test_edge_groups_empty_one_answer_and_only_cannot_judge(any_app):
    project = new_project()
    nine_none = [None] * 9
    rows = [(1, "bvc", "north", [7, None, 3, 3, 10, 1, 1, 2, 9]),  # one answer in bvc
            (1, "bmm", "north", nine_none), (1, "bmm", "south", nine_none),  # cannot judge only
            (2, "bmm", "south", [5] * 9)]  # round 3 and "other" stay empty
    store(project, rows)
    instrument = instruments.for_project(project)
    dimensions = {d.key: [i.key for i in instrument.items_in(d.key)]
                  for d in instrument.dimensions}
    for by in ("round", "profession", "district", "none"):
        groups = group_statistics(project, by)
        assert_matches(groups, expected(rows, instrument.item_keys, dimensions, by))
    by_profession = {g.key: g for g in group_statistics(project, "profession", rounds=[1])}
    assert by_profession["bmm"].responses == 2
    assert by_profession["bmm"].items["rules"].cannot_judge == 2
    assert by_profession["bmm"].items["rules"].mean is None
    assert by_profession["bvc"].items["rules"].sd is None
    assert by_profession["other"].responses == 0
    assert [g.key for g in group_statistics(project, "round")] == [1, 2, 3]


def test_unknown_breakdown_or_key_is_refused(app):
    project = new_project()
    for kwargs in ({"by": "colour"}, {"rounds": [9]}, {"professions": ["nurse"]},
                   {"districts": ["east"]}):
        with pytest.raises(ValueError):
            results_payload(project, **kwargs)


# --- anonymity --------------------------------------------------------------------------------

def test_min_group_size_is_never_below_three(app):
    project = new_project(k=1)
    assert min_group_size(project) == 3
    project.min_group_size = 7
    assert min_group_size(project) == 7


def test_a_small_group_is_hidden_with_the_smallest_other_non_empty_group():
    assert suppressed_keys({"a": 2, "b": 9, "c": 6, "d": 0, "e": 7}, 5) == {"a", "c", "d"}
    assert suppressed_keys({"a": 2, "b": 1, "c": 6}, 5) == {"a", "b"}  # two hidden: enough
    assert suppressed_keys({"a": 5, "b": 6}, 5) == set()
    assert suppressed_keys({"a": 0, "b": 6}, 5) == {"a"}  # an empty group gives nothing away
    assert suppressed_keys({"a": 2, "b": 2}, 2) == {"a", "b"}  # k is at least 3


@given(st.dictionaries(st.text(max_size=3), st.integers(0, 20), max_size=8),
       st.integers(0, 10))
def test_no_hidden_group_stands_alone(counts, k):
    hidden = suppressed_keys(counts, k)
    assert {key for key, n in counts.items() if n < max(3, k)} <= hidden
    hidden_non_empty = [key for key in hidden if counts[key] > 0]
    visible_non_empty = [key for key, n in counts.items() if key not in hidden and n > 0]
    assert len(hidden_non_empty) != 1 or not visible_non_empty


def test_a_hidden_group_cannot_be_recovered_by_subtraction(any_app):
    """bmm has two answers, all 1s; the others many 8s. Subtracting the visible groups from
    the visible total must not give bmm's count or mean."""
    project = new_project(rounds=1, k=5)
    rows = ([(1, "bmm", "north", [1] * 9)] * 2 + [(1, "bvc", "north", [8] * 9)] * 6
            + [(1, "other", "south", [9] * 9)] * 9)
    store(project, rows)
    total = results_payload(project, by="none")["groups"][0]
    by_profession = results_payload(project, by="profession")["groups"]
    assert [g["key"] for g in by_profession if g["suppressed"]] == ["bvc", "bmm"]
    visible = [g for g in by_profession if not g["suppressed"]]
    rest_responses = total["responses"] - sum(g["responses"] for g in visible)
    rest_sum = (total["items"]["rules"]["mean"] * total["items"]["rules"]["n"]
                - sum(g["items"]["rules"]["mean"] * g["items"]["rules"]["n"] for g in visible))
    assert rest_responses != 2  # bmm's count is not what remains
    assert not math.isclose(rest_sum / rest_responses, 1.0)  # nor bmm's mean
    for g in by_profession:
        if g["suppressed"]:
            assert g["responses"] is None and g["items"] == {} and g["dimensions"] == {}


def test_payload_has_the_api_shape(app):
    project = new_project(rounds=2, k=3)
    store(project, [(1, "bvc", "north", [6] * 9)] * 3)
    payload = results_payload(project, by="round", lang="en")
    assert payload["project"] == {"slug": project.slug, "name": project.name}
    assert payload["instrument"]["scale"] == {"min": 1, "max": 10}
    assert [i["key"] for i in payload["instrument"]["items"]][:2] == ["rules", "routines"]
    assert payload["instrument"]["dimensions"][0] == {"key": "rules", "label": "Rules"}
    assert payload["min_group_size"] == 3
    first, second = payload["groups"]
    assert (first["key"], first["label"], first["suppressed"], first["responses"]) == \
        (1, "Mätning 1", False, 3)
    assert first["items"]["rules"] == {"n": 3, "mean": 6.0, "median": 6.0, "sd": 0.0,
                                       "q1": 6.0, "q3": 6.0, "min": 6, "max": 6,
                                       "cannot_judge": 0}
    assert first["dimensions"]["rules"] == 6.0
    assert second == {"key": 2, "label": "Mätning 2", "suppressed": True, "responses": None,
                      "items": {}, "dimensions": {}}
    professions = results_payload(project, by="profession", lang="en")["groups"]
    assert [g["label"] for g in professions] == ["CHC", "MC", "Other"]
    assert results_payload(project, by="none", lang="sv")["groups"][0]["responses"] == 3
