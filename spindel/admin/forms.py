"""The administrator's forms: users, memberships, read-only access, deleting a project."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from ..forms import MultiCheckboxField
from ..services.accounts import password_problem


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(_l("Enter an email address.")), Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter a password."))])
    is_admin = BooleanField(_l("Administrator (sees every project, manages users)"))

    def validate_password(self, field):
        if problem := password_problem(field.data, self.email.data or ""):
            raise ValidationError(problem)


class MembershipForm(FlaskForm):
    active = BooleanField(_l("Active (may log in)"))
    is_admin = BooleanField(_l("Administrator (sees every project, manages users)"))
    projects = MultiCheckboxField(_l("Projects"), coerce=int, validate_choice=True)


EVERY_DISTRICT = 0  # the district choice "the whole project"


class ViewerForm(FlaskForm):
    """Read-only access to one project for a user (a steering group's member), optionally
    limited to one of that project's districts (choices grouped by project)."""

    project = SelectField(_l("Project"), coerce=int, validate_choice=True)
    district = SelectField(_l("Only one district (optional)"), coerce=int,
                           validate_choice=True, default=EVERY_DISTRICT)

    def set_projects(self, projects) -> None:
        self.project.choices = [(p.id, p.name) for p in projects]
        self.district.choices = [SelectChoice(EVERY_DISTRICT, _l("Every district"))] + [
            SelectChoice(d.id, d.name, optgroup=p.name) for p in projects for d in p.districts]
        self._districts = {d.id: p.id for p in projects for d in p.districts}

    def validate_district(self, field):
        if field.data != EVERY_DISTRICT and self._districts.get(field.data) != self.project.data:
            raise ValidationError(_l("Choose a district of the chosen project."))


class DeleteProjectForm(FlaskForm):
    confirm_name = StringField(_l("Type the project's name to confirm"), validators=[
        DataRequired(_l("Type the project's name to confirm."))])
