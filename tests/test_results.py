"""Results: the published figures match an independent computation with Python's statistics
over the raw answers, on SQLite and PostgreSQL; what is hidden is decided by the one
disclosure module (tests/test_disclosure.py tries to break it)."""

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
from spindel.services.disclosure import min_group_size
from spindel.services.projects import create_project
from spindel.services.responses import Answer, store_answer
from spindel.services.results import item_stats, results_payload
from spindel.services.round_setup import RoundSetup
from spindel.services.selection import Selection, SelectionError

PROFESSIONS = [("bvc", "BVC", "CHC"), ("bmm", "BMM", "MC"), ("other", "Annan", "Other")]
DISTRICTS = [("north", "Norr"), ("south", "Söder")]
_slugs = itertools.count(1)


def new_project(rounds: int = 3, k: int = 3, state: str = RoundState.CLOSED):
    project = create_project(f"P{next(_slugs)}", f"p-{next(_slugs)}", min_group_size=k,
                             districts=DISTRICTS, professions=PROFESSIONS)
    for number in range(1, rounds + 1):
        project.rounds.append(Round(number=number, label=f"Mätning {number}",
                                    state=state, opens_on=dt.date(2020, 1, 1)))
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


def expected(rows, item_keys, dimensions, k, by, rounds=None, profession=None, district=None):
    """Per group: responses and per item n/mean/sd/cannot_judge, median and quartiles where
    n ≥ 2k; the dimension score where every item has a mean."""
    chosen = [r for r in rows if (not rounds or r[0] in rounds)
              and (profession is None or r[1] == profession)
              and (district is None or r[2] == district)]
    position = {"round": 0, "profession": 1, "district": 2}.get(by)
    groups: dict = {}
    for row in chosen:
        groups.setdefault("all" if position is None else row[position], []).append(row)
    out = {}
    for key, members in groups.items():
        items = {}
        for index, item in enumerate(item_keys):
            values = [m[3][index] for m in members if m[3][index] is not None]
            stats = {"n": len(values), "cannot_judge": len(members) - len(values),
                     "mean": statistics.fmean(values) if values else None,
                     "sd": statistics.stdev(values) if len(values) > 1 else None,
                     "median": None, "q1": None, "q3": None}
            if len(values) >= 2 * k:
                q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
                stats.update(median=statistics.median(values), q1=q1, q3=q3)
            items[item] = stats
        dims = {}
        for dimension, keys in dimensions.items():
            means = [items[i]["mean"] for i in keys]
            dims[dimension] = None if None in means else statistics.fmean(means)
        out[key] = {"responses": len(members), "items": items, "dimensions": dims}
    return out


def same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def assert_matches(payload, wanted, k):
    """Every shown group and item has exactly the independent numbers; nothing under k or
    empty is shown."""
    for group in payload["groups"]:
        want = wanted.get(group["key"])
        if group["suppressed"]:
            assert group["responses"] is None and group["items"] == {}
            continue
        assert want is not None and want["responses"] >= k, group["key"]
        assert group["responses"] == want["responses"], group["key"]
        for item, stats in group["items"].items():
            if stats["suppressed"]:
                assert stats["n"] is None and stats["mean"] is None
                continue
            assert stats["n"] >= k, (group["key"], item)
            for name, value in want["items"][item].items():
                assert same(stats[name], value), (group["key"], item, name)
        for dimension, value in group["dimensions"].items():
            if value is not None:
                assert same(value, want["dimensions"][dimension]), (group["key"], dimension)


# --- statistics from counts ----------------------------------------------------------------

@given(st.lists(st.one_of(st.none(), st.integers(1, 10)), max_size=60), st.integers(3, 6))
def test_item_stats_from_counts_match_statistics_over_the_values(values, k):
    counts: dict[int, int] = {}
    for v in values:
        counts[0 if v is None else v] = counts.get(0 if v is None else v, 0) + 1
    got = item_stats(counts, k)
    numbers = [v for v in values if v is not None]
    assert got.cannot_judge == len(values) - len(numbers)
    assert got.n == len(numbers)
    assert not hasattr(got, "min") and not hasattr(got, "max")  # one person's answer each
    if not numbers:
        assert got.mean is got.median is got.sd is got.q1 is got.q3 is None
        return
    assert same(got.mean, statistics.fmean(numbers))
    if len(numbers) > 1:
        assert same(got.sd, statistics.stdev(numbers))
    if len(numbers) >= 2 * k:
        q1, _, q3 = statistics.quantiles(numbers, n=4, method="inclusive")
        assert same(got.median, statistics.median(numbers))
        assert same(got.q1, q1) and same(got.q3, q3)
    else:  # order statistics of a small group pin down single answers
        assert got.median is got.q1 is got.q3 is None


# --- published figures against the raw answers ---------------------------------------------

ratings = st.lists(st.one_of(st.none(), st.integers(1, 10)), min_size=9, max_size=9)
rows_strategy = st.lists(
    st.tuples(st.integers(1, 3), st.sampled_from(["bvc", "bmm", "other"]),
              st.sampled_from(["north", "south"]), ratings),
    max_size=30)


@st.composite
def selections(draw):
    by = draw(st.sampled_from(["round", "profession", "district", "none"]))
    if by == "round":
        rounds = tuple(draw(st.lists(st.integers(1, 3), unique=True, max_size=3)))
    else:
        rounds = (draw(st.integers(1, 3)),)
    one = None if by in ("profession", "district") else draw(
        st.sampled_from([None, ("profession", "bvc"), ("profession", "bmm"),
                         ("district", "north"), ("district", "south")]))
    return Selection(by, rounds, profession=one[1] if one and one[0] == "profession" else None,
                     district=one[1] if one and one[0] == "district" else None)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=rows_strategy, selection=selections())
def test_published_figures_match_statistics_over_raw_rows(app, backend, rows, selection):
    project = new_project()
    store(project, rows)
    instrument = instruments.for_project(project)
    dimensions = {d.key: [i.key for i in instrument.items_in(d.key)]
                  for d in instrument.dimensions}
    payload = results_payload(project, selection)
    assert_matches(payload, expected(rows, instrument.item_keys, dimensions, 3, selection.by,
                                     selection.rounds, selection.profession,
                                     selection.district), 3)


def test_a_closed_round_publishes_its_groups_with_the_exact_numbers(app, backend):
    project = new_project(rounds=1, k=3)
    rows = ([(1, "bvc", "north", [7, None, 3, 3, 10, 1, 1, 2, 9])] * 3
            + [(1, "bmm", "south", [5, 6, 7, 8, 9, 10, 1, 2, 3])] * 4
            + [(1, "other", "north", [None] * 8 + [4])] * 3)
    store(project, rows)
    instrument = instruments.for_project(project)
    dimensions = {d.key: [i.key for i in instrument.items_in(d.key)]
                  for d in instrument.dimensions}
    for by in ("profession", "district", "none"):
        payload = results_payload(project, Selection(by, (1,)))
        wanted = expected(rows, instrument.item_keys, dimensions, 3, by)
        assert_matches(payload, wanted, 3)
    professions = {g["key"]: g for g in results_payload(
        project, Selection("profession", (1,)))["groups"]}
    assert professions["bmm"]["responses"] == 4 and not professions["bmm"]["suppressed"]
    # "other" rated only one item; its other items have no number to show, so no dimension
    assert professions["other"]["items"]["rules"]["mean"] is None or \
        professions["other"]["items"]["rules"]["suppressed"]


def test_requests_that_pool_unite_or_cross_groups_are_refused(app):
    project = new_project()
    refused = [
        lambda: Selection("profession", (1, 2)),  # two rounds pooled
        lambda: Selection("none", ()),  # every round pooled
        lambda: Selection("round", (1,), profession="bvc", district="north"),  # cross cell
        lambda: Selection("profession", (1,), district="north"),  # professions in a district
        lambda: Selection.of("round", [1], ["bvc", "bmm"]),  # a union of professions
        lambda: Selection.of("none", [1], None, ["north", "south"]),  # a union of districts
        lambda: Selection("colour"),
        lambda: results_payload(project, Selection("round", (9,))),
        lambda: results_payload(project, Selection("round", (), profession="nurse")),
        lambda: results_payload(project, Selection("none", (1,), district="east")),
    ]
    for attempt in refused:
        with pytest.raises(SelectionError):
            attempt()


def test_min_group_size_is_never_below_three(app):
    project = new_project(k=1)
    assert min_group_size(project) == 3
    project.min_group_size = 7
    assert min_group_size(project) == 7


def test_payload_has_the_api_shape(app):
    project = new_project(rounds=2, k=3)
    store(project, [(1, "bvc", "north", [6] * 9)] * 6)
    payload = results_payload(project, Selection("round"), lang="en")
    assert payload["project"] == {"slug": project.slug, "name": project.name}
    assert payload["instrument"]["scale"] == {"min": 1, "max": 10}
    assert [i["key"] for i in payload["instrument"]["items"]][:2] == ["rules", "routines"]
    assert payload["instrument"]["dimensions"][0] == {"key": "rules", "label": "Rules"}
    assert payload["min_group_size"] == 3
    first, second = payload["groups"]
    assert (first["key"], first["label"], first["suppressed"], first["responses"]) == \
        (1, "Mätning 1", False, 6)
    assert first["items"]["rules"] == {"n": 6, "mean": 6.0, "median": 6.0, "sd": 0.0,
                                       "q1": 6.0, "q3": 6.0, "cannot_judge": 0,
                                       "suppressed": False}
    assert first["dimensions"]["rules"] == 6.0
    assert second == {"key": 2, "label": "Mätning 2", "suppressed": True,
                      "reason": "too_small", "responses": None, "items": {},
                      "dimensions": {}}
    assert payload["rounds"][0]["release"] == 1 and payload["rounds"][0]["responses"] == 6
    professions = results_payload(project, Selection("profession", (1,)), lang="en")["groups"]
    assert [g["label"] for g in professions] == ["CHC", "MC", "Other"]
    assert results_payload(project, Selection("none", (1,)))["groups"][0]["responses"] == 6
