"""The answer form, built from the project's instrument, professions and districts."""

from __future__ import annotations

import functools
import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, RadioField
from wtforms.validators import AnyOf, InputRequired, Length, Regexp

from ..instrument import CANNOT_JUDGE, Instrument
from ..services.responses import Answer
from ..services.round_setup import RoundSetup

ITEM_PREFIX = "item_"


class ScaleWidget:
    """An item's radios: the scale's numbers (the end labels also for screen readers) and
    "cannot judge".

    99 radios on one page: implicit labels, an id only on the first (error links point to it)
    and no whitespace inside keep the form light on a phone. Every form load shows every item
    unanswered, so that HTML is made once per field and kept: it is most of the page.
    """

    def __init__(self, scale, lang: str):
        self.scale, self.lang = scale, lang
        self._unanswered: dict[tuple[str, str], Markup] = {}

    def __call__(self, field, **kwargs) -> Markup:
        if field.data is None:
            key = (field.name, field.id)
            if key not in self._unanswered:
                self._unanswered[key] = self._render(field, None)
            return self._unanswered[key]
        return self._render(field, field.data)

    def _render(self, field, checked: str | None) -> Markup:
        scale, lang = self.scale, self.lang
        text = {str(scale.min): f"<span>{scale.min}<span class=\"visually-hidden\"> – "
                                f"{escape(scale.min_label.get(lang))}</span></span>",
                str(scale.max): f"<span>{scale.max}<span class=\"visually-hidden\"> – "
                                f"{escape(scale.max_label.get(lang))}</span></span>",
                CANNOT_JUDGE: f"<span>{escape(scale.cannot_judge_label.get(lang))}</span>"}
        name, first_id = escape(field.name), escape(f"{field.id}-0")
        radios = []
        for n, (value, _label) in enumerate(field.choices):
            css = "choice cannot-judge" if value == CANNOT_JUDGE else "choice"
            attributes = f' id="{first_id}"' if n == 0 else ""
            if value == checked:
                attributes += " checked"
            radios.append(f'\n<label class="{css}"><input type="radio" name="{name}" '
                          f'value="{escape(value)}"{attributes}> '
                          f"{text.get(value, escape(value))}</label>")
        return Markup("".join(radios))


class _AnswerFormBase(FlaskForm):
    # A fresh key per form load: the same key twice means the same answer sent twice.
    submission_key = HiddenField(validators=[
        InputRequired(), Length(min=16, max=64), Regexp(r"^[A-Za-z0-9_\-]+\Z")])

    instrument: Instrument
    has_district = False
    preset_district: str | None = None  # from a per-district link: not asked

    def item_fields(self, dimension_key: str):
        return [self[ITEM_PREFIX + item.key] for item in self.instrument.items_in(dimension_key)]

    def answer(self) -> Answer:
        """The validated data as an Answer (call after validate())."""
        ratings = {}
        for item in self.instrument.items:
            raw = self[ITEM_PREFIX + item.key].data
            ratings[item.key] = self.instrument.scale.parse(raw)
        district = self.district.data if self.has_district else self.preset_district
        return Answer(profession=self.profession.data, district=district, ratings=ratings)


def answer_form(setup: RoundSetup, instrument: Instrument, lang: str, *,
                district: str | None = None, **kwargs) -> _AnswerFormBase:
    """An answer form for this round's setup and language, instantiated. With `district`
    (a per-district link) the district is preset and not asked."""
    form = _form_class(setup, instrument, lang, district)(**kwargs)
    if not form.submission_key.data:
        form.submission_key.data = secrets.token_urlsafe(18)
    return form


# Building the class is a third of an answer's time; the same setup (one object per setup
# version), instrument and language give the same class, so an edit is never served stale.
@functools.lru_cache(maxsize=256)
def _form_class(setup: RoundSetup, instrument: Instrument, lang: str,
                district: str | None) -> type[_AnswerFormBase]:
    professions = [(p.key, p.label(lang)) for p in setup.professions if p.active]
    districts = [] if district else [(d.key, d.label(lang)) for d in setup.districts
                                     if d.active]
    scale = instrument.scale
    values = [str(v) for v in scale.values] + ([CANNOT_JUDGE] if scale.cannot_judge else [])
    attrs: dict = {"instrument": instrument, "has_district": bool(districts),
                   "preset_district": district}

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
    scale_widget = ScaleWidget(scale, lang)
    for item in instrument.items:
        attrs[ITEM_PREFIX + item.key] = RadioField(
            item.text.get(lang), widget=scale_widget,
            choices=[(v, v) for v in values], validate_choice=False,
            validators=[InputRequired(missing), AnyOf(values, missing)])
    return type("AnswerForm", (_AnswerFormBase,), attrs)
