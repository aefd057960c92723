"""The filter of the results page: which rounds, side by side, and whose answers in each.

Whose answers is one choice (policy §1): all, one profession or one district. It is one
field, so a page cannot ask for two groups at once; a hand-made address that does (two
values, or the older `profession=` / `district=` arguments) gets the reason at the field.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import Project
from ..services.selection import EVERYTHING, Scope, Selection, SelectionError

ALL = ""  # the group choice "all answers"
KINDS = ("profession", "district")
# Older addresses named the group in arguments of their own; they still work, one group only.
ALIASES = {"profession": ("profession", "professions"),
           "district": ("district", "districts")}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        # Keep what was sent even if it is not a valid choice, so the error can name it.
        self.raw = list(valuelist)
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = []

    def pre_validate(self, form):
        known = {str(value) for value, _label in self.choices}
        if any(str(value) not in known for value in getattr(self, "raw", [])):
            raise ValidationError(_l("Choose only from the list."))


def group_value(kind: str, key: str) -> str:
    return f"{kind}:{key}"


class GroupField(SelectField):
    """One select: all answers, one profession or one district (values "", "profession:bvc",
    "district:north"). Every value sent is kept in `values`, so a request for two groups is
    refused with a reason instead of quietly showing the first."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, default=ALL, **kwargs)
        self.values: list[str] = []
        self.scope: Scope = EVERYTHING

    def set_project(self, project: Project, lang: str, scope: Scope = EVERYTHING) -> None:
        """The choices: all answers and every profession and district, or for a reader
        limited to one district all answers and that district."""
        self.scope = scope
        professions, districts = _("Professions"), _("Districts")
        self.choices = (
            [SelectChoice(ALL, _("All answers"))]
            + [SelectChoice(group_value("profession", p.key), p.label(lang),
                            optgroup=professions) for p in project.professions
               if scope.breakdowns]
            + [SelectChoice(group_value("district", d.key), d.label(lang), optgroup=districts)
               for d in project.districts if scope.shows_district(d.key)])

    def process(self, formdata, *args, **kwargs):
        super().process(formdata, *args, **kwargs)
        if formdata is None:
            return
        values = list(formdata.getlist(self.name))
        for kind, names in ALIASES.items():
            for name in names:
                values += [group_value(kind, v) for v in formdata.getlist(name)]
        self.values = [v for v in values if v != ALL]
        self.data = self.values[0] if self.values else ALL

    def pre_validate(self, form):
        for value in self.values:  # the reason a group is not the reader's, before the rest
            kind, _sep, key = value.partition(":")
            reason = self.scope.refusal(**{kind: key}) if kind in KINDS else None
            if reason is not None:
                raise ValidationError(reason)
        known = {choice.value for choice in self.iter_choices()}
        if any(value not in known for value in self.values):
            raise ValidationError(_l("Choose only from the list."))

    def parts(self) -> tuple[list[str], list[str]]:
        """The professions and districts asked for (each list normally of at most one)."""
        chosen: dict[str, list[str]] = {kind: [] for kind in KINDS}
        for value in self.values:
            kind, _sep, key = value.partition(":")
            if kind in chosen:  # anything else is refused by pre_validate
                chosen[kind].append(key)
        return chosen["profession"], chosen["district"]

    @property
    def chosen_label(self) -> str | None:
        """The chosen group's name, None for all answers."""
        return next((str(c.label) for c in self.iter_choices()
                     if c.selected and c.value != ALL), None)


def selection_of(rounds, group: GroupField) -> Selection:
    """Rounds side by side, restricted to the one chosen group; SelectionError if the
    request asks for more than one group."""
    professions, districts = group.parts()
    return Selection.of("round", sorted(set(rounds or ())), professions, districts)


class ResultsFilterForm(FlaskForm):
    """A GET form (bookmarkable, no CSRF needed: it changes nothing). No round ticked = all."""

    class Meta:
        csrf = False

    round = CheckboxesField(_l("Rounds"), coerce=int)
    group = GroupField(_l("Whose answers"))

    def __init__(self, project: Project, lang: str, scope: Scope = EVERYTHING, **kwargs):
        super().__init__(**kwargs)
        self.scope = scope
        self.round.choices = [(r.number, r.label) for r in project.rounds]
        self.group.set_project(project, lang, scope)

    def validate_group(self, field):
        try:
            self.scope.check(selection_of(self.round.data, field))
        except SelectionError as exc:
            raise ValidationError(str(exc)) from exc

    def selection(self) -> Selection:
        """The validated filter: the chosen rounds (none = every round) side by side."""
        return self.scope.check(selection_of(self.round.data, self.group))
