"""Forms for a project's rounds: dates, state, personal links, expected staff."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..forms import PlainText
from ..services.names import clean_name
from ..services.participation import MAX_EXPECTED


class RoundForm(FlaskForm):
    number = IntegerField(_l("Number"), validators=[
        InputRequired(_l("Give the round a number.")),
        NumberRange(min=1, max=999, message=_l("Use a number from %(min)s to %(max)s."))])
    label = StringField(_l("Label"), filters=[clean_name], validators=[
        DataRequired(_l("Give the round a label, such as “Mätning 3 – hösten 2019”.")),
        PlainText()])
    opens_on = DateField(_l("Opens on"), validators=[Optional()],
                         render_kw={"type": "date"})
    closes_on = DateField(_l("Closes on"), validators=[Optional()],
                          render_kw={"type": "date"})

    def validate_closes_on(self, field):
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The closing date comes before the opening date."))


class CountField(IntegerField):
    """A whole number of staff from 0 to MAX_EXPECTED, or empty (not known), with the
    reason in words for anything else (a letter, a decimal point, a minus sign)."""

    def process_formdata(self, valuelist):
        self.data = None
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            return
        if not (text.isascii() and text.isdigit()):
            raise ValueError(_("Write a whole number, such as 12, or leave it empty."))
        if len(text) > 6 or int(text) > MAX_EXPECTED:
            raise ValueError(_("Use a number from %(min)s to %(max)s.", min=0,
                               max=MAX_EXPECTED))
        self.data = int(text)


def expected_staff_form(project, expected: dict[str, dict[int, int]], lang: str = "sv",
                        formdata=None):
    """A form with one field per profession (p_<id>) and per district (d_<id>) of the
    project, filled with the numbers entered so far; `fields` lists (kind, grouping, field)."""

    class ExpectedStaffForm(FlaskForm):
        pass

    groupings = [("profession", "p", p) for p in project.professions] + \
        [("district", "d", d) for d in project.districts]
    for kind, prefix, grouping in groupings:
        setattr(ExpectedStaffForm, f"{prefix}_{grouping.id}",
                CountField(grouping.label(lang), validators=[Optional()],
                           default=expected.get(kind, {}).get(grouping.id),
                           render_kw={"inputmode": "numeric"}))
    form = ExpectedStaffForm() if formdata is None else ExpectedStaffForm(formdata=formdata)
    form.groupings = [(kind, grouping, form[f"{prefix}_{grouping.id}"])
                      for kind, prefix, grouping in groupings]
    return form


class RoundStateForm(FlaskForm):
    action = HiddenField(validators=[DataRequired(),
                                     Regexp(r"^(open|close|reopen|schedule)$")])


class CodesForm(FlaskForm):
    count = IntegerField(_l("Number of personal links"), default=20, validators=[
        InputRequired(_l("Say how many personal links to make.")),
        NumberRange(min=1, max=2000, message=_l("Use a number from %(min)s to %(max)s."))])
