"""Interface language: Swedish by default, English one click away (?lang=en), kept in the
signed session cookie so the choice follows the respondent from form to thank-you page."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from babel import Locale, support
from babel.numbers import parse_pattern
from flask import Flask, has_request_context, request, session
from flask_babel import get_locale, refresh
from wtforms.i18n import messages_path

from .extensions import babel
from .instrument import LANGUAGES

NO_VALUE = "–"  # a number that is not there, in a table or a text


def select_locale() -> str:
    if not has_request_context():  # commands and services run outside a request: Swedish
        return "sv"
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return "sv"


def current_lang() -> str:
    return str(get_locale() or "sv")[:2]


def _remember_choice() -> None:
    # The locale is cached per app context, which can outlive one request (tests, CLI).
    refresh()
    asked = request.args.get("lang")
    if asked in LANGUAGES and session.get("lang") != asked:
        session["lang"] = asked
    # Flask-WTF reads WTForms' own catalogue from disk on every request that builds a form
    # (a quarter of an answer's time); it looks on the request first, so hand it a kept one.
    request.wtforms_translations = _wtforms_translations(current_lang())


@functools.lru_cache(maxsize=8)
def _wtforms_translations(lang: str) -> support.Translations:
    return support.Translations.load(messages_path(), [lang], domain="wtforms")


def _template_helpers() -> dict:
    def switch_language_url(lang: str) -> str:
        # Every value of repeated arguments (filters like ?round=1&round=2) is kept.
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
        args.append(("lang", lang))
        return f"{request.path}?{urlencode(args)}"

    lang = current_lang()
    return {"lang": lang, "other_lang": "en" if lang == "sv" else "sv",
            "switch_language_url": switch_language_url}


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_remember_choice)
    app.context_processor(_template_helpers)


# --- numbers as each language writes them --------------------------------------------------


@functools.lru_cache(maxsize=16)
def _number_format(lang: str, digits: int):
    # Parsing the locale and pattern is most of format_decimal's cost: do it once.
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return parse_pattern(pattern), Locale.parse(lang)


def number(value, lang: str, digits: int = 1) -> str:
    """A number as the language writes it (5,2 in Swedish); an en dash for none."""
    if value is None:
        return NO_VALUE
    pattern, locale = _number_format(lang, digits)
    return pattern.apply(value, locale)
