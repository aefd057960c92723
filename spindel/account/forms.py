"""Forms for your own account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..forms import PlainText
from ..services.accounts import password_problem
from ..services.names import clean_name


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
