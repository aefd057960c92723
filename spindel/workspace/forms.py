"""Forms of the supporters' workspace (projects, districts, professions): every one
Flask-WTF with CSRF, errors at the field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..forms import PlainText
from ..services.names import clean_name

# \Z, not $: "$" also matches before a final line break, which would let "north\n" in.
KEY_PATTERN = r"^[a-z0-9][a-z0-9_\-]*\Z"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9\-]*\Z"
RESERVED_SLUGS = {"new"}


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
