"""The workbook and the CSV read back: the API's numbers, one sheet per breakdown, hidden
groups nowhere; the raw answers with their warning."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from spindel.services.table_export import aggregates_csv, aggregates_xlsx, raw_answers_xlsx
from tests.conftest import SMALL_GROUP, api_results

API_BY = {"round": "round", "profession": "role", "district": "area", "none": "none"}
SHEETS = {"round": "Per mätning", "profession": "Per yrkesgrupp",
          "district": "Per stadsdelsområde", "none": "Alla svar"}
STATISTICS = ("n", "mean", "median", "sd", "q1", "q3", "min", "max", "cannot_judge")


@pytest.fixture
def logged_in(auth, make_user, project_with_small_group):
    auth.login(make_user(projects=[project_with_small_group]))
    return project_with_small_group


def rows_of(sheet):
    """The data rows under the header row (the one starting with the group key column)."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] in ("Gruppnyckel", "Group key"))
    return rows[start + 1:]


@pytest.mark.parametrize("by", ["round", "profession", "district", "none"])
def test_each_sheet_holds_the_apis_numbers(client, logged_in, by):
    api = api_results(client, logged_in.slug, by=API_BY[by])
    book = load_workbook(io.BytesIO(aggregates_xlsx(logged_in, lang="sv")))
    assert book.sheetnames[1:] == list(SHEETS.values())
    items = {(r[0], r[5]): r for r in rows_of(book[SHEETS[by]]) if r[3] == "item"}
    dimensions = {(r[0], r[4]): r for r in rows_of(book[SHEETS[by]]) if r[3] == "dimension"}
    shown = [g for g in api["groups"] if not g["suppressed"]]
    assert len(items) == len(shown) * len(api["instrument"]["items"])
    for group in shown:
        for key, stats in group["items"].items():
            row = items[(group["key"], key)]
            assert row[2] == group["responses"]
            # Excel keeps 15 significant digits; openpyxl writes floats that way.
            assert list(row[7:16]) == pytest.approx([stats[s] for s in STATISTICS],
                                                    rel=1e-14)
        for key, mean in group["dimensions"].items():
            assert dimensions[(group["key"], key)][8] == pytest.approx(mean, rel=1e-14)


def test_a_hidden_group_is_nowhere_in_the_workbook_and_the_csv(client, logged_in):
    api = api_results(client, logged_in.slug, by="role", round=2)
    hidden = {g["key"] for g in api["groups"] if g["suppressed"]}
    assert SMALL_GROUP["profession"] in hidden
    for lang in ("sv", "en"):
        book = load_workbook(io.BytesIO(aggregates_xlsx(logged_in, lang=lang, rounds=[2])))
        cells = [str(v) for sheet in book for row in sheet.iter_rows(values_only=True)
                 for v in row if v is not None]
        for name in (SMALL_GROUP["profession"], SMALL_GROUP["label"], "Open preschool",
                     SMALL_GROUP["district"], SMALL_GROUP["district_label"]):
            assert not any(name in cell for cell in cells)
        assert any("not shown" in c or "visas inte" in c for c in cells)
        text = aggregates_csv(logged_in, lang=lang, rounds=[2]).decode("utf-8-sig")
        for name in (SMALL_GROUP["profession"], SMALL_GROUP["label"],
                     SMALL_GROUP["district_label"]):
            assert name not in text


def test_csv_is_utf8_with_bom_and_has_the_apis_numbers(client, logged_in):
    data = aggregates_csv(logged_in, lang="sv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {r["breakdown"] for r in rows} == {"round", "profession", "district", "none"}
    api = api_results(client, logged_in.slug, by="round")
    group = api["groups"][1]
    row = next(r for r in rows if r["breakdown"] == "round" and r["group_key"] == "2"
               and r["item_key"] == "rules")
    assert row["group"] == group["label"] and int(row["responses"]) == group["responses"]
    assert float(row["mean"]) == group["items"]["rules"]["mean"]
    assert "Mätning 2" in data.decode("utf-8-sig")  # å, ä, ö survive


def test_raw_answers_have_a_warning_and_every_answer(logged_in):
    book = load_workbook(io.BytesIO(raw_answers_xlsx(logged_in, lang="sv")))
    assert book.sheetnames[0] == "Varning"
    warning = [r[0] for r in book["Varning"].iter_rows(values_only=True)]
    assert any("färre än 5 svar" in line for line in warning)
    assert "2, open_preschool, east: 2" in warning
    answers = list(book["Svar"].iter_rows(values_only=True))
    assert "Varning" in answers[0][0]
    header, rows = answers[1], answers[2:]
    assert header[:3] == ("round", "profession", "district")
    assert len(rows) == 6 + 7 + 7 + 6 + 8 + 2
    assert sum(1 for r in rows if r[1] == "open_preschool") == 2
