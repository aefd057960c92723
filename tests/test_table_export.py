"""The workbook and the CSV read back: the API's published cells, one table per view (the
rounds side by side; per round the whole, the professions, the districts), hidden groups
written as hidden with the reason and no number, no min or max; the raw answers k-anonymous
on round, profession and district, saying how many were generalised."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import RoundState
from spindel.services.selection import SelectionError
from spindel.services.table_export import (
    CSV_COLUMNS,
    GENERALISED,
    ITEM_HIDDEN,
    View,
    aggregate_rows,
    aggregates_csv,
    aggregates_xlsx,
    k_anonymous,
    raw_answers_xlsx,
)
from tests.conftest import SMALL_GROUP, api_results

API_BY = {"round": "round", "profession": "role", "district": "area", "none": "none"}
STATISTICS = ("n", "mean", "median", "sd", "q1", "q3", "cannot_judge")
HEADER = {"Gruppnyckel", "Group key"}


@pytest.fixture
def logged_in(auth, make_user, project_with_small_group):
    auth.login(make_user(projects=[project_with_small_group]))
    return project_with_small_group


@pytest.fixture
def closed(logged_in):
    """The fixture's rounds closed: professions and districts are published."""
    for round_ in logged_in.rounds:
        round_.state = RoundState.CLOSED
    db.session.commit()
    return logged_in


def tables(book) -> dict[str, dict]:
    """Every table of the workbook's sheets after "About", by its title: the note above it
    (what it leaves out) and the data rows under its header."""
    found = {}
    for sheet in book.worksheets[1:]:
        blocks = [[]]  # tables are separated by an empty row
        for row in sheet.iter_rows(values_only=True):
            if all(v is None for v in row):
                blocks.append([])
            else:
                blocks[-1].append(row)
        for block in filter(None, blocks):
            header = next(i for i, row in enumerate(block) if row[1] in HEADER)
            found[block[0][0]] = {"sheet": sheet.title, "header": block[header],
                                  "note": block[1][0] if header == 2 else None,
                                  "rows": block[header + 1:]}
    return found


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def same(written, expected) -> bool:
    """The same numbers, None where the API has none. Excel keeps 15 significant digits;
    openpyxl writes floats that way."""
    return [v is None for v in written] == [v is None for v in expected] and [
        v for v in written if v is not None] == pytest.approx(
            [v for v in expected if v is not None], rel=1e-14)


def assert_table_is_the_api(rows, api, round_number):
    """Each shown group's items and dimensions as the API gives them; each hidden group one
    row with its reason and no number."""
    items = {(r[1], r[6]): r for r in rows if r[4] == "item"}
    dimensions = {(r[1], r[5]): r for r in rows if r[4] == "dimension"}
    for group in api["groups"]:
        if group["suppressed"] or not group["responses"]:
            (row,) = [r for r in rows if r[1] == group["key"]]
            assert row[0] == round_number and row[3] == group["responses"]
            assert all(v is None for v in row[4:-1])
            assert bool(row[-1]) == group["suppressed"]  # the reason, in words
            continue
        for key, stats in group["items"].items():
            row = items[(group["key"], key)]
            assert row[0] == round_number and row[3] == group["responses"]
            assert same(row[8:15], [stats[s] for s in STATISTICS])
        for key, score in group["dimensions"].items():
            assert same([dimensions[(group["key"], key)][9]], [score])


def test_the_rounds_side_by_side_hold_the_apis_numbers(client, closed):
    api = api_results(client, closed.slug, by="round")
    book = load_workbook(io.BytesIO(aggregates_xlsx(closed, lang="sv")))
    assert book.sheetnames == ["Om", "Per mätning", "Mätning 1", "Mätning 2"]
    by_round = tables(book)["Per mätning"]
    assert {r[0] for r in by_round["rows"]} == {1, 2}
    for group in api["groups"]:
        assert_table_is_the_api([r for r in by_round["rows"] if r[0] == group["key"]],
                                {"groups": [group]}, group["key"])


@pytest.mark.parametrize("by", ["profession", "district", "none"])
def test_each_round_has_its_whole_its_professions_and_its_districts(client, closed, by):
    book = load_workbook(io.BytesIO(aggregates_xlsx(closed, lang="sv")))
    title = {"profession": "Per yrkesgrupp: {}", "district": "Per stadsdelsområde: {}",
             "none": "Alla svar: {}"}[by]
    for number in (1, 2):
        api = api_results(client, closed.slug, by=API_BY[by], round=number)
        table = tables(book)[title.format(f"Mätning {number}")]
        assert table["sheet"] == f"Mätning {number}"
        assert list(dict.fromkeys(r[1] for r in table["rows"])) == [
            g["key"] for g in api["groups"]]
        assert_table_is_the_api(table["rows"], api, number)


def test_no_row_adds_rounds_together_and_min_and_max_are_never_written(client, closed):
    rows = csv_rows(aggregates_csv(closed, lang="en"))
    assert "min" not in rows[0] and "max" not in rows[0]
    totals = {g["key"]: g["responses"] for g in api_results(client, closed.slug)["groups"]}
    assert {r["round"] for r in rows} == {"1", "2"}
    for row in rows:
        assert row["round"] in ("1", "2")  # one round, never "all"
        if row["responses"]:
            assert int(row["responses"]) <= totals[int(row["round"])]
    book = load_workbook(io.BytesIO(aggregates_xlsx(closed, lang="en")))
    for table in tables(book).values():
        assert not {"Min", "Max", "Minimum", "Maximum"} & set(table["header"])


def test_a_hidden_group_is_written_as_hidden_with_its_reason_and_no_number(client, closed):
    api = api_results(client, closed.slug, by="role", round=2)
    reasons = {g["key"]: g["reason"] for g in api["groups"] if g["suppressed"]}
    assert reasons[SMALL_GROUP["profession"]] == "small"
    assert reasons["bmm"] == "complement"
    for lang, small, complement in (
            ("sv", "Färre än 5 svar", "Dold så att en liten grupp inte kan räknas fram"),
            ("en", "Fewer than 5 responses", "Hidden so that a small group cannot be worked "
                                             "out")):
        book = load_workbook(io.BytesIO(aggregates_xlsx(closed, lang=lang, rounds=[2])))
        table = next(t for title, t in tables(book).items() if title.endswith(
            ("Per yrkesgrupp: Mätning 2", "By profession: Mätning 2")))
        (row,) = [r for r in table["rows"] if r[1] == SMALL_GROUP["profession"]]
        assert row[-1] == small and all(v is None for v in row[3:-1])
        (row,) = [r for r in table["rows"] if r[1] == "bmm"]
        assert row[-1] == complement and all(v is None for v in row[3:-1])
        assert SMALL_GROUP["label"] in table["note"] or "Open preschool" in table["note"]
    for row in csv_rows(aggregates_csv(closed, lang="en", rounds=[2])):
        if row["breakdown"] == "profession" and row["group_key"] in reasons:
            assert row["hidden"] == reasons[row["group_key"]]
            assert not any(row[s] for s in ("responses", *STATISTICS))


def test_an_open_round_shows_only_its_whole(client, logged_in):
    rows = csv_rows(aggregates_csv(logged_in, lang="en"))
    breakdowns = [r for r in rows if r["breakdown"] in ("profession", "district")]
    assert breakdowns and all(r["hidden"] == "open" and not r["mean"] for r in breakdowns)
    whole = [r for r in rows if r["breakdown"] == "none" and r["level"] == "item"]
    assert whole and all(r["mean"] and not r["hidden"] for r in whole)


def test_a_hidden_item_has_no_number():
    payload = {
        "instrument": {"items": [{"key": "rules", "dimension": "rules", "label": "Rules"}],
                       "dimensions": [{"key": "rules", "label": "Rules"}]},
        "groups": [{"key": "bvc", "label": "BVC", "suppressed": False, "reason": None,
                    "responses": 7, "dimensions": {"rules": None},
                    "items": {"rules": {"n": None, "mean": None, "median": None, "sd": None,
                                        "q1": None, "q3": None, "cannot_judge": None,
                                        "suppressed": True}}}]}
    rows = aggregate_rows(View("profession", 2, "By profession", payload))
    assert rows[0][-1] == rows[1][-1] == ITEM_HIDDEN
    assert all(v is None for v in rows[0][8:15]) and rows[1][9] is None


def test_one_profession_is_shown_round_by_round_and_never_within_a_district(client, closed):
    api = api_results(client, closed.slug, by="round", role="bvc")
    rows = csv_rows(aggregates_csv(closed, lang="sv", profession="bvc"))
    assert {r["breakdown"] for r in rows} == {"round", "none"}
    assert {r["filter"] for r in rows} == {"profession:bvc"}
    for group in api["groups"]:
        row = next(r for r in rows if r["breakdown"] == "round"
                   and r["round"] == str(group["key"]) and r["item_key"] == "rules")
        assert float(row["mean"]) == group["items"]["rules"]["mean"]
    book = load_workbook(io.BytesIO(aggregates_xlsx(closed, lang="en", profession="bvc")))
    assert "By round: Child health centre (BVC)" in tables(book)
    with pytest.raises(SelectionError):
        aggregates_csv(closed, profession="bvc", district="north")
    with pytest.raises(SelectionError):
        aggregates_xlsx(closed, rounds=[9])


def test_csv_is_utf8_with_bom_and_has_the_apis_numbers(client, closed):
    data = aggregates_csv(closed, lang="sv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(data)
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert {r["breakdown"] for r in rows} == {"round", "profession", "district", "none"}
    api = api_results(client, closed.slug, by="round")
    group = api["groups"][1]
    row = next(r for r in rows if r["breakdown"] == "round" and r["group_key"] == "2"
               and r["item_key"] == "rules")
    assert row["group"] == group["label"] and int(row["responses"]) == group["responses"]
    assert float(row["mean"]) == group["items"]["rules"]["mean"]
    assert "Mätning 2" in data.decode("utf-8-sig")  # å, ä, ö survive


def raw_workbook(project, lang: str = "en") -> tuple[dict, list, list[tuple]]:
    """The raw export read back: the figures its first sheet states (label -> value), the
    header and the answer rows."""
    book = load_workbook(io.BytesIO(raw_answers_xlsx(project, lang=lang)))
    about, answers = book.worksheets
    figures = {row[0]: row[1] for row in about.iter_rows(values_only=True)
               if len(row) > 1 and row[1] is not None}
    rows = list(answers.iter_rows(values_only=True))
    return figures, rows[1], rows[2:]


def test_raw_answers_are_k_anonymous_and_say_so(logged_in):
    """Round 2's 2 open-preschool answers in Österort are no combination of their own: their
    district, then their profession is generalised, and since that leaves 2 rows, the
    smallest other combination (6 BMM in Söder) joins them."""
    figures, header, rows = raw_workbook(logged_in, lang="sv")
    book = load_workbook(io.BytesIO(raw_answers_xlsx(logged_in, lang="sv")))
    assert book.sheetnames == ["Varning", "Svar"]
    about = " ".join(r[0] for r in book["Varning"].iter_rows(values_only=True) if r[0])
    assert "minst 5 svar" in about and "personuppgiftsbiträdesavtal" in about
    assert "k-anonyma" in next(book["Svar"].iter_rows(values_only=True))[0]
    assert header[:3] == ("round", "profession", "district")
    assert len(rows) == 6 + 7 + 7 + 6 + 8 + 2
    assert not any("open_preschool" in r or "east" in r for r in rows)
    assert figures["Svar med generaliserat stadsdelsområde (”*”)"] == 8
    assert figures["… varav även med generaliserad yrkesgrupp"] == 8
    assert min(Counter(r[:3] for r in rows).values()) >= 5


# Round 1: combinations of 1, 2, 4, 5 and 6 answers; round 2: 3 answers in all (under k);
# round 3: two combinations of 4 that are enough together once generalised.
RAW_PLAN = {1: [("bvc", "north", 6), ("bvc", "south", 1), ("bvc", "east", 2), ("bvc", "west", 4),
                ("bmm", "north", 2), ("bmm", "south", 1), ("open_preschool", "east", 1),
                ("social_services", "west", 5)],
            2: [("bvc", "north", 2), ("bmm", "south", 1)],
            3: [("bvc", "north", 5), ("bmm", "south", 6), ("bmm", "north", 4),
                ("social_services", "east", 4)]}


def test_every_combination_in_the_raw_export_has_at_least_k_answers(make_project, add_answer):
    import random

    project = make_project(districts=[(d, d.title()) for d in ("north", "south", "east",
                                                               "west")], rounds=3)
    items = instruments.for_project(project).item_keys
    rng = random.Random(11)
    sent = Counter()  # per round: each answer's values, to find them again
    for number, groups in RAW_PLAN.items():
        for profession, district, n in groups:
            for _ in range(n):
                ratings = {key: rng.choice([None, *range(1, 11)]) for key in items}
                add_answer(project.rounds[number - 1], profession=profession,
                           district=district, ratings=ratings)
                sent[(number, *ratings.values())] += 1
    k = 5

    figures, header, rows = raw_workbook(project)
    assert list(header[3:]) == list(items)
    combinations = Counter(row[:3] for row in rows)
    assert min(combinations.values()) >= k, combinations
    # The stated figures are what the rows hold, and what the rule gives by hand: round 1
    # generalises 7 + 3 + 1 district (then 3 + 1 professions, 4 < k) and moves the 5
    # social-services answers in with them; round 3 generalises 4 + 4 answers fully.
    generalised = sum(r[2] == "*" for r in rows)
    fully = sum(r[1] == "*" for r in rows)
    assert generalised == figures["Answers with the district generalised (“*”)"] == 16 + 8
    assert fully == figures["… of which also with the profession generalised"] == 9 + 8
    assert figures["Answers in this file"] == len(rows) == 22 + 19
    assert all(r[2] == "*" for r in rows if r[1] == "*")
    assert figures["Rounds left out: fewer than 5 answers in the round"] == "2"
    # No answer changed or lost in the rounds written; round 2 (under k) is not there.
    kept = Counter((r[0], *r[3:]) for r in rows)
    assert kept == Counter({key: n for key, n in sent.items() if key[0] != 2})
    # Rows in content order (round, profession, district, values), never by arrival.
    assert [r[:3] for r in rows] == sorted((r[:3] for r in rows),
                                           key=lambda g: (g[0], g[1] == "*", g[1], g[2] == "*",
                                                          g[2]))
    assert ("bvc", "north") in {r[1:3] for r in rows if r[0] == 1}  # big enough: as it was


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3), st.sampled_from(["a", "b", "c"]),
                          st.sampled_from(["x", "y", "z", ""])), max_size=60),
       st.integers(3, 6))
def test_k_anonymous_leaves_no_small_combination_and_changes_nothing_else(table, k):
    rows = [[*row, n] for n, row in enumerate(table)]  # the last column: which answer
    kept, left_out = k_anonymous([list(r) for r in rows], k)
    assert min(Counter(tuple(r[:3]) for r in kept).values(), default=k) >= k
    per_round = Counter(r[0] for r in rows)
    assert sorted(left_out) == sorted(n for n, count in per_round.items() if count < k)
    assert sorted(r[3] for r in kept) == sorted(r[3] for r in rows if r[0] not in left_out)
    original = {r[3]: r for r in rows}
    for row in kept:
        before = original[row[3]]
        assert row[0] == before[0]  # never into another round
        assert row[1] in (before[1], GENERALISED) and row[2] in (before[2], GENERALISED)
        assert row[1] != GENERALISED or row[2] == GENERALISED  # the district goes first
        if per_round_combination(rows, before) >= k and row[2] == GENERALISED:
            # a big enough combination is only ever generalised whole, to fill the rest
            assert row[1] == GENERALISED
            assert all(r[1] == GENERALISED for r in kept
                       if original[r[3]][:3] == before[:3])


def per_round_combination(rows, row) -> int:
    return sum(r[:3] == row[:3] for r in rows)
