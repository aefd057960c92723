"""What a reader may ask for: a breakdown of published cells, never a new population.

A Selection can only hold what disclosure.md §1 allows: per round, the whole round, one
profession or one district — side by side for several rounds, never pooled, never a union of
groups, never a profession within a district. Every output (pages, API, charts, slides,
exports) takes one, so none can compute anything else.

A Scope is which of those cells one reader may see: every one, or — for a viewer limited to
one district — the whole rounds and that district's cells only. access.reader_scope says
who has which; every output takes the reader's scope and checks its selection against it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _

BREAKDOWNS = ("round", "profession", "district", "none")


class SelectionError(ValueError):
    """A request for figures Spindel does not publish; the message says why, for the user."""


@dataclass(frozen=True)
class Selection:
    """by="round": each chosen round side by side (no rounds = every round), optionally
    restricted to one profession or one district. by="profession" / "district": the groups of
    exactly one round. by="none": one cell of exactly one round (the whole round, or one
    profession or district)."""

    by: str = "round"
    rounds: tuple[int, ...] = ()
    profession: str | None = None
    district: str | None = None

    def __post_init__(self):
        if self.by not in BREAKDOWNS:
            raise SelectionError(_("Unknown breakdown %(by)s.", by=self.by))
        if len(set(self.rounds)) != len(self.rounds):
            raise SelectionError(_("Each round can be chosen once."))
        if self.profession is not None and self.district is not None:
            raise SelectionError(_("Choose one profession or one district, not both: "
                                   "Spindel never shows a profession within a district."))
        if self.by != "round" and len(self.rounds) != 1:
            raise SelectionError(_("This breakdown needs exactly one round: rounds are shown "
                                   "side by side, never added together."))
        if self.by in ("profession", "district") and (self.profession or self.district):
            raise SelectionError(_("A breakdown by profession or district takes no profession "
                                   "or district filter: Spindel never shows a profession "
                                   "within a district."))

    @classmethod
    def of(cls, by: str = "round", rounds: Iterable[int] | None = None,
           professions: Iterable[str] | None = None,
           districts: Iterable[str] | None = None) -> Selection:
        """From lists as a request gives them; more than one profession or district is
        refused (a union of groups is never published)."""
        professions = list(professions or [])
        districts = list(districts or [])
        if len(professions) > 1 or len(districts) > 1:
            raise SelectionError(_("Choose at most one profession or one district: groups "
                                   "are never added together."))
        return cls(by, tuple(rounds or ()), professions[0] if professions else None,
                   districts[0] if districts else None)

    @property
    def round(self) -> int | None:
        """The one round of a per-round breakdown."""
        return self.rounds[0] if len(self.rounds) == 1 else None

    def with_(self, **changes) -> Selection:
        """A copy with some fields changed (validated again)."""
        values = {"by": self.by, "rounds": self.rounds, "profession": self.profession,
                  "district": self.district, **changes}
        values["rounds"] = tuple(values["rounds"] or ())
        return Selection(**values)

    @property
    def filter(self) -> dict:
        """The one-group restriction as keyword arguments (charts and slides pass it on)."""
        return {"profession": self.profession, "district": self.district}


@dataclass(frozen=True)
class Scope:
    """The published cells a reader may see. The default is every one. A viewer limited to
    one district (`district`, its key; `district_name` for messages) sees each round's whole
    and that district's cells — never another district, a profession, or a round's groups
    side by side (no "by profession" or "by district" chart, slide, table or talking
    point). An API request by district gets the one district's row."""

    district: str | None = None
    district_name: str | None = None

    @property
    def limited(self) -> bool:
        return self.district is not None

    @property
    def breakdowns(self) -> bool:
        """Whether a round's professions and districts may be shown side by side."""
        return not self.limited

    def shows_district(self, key: str) -> bool:
        """Whether this district's cells are the reader's to see."""
        return not self.limited or key == self.district

    def refusal(self, by: str = "round", profession: str | None = None,
                district: str | None = None) -> str | None:
        """Why a request for these cells is outside the scope, for the reader; None if it is
        inside. by="district" is inside: it is narrowed to the one district's row."""
        if not self.limited:
            return None
        if by == "profession" or profession is not None:
            return _("Your read-only access covers the whole rounds and %(district)s only: "
                     "professions are not shown to you.", district=self.district_name)
        if district is not None and not self.shows_district(district):
            return _("Your read-only access covers the whole rounds and %(district)s only: "
                     "other districts are not shown to you.", district=self.district_name)
        return None

    def check(self, selection: Selection) -> Selection:
        """The selection if it is inside the scope; SelectionError with the reason if not."""
        reason = self.refusal(selection.by, selection.profession, selection.district)
        if reason is not None:
            raise SelectionError(reason)
        return selection


EVERYTHING = Scope()  # every published cell: supporters, admins, viewers of a whole project
