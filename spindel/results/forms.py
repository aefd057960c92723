"""The filter of the results page: which rounds, professions and districts to include."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import Project


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
        known = {str(value) for value, _ in self.choices}
        if any(str(value) not in known for value in getattr(self, "raw", [])):
            raise ValidationError(_l("Choose only from the list."))


class ResultsFilterForm(FlaskForm):
    """A GET form (bookmarkable, no CSRF needed: it changes nothing). Nothing ticked = all."""

    class Meta:
        csrf = False

    round = CheckboxesField(_l("Rounds"), coerce=int)
    profession = CheckboxesField(_l("Professions"))
    district = CheckboxesField(_l("Districts"))

    def __init__(self, project: Project, lang: str, **kwargs):
        super().__init__(**kwargs)
        self.round.choices = [(r.number, r.label) for r in project.rounds]
        self.profession.choices = [(p.key, p.label(lang)) for p in project.professions]
        self.district.choices = [(d.key, d.label(lang)) for d in project.districts]

    def selection(self) -> dict:
        """The filter as results_payload takes it; None means everything."""
        return {"rounds": self.round.data or None,
                "professions": self.profession.data or None,
                "districts": self.district.data or None}
