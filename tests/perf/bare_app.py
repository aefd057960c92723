"""The baseline for the answering benchmarks: bare Flask endpoints served by the same gunicorn
configuration. They do what a respondent's requests need at the least — a form page with the
hidden fields, a post that reads the form and redirects, a thank-you page — and nothing else:
no session, no CSRF, no validation, no database."""

import secrets

from flask import Flask, redirect, request

app = Flask(__name__)

FORM = ('<!doctype html><title>Spindeln</title><form method="post">'
        '<input type="hidden" name="csrf_token" value="none">'
        '<input type="hidden" name="submission_key" value="{key}">'
        '<button>Skicka</button></form>')


@app.post("/submit")
def submit():
    if len(request.form) < 3:
        return "missing fields", 422
    return redirect("/thanks", code=303)


@app.get("/r/<token>")
def form(token: str):
    return FORM.format(key=secrets.token_urlsafe(18))


@app.post("/r/<token>")
def answer(token: str):
    if len(request.form) < 3:
        return "missing fields", 422
    return redirect(f"/r/{token}/thanks", code=303)


@app.get("/r/<token>/thanks")
def thanks(token: str):
    return "Tack för ditt svar!"
