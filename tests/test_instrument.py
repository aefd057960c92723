"""Instrument files: the shipped versions (2026.1 kept for the projects bound to it, 2026.2 for
new ones), their validation errors, a second file without code, and the questions a project
added, which are not a dimension and get no dimension score."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from spindel import create_app
from spindel import instrument as instruments
from spindel.extensions import db
from spindel.instrument import InstrumentError, load_directory, load_file, parse
from spindel.services.projects import create_project
from spindel.services.results import results_payload

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "instrument" / "spindeln.toml"  # version 2026.1
NEW = ROOT / "instrument" / "spindeln-2026.2.toml"
KEYS = ["rules", "routines", "goals", "management", "roles", "knowledge", "shared_view",
        "early_support", "user_influence"]
DIMENSIONS = ["rules", "organisation", "views"]
ADDED = ["early_support", "user_influence"]


def test_shipped_instrument_has_the_nine_items_grouped_by_dimension():
    instrument = load_file(SHIPPED)
    assert instrument.ident == "spindeln@2026.1"
    assert instrument.item_keys == KEYS
    # The file's fourth group is kept as it was asked, but marked as the added questions.
    assert [g.key for g in instrument.groups] == [*DIMENSIONS, "context"]
    assert [d.key for d in instrument.dimensions] == DIMENSIONS
    assert [i.key for i in instrument.added_items] == ADDED
    assert instrument.group("context").label.sv == "Sammanhang"
    assert instrument.item("knowledge").text.sv == (
        "Vi känner till varandras uppdrag, regler och arbetssätt.")
    assert instrument.scale.values == list(range(1, 11))
    assert instrument.scale.cannot_judge
    assert instrument.scale.cannot_judge_label.sv == "Kan inte bedöma"
    for item in instrument.items:
        assert item.text.sv and item.text.en and item.text.sv != item.text.en
    assert {p.key for p in instrument.professions} == {
        "bvc", "bmm", "open_preschool", "social_services", "other"}
    assert "rekonstruktion" in instrument.notice.sv
    assert "reconstruction" in instrument.notice.en


def test_version_2026_2_asks_nine_questions_about_conditions_on_one_scale():
    instrument = load_file(NEW)
    assert instrument.ident == "spindeln@2026.2"
    assert instrument.item_keys == KEYS  # the same items, so rounds stay comparable by key
    for item in instrument.items:
        assert item.text.sv.startswith("Hur ") and item.text.sv.endswith("?"), item.key
        assert item.text.en.startswith("How ") and item.text.en.endswith("?"), item.key
    scale = instrument.scale
    assert (scale.min, scale.max, scale.cannot_judge) == (1, 10, True)
    assert (scale.min_label.sv, scale.max_label.sv) == ("Mycket dåligt", "Mycket bra")
    assert (scale.min_label.en, scale.max_label.en) == ("Very poor", "Very good")
    # Three Spindeln dimensions, and the two added questions as a group of their own.
    assert [d.key for d in instrument.dimensions] == DIMENSIONS
    assert [d.label.sv for d in instrument.dimensions] == [
        "Regelverk", "Organisering", "Synsätt och kunskap"]
    [added] = instrument.added_groups
    assert (added.label.sv, added.label.en) == ("Projektets tillagda frågor",
                                                "Questions added by the project")
    assert not added.is_dimension and added not in instrument.dimensions
    assert [i.key for i in instrument.added_items] == ADDED
    assert [i.key for i in instrument.dimension_items] == KEYS[:7]
    assert instrument.group_of(instrument.item("user_influence")) == added


def test_version_2026_2_says_wording_and_scale_are_a_reconstruction_and_cites_its_sources():
    instrument = load_file(NEW)
    assert instrument.notice.sv.startswith("Frågorna och skalan är en rekonstruktion.")
    assert instrument.notice.en.startswith("The questions and the scale are a reconstruction.")
    references = [r.en for r in instrument.references]
    assert len(references) == 3
    assert ("Danermark, B., Germundsson, P. & Englund, U. (2013). Toward an Instrument for "
            "Measuring the Performance of Collaboration across Organisational and Professional "
            "Boundaries. Occasional Papers in Disability & Rehabilitation 2013:1. Malmö "
            "University.") in references
    chapter = next(r for r in instrument.references if "interaktionistiskt" in r.sv)
    assert chapter.sv.startswith("Danermark, B. & Germundsson, P. (2013). ”Att studera "
                                 "samverkan i ett interaktionistiskt perspektiv”. I R. "
                                 "Axelsson & S. Bihari Axelsson (red.), Om samverkan – för "
                                 "utveckling av hälsa och välfärd. Studentlitteratur.")
    report = next(r for r in instrument.references if r.sv.startswith("Germundsson, P. (2019)"))
    assert "Stärkt tidigt stöd i samverkan – i ytterstaden" in report.sv
    assert report.en.endswith("Malmö University.") and report.sv.endswith("Malmö universitet.")


def test_new_projects_get_2026_2_and_projects_on_2026_1_keep_it(app):
    assert set(instruments.registry()) == {"spindeln@2026.1", "spindeln@2026.2"}
    assert instruments.default_ident() == "spindeln@2026.2"
    new = create_project("Ny", "ny")
    old = create_project("Gammal", "gammal", instrument="spindeln@2026.1")
    db.session.commit()
    assert new.instrument == "spindeln@2026.2" and old.instrument == "spindeln@2026.1"
    assert instruments.for_project(new).item("rules").text.sv.startswith("Hur väl")
    assert instruments.for_project(old).item("rules").text.sv == (
        "Lagar och regler, också sekretessen, gör det möjligt för oss att arbeta tillsammans.")


def test_each_project_asks_its_own_version(app, client, make_project):
    old = make_project(instrument="spindeln@2026.1")
    new = make_project()
    old_form = client.get(f"/r/{old.rounds[0].token}").get_data(as_text=True)
    new_form = client.get(f"/r/{new.rounds[0].token}").get_data(as_text=True)
    assert "Vi känner till varandras uppdrag, regler och arbetssätt." in old_form
    assert "Hur väl känner ni till varandras uppdrag, regler och arbetssätt?" not in old_form
    assert "Hur väl känner ni till varandras uppdrag, regler och arbetssätt?" in new_form
    # Every item is asked, the added questions under their own heading.
    for key in KEYS:
        assert f'name="item_{key}"' in new_form and f'name="item_{key}"' in old_form
    assert "Projektets tillagda frågor" in new_form and "Sammanhang" in old_form


def test_the_newest_version_counts_by_number(tmp_path):
    data = tomllib.loads(NEW.read_text())
    for version in ("2026.9", "2026.10"):
        data["version"] = version
        (tmp_path / f"spindeln-{version}.toml").write_text(_to_toml(data))
    app = create_app({"TESTING": True, "SPINDEL_INSTRUMENT_DIR": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        assert instruments.default_ident() == "spindeln@2026.10"


@pytest.mark.parametrize("ident", ["spindeln@2026.1", "spindeln@2026.2"])
def test_the_added_questions_get_no_dimension_score(app, make_project, add_answer, ident):
    project = make_project(instrument=ident)
    ratings = {"rules": 2, "routines": 4, "goals": 5, "management": 6, "roles": 7,
               "knowledge": 8, "shared_view": 10, "early_support": 1, "user_influence": 1}
    for district in ("north", "north", "north", "south", "south"):
        add_answer(project.rounds[0], district=district, ratings=ratings)
    payload = results_payload(project)
    assert [d["key"] for d in payload["instrument"]["dimensions"]] == DIMENSIONS
    [whole] = payload["groups"]
    # The added questions are shown as items…
    assert whole["items"]["early_support"]["mean"] == 1
    assert whole["items"]["user_influence"]["n"] == 5
    # …but are no dimension and pull no dimension down: each score is its own items' mean.
    assert whole["dimensions"] == {"rules": 3, "organisation": 6, "views": 9}


def _broken(tmp_path: Path, mutate, source: Path = SHIPPED) -> Path:
    data = tomllib.loads(source.read_text())
    mutate(data)
    path = tmp_path / "broken.toml"
    path.write_text(_to_toml(data))
    return path


def _to_toml(data: dict) -> str:
    """Minimal TOML writer for the instrument's shapes (tables, arrays of tables)."""
    import json

    lines: list[str] = []

    def value(v):
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(v, ensure_ascii=False)

    for key, v in data.items():
        if not isinstance(v, (dict, list)) or isinstance(v, list) and v and \
                not isinstance(v[0], dict):
            lines.append(f"{key} = {value(v)}")
    for key, v in data.items():
        if isinstance(v, dict):
            lines.append(f"[{key}]")
            lines += [f"{k} = {value(x)}" for k, x in v.items()]
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            for entry in v:
                lines.append(f"[[{key}]]")
                lines += [f"{k} = {value(x)}" for k, x in entry.items()]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d.pop("version"), "version"),
    (lambda d: d["scale"].pop("max"), "scale.max"),
    (lambda d: d["scale"].update(max="ten"), "scale.max"),
    (lambda d: d["scale"].update(max=0), "scale.max"),
    (lambda d: d["items"][2].pop("text"), "items[2].text"),
    (lambda d: d["items"][2]["text"].pop("en"), "items[2].text.en"),
    (lambda d: d["items"][4].update(dimension="weather"), "items[4].dimension"),
    (lambda d: d["items"][5].update(key="rules"), "items"),
    (lambda d: d["items"].append(d["items"].pop(0)), "items"),
    (lambda d: d["dimensions"][1]["label"].update(sv=""), "dimensions[1].label.sv"),
    (lambda d: d["dimensions"][3].update(kind="sector"), "dimensions[3].kind"),
])
def test_malformed_file_names_file_and_field(tmp_path, mutate, field):
    path = _broken(tmp_path, mutate)
    with pytest.raises(InstrumentError) as caught:
        load_file(path)
    assert caught.value.field == field
    assert str(path) in str(caught.value) and f"'{field}'" in str(caught.value)


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["items"][7].update(group="extra"), "items[7].group"),
    (lambda d: d["items"][0].pop("group"), "items[0].group"),
    (lambda d: d["groups"][3].update(kind="dimensions"), "groups[3].kind"),
    (lambda d: d["groups"].append({"key": "empty", "label": {"sv": "Tom", "en": "Empty"}}),
     "groups"),
    (lambda d: [g.update(kind="added") for g in d["groups"]], "groups"),  # no dimension left
    (lambda d: d.update(dimensions=d["groups"]), "dimensions"),  # both spellings at once
    (lambda d: d["references"].append(3), "references[3]"),
    (lambda d: d["references"][2].pop("en"), "references[2].en"),
])
def test_malformed_groups_and_references_name_the_field(tmp_path, mutate, field):
    path = _broken(tmp_path, mutate, NEW)
    with pytest.raises(InstrumentError) as caught:
        load_file(path)
    assert caught.value.field == field


def test_toml_syntax_error_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("key = \n")
    with pytest.raises(InstrumentError, match="bad.toml"):
        load_file(path)


def test_the_app_refuses_to_start_with_a_malformed_file(tmp_path):
    shutil.copy(SHIPPED, tmp_path / "spindeln.toml")
    _broken(tmp_path, lambda d: d["items"][0].pop("dimension"))
    with pytest.raises(InstrumentError, match=r"broken.toml: field 'items\[0\].dimension'"):
        create_app({"TESTING": True, "SPINDEL_INSTRUMENT_DIR": str(tmp_path),
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_a_second_instrument_needs_no_code_change(tmp_path):
    """The original seven items only, as a new file beside the shipped one."""
    shutil.copy(SHIPPED, tmp_path / "spindeln.toml")
    data = tomllib.loads(SHIPPED.read_text())
    data["key"], data["version"] = "spindeln-original", "2013"
    data["items"] = [i for i in data["items"] if i["dimension"] != "context"]
    data["dimensions"] = [d for d in data["dimensions"] if d["key"] != "context"]
    (tmp_path / "original.toml").write_text(_to_toml(data))
    found = load_directory(tmp_path)
    assert set(found) == {"spindeln@2026.1", "spindeln-original@2013"}
    assert len(found["spindeln-original@2013"].items) == 7


def test_a_file_without_kinds_or_references_reads_every_group_as_a_dimension(tmp_path):
    """An instrument file written before groups had kinds still loads as it always did."""
    data = tomllib.loads(SHIPPED.read_text())
    for group in data["dimensions"]:
        group.pop("kind", None)
    instrument = parse(data)
    assert [d.key for d in instrument.dimensions] == [*DIMENSIONS, "context"]
    assert instrument.added_items == [] and instrument.references == ()


def test_two_files_with_the_same_version_are_refused(tmp_path):
    shutil.copy(SHIPPED, tmp_path / "a.toml")
    shutil.copy(SHIPPED, tmp_path / "b.toml")
    with pytest.raises(InstrumentError, match="also defined"):
        load_directory(tmp_path)


def test_parse_rejects_a_boolean_as_number():
    data = tomllib.loads(SHIPPED.read_text())
    data["scale"]["min"] = True
    with pytest.raises(InstrumentError, match="scale.min"):
        parse(data)


@pytest.mark.parametrize("text, expected", [
    ("1", 1), ("10", 10), (" 7 ", 7), ("x", None), ("X", None), ("", None)])
def test_a_rating_is_read_the_same_from_the_form_and_from_a_file(app, text, expected):
    scale = instruments.registry()[instruments.default_ident()].scale
    assert scale.parse(text) == expected


@pytest.mark.parametrize("text", ["0", "11", "7.0", "-1", "٣", "1e1", "seven", "10 0"])
def test_anything_else_is_not_a_rating(app, text):
    scale = instruments.registry()[instruments.default_ident()].scale
    with pytest.raises(ValueError):
        scale.parse(text)
