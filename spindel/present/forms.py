"""The presentation's setup form: what to show, chosen before the slides start."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import Project, RoundStatus
from ..services.presentation import Selection

NO_LIVE = ""


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SetupForm(FlaskForm):
    """Sent with GET: it changes nothing, and the slides' address can be bookmarked."""

    class Meta:
        csrf = False  # a GET form changes nothing; a token would only leak into the URL

    rounds = CheckboxesField(_l("Rounds"), coerce=int,
                             validators=[InputRequired(_l("Choose at least one round."))])
    professions = CheckboxesField(_l("Professions"), validators=[
        InputRequired(_l("Choose at least one profession."))])
    districts = CheckboxesField(_l("Districts"), validators=[
        InputRequired(_l("Choose at least one district."))])
    live = SelectField(_l("Round to answer now"), default=NO_LIVE)

    def __init__(self, project: Project, lang: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.rounds.choices = [(r.number, r.label) for r in project.rounds]
        self.professions.choices = [(p.key, p.label(lang)) for p in project.professions]
        self.districts.choices = [(d.key, d.label(lang)) for d in project.districts]
        if not project.districts:
            self.districts.validators = []
        self.live.choices = [(NO_LIVE, _l("None – show results only"))] + [
            (str(r.number), r.label) for r in project.rounds]

    def fill_defaults(self) -> None:
        """Everything chosen, and the open round (if one is) to answer now."""
        self.rounds.data = [r.number for r in self.project.rounds]
        self.professions.data = [p.key for p in self.project.professions]
        self.districts.data = [d.key for d in self.project.districts]
        open_rounds = [r for r in self.project.rounds if r.status() == RoundStatus.OPEN]
        self.live.data = str(open_rounds[-1].number) if open_rounds else NO_LIVE

    def selection(self) -> Selection:
        """The validated choice; "all" becomes None so answers without a district count."""
        everyone = [p.key for p in self.project.professions]
        every_district = [d.key for d in self.project.districts]
        professions = list(self.professions.data or [])
        districts = list(self.districts.data or [])
        live = int(self.live.data) if self.live.data else None
        # The round answered now is always on the spider: that is what the room watches.
        rounds = sorted(set(self.rounds.data) | ({live} if live is not None else set()))
        return Selection(
            rounds=rounds,
            professions=None if set(professions) == set(everyone) else professions,
            districts=None if set(districts) == set(every_district) else districts,
            live=live,
        )
