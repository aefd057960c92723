"""What a reader may ask for: a breakdown of published cells, never a new population.

A Selection can only hold what disclosure.md §1 allows: per round, the whole round, one
profession or one district — side by side for several rounds, never pooled, never a union of
groups, never a profession within a district. Every output (pages, API, charts, slides,
exports) takes one, so none can compute anything else.
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
