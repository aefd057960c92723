"""Disclosure control, tried as an attacker would (../shared/disclosure.md).

Each attack of issue 10 is rebuilt with the same numbers and must now fail; the exact check
(services/exact_check.py) is compared with an independent brute force over single answers
(sympy's null space, every subset below k); and the audit must pass after every step of
random projects whose answers arrive one by one while rounds open, close and reopen.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import Release, Round, RoundState
from spindel.services import disclosure
from spindel.services.disclosure import (
    WHOLE,
    audit,
    audit_round,
    district_cell,
    hidden_of,
    profession_cell,
    publication,
)
from spindel.services.exact_check import find_disclosure
from spindel.services.projects import create_project
from spindel.services.responses import Answer, store_answer
from spindel.services.results import results_payload
from spindel.services.round_setup import RoundSetup
from spindel.services.selection import Selection

from .conftest import api_results

K = 5
_slugs = itertools.count(1)


@pytest.fixture
def app(app, backend):
    """Every test here on SQLite and on PostgreSQL."""
    return app


class Recorder:
    """A project whose answers the test remembers one by one, with the releases they went
    into: the attacker's model of the truth, kept apart from Spindel's own bookkeeping."""

    def __init__(self, rounds=1, districts=(("north", "Norr"), ("south", "Söder"),
                                            ("east", "Österort")),
                 professions=None, k=K, state=RoundState.OPEN):
        n = next(_slugs)
        kwargs = {"professions": professions} if professions else {}
        self.project = create_project(f"Attack {n}", f"attack-{n}", districts=list(districts),
                                      min_group_size=k, **kwargs)
        for number in range(1, rounds + 1):
            self.project.rounds.append(Round(number=number, label=f"Mätning {number}",
                                             state=state, opens_on=dt.date(2020, 1, 1)))
        db.session.commit()
        self.k = k
        self.instrument = instruments.for_project(self.project)
        self.items = self.instrument.item_keys
        self.answers: dict[int, list[dict]] = {r.number: [] for r in self.project.rounds}
        self.members: dict[tuple[int, int], frozenset] = {}  # (round, release) -> answers

    def round(self, number: int) -> Round:
        return next(r for r in self.project.rounds if r.number == number)

    def answer(self, number: int, profession: str, district: str | None, ratings: dict):
        round_ = self.round(number)
        store_answer(RoundSetup.of(round_), self.instrument,
                     Answer(profession, district, ratings), check_open=False)
        db.session.commit()
        ids = {p.key: p.id for p in self.project.professions}
        districts = {d.key: d.id for d in self.project.districts}
        self.answers[number].append({"profession": ids[profession],
                                     "district": districts.get(district, 0),
                                     "ratings": ratings})

    def look(self, number: int):
        """Read the round's figures, as anyone may at any time; note any new release."""
        pub = publication(self.round(number))
        for release in db.session.scalars(db.select(Release).join(Round).where(
                Round.id == self.round(number).id)):
            key = (number, release.number)
            if key not in self.members:
                self.members[key] = frozenset(range(len(self.answers[number])))
        return pub

    def set_state(self, number: int, state: str):
        self.round(number).state = state
        db.session.commit()
        self.look(number)


def ratings(rng: random.Random, items, cannot_judge: float = 0.0) -> dict:
    return {key: None if rng.random() < cannot_judge else rng.randint(1, 10) for key in items}


# --- the independent check ------------------------------------------------------------------


def published_rows(rec: Recorder, number: int, item: str) -> list[set[int]]:
    """Every cell the round has published for an item, as the set of answers (by arrival
    index) it sums — read from the stored decisions, mapped to answers by the recorder."""
    round_ = rec.round(number)
    rows = []
    for release in db.session.scalars(db.select(Release).where(Release.round_id == round_.id)
                                      .order_by(Release.number)):
        members = rec.members[(number, release.number)]
        hidden = hidden_of(release)["items"].get(item, {})
        cells = [WHOLE]
        if release.breakdowns_published:
            cells += [profession_cell(p.id) for p in rec.project.professions]
            cells += [district_cell(d.id) for d in rec.project.districts] + [district_cell(0)]
        for cell in cells:
            if cell in hidden:
                continue
            rows.append({i for i in members if _in_cell(rec.answers[number][i], cell)})
    return rows


def _in_cell(answer: dict, cell: str) -> bool:
    if cell == WHOLE:
        return True
    kind, _, ident = cell.partition(":")
    return int(ident) == (answer["profession"] if kind == "p" else answer["district"])


def brute_force(rec: Recorder, number: int, item: str) -> list[tuple[int, ...]]:
    """Every set of fewer than k answers (that rated the item) whose sum is a linear
    combination of published sums: sympy's exact null space, every subset tried."""
    rated = [i for i, a in enumerate(rec.answers[number]) if a["ratings"][item] is not None]
    rows = [[1 if i in row else 0 for i in rated] for row in published_rows(rec, number, item)]
    if not rows or not rated:
        return []
    basis = sympy.Matrix(rows).nullspace()
    signature = [tuple(v[j] for v in basis) for j in range(len(rated))]
    found = []
    for size in range(1, rec.k):
        for subset in itertools.combinations(range(len(rated)), size):
            if all(sum(signature[j][b] for j in subset) == 0 for b in range(len(basis))):
                found.append(tuple(rated[j] for j in subset))
    return found


def recovered_mean(rec: Recorder, number: int, item: str, who: set[int]) -> bool:
    """Whether the published sums determine the sum of these answers."""
    rated = [i for i, a in enumerate(rec.answers[number]) if a["ratings"][item] is not None]
    rows = [[1 if i in row else 0 for i in rated] for row in published_rows(rec, number, item)]
    target = [1 if i in who else 0 for i in rated]
    if not rows:
        return False
    matrix = sympy.Matrix(rows)
    return matrix.rank() == sympy.Matrix(rows + [target]).rank()


# --- the policy's own example ---------------------------------------------------------------


def policy_example(rec: Recorder, rng: random.Random) -> None:
    """North: 5 BVC and 1 BMM; South: 5 social services; East: 1 open preschool. Closed."""
    plan = [("bvc", "north")] * 5 + [("bmm", "north")] + [("social_services", "south")] * 5 \
        + [("open_preschool", "east")]
    for profession, district in plan:
        rec.answer(1, profession, district, ratings(rng, rec.items))
    rec.set_state(1, RoundState.CLOSED)


def test_the_policy_example_hides_more_than_the_two_lists_would(app):
    rec = Recorder()
    policy_example(rec, random.Random(1))
    for item in rec.items:
        assert brute_force(rec, 1, item) == []
        bmm, east = {5}, {11}
        assert not recovered_mean(rec, 1, item, bmm)
        assert not recovered_mean(rec, 1, item, east)
    assert all(result.passed for result in audit(rec.project))
    by_district = {g["key"]: g for g in results_payload(
        rec.project, Selection("district", (1,)))["groups"]}
    by_profession = {g["key"]: g for g in results_payload(
        rec.project, Selection("profession", (1,)))["groups"]}
    # Per list only, North (6) and BVC (5) would both show and give the BMM answer away.
    assert by_district["north"]["suppressed"] or by_profession["bvc"]["suppressed"]
    assert by_district["east"]["suppressed"] and by_profession["bmm"]["suppressed"]


def test_without_the_exact_check_the_audit_finds_the_bmm_answer(app, monkeypatch):
    """The deliberately broken rule: primary and complementary hiding per list only."""
    monkeypatch.setattr(disclosure, "_exact", lambda *args, **kwargs: None)
    rec = Recorder()
    policy_example(rec, random.Random(1))
    result = audit_round(rec.round(1))
    assert not result.passed
    bmm = next(p.id for p in rec.project.professions if p.key == "bmm")
    north = next(d.id for d in rec.project.districts if d.key == "north")
    assert [(0, bmm, north)] in result.found.values()  # the one BMM answer, by subtraction
    assert (5,) in brute_force(rec, 1, rec.items[0])  # the independent check agrees


# --- attack 1: filters that differ by one person --------------------------------------------


def test_attack_filters_that_differ_by_one_person(app, client, login_as):
    """North 5, South 5, East 1. Before: area=north (n=5) and area=north&area=east (n=6)
    gave the East respondent's nine ratings as 6·mean₆ − 5·mean₅."""
    rec = Recorder(state=RoundState.CLOSED)
    rng = random.Random(2)
    for district, n in (("north", 5), ("south", 5), ("east", 1)):
        for _ in range(n):
            rec.answer(1, "bvc", district, ratings(rng, rec.items))
    rec.look(1)
    login_as(projects=[rec.project])
    slug = rec.project.slug
    union = client.get(f"/api/v1/projects/{slug}/results",
                       query_string={"by": "none", "round": 1, "area": ["north", "east"],
                                     "lang": "en"})
    assert union.status_code == 400
    assert "area" in union.get_json()["error"]["message"]
    for query in ({"by": "none", "round": 1, "role": ["bvc", "bmm"]},
                  {"by": "none", "round": [1, 1]},
                  {"by": "none"},  # every round pooled
                  {"by": "area", "round": 1, "role": "bvc"},  # a role within areas
                  {"by": "round", "role": "bvc", "area": "north"}):
        assert client.get(f"/api/v1/projects/{slug}/results",
                          query_string=query).status_code == 400, query
    # Everything the API allows, gathered; the East answer must not follow from it.
    published = allowed_api_outputs(client, rec)
    east = {i for i, a in enumerate(rec.answers[1]) if a["district"] == district_id(rec, "east")}
    assert_not_derivable(published, rec, 1, east)
    for item in rec.items:
        assert brute_force(rec, 1, item) == []


def district_id(rec: Recorder, key: str) -> int:
    return next(d.id for d in rec.project.districts if d.key == key)


def allowed_api_outputs(client, rec: Recorder) -> list[tuple[set[int], str, int, float]]:
    """Every (answers, item, n, mean) the API publishes for round 1, under every selection
    it accepts."""
    slug = rec.project.slug
    queries = [{"by": by, "round": 1} for by in ("round", "none", "role", "area")]
    queries += [{"by": by, "round": 1, "role": p.key} for by in ("round", "none")
                for p in rec.project.professions]
    queries += [{"by": by, "round": 1, "area": d.key} for by in ("round", "none")
                for d in rec.project.districts]
    out = []
    answers = rec.answers[1]
    for query in queries:
        payload = api_results(client, slug, **query)
        for group in payload["groups"]:
            if group["suppressed"]:
                continue
            if query["by"] in ("round", "none"):
                cell = ("p", query["role"]) if "role" in query else \
                    ("d", query["area"]) if "area" in query else None
            else:
                cell = ("p" if query["by"] == "role" else "d", group["key"])
            ids = {p.key: p.id for p in rec.project.professions}
            ids |= {d.key: d.id for d in rec.project.districts}
            who = {i for i, a in enumerate(answers) if cell is None or
                   a["profession" if cell[0] == "p" else "district"] == ids[cell[1]]}
            for item, stats in group["items"].items():
                assert "min" not in stats and "max" not in stats
                if not stats["suppressed"] and stats["n"]:
                    out.append((who, item, stats["n"], stats["mean"]))
    return out


def assert_not_derivable(published, rec: Recorder, number: int, target: set[int]) -> None:
    """No linear combination of the published sums is the sum of the target answers."""
    for item in rec.items:
        rated = [i for i, a in enumerate(rec.answers[number]) if a["ratings"][item] is not None]
        rows = [[1 if i in who else 0 for i in rated] for who, it, _, _ in published
                if it == item]
        goal = [1 if i in target else 0 for i in rated]
        if not rows or not any(goal):
            continue
        assert sympy.Matrix(rows).rank() < sympy.Matrix(rows + [goal]).rank(), item


# --- attack 3: live figures move one answer at a time ---------------------------------------


def test_attack_live_figures_move_only_in_steps_of_k(app, client, login_as):
    """Before: polling while one person answered, count 10 → 11 and 11·m₁ − 10·m₀ was her
    nine ratings. Now the published count moves only by k or more, while the monitor counts
    answers one by one."""
    rec = Recorder()
    login_as(projects=[rec.project])
    rng = random.Random(3)
    seen_counts, seen_means = [], []
    for step in range(23):
        rec.answer(1, rng.choice(["bvc", "bmm"]), rng.choice(["north", "south"]),
                   ratings(rng, rec.items))
        rec.look(1)
        payload = api_results(client, rec.project.slug, by="round", round=1)
        group = payload["groups"][0]
        seen_counts.append(group["responses"])
        seen_means.append(group["items"].get("rules", {}).get("mean"))
        # While open, professions and districts publish nothing.
        for by in ("role", "area"):
            groups = api_results(client, rec.project.slug, by=by, round=1)["groups"]
            assert all(g["suppressed"] and g["reason"] in ("open", "too_small")
                       for g in groups)
        monitor = client.get(f"/projects/{rec.project.slug}/rounds/1/monitor.json")
        assert monitor.get_json()["total"] == step + 1  # counts move one by one
    published = [n for n in seen_counts if n is not None]
    assert published[0] == K
    steps = [b - a for a, b in itertools.pairwise(published) if b != a]
    assert steps and all(s >= K for s in steps)
    # Between two releases not even the mean moves.
    for (n0, m0), (n1, m1) in itertools.pairwise(zip(seen_counts, seen_means, strict=True)):
        if n0 == n1:
            assert m0 == m1
    assert all(result.passed for result in audit(rec.project))


def test_an_item_that_moves_by_fewer_than_k_ratings_between_releases_is_hidden(app):
    """Whole-round releases of 5 and 10 answers, where the second five all said "cannot judge"
    on one item but one: the item's n would go 5 → 6, giving that one rating away."""
    rec = Recorder()
    rng = random.Random(4)
    for _ in range(5):
        rec.answer(1, "bvc", "north", ratings(rng, rec.items))
    rec.look(1)
    for index in range(5):
        r = ratings(rng, rec.items)
        if index:
            r["rules"] = None
        rec.answer(1, "bvc", "north", r)
    pub = rec.look(1)
    assert pub.release.number == 2
    assert pub.item_hidden(WHOLE, "rules")
    assert not pub.item_hidden(WHOLE, "routines")
    assert brute_force(rec, 1, "rules") == []
    assert audit_round(rec.round(1)).passed


# --- attack 5: item n and order statistics ---------------------------------------------------


def test_attack_item_n_and_order_statistics(app, client, login_as):
    """A group of 5 where 4 chose "cannot judge" on one item published n=1 and the rating;
    min/q1/median/q3/max of five answers gave the whole set."""
    rec = Recorder(state=RoundState.CLOSED)
    rng = random.Random(5)
    for index in range(5):
        r = ratings(rng, rec.items)
        if index:
            r["management"] = None
        rec.answer(1, "bvc", "north", r)
    for _ in range(6):
        rec.answer(1, "bmm", "south", ratings(rng, rec.items))
    rec.look(1)
    login_as(projects=[rec.project])
    for query in ({"by": "none", "round": 1}, {"by": "role", "round": 1},
                  {"by": "area", "round": 1}, {"by": "round"}):
        for group in api_results(client, rec.project.slug, **query)["groups"]:
            for stats in group["items"].values():
                assert "min" not in stats and "max" not in stats
                if not stats["suppressed"]:
                    assert stats["n"] >= K
                    if stats["n"] < 2 * K:
                        assert stats["median"] is stats["q1"] is stats["q3"] is None
    bvc = next(g for g in api_results(client, rec.project.slug, by="role", round=1)["groups"]
               if g["key"] == "bvc")
    assert bvc["suppressed"] or bvc["items"]["management"]["suppressed"]
    for item in rec.items:
        assert brute_force(rec, 1, item) == []


# --- the exact check against brute force, and the audit on random projects -------------------


@st.composite
def projects(draw, max_per_combination=12):
    return {
        "rounds": draw(st.integers(1, 4)),
        "professions": draw(st.integers(2, 5)),
        "districts": draw(st.integers(1, 4)),
        "k": draw(st.integers(3, 5)),
        "plan": draw(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4), st.integers(0, 3),
                                        st.integers(0, max_per_combination)),
                              min_size=1, max_size=10)),
        "cannot_judge": draw(st.sampled_from([0.0, 0.2, 0.5])),
        "seed": draw(st.integers(0, 2**16)),
    }


PROFESSION_KEYS = ["bvc", "bmm", "open_preschool", "social_services", "other"]
DISTRICT_KEYS = [("north", "Norr"), ("south", "Söder"), ("east", "Öst"), ("west", "Väst")]


def play(spec: dict, check_every_step, brute: bool = False) -> Recorder:
    """Answers arrive one by one with the rounds open; then each round closes, reopens (a
    few more answers) and closes again. `check_every_step(rec, round)` after each step."""
    rec = Recorder(rounds=spec["rounds"], districts=DISTRICT_KEYS[:spec["districts"]],
                   k=spec["k"])
    rng = random.Random(spec["seed"])
    arrivals = []
    for round_index, p, d, n in spec["plan"]:
        number = round_index % spec["rounds"] + 1
        arrivals += [(number, PROFESSION_KEYS[p % spec["professions"]],
                      DISTRICT_KEYS[d % spec["districts"]][0])] * n
    rng.shuffle(arrivals)
    late = arrivals[len(arrivals) * 4 // 5:]
    for number, profession, district in arrivals[:len(arrivals) * 4 // 5]:
        rec.answer(number, profession, district, ratings(rng, rec.items, spec["cannot_judge"]))
        rec.look(number)
        check_every_step(rec, number)
    for number in range(1, spec["rounds"] + 1):
        rec.set_state(number, RoundState.CLOSED)
        check_every_step(rec, number)
        rec.set_state(number, RoundState.OPEN)
        for n, profession, district in late:
            if n == number:
                rec.answer(n, profession, district, ratings(rng, rec.items,
                                                            spec["cannot_judge"]))
                rec.look(n)
                check_every_step(rec, n)
        rec.set_state(number, RoundState.CLOSED)
        check_every_step(rec, number)
    return rec


def audit_passes(rec: Recorder, number: int) -> None:
    result = audit_round(rec.round(number))
    assert result.passed, result.found


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spec=projects())
def test_the_audit_passes_after_every_step_of_random_projects(app, spec):
    play(spec, audit_passes)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spec=projects(max_per_combination=3))
def test_brute_force_over_single_answers_agrees_with_the_audit(app, spec):
    """On tiny projects: every subset of fewer than k answers, none derivable — and the
    audit's exact check says the same as the brute force, also with the rule broken."""
    def both_agree(rec, number):
        if len(rec.answers[number]) > 16:
            return
        for item in rec.items[:3]:
            assert brute_force(rec, number, item) == []
        audit_passes(rec, number)

    play(spec, both_agree)


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 3)),
                min_size=1, max_size=9),
       st.lists(st.sets(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=1),
                max_size=6),
       st.integers(3, 5))
@settings(max_examples=150, deadline=None)
def test_exact_check_agrees_with_brute_force_on_random_cells(atoms, cells, k):
    """find_disclosure against trying every set of atoms, with sympy's rank."""
    sizes: dict = {}
    for p, d, n in atoms:
        sizes[(p, d)] = n
    rows = [frozenset(c) for c in cells]
    found = find_disclosure(rows, sizes, k)
    keys = sorted(a for a, n in sizes.items() if n)
    matrix = [[1 if a in row else 0 for a in keys] for row in rows]

    def derivable(subset) -> bool:
        goal = [1 if a in subset else 0 for a in keys]
        return sympy.Matrix(matrix).rank() == sympy.Matrix(matrix + [goal]).rank()

    small = [s for size in range(1, len(keys) + 1) for s in itertools.combinations(keys, size)
             if 0 < sum(sizes[a] for a in s) < k and derivable(set(s))]
    if found is None:
        assert small == []
    else:
        total = sum(sizes[a] for a in found)
        assert 0 < total < k and derivable(found)


def test_exact_arithmetic_no_floating_point():
    """A sum that follows only through a combination with fractional weights is found."""
    sizes = {"a": 1, "b": 6, "c": 6, "d": 6}
    # (row1 + row2 − row3) / 2 = a, with every row ≥ k
    rows = [{"a", "b", "c"}, {"a", "d", "b"}, {"b", "c", "d"}, {"c", "d", "a"}]
    found = find_disclosure(rows, sizes, 5)
    assert found == frozenset({"a"})  # a = (r1 + r2 + r4 − 2·r3) / 3
