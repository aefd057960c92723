"""Instrument files (instrument/*.toml) loaded and validated into plain dataclasses.

The instrument — items, their groups, scale, labels, notice, references — lives in data,
never in code, so that a holder of the authorised Spindeln wording can ship a new file
without touching Spindel.

Items come in groups. A group is either a *dimension* of the instrument's model (Spindeln:
rules, organisation, views and knowledge), or questions a project *added* (`kind = "added"`):
those are asked and shown like the others but are not a dimension, so they get no dimension
score. Files name the groups `[[groups]]` and an item's group `group`; the older spelling
`[[dimensions]]` / `dimension` (instrument 2026.1) means the same.
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


CANNOT_JUDGE = "x"  # "cannot judge" as written on the form and in files; stored as NULL


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

    def parse(self, text: str) -> int | None:
        """A rating written as text — a form's value or a spreadsheet's cell — as stored: a
        whole number on the scale, or None for "cannot judge" (CANNOT_JUDGE, in either case,
        or an empty cell) where the scale has it. Raises ValueError for anything else."""
        text = text.strip()
        if self.cannot_judge and text.lower() in ("", CANNOT_JUDGE):
            return None
        if not (text.isascii() and text.isdigit()) or not self.min <= int(text) <= self.max:
            raise ValueError(f"{text!r} is not a rating from {self.min} to {self.max}")
        return int(text)


DIMENSION = "dimension"  # a group that is a dimension of the instrument's model
ADDED = "added"  # questions a project added: asked and shown, but not a dimension
GROUP_KINDS = (DIMENSION, ADDED)


@dataclass(frozen=True)
class Group:
    """A group of items, in the order they are asked and drawn: a dimension, or added
    questions (kind ADDED), which never get a dimension score."""

    key: str
    label: Text
    kind: str = DIMENSION

    @property
    def is_dimension(self) -> bool:
        return self.kind == DIMENSION


Dimension = Group  # the older name; a dimension is a group of kind DIMENSION


@dataclass(frozen=True)
class Item:
    key: str
    group: str  # the key of its group (a dimension, or the added questions)
    short: Text
    text: Text

    @property
    def dimension(self) -> str:
        """The older name of `group`: for an added item this is the added group's key."""
        return self.group


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
    groups: tuple[Group, ...]
    items: tuple[Item, ...]
    professions: tuple[DefaultProfession, ...]
    references: tuple[Text, ...] = ()
    path: str = ""

    @property
    def ident(self) -> str:
        """The identifier a project stores: key and version together."""
        return f"{self.key}@{self.version}"

    @property
    def item_keys(self) -> list[str]:
        return [item.key for item in self.items]

    @property
    def dimensions(self) -> tuple[Group, ...]:
        """The instrument's dimensions only, in order: the groups that get a score."""
        return tuple(g for g in self.groups if g.is_dimension)

    @property
    def added_groups(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if not g.is_dimension)

    @property
    def dimension_items(self) -> list[Item]:
        """The items of the dimensions, in order (Spindeln's own seven)."""
        keys = {g.key for g in self.dimensions}
        return [item for item in self.items if item.group in keys]

    @property
    def added_items(self) -> list[Item]:
        """The items a project added, in order: not part of any dimension."""
        keys = {g.key for g in self.added_groups}
        return [item for item in self.items if item.group in keys]

    def items_in(self, group_key: str) -> list[Item]:
        return [item for item in self.items if item.group == group_key]

    def group(self, key: str) -> Group:
        return next(g for g in self.groups if g.key == key)

    def group_of(self, item: Item) -> Group:
        return self.group(item.group)

    def dimension(self, key: str) -> Group:
        """Any group by key (the older name of `group`, kept for callers that look up an
        item's group label); use `dimensions` to list the dimensions alone."""
        return self.group(key)

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

    # The groups' table is `groups` (an item names its `group`), or in older files
    # `dimensions` (`dimension`); error messages use the file's own words.
    if "groups" in data and "dimensions" in data:
        raise InstrumentError(path, "dimensions", "give either groups or dimensions, not both")
    table = "dimensions" if "dimensions" in data else "groups"
    item_field = table[:-1]
    groups = []
    for i, g in enumerate(_require(data, table, list, path, "")):
        where = f"{table}[{i}]."
        kind = g.get("kind", DIMENSION)
        if kind not in GROUP_KINDS:
            raise InstrumentError(path, f"{where}kind",
                                  f"must be one of {', '.join(GROUP_KINDS)}, not '{kind}'")
        groups.append(Group(key=_require(g, "key", str, path, where),
                            label=_text(g, "label", path, where), kind=kind))
    if not any(g.is_dimension for g in groups):
        raise InstrumentError(path, table, "must list at least one dimension")
    _unique([g.key for g in groups], path, table)

    items = []
    known = {g.key for g in groups}
    for i, d in enumerate(_require(data, "items", list, path, "")):
        where = f"items[{i}]."
        item = Item(key=_require(d, "key", str, path, where),
                    group=_require(d, item_field, str, path, where),
                    short=_text(d, "short", path, where),
                    text=_text(d, "text", path, where))
        if item.group not in known:
            raise InstrumentError(path, f"{where}{item_field}",
                                  f"'{item.group}' is not a declared {item_field}")
        items.append(item)
    if not items:
        raise InstrumentError(path, "items", "must list at least one item")
    _unique([i.key for i in items], path, "items")
    # The spider draws each group as one sector, so items must be grouped, in group order.
    order = [g.key for g in groups]
    if [i.group for i in items] != sorted((i.group for i in items), key=order.index):
        raise InstrumentError(path, "items", f"must be grouped by {item_field}, "
                                             f"in {item_field} order")
    empty = [g.key for g in groups if not any(i.group == g.key for i in items)]
    if empty:
        raise InstrumentError(path, table, f"'{empty[0]}' has no items")

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
        groups=tuple(groups),
        items=tuple(items),
        professions=professions,
        references=_references(data, path),
        path=str(path),
    )


def _references(data: dict, path: Path) -> tuple[Text, ...]:
    """The sources the file cites: each a string (the same in every language) or a table
    with one text per language. Optional."""
    entries = data.get("references", [])
    if not isinstance(entries, list):
        raise InstrumentError(path, "references", "must be a list")
    found = []
    for i, entry in enumerate(entries):
        if isinstance(entry, str) and entry.strip():
            found.append(Text(sv=entry.strip(), en=entry.strip()))
        elif isinstance(entry, dict):
            found.append(Text(**{lang: _require(entry, lang, str, path,
                                                f"references[{i}].").strip()
                                 for lang in LANGUAGES}))
        else:
            raise InstrumentError(path, f"references[{i}]",
                                  "must be a text or a table of texts per language")
    return tuple(found)


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


def _version_order(ident: str) -> tuple:
    """Sort key for 'key@version': versions compare by their numbers (2026.10 after 2026.2)."""
    key, _, version = ident.partition("@")
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in version.split("."))
    return key, parts


def default_ident() -> str:
    """The instrument a new project gets: the newest version of 'spindeln', else the first.
    A project keeps the version it was created with (it stores 'key@version')."""
    idents = sorted(registry(), key=_version_order)
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
