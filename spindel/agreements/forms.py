"""Forms for a round's agreements: Flask-WTF with CSRF, errors at the field. What makes an
agreement valid is decided once, in services/agreements.py; these forms ask it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import Project
from ..services import agreements
from ..services.names import clean_name


class ItemsField(SelectMultipleField):
    """The items as checkboxes. Whatever is sent is kept, so the service can name an
    unknown one instead of the field quietly dropping it."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):  # the service checks the choice (one home for the rule)
        pass


class AgreementForm(FlaskForm):
    items = ItemsField(_l("Questions it is about"))
    action = TextAreaField(_l("What will be done"), filters=[agreements.clean_action],
                           render_kw={"rows": 3})
    owner = StringField(_l("By whom (team or steering group)"), filters=[clean_name])
    due = StringField(_l("By when"), filters=[clean_name])

    def __init__(self, project: Project, lang: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.items.choices = agreements.item_choices(project, lang)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        found = agreements.problems(self.project, self.items.data or [],
                                    self.action.data or "", self.owner.data or "",
                                    self.due.data or "")
        for name, message in found.items():
            self[name].errors = [*self[name].errors, message]
        return valid and not found

    def fields(self) -> dict:
        """The agreement's fields as the service takes them."""
        return {"items": self.items.data or [], "action": self.action.data or "",
                "owner": self.owner.data or "", "due": self.due.data or ""}


class StatusForm(FlaskForm):
    status = HiddenField(validators=[DataRequired()])


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[DataRequired(), Regexp(r"^(up|down)\Z")])


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""
