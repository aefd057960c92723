"""The phone's ballot: up to three of the instrument's items, as checkboxes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError

from ..instrument import Instrument
from ..services.votes import MAX_CHOICES


class VoteForm(FlaskForm):
    # The choices are the instrument's items; checked by validate_items with messages a
    # person can act on, not WTForms' "not a valid choice".
    items = SelectMultipleField(_l("Choose up to three questions"), validate_choice=False)

    def __init__(self, instrument: Instrument, lang: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.items.choices = [(item.key, item.short.get(lang)) for item in instrument.items]

    def validate_items(self, field) -> None:
        picked = field.data or []
        if not picked:
            raise ValidationError(_l("Choose at least one question."))
        if len(picked) > MAX_CHOICES:
            raise ValidationError(_l("Choose at most three questions – you chose %(n)s. "
                                     "Uncheck the ones that matter least to you.",
                                     n=len(picked)))
        if len(set(picked)) != len(picked) or \
                not set(picked) <= set(self.instrument.item_keys):
            raise ValidationError(_l("Choose among the questions on this page."))
