"""Instrument files: the shipped file, its validation errors, and a second file without code."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from spindel import create_app
from spindel.instrument import InstrumentError, load_directory, load_file, parse

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "instrument" / "spindeln.toml"
KEYS = ["rules", "routines", "goals", "management", "roles", "knowledge", "shared_view",
        "early_support", "user_influence"]


def test_shipped_instrument_has_the_nine_items_grouped_by_dimension():
    instrument = load_file(SHIPPED)
    assert instrument.item_keys == KEYS
    assert [d.key for d in instrument.dimensions] == ["rules", "organisation", "views",
                                                     "context"]
    assert instrument.scale.values == list(range(1, 11))
    assert instrument.scale.cannot_judge
    assert instrument.scale.cannot_judge_label.sv == "Kan inte bedöma"
    for item in instrument.items:
        assert item.text.sv and item.text.en and item.text.sv != item.text.en
    assert {p.key for p in instrument.professions} == {
        "bvc", "bmm", "open_preschool", "social_services", "other"}
    assert "rekonstruktion" in instrument.notice.sv
    assert "reconstruction" in instrument.notice.en


def _broken(tmp_path: Path, mutate) -> Path:
    data = tomllib.loads(SHIPPED.read_text())
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
])
def test_malformed_file_names_file_and_field(tmp_path, mutate, field):
    path = _broken(tmp_path, mutate)
    with pytest.raises(InstrumentError) as caught:
        load_file(path)
    assert caught.value.field == field
    assert str(path) in str(caught.value) and f"'{field}'" in str(caught.value)


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
