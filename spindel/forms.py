"""Form pieces every blueprint shares: the name rule at the field, a one-button form and a
list of checkboxes. Each blueprint keeps its own forms in its forms.py."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .services.names import MAX_NAME_LENGTH, name_problem

# A description may have line breaks and tabs; they count as spaces for the name rule.
_LINE_BREAKS = str.maketrans("\r\n\t", "   ")


class PlainText:
    """The one rule for names (services/names.py) at the field, with the reason in words:
    no control or text-direction characters, at most max_length characters. line_breaks
    lets a longer text (a description) keep its line breaks and tabs. Use with the filter
    clean_name, so what is stored is trimmed and in one Unicode form."""

    def __init__(self, max_length: int = MAX_NAME_LENGTH, line_breaks: bool = False):
        self.max_length = max_length
        self.line_breaks = line_breaks

    def __call__(self, form, field) -> None:
        text = field.data or ""
        if self.line_breaks:
            text = text.translate(_LINE_BREAKS)
        problem = name_problem(text, self.max_length)
        if problem == "too_long":
            raise ValidationError(_("At most %(max)s characters.", max=self.max_length))
        if problem == "control":
            raise ValidationError(_(
                "This contains an invisible control or text-direction character (a tab, "
                "for instance, or one that came along when pasting); remove it."))


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
