"""The baseline for the submit benchmark: a bare Flask endpoint that reads the same form post
and answers with the same redirect, served by the same gunicorn configuration."""

from flask import Flask, redirect, request

app = Flask(__name__)


@app.post("/submit")
def submit():
    if len(request.form) < 3:
        return "missing fields", 422
    return redirect("/thanks", code=303)
