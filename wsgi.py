"""Entry point for a WSGI server: `gunicorn wsgi:app`."""

from spindel import create_app

app = create_app()
