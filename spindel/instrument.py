"""Instrument files (instrument/*.toml) loaded and validated into plain dataclasses.

The instrument — items, dimensions, scale, labels — lives in data, never in code, so that a
holder of the authorised Spindeln wording can ship a new file without touching Spindel.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("sv", "en")


class InstrumentError(ValueError):
    """A malformed instrument file; the message names the file and the field."""

    def __init__(self, path: Path | str, field: str, problem: str):
        self.path, self.field, self.problem = str(path), field, problem
        super().__init__(f"{path}: field '{field}': {problem}")


@dataclass(frozen=True)
class Text:
    """A text in every interface language."""

    sv: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv


@dataclass(frozen=True)
class Scale:
    min: int
    max: int
    min_label: Text
    max_label: Text
    cannot_judge: bool
    cannot_judge_label: Text

    @property
    def values(self) -> list[int]:
        return list(range(self.min, self.max + 1))


@dataclass(frozen=True)
class Dimension:
    key: str
    label: Text


@dataclass(frozen=True)
class Item:
    key: str
    dimension: str
    short: Text
    text: Text


@dataclass(frozen=True)
class DefaultProfession:
    key: str
    label: Text


@dataclass(frozen=True)
class Instrument:
    key: str
    version: str
    name: Text
    notice: Text
    scale: Scale
    dimensions: tuple[Dimension, ...]
    items: tuple[Item, ...]
    professions: tuple[DefaultProfession, ...]
    path: str = ""

    @property
    def ident(self) -> str:
        """The identifier a project stores: key and version together."""
        return f"{self.key}@{self.version}"

    @property
    def item_keys(self) -> list[str]:
        return [item.key for item in self.items]

    def items_in(self, dimension_key: str) -> list[Item]:
        return [item for item in self.items if item.dimension == dimension_key]

    def dimension(self, key: str) -> Dimension:
        return next(d for d in self.dimensions if d.key == key)

    def item(self, key: str) -> Item:
        return next(i for i in self.items if i.key == key)


# --- parsing -------------------------------------------------------------------------------


def _require(data: dict, name: str, kind: type, path: Path, where: str):
    field = f"{where}{name}"
    if name not in data:
        raise InstrumentError(path, field, "is missing")
    value = data[name]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise InstrumentError(path, field, f"must be a {kind.__name__}")
    if kind is str and not value.strip():
        raise InstrumentError(path, field, "must not be empty")
    return value


def _text(data: dict, name: str, path: Path, where: str) -> Text:
    table = _require(data, name, dict, path, where)
    values = {lang: _require(table, lang, str, path, f"{where}{name}.").strip()
              for lang in LANGUAGES}
    return Text(**values)


def _unique(keys: list[str], path: Path, field: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise InstrumentError(path, field, f"key '{key}' appears twice")
        seen.add(key)


def parse(data: dict, path: Path | str = "<instrument>") -> Instrument:
    """Validate a parsed TOML document and build an Instrument; raise InstrumentError."""
    path = Path(path)
    scale_data = _require(data, "scale", dict, path, "")
    scale = Scale(
        min=_require(scale_data, "min", int, path, "scale."),
        max=_require(scale_data, "max", int, path, "scale."),
        min_label=_text(scale_data, "min_label", path, "scale."),
        max_label=_text(scale_data, "max_label", path, "scale."),
        cannot_judge=bool(scale_data.get("cannot_judge", True)),
        cannot_judge_label=_text(scale_data, "cannot_judge_label", path, "scale."),
    )
    if scale.max <= scale.min:
        raise InstrumentError(path, "scale.max", "must be greater than scale.min")

    dimensions = tuple(
        Dimension(key=_require(d, "key", str, path, f"dimensions[{i}]."),
                  label=_text(d, "label", path, f"dimensions[{i}]."))
        for i, d in enumerate(_require(data, "dimensions", list, path, ""))
    )
    if not dimensions:
        raise InstrumentError(path, "dimensions", "must list at least one dimension")
    _unique([d.key for d in dimensions], path, "dimensions")

    items = []
    known = {d.key for d in dimensions}
    for i, d in enumerate(_require(data, "items", list, path, "")):
        where = f"items[{i}]."
        item = Item(key=_require(d, "key", str, path, where),
                    dimension=_require(d, "dimension", str, path, where),
                    short=_text(d, "short", path, where),
                    text=_text(d, "text", path, where))
        if item.dimension not in known:
            raise InstrumentError(path, f"{where}dimension",
                                  f"'{item.dimension}' is not a declared dimension")
        items.append(item)
    if not items:
        raise InstrumentError(path, "items", "must list at least one item")
    _unique([i.key for i in items], path, "items")
    # The spider draws each dimension as one sector, so items must be grouped by dimension.
    order = [d.key for d in dimensions]
    if [i.dimension for i in items] != sorted((i.dimension for i in items), key=order.index):
        raise InstrumentError(path, "items", "must be grouped by dimension, in dimension order")

    professions = tuple(
        DefaultProfession(key=_require(p, "key", str, path, f"professions[{i}]."),
                          label=_text(p, "label", path, f"professions[{i}]."))
        for i, p in enumerate(data.get("professions", []))
    )
    _unique([p.key for p in professions], path, "professions")

    return Instrument(
        key=_require(data, "key", str, path, ""),
        version=str(_require(data, "version", str, path, "")),
        name=_text(data, "name", path, ""),
        notice=_text(data, "notice", path, ""),
        scale=scale,
        dimensions=dimensions,
        items=tuple(items),
        professions=professions,
        path=str(path),
    )


def load_file(path: Path | str) -> Instrument:
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InstrumentError(path, "(syntax)", str(exc)) from exc
    return parse(data, path)


def load_directory(directory: Path | str) -> dict[str, Instrument]:
    """Load every *.toml in a directory; keys are 'key@version'."""
    found: dict[str, Instrument] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        instrument = load_file(path)
        if instrument.ident in found:
            raise InstrumentError(path, "version",
                                  f"{instrument.ident} is also defined in "
                                  f"{found[instrument.ident].path}")
        found[instrument.ident] = instrument
    if not found:
        raise InstrumentError(directory, "(directory)", "holds no *.toml instrument file")
    return found


# --- the app's instruments -----------------------------------------------------------------


def init_app(app) -> None:
    """Load every instrument file at start-up; a malformed file stops the app here."""
    app.extensions["spindel_instruments"] = load_directory(app.config["SPINDEL_INSTRUMENT_DIR"])


def registry() -> dict[str, Instrument]:
    from flask import current_app

    return current_app.extensions["spindel_instruments"]


def default_ident() -> str:
    """The instrument a new project gets: the newest version of 'spindeln', else the first."""
    idents = sorted(registry())
    spindeln = [i for i in idents if i.startswith("spindeln@")]
    return (spindeln or idents)[-1]


def for_project(project) -> Instrument:
    try:
        return registry()[project.instrument]
    except KeyError:
        raise LookupError(
            f"project '{project.slug}' uses instrument {project.instrument}, "
            "which no instrument file provides"
        ) from None
