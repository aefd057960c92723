"""Forms of the supporters' workspace: every one Flask-WTF with CSRF, errors at the field."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..services.accounts import password_problem
from ..services.names import MAX_NAME_LENGTH, clean_name, name_problem
from ..services.participation import MAX_EXPECTED

# \Z, not $: "$" also matches before a final line break, which would let "north\n" in.
KEY_PATTERN = r"^[a-z0-9][a-z0-9_\-]*\Z"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9\-]*\Z"
RESERVED_SLUGS = {"new"}
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


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password.")), Length(max=500)])
    new = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Enter a new password."))])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(_l("Type the new password again.")),
        EqualTo("new", _l("The two new passwords are not the same."))])

    def validate_new(self, field):
        if problem := password_problem(field.data, current_user.email):
            raise ValidationError(problem)


class TokenForm(FlaskForm):
    name = StringField(_l("Name of the token"), filters=[clean_name], validators=[
        DataRequired(_l("Give the token a name, so you recognise it later.")),
        PlainText(max_length=100)])


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


class ProjectForm(FlaskForm):
    name = StringField(_l("Name"), filters=[clean_name], validators=[
        DataRequired(_l("Give the project a name.")), PlainText()])
    slug = StringField(_l("Short name in addresses"), validators=[
        DataRequired(_l("Give the project a short name for its addresses.")),
        Length(max=64, message=_l("At most %(max)s characters.")),
        Regexp(SLUG_PATTERN, message=_l("Use only lower-case letters a–z, digits and "
                                        "hyphens, starting with a letter or digit."))])
    description = TextAreaField(_l("Description"), filters=[clean_name], validators=[
        Optional(), PlainText(max_length=2000, line_breaks=True)])
    instrument = SelectField(_l("Instrument version"), validate_choice=True)
    min_group_size = IntegerField(_l("Minimum group size"), default=5, validators=[
        InputRequired(_l("Give the smallest group size that may be shown.")),
        NumberRange(min=3, max=100, message=_l("Use a number from %(min)s to %(max)s."))])

    def validate_slug(self, field):
        if field.data in RESERVED_SLUGS:  # /projects/new is the form for a new project
            raise ValidationError(_l("This short name is reserved; choose another."))


class DistrictRenameForm(FlaskForm):
    name = StringField(_l("District name"), filters=[clean_name], validators=[
        DataRequired(_l("Give the district a name.")), PlainText()])


class DistrictForm(DistrictRenameForm):
    """A new district: its name, and a key that stays when it is renamed."""

    key = StringField(_l("Key (for imports and links)"), validators=[
        Optional(), Length(max=64, message=_l("At most %(max)s characters.")),
        Regexp(KEY_PATTERN, message=_l("Use only lower-case letters a–z, digits, _ and -."))])


class ProfessionRenameForm(FlaskForm):
    name_sv = StringField(_l("Name in Swedish"), filters=[clean_name], validators=[
        DataRequired(_l("Give the profession a Swedish name.")), PlainText()])
    name_en = StringField(_l("Name in English"), filters=[clean_name], validators=[
        Optional(), PlainText()])


class ProfessionForm(ProfessionRenameForm):
    """A new profession: its names, and a key that stays when it is renamed."""

    key = StringField(_l("Key (for imports)"), validators=[
        Optional(), Length(max=64, message=_l("At most %(max)s characters.")),
        Regexp(KEY_PATTERN, message=_l("Use only lower-case letters a–z, digits, _ and -."))])


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[DataRequired(), Regexp(r"^(up|down)$")])


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
    project, filled with the numbers entered so far; `fields` lists (kind, part, field)."""

    class ExpectedStaffForm(FlaskForm):
        pass

    parts = [("profession", "p", p) for p in project.professions] + \
        [("district", "d", d) for d in project.districts]
    for kind, prefix, part in parts:
        setattr(ExpectedStaffForm, f"{prefix}_{part.id}",
                CountField(part.label(lang), validators=[Optional()],
                           default=expected.get(kind, {}).get(part.id),
                           render_kw={"inputmode": "numeric"}))
    form = ExpectedStaffForm() if formdata is None else ExpectedStaffForm(formdata=formdata)
    form.parts = [(kind, part, form[f"{prefix}_{part.id}"]) for kind, prefix, part in parts]
    return form


class RoundStateForm(FlaskForm):
    action = HiddenField(validators=[DataRequired(),
                                     Regexp(r"^(open|close|reopen|schedule)$")])


class CodesForm(FlaskForm):
    count = IntegerField(_l("Number of personal links"), default=20, validators=[
        InputRequired(_l("Say how many personal links to make.")),
        NumberRange(min=1, max=2000, message=_l("Use a number from %(min)s to %(max)s."))])


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(_l("Enter an email address.")), Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter a password."))])
    is_admin = BooleanField(_l("Administrator (sees every project, manages users)"))

    def validate_password(self, field):
        if problem := password_problem(field.data, self.email.data or ""):
            raise ValidationError(problem)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MembershipForm(FlaskForm):
    active = BooleanField(_l("Active (may log in)"))
    is_admin = BooleanField(_l("Administrator (sees every project, manages users)"))
    projects = MultiCheckboxField(_l("Projects"), coerce=int, validate_choice=True)


class ViewerForm(FlaskForm):
    """Read-only access to one project for a user (a steering group's member)."""

    project = SelectField(_l("Project"), coerce=int, validate_choice=True)


class DeleteProjectForm(FlaskForm):
    confirm_name = StringField(_l("Type the project's name to confirm"), validators=[
        DataRequired(_l("Type the project's name to confirm."))])
