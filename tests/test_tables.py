"""The workbook and the CSV read back: the API's published cells, one table per view (the
rounds side by side; per round the whole, the professions, the districts), hidden groups
written as hidden with the reason and no number, no min or max. The workbook in Swedish or
English throughout: an "About the data" sheet, a sheet per view ready for a chart, every
statistic in one table, fractions shown to one decimal and kept in full. The CSV in Swedish
for Swedish Excel (semicolons, decimal commas, Swedish headings), in English for scripts.
The raw answers k-anonymous on round, profession and district, saying how many were
generalised."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from spindel import instrument as instruments
from spindel.services.exports.tables import (
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
from spindel.services.selection import SelectionError
from tests.conftest import SMALL_GROUP, api_results

API_BY = {"round": "round", "profession": "role", "district": "area", "none": "none"}
STATISTICS = ("n", "mean", "median", "sd", "q1", "q3", "cannot_judge")
SHEETS_SV = ["Om data", "Per mätning", "Mätning 1, yrkesgrupper",
             "Mätning 1, stadsdelsområden", "Mätning 2, yrkesgrupper",
             "Mätning 2, stadsdelsområden", "Alla värden"]
SWEDISH_COLUMNS = ["Tabell", "Urval", "Mätning", "Gruppnyckel", "Grupp", "Antal svar", "Nivå",
                   "Dimension", "Frågenyckel", "Fråga", "n (gav en siffra)",
                   "Medelvärde", "Median", "Standardavvikelse", "Nedre kvartil",
                   "Övre kvartil", "Kan inte bedöma", "Visas inte"]


def workbook(project, **options):
    return load_workbook(io.BytesIO(aggregates_xlsx(project, **options)))


def wide(sheet) -> dict:
    """A chart-ready sheet read back: its title, the note under it, and each table (a header
    row and the rows under it, between empty rows) by its first heading, as {"heads": the
    column heads, "rows": {label: (values...)}, "cells": the value cells}."""
    rows = list(sheet.iter_rows())
    found = {"title": rows[0][0].value, "note": rows[1][0].value if len(rows) > 1 else None,
             "tables": {}}
    table = None
    for row in rows[2:]:
        values = [c.value for c in row]
        if all(v is None for v in values):
            table = None
        elif table is None and len(values) > 1 and values[1] is not None:
            table = found["tables"][values[0]] = {"heads": values[1:], "rows": {},
                                                  "cells": [], "comments": row[1:]}
        elif table is not None:
            table["rows"][values[0]] = tuple(values[1:])
            table["cells"] += row[1:]
    return found


def figures(book) -> list[dict]:
    """The rows of the sheet with every statistic, by its Swedish or English headings."""
    sheet = book.worksheets[-1]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] in ("Mätning", "Round"))
    return [dict(zip(rows[header], row, strict=True)) for row in rows[header + 1:]]


def csv_rows(data: bytes, delimiter: str = ",") -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def same(written, expected) -> bool:
    """The same numbers, None where the API has none. Excel keeps 15 significant digits;
    openpyxl writes floats that way."""
    return [v is None for v in written] == [v is None for v in expected] and [
        v for v in written if v is not None] == pytest.approx(
            [v for v in expected if v is not None], rel=1e-14)


def item_labels(api) -> list[str]:
    return [i["label"] for i in api["instrument"]["items"]]


def test_the_workbook_has_an_about_sheet_a_sheet_per_view_and_every_figure(closed):
    assert workbook(closed, lang="sv").sheetnames == SHEETS_SV
    assert workbook(closed, lang="en").sheetnames == [
        "About the data", "By round", "Round 1, professions", "Round 1, districts",
        "Round 2, professions", "Round 2, districts", "All figures"]
    # One group chosen: its rounds side by side, and its figures; no breakdown sheets.
    assert workbook(closed, lang="sv", profession="bvc").sheetnames == [
        "Om data", "Per mätning", "Alla värden"]


def test_items_by_round_is_a_table_for_a_chart_with_the_apis_means(client, closed):
    api = api_results(client, closed.slug, by="round")
    book = workbook(closed, lang="sv")
    sheet = wide(book["Per mätning"])
    assert sheet["title"] == "Per mätning"
    means = sheet["tables"]["Fråga"]
    # Each round's column says how many answers it rests on.
    assert means["heads"] == [f"{g['label']} ({g['responses']} svar)" for g in api["groups"]]
    assert list(means["rows"]) == item_labels(api)
    for column, group in enumerate(api["groups"]):
        # The cell keeps the API's number as far as a spreadsheet keeps any (15 digits)...
        assert same([means["rows"][label][column] for label in item_labels(api)],
                    [group["items"][i["key"]]["mean"] for i in api["instrument"]["items"]])
    assert any(v != round(v, 1) for c in means["cells"] if (v := c.value) is not None)
    assert {c.number_format for c in means["cells"]} == {"0.0"}  # ...and shows one decimal
    dimensions = sheet["tables"]["Dimension"]
    assert list(dimensions["rows"]) == [d["label"] for d in api["instrument"]["dimensions"]]
    first = api["instrument"]["dimensions"][0]
    assert same(dimensions["rows"][first["label"]],
                [g["dimensions"][first["key"]] for g in api["groups"]])
    counts = sheet["tables"]["Svar som gav en siffra (n)"]
    assert counts["rows"][item_labels(api)[0]] == tuple(
        g["items"][api["instrument"]["items"][0]["key"]]["n"] for g in api["groups"])


@pytest.mark.parametrize("by", ["profession", "district"])
def test_each_round_has_items_by_profession_and_by_district_published_cells_only(
        client, closed, by):
    book = workbook(closed, lang="sv")
    name = {"profession": "yrkesgrupper", "district": "stadsdelsområden"}[by]
    title = {"profession": "Per yrkesgrupp: {}", "district": "Per stadsdelsområde: {}"}[by]
    for number in (1, 2):
        api = api_results(client, closed.slug, by=API_BY[by], round=number)
        sheet = wide(book[f"Mätning {number}, {name}"])
        assert sheet["title"] == title.format(f"Mätning {number}")
        means = sheet["tables"]["Fråga"]
        assert len(means["heads"]) == len(api["groups"])
        for column, group in enumerate(api["groups"]):
            values = [means["rows"][label][column] for label in item_labels(api)]
            if group["suppressed"]:  # kept as a column, empty, the reason on its head
                assert means["heads"][column] == group["label"]
                assert values == [None] * len(values)
                assert means["comments"][column].comment is not None
            else:
                assert means["heads"][column] == f"{group['label']} ({group['responses']} svar)"
                assert same(values, [group["items"][i["key"]]["mean"]
                                     for i in api["instrument"]["items"]])


def test_a_hidden_group_is_blank_with_a_note_saying_why(client, closed):
    for lang, sheet_name, small, complement in (
            ("sv", "Mätning 2, yrkesgrupper", "Färre än 5 svar",
             "Dold så att en liten grupp inte kan räknas fram"),
            ("en", "Round 2, professions", "Fewer than 5 responses",
             "Hidden so that a small group cannot be worked out")):
        api = api_results(client, closed.slug, by="role", round=2, lang=lang)
        label = {g["key"]: g["label"] for g in api["groups"]}
        reasons = {g["key"]: g["reason"] for g in api["groups"] if g["suppressed"]}
        assert reasons[SMALL_GROUP["profession"]] == "small"
        assert reasons["bmm"] == "complement"
        book = workbook(closed, lang=lang, rounds=[2])
        sheet = wide(book[sheet_name])
        assert label[SMALL_GROUP["profession"]] in sheet["note"]
        assert label["bmm"] in sheet["note"]
        means = sheet["tables"][("Fråga", "Item")[lang == "en"]]
        heads = dict(zip(label, means["comments"], strict=True))
        assert heads[SMALL_GROUP["profession"]].comment.text == small
        assert heads["bmm"].comment.text == complement
        # In the table of every statistic: one row with the reason and no number.
        group, reason, table = (("Grupp", "Visas inte", "Per yrkesgrupp: Mätning 2"),
                                ("Group", "Not shown", "By profession: Mätning 2"))[lang == "en"]
        rows = [r for r in figures(book) if r[("Tabell", "Table")[lang == "en"]] == table]
        for key, expected in ((SMALL_GROUP["profession"], small), ("bmm", complement)):
            (row,) = [r for r in rows if r[group] == label[key]]
            assert row[reason] == expected
            numbers = list(row.values())[3:-1]  # responses to "cannot judge"
            assert numbers == [None] * len(numbers)


def test_every_statistic_is_the_apis_and_fractions_show_one_decimal(client, closed):
    book = workbook(closed, lang="sv")
    rows = figures(book)
    assert not {"Min", "Max", "Minimum", "Maximum", "Minsta", "Största"} & set(rows[0])
    names = ("n (gav en siffra)", "Medelvärde", "Median", "Standardavvikelse", "Nedre kvartil",
             "Övre kvartil", "Kan inte bedöma")
    for number in (1, 2):
        for by, table in (("none", f"Alla svar: Mätning {number}"),
                          ("profession", f"Per yrkesgrupp: Mätning {number}"),
                          ("district", f"Per stadsdelsområde: Mätning {number}")):
            api = api_results(client, closed.slug, by=API_BY[by], round=number)
            for group in api["groups"]:
                mine = [r for r in rows if r["Tabell"] == table and r["Grupp"] == group["label"]]
                assert all(r["Mätning"] == number for r in mine)
                if group["suppressed"]:
                    assert len(mine) == 1 and mine[0]["Visas inte"]
                    continue
                items = [r for r in mine if r["Nivå"] == "Fråga"]
                assert [r["Fråga"] for r in items] == item_labels(api)
                for row, item in zip(items, api["instrument"]["items"], strict=True):
                    assert row["Antal svar"] == group["responses"]
                    assert same([row[n] for n in names],
                                [group["items"][item["key"]][s] for s in STATISTICS])
                scores = {r["Dimension"]: r["Medelvärde"] for r in mine
                          if r["Nivå"] == "Dimension"}
                for dimension in api["instrument"]["dimensions"]:
                    assert same([scores[dimension["label"]]],
                                [group["dimensions"][dimension["key"]]])
    sheet = book["Alla värden"]
    formats = {sheet.cell(row=r, column=c).number_format for r in range(5, sheet.max_row + 1)
               for c in (9, 10, 11, 12, 13)}
    assert formats == {"0.0"}
    assert sheet.auto_filter.ref.startswith("A4:")


def test_the_about_sheet_says_what_the_figures_are_and_what_is_hidden(client, closed,
                                                                      add_answer):
    api = api_results(client, closed.slug, by="round")  # cuts the releases
    add_answer(closed.rounds[1], profession="bvc", district="north")
    add_answer(closed.rounds[1], profession="bmm", district="south")
    book = workbook(closed, lang="sv")
    about = list(book["Om data"].iter_rows(values_only=True))
    text = "\n".join(" ".join(str(v) for v in row if v is not None) for row in about)
    assert about[0][0] == closed.name
    instrument = instruments.for_project(closed)
    assert f"Instrument: Spindeln, version {instrument.version}." in text
    assert "Minsta gruppstorlek (k): 5." in text
    assert "Färre än 5 svar" in text or "färre än 5 svar" in text
    assert "Öppen förskola" in text  # what is hidden in which sheet, and why
    header = next(i for i, row in enumerate(about) if row[0] == "Mätning")
    assert about[header][:5] == ("Mätning", "Status", "Siffrorna publicerade",
                                 "Svar i siffrorna", "Svar som inte är med än")
    for row, group in zip(about[header + 1:header + 3], api["groups"], strict=True):
        released = next(r["released_on"] for r in api["rounds"] if r["number"] == group["key"])
        assert row[0] == group["label"] and row[1] == "stängd"
        assert row[2].date() == dt.date.fromisoformat(released)
        assert row[3] == group["responses"]
    assert about[header + 2][4] == 2  # two answers came after round 2's figures
    wording = {row[0]: row[2] for row in about if row[0] in item_labels(api)}
    assert wording == {i.short.sv: i.text.sv for i in instrument.items}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_about_sheet_says_the_instrument_is_a_reconstruction(closed, lang):
    """Issue 13: the workbook's first sheet carries the instrument's notice and its sources,
    in the workbook's language, each wrapped across the sheet's columns."""
    instrument = instruments.for_project(closed)
    book = workbook(closed, lang=lang)
    sheet = book[{"sv": "Om data", "en": "About the data"}[lang]]
    assert book.sheetnames[0] == sheet.title
    column = [row[0] for row in sheet.iter_rows(values_only=True)]
    heading = column.index({"sv": "Om instrumentet", "en": "About the instrument"}[lang])
    assert column[heading + 1] == instrument.notice.get(lang)
    assert column[heading + 2] == {"sv": "Källor", "en": "Sources"}[lang]
    assert column[heading + 3:heading + 3 + len(instrument.references)] == [
        r.get(lang) for r in instrument.references]
    notice = sheet.cell(row=heading + 2, column=1)
    assert notice.alignment.wrap_text and f"A{heading + 2}:E{heading + 2}" in {
        str(r) for r in sheet.merged_cells.ranges}
    assert sheet.row_dimensions[heading + 2].height >= 15 * 5  # room for its lines


def test_an_open_round_shows_only_its_whole_and_says_it_is_incomplete(client, logged_in):
    api = api_results(client, logged_in.slug, by="round")
    book = workbook(logged_in, lang="sv")
    heads = wide(book["Per mätning"])["tables"]["Fråga"]["heads"]
    assert heads == [f"{g['label']} (pågår, {g['responses']} svar)" for g in api["groups"]]
    professions = wide(book["Mätning 2, yrkesgrupper"])
    assert "har stängt" in professions["note"] and not professions["tables"]
    rows = csv_rows(aggregates_csv(logged_in, lang="en"))
    breakdowns = [r for r in rows if r["breakdown"] in ("profession", "district")]
    assert breakdowns and all(r["hidden"] == "open" and not r["mean"] for r in breakdowns)
    whole = [r for r in rows if r["breakdown"] == "none" and r["level"] == "item"]
    assert whole and all(r["mean"] and not r["hidden"] for r in whole)


def test_no_row_adds_rounds_together_and_min_and_max_are_never_written(client, closed):
    rows = csv_rows(aggregates_csv(closed, lang="en"))
    assert "min" not in rows[0] and "max" not in rows[0]
    totals = {g["key"]: g["responses"] for g in api_results(client, closed.slug)["groups"]}
    assert {r["round"] for r in rows} == {"1", "2"}
    for row in rows:
        assert row["round"] in ("1", "2")  # one round, never "all"
        if row["responses"]:
            assert int(row["responses"]) <= totals[int(row["round"])]
    for row in figures(workbook(closed, lang="en")):
        assert row["Round"] in (1, 2)
        assert row["Responses"] is None or row["Responses"] <= totals[row["Round"]]


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
    rows = csv_rows(aggregates_csv(closed, lang="en", profession="bvc"))
    assert {r["breakdown"] for r in rows} == {"round", "none"}
    assert {r["filter"] for r in rows} == {"profession:bvc"}
    for group in api["groups"]:
        row = next(r for r in rows if r["breakdown"] == "round"
                   and r["round"] == str(group["key"]) and r["item_key"] == "rules")
        assert float(row["mean"]) == group["items"]["rules"]["mean"]
    book = workbook(closed, lang="en", profession="bvc")
    assert wide(book["By round"])["title"] == "By round: Child health centre (BVC)"
    with pytest.raises(SelectionError):
        aggregates_csv(closed, profession="bvc", district="north")
    with pytest.raises(SelectionError):
        aggregates_xlsx(closed, rounds=[9])


def test_swedish_csv_opens_in_columns_in_swedish_excel(client, closed):
    """Semicolons, decimal commas, a byte-order mark and Swedish headings: what Excel set to
    Swedish reads as columns and numbers."""
    data = aggregates_csv(closed, lang="sv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(data, delimiter=";")
    assert list(rows[0]) == SWEDISH_COLUMNS
    api = api_results(client, closed.slug, by="round")
    group = api["groups"][1]
    row = next(r for r in rows if r["Tabell"] == "Per mätning" and r["Gruppnyckel"] == "2"
               and r["Frågenyckel"] == "rules")
    assert row["Grupp"] == group["label"] and int(row["Antal svar"]) == group["responses"]
    assert row["Urval"] == "Alla svar" and row["Nivå"] == "Fråga"
    assert row["Dimension"] == "Regelverk" and row["Fråga"] == "Lagar och regler"
    mean = row["Medelvärde"]
    assert "," in mean and "." not in mean  # like "5,2"
    assert float(mean.replace(",", ".")) == group["items"]["rules"]["mean"]
    for row in rows:  # every fraction with a comma, never a point
        assert not any("." in row[c] for c in ("Medelvärde", "Median", "Standardavvikelse",
                                                "Nedre kvartil", "Övre kvartil"))
    hidden = [r for r in rows if r["Grupp"] == SMALL_GROUP["label"] and r["Mätning"] == "2"]
    assert hidden and all(r["Visas inte"] == "Färre än 5 svar" and not r["Medelvärde"]
                          for r in hidden)


def test_swedish_and_english_csv_carry_the_same_numbers(closed):
    swedish = csv_rows(aggregates_csv(closed, lang="sv"), delimiter=";")
    english = csv_rows(aggregates_csv(closed, lang="en"))
    assert len(swedish) == len(english)
    pairs = (("Antal svar", "responses"), ("n (gav en siffra)", "n"), ("Medelvärde", "mean"),
             ("Median", "median"), ("Standardavvikelse", "sd"), ("Nedre kvartil", "q1"),
             ("Övre kvartil", "q3"), ("Kan inte bedöma", "cannot_judge"))
    for sv, en in zip(swedish, english, strict=True):
        assert sv["Mätning"] == en["round"] and sv["Frågenyckel"] == en["item_key"]
        for sv_name, en_name in pairs:
            assert sv[sv_name].replace(",", ".") == en[en_name]


def test_english_csv_is_for_scripts_as_before(client, closed):
    data = aggregates_csv(closed, lang="en")
    assert data.startswith(b"\xef\xbb\xbfbreakdown,filter,")
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
    assert instruments.for_project(logged_in).notice.sv in about  # the wording is rebuilt
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
