"""gunicorn settings for Spindel: `gunicorn wsgi:app` reads this file from the working directory.

Sized for a 2-core machine. The load is a seminar burst: 100–300 people load the form and send
it within a minute. Each request is a few milliseconds of Python (form, template) and a wait
for the database (a commit). Python runs one thread at a time per process, so:
- 3 processes: two keep both cores busy, the third takes over while one waits on a commit or
  collects garbage. More processes only add memory and database connections.
- gthread with 4 threads each: a thread waiting on the database or a slow phone's upload does
  not hold a process; 12 requests in flight is plenty for 2 cores (more threads only fight over
  the GIL). Threads also keep keep-alive connections from tying up a whole worker.
Every process needs its own database connections (SQLAlchemy pool per process): 3 × 4 = 12 at
most at a time, well within PostgreSQL's default 100, even for 2–3 machines.
Override with SPINDEL_WORKERS / SPINDEL_THREADS; bind with SPINDEL_BIND or PORT.
"""

import os

from gunicorn.glogging import Logger

from spindel.security import install_log_redaction, is_respondent_path, redact

bind = os.environ.get("SPINDEL_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("SPINDEL_WORKERS", "3"))
threads = int(os.environ.get("SPINDEL_THREADS", "4"))
# Requests are short; a stuck worker is restarted after 30 s instead of hanging forever.
timeout = 30
graceful_timeout = 20
# Behind a proxy, keep connections open a little longer than the proxy's idle timeout is usual.
keepalive = 5
# No proxy buffers huge headers for us: cap them (the body is capped by MAX_CONTENT_LENGTH).
limit_request_line = 4094
limit_request_field_size = 8190

# gunicorn ≥ 25 opens a control socket at one fixed path per user ($HOME/.gunicorn/): a second
# instance on the same machine (a second app process group, a test run) would take it over.
control_socket_disable = True

# Access log to stdout without client address, user agent or referrer: answers are anonymous,
# and a log that ties a time and an address to a respondent link would undo that. Respondent
# requests are not written at all (RedactingLogger.access), and every other line, in the
# access log and the error log alike, goes through the app's one redaction (security.redact).
accesslog = os.environ.get("SPINDEL_ACCESS_LOG", "-")
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"

# Every log record made in this process and in the workers it forks is redacted as it is made:
# gunicorn's own error messages ("Error handling request /r/…") and the app's logger included.
install_log_redaction()


class RedactingLogger(Logger):
    """gunicorn's logger: no line at all for a respondent's request (its time and path would
    date an answer in a round or district, and even a line without them is dated by its
    neighbours; the database and the monitor count answers); on every other line respondent
    links, codes and query values are redacted in every access-log field."""

    def access(self, resp, req, environ, request_time):
        path = f"{environ.get('PATH_INFO', '')} {environ.get('RAW_URI', '')}"
        if is_respondent_path(path):
            return
        super().access(resp, req, environ, request_time)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("q", "{query_string}e"):  # a bare query string: redact it as one
            if atoms.get(key):
                atoms[key] = redact("?" + atoms[key])[1:]
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in atoms.items()}


logger_class = RedactingLogger
