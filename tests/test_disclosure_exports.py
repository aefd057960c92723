"""The attack on the downloads, tried again (../shared/disclosure.md §1).

results.csv used to carry, next to each round, a total over all rounds together: that total
minus the rounds' own figures was the one person who answered round 3. Here rounds of 5, 6
and 1 answers (k = 5, all closed) are downloaded as results.csv, results.xlsx and the deck
with every filter the downloads page offers, read back, and searched as an attacker would:
no row pools rounds, the 1-answer round publishes no number, no minimum or maximum is
written, the deck's charts hold no number the tables lack, and — with the exact check of
§6 over every published figure — no set of fewer than k answers, the round-3 respondent's
least of all, has a sum that follows from them.
"""

from __future__ import annotations

import csv
import io
import itertools
import random
import re
import zipfile
from collections import Counter

import pytest
from openpyxl import load_workbook

from spindel import instrument as instruments
from spindel.models import RoundState
from spindel.services.exact_check import find_disclosure
from spindel.services.exports.tables import CSV_COLUMNS

K = 5
LONE = 1  # the round-3 respondent's rating of every item; nobody else goes below 6
# (round, profession, district) -> answers: rounds of 5, 6 and 1.
ATOMS = {(1, "bvc", "north"): 5,
         (2, "bvc", "north"): 5, (2, "bmm", "north"): 1,
         (3, "bmm", "south"): 1}
THE_LONE_ANSWER = (3, "bmm", "south")
NUMBERS = ("n", "mean", "median", "sd", "q1", "q3", "cannot_judge")


@pytest.fixture
def app(app, backend):
    """Every test here on SQLite and on PostgreSQL."""
    return app


@pytest.fixture
def attacked(make_project, add_answer, auth, make_user):
    """Three closed rounds of 5, 6 and 1 answers, and a supporter of the project logged in."""
    project = make_project(rounds=3, state=RoundState.CLOSED, min_group_size=K)
    keys = instruments.for_project(project).item_keys
    rng = random.Random(3)
    for (number, profession, district), n in ATOMS.items():
        for _ in range(n):
            value = LONE if (number, profession, district) == THE_LONE_ANSWER else None
            add_answer(project.rounds[number - 1], profession=profession, district=district,
                       ratings={k: value or rng.randint(6, 10) for k in keys})
    auth.login(make_user(projects=[project]))
    return project


def offered_filters(client, base: str) -> list[dict]:
    """Every filter the downloads page offers: each set of its round boxes (none ticked =
    every round) with each choice of its group select."""
    html = client.get(base).get_data(as_text=True)
    rounds = re.findall(r'name="round"\s+value="(\d+)"', html)
    select = re.search(r'<select[^>]*name="group".*?</select>', html, re.S).group(0)
    groups = re.findall(r'value="([^"]*)"', select)
    assert len(rounds) == 3 and "" in groups and "profession:bvc" in groups
    assert "district:north" in groups
    return [{"round": list(chosen), "group": group}
            for size in range(len(rounds) + 1)
            for chosen in itertools.combinations(rounds, size) for group in groups]


def cell_of(breakdown: str, round_number: int, group_key: str, chosen: str) -> frozenset:
    """The atoms a published row describes: by round or the whole round (of the chosen
    group, if any), or one profession or one district of that round."""
    kind, _, key = chosen.partition(":")
    if breakdown in ("profession", "district"):
        kind, key = breakdown, group_key
    return frozenset(a for a in ATOMS if a[0] == round_number and (
        not kind or a[1 if kind == "profession" else 2] == key))


def csv_figures(data: bytes, chosen: str) -> list[tuple]:
    """(round, cell, item, n, mean) of every number a results.csv publishes, after checking
    each row: one round, never the 1-answer one, no min or max."""
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert not {"min", "max"} & set(rows[0])
    figures = []
    for row in rows:
        number = int(row["round"])  # one round per row: never "all", never empty
        assert row["filter"] == chosen
        if row["breakdown"] == "round":
            assert row["group_key"] == row["round"]
        numbers = [row[s] for s in NUMBERS] + [row["responses"]]
        if number == 3:
            assert not any(numbers) and row["hidden"] == "too_small"
            continue
        if row["responses"]:
            # No row counts more answers than its round has: nothing adds rounds together.
            assert int(row["responses"]) <= sum(n for a, n in ATOMS.items() if a[0] == number)
        if row["level"] == "item" and row["mean"]:
            cell = cell_of(row["breakdown"], number, row["group_key"], chosen)
            assert int(row["n"]) == sum(ATOMS[a] for a in cell)
            figures.append((number, cell, row["item_key"], int(row["n"]), float(row["mean"])))
    return figures


def xlsx_numbers(data: bytes) -> Counter:
    """Every number in the workbook's tables by its round, after checking that no header
    has min or max and that round 3 has no number anywhere: not in the sheet of every
    statistic (its rows hidden, with the reason), not in a chart-ready sheet (by round, a
    column per round, its head naming it; per round, the sheet's name does), not in the
    rounds' table of the first sheet."""
    book = load_workbook(io.BytesIO(data))
    per_round: Counter = Counter()
    about, *wide, every = book.worksheets
    for row in about.iter_rows(values_only=True):
        if row[0] == "Mätning 3":
            assert not [v for v in row[1:] if isinstance(v, (int, float))]
    for sheet in wide:
        sheet_round = re.match(r"Mätning (\d+),", sheet.title)
        columns: dict[int, int] = {}
        for row in sheet.iter_rows(values_only=True):
            if len(row) > 1 and isinstance(row[1], str):  # a table's header: column heads
                columns = {i: int((sheet_round or re.match(r"Mätning (\d+)", head)).group(1))
                           for i, head in enumerate(row) if i and head}
            for i, value in enumerate(row):
                if i and isinstance(value, (int, float)):
                    assert columns[i] != 3, (sheet.title, row)
                    per_round[columns[i]] += 1
    rows = list(every.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "Mätning")
    assert not {"Min", "Max", "Minimum", "Maximum", "Minsta", "Största"} & set(rows[header])
    for row in rows[header + 1:]:
        numbers = [v for v in row[3:14] if isinstance(v, (int, float))]
        if row[0] == 3:
            assert numbers == [] and row[14]  # hidden, with the reason
        per_round[row[0]] += len(numbers)
    return per_round


def same_numbers(swedish: bytes, english: bytes) -> None:
    """The Swedish CSV (semicolons, decimal commas, words) holds the English one's numbers,
    row for row: what the English is checked for holds for it too."""
    sv = list(csv.reader(io.StringIO(swedish.decode("utf-8-sig")), delimiter=";"))
    en = list(csv.reader(io.StringIO(english.decode("utf-8-sig"))))
    assert len(sv) == len(en)
    numbers = [CSV_COLUMNS.index(name) for name in ("round", "responses", *NUMBERS)]
    for a, b in zip(sv[1:], en[1:], strict=True):
        assert [a[i].replace(",", ".") for i in numbers] == [b[i] for i in numbers]


def chart_numbers(pptx: bytes) -> tuple[list[str], list[float]]:
    """The series names and every value held by the deck's charts (their XML caches)."""
    names, values = [], []
    with zipfile.ZipFile(io.BytesIO(pptx)) as deck:
        for name in deck.namelist():
            if name.startswith("ppt/charts/chart") and name.endswith(".xml"):
                xml = deck.read(name).decode()
                for series in re.findall(r"<c:ser>.*?</c:ser>", xml, re.S):
                    names += re.findall(r"<c:tx>.*?<c:v>(.*?)</c:v>", series, re.S)[:1]
                    values_part = series.split("<c:val>", 1)[1]
                    values += [float(v) for v in re.findall(r"<c:v>(.*?)</c:v>", values_part)]
    return names, values


def test_no_combination_of_the_downloads_gives_the_lone_answer_away(client, attacked):
    base = f"/projects/{attacked.slug}/exports"
    items = instruments.for_project(attacked).item_keys
    figures = []
    per_round: Counter = Counter()
    for query in offered_filters(client, base):
        for name in ("results.csv", "results.xlsx"):
            response = client.get(f"{base}/{name}", query_string=query)
            assert response.status_code == 200, (name, query)
            if name == "results.csv":  # Swedish; the English one is for scripts
                english = client.get(f"{base}/{name}", query_string={**query,
                                                                     "export_lang": "en"})
                same_numbers(response.data, english.data)
                figures += csv_figures(english.data, query["group"])
            else:
                per_round += xlsx_numbers(response.data)
    assert per_round[1] and per_round[2] and per_round[3] == 0
    published = {(round_, cell) for round_, cell, *_ in figures}
    assert {r for r, _ in published} == {1, 2}
    assert not any(THE_LONE_ANSWER in cell for _, cell in published)

    # The attacker's arithmetic, exact (§6): per item, every published figure is a sum over
    # its cell's answers; no set of fewer than k answers has a sum that follows from them.
    sizes = dict(ATOMS)
    for item in items:
        cells = [cell for _r, cell, key, *_ in figures if key == item]
        assert find_disclosure(cells, sizes, K) is None
    # The same search finds the old leak: a total over all rounds next to the rounds' own.
    pooled = [frozenset(ATOMS)] + [frozenset(a for a in ATOMS if a[0] == r) for r in (1, 2)]
    assert find_disclosure(pooled, sizes, K) == {THE_LONE_ANSWER}


def test_the_decks_charts_hold_no_number_the_tables_lack(client, attacked):
    base = f"/projects/{attacked.slug}/exports"
    for group in {q["group"] for q in offered_filters(client, base)}:
        query = {"group": group, "export_lang": "sv"}
        deck = client.get(f"{base}/deck.pptx", query_string=query)
        table = client.get(f"{base}/results.csv", query_string={**query,
                                                                 "export_lang": "en"})
        assert deck.status_code == table.status_code == 200, group
        names, values = chart_numbers(deck.data)
        # Round 2's five BVC answers are hidden with its one BMM answer (complementary).
        # A legend names a round with its answers: "Mätning 1 (5 svar)".
        rounds_shown = {"": {1, 2}, "district:north": {1, 2}, "profession:bvc": {1}}
        assert {n for n in (1, 2, 3) if any(name.startswith(f"Mätning {n} (")
                                            for name in names)} == rounds_shown.get(
            group, set()), group
        assert not any(name.startswith("Mätning 3") for name in names)
        rows = list(csv.DictReader(io.StringIO(table.data.decode("utf-8-sig"))))
        written = {round(float(row[s]), 9) for row in rows for s in ("mean", "median", "q1",
                                                                     "q3") if row[s]}
        assert {round(v, 9) for v in values} <= written, group
        assert LONE not in values
