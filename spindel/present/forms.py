"""The presentation's setup form: what to show, chosen before the slides start."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired, ValidationError

from ..models import Project, RoundStatus
from ..results.forms import ALL, CheckboxesField, GroupField, selection_of
from ..services.presentation import Show
from ..services.selection import EVERYTHING, Scope, SelectionError

NO_LIVE = ""


class SetupForm(FlaskForm):
    """Sent with GET: it changes nothing, and the slides' address can be bookmarked."""

    class Meta:
        csrf = False  # a GET form changes nothing; a token would only leak into the URL

    rounds = CheckboxesField(_l("Rounds"), coerce=int,
                             validators=[InputRequired(_l("Choose at least one round."))])
    group = GroupField(_l("Whose answers"))
    live = SelectField(_l("Round to answer now"), default=NO_LIVE)

    def __init__(self, project: Project, lang: str, *args, scope: Scope = EVERYTHING,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.scope = scope
        self.rounds.choices = [(r.number, r.label) for r in project.rounds]
        self.group.set_project(project, lang, scope)
        # Only open rounds can be answered now; a running show keeps its round when it closes.
        self.live.choices = [(NO_LIVE, _l("None – show results only"))] + [
            (str(r.number), r.label) for r in project.rounds
            if r.status() == RoundStatus.OPEN or str(r.number) == self.live.data]

    def fill_defaults(self) -> None:
        """Every round, all answers, and the open round (if one is) to answer now."""
        self.rounds.data = [r.number for r in self.project.rounds]
        self.group.data = ALL
        open_rounds = [r for r in self.project.rounds if r.status() == RoundStatus.OPEN]
        self.live.data = str(open_rounds[-1].number) if open_rounds else NO_LIVE

    def _live(self) -> int | None:
        return int(self.live.data) if (self.live.data or "").isdigit() else None

    def _rounds(self) -> list[int]:
        # The round answered now is always on the spider: that is what the room watches.
        live = self._live()
        return sorted(set(self.rounds.data or []) | ({live} if live is not None else set()))

    def validate_group(self, field):
        try:
            self.scope.check(selection_of(self._rounds(), field))
        except SelectionError as exc:
            raise ValidationError(str(exc)) from exc

    def show(self) -> Show:
        """The validated choice, for the reader's scope."""
        return Show(self.scope.check(selection_of(self._rounds(), self.group)), self._live(),
                    self.scope)
