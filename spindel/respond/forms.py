"""The answer form, built from the project's instrument, professions and districts."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField
from wtforms.validators import AnyOf, InputRequired, Length, Regexp

from ..instrument import Instrument
from ..models import Project
from ..services.responses import CANNOT_JUDGE, Answer

ITEM_PREFIX = "item_"


class _AnswerFormBase(FlaskForm):
    # A fresh key per form load: the same key twice means the same answer sent twice.
    submission_key = HiddenField(validators=[
        InputRequired(), Length(min=16, max=64), Regexp(r"^[A-Za-z0-9_\-]+$")])

    instrument: Instrument
    has_district = False

    def item_fields(self, dimension_key: str):
        return [self[ITEM_PREFIX + item.key] for item in self.instrument.items_in(dimension_key)]

    def answer(self) -> Answer:
        """The validated data as an Answer (call after validate())."""
        ratings = {}
        for item in self.instrument.items:
            raw = self[ITEM_PREFIX + item.key].data
            ratings[item.key] = None if raw == CANNOT_JUDGE else int(raw)
        district = self.district.data if self.has_district else None
        return Answer(profession=self.profession.data, district=district, ratings=ratings)


def answer_form(project: Project, instrument: Instrument, lang: str, **kwargs) -> _AnswerFormBase:
    """An answer form class for this project and language, instantiated."""
    professions = [(p.key, p.label(lang)) for p in project.professions if p.active]
    districts = [(d.key, d.label(lang)) for d in project.districts if d.active]
    scale = instrument.scale
    values = [str(v) for v in scale.values] + ([CANNOT_JUDGE] if scale.cannot_judge else [])
    attrs: dict = {"instrument": instrument, "has_district": bool(districts)}

    attrs["profession"] = RadioField(
        _l("Your profession"), choices=professions, validate_choice=False,
        validators=[InputRequired(_l("Choose your profession.")),
                    AnyOf([k for k, _ in professions], _l("Choose one of the professions."))])
    if districts:
        attrs["district"] = RadioField(
            _l("Your district"), choices=districts, validate_choice=False,
            validators=[InputRequired(_l("Choose your district.")),
                        AnyOf([k for k, _ in districts], _l("Choose one of the districts."))])
    missing = _l("Choose a value from %(min)s to %(max)s, or “cannot judge”.",
                 min=scale.min, max=scale.max)
    for item in instrument.items:
        attrs[ITEM_PREFIX + item.key] = RadioField(
            item.text.get(lang),
            choices=[(v, v) for v in values], validate_choice=False,
            validators=[InputRequired(missing), AnyOf(values, missing)])
    form_class = type("AnswerForm", (_AnswerFormBase,), attrs)
    form = form_class(**kwargs)
    if not form.submission_key.data:
        form.submission_key.data = secrets.token_urlsafe(18)
    return form
