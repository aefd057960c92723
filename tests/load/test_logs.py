"""No time of day in the logs (policy §5): a burst of answers through real gunicorn with the
repository's gunicorn.conf.py leaves no line that holds a respondent's path, link, code or
form value — in the access log nor the error log — and an error while answering is logged
without the answer."""

from __future__ import annotations

import random
import re

from sqlalchemy import create_engine, text

from tests.conftest import hidden_fields
from tests.load.conftest import Respondent, Visitor, random_answer, run_all

RESPONDENT_PATH = re.compile(r"/[rcs]/|/d/")
TIME_OF_DAY = re.compile(r"\d\d:\d\d:\d\d")


def rename_ratings(url: str, old: str, new: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))
    engine.dispose()


def test_a_burst_of_answers_leaves_no_respondent_path_or_time_in_the_logs(survey, gunicorn):
    server = gunicorn(survey.url)
    respondents = [Respondent(survey, server.url, seed) for seed in range(30)]
    run_all(respondents)
    assert [r.error for r in respondents if not r.stored] == []

    # Every other way in: district links, personal codes, short links — known or not.
    visitor = Visitor(server.url)
    codes = ["K7Q2ZZWQ", "X9RM", "ab-77"]
    respondent_paths = [f"/r/{survey.token}/d/north", f"/r/{survey.token}/d/south?lang=en",
                        f"/r/c/{codes[0]}", f"/r/c/{codes[0]}/thanks", f"/c/{codes[1]}",
                        f"/s/{codes[2]}", f"/r/{survey.closed_token}"]
    for path in respondent_paths:
        visitor.get(path)
    # Pages of the workspace keep their timed line: the log still works.
    for path in ("/healthz", "/login"):
        assert visitor.get(path)[0] == 200

    # An error while answering through a district link: the ratings table is gone, so the
    # INSERT fails, and the database error quotes the answer's SQL parameters.
    failing = Visitor(server.url)
    _, _, form = failing.get(f"/r/{survey.token}/d/north")
    hidden = hidden_fields(form.decode())
    answer = {k: v for k, v in random_answer(survey, random.Random(99)).items()
              if k != "district"}
    rename_ratings(survey.url, "rating", "rating_away")
    try:
        status, _, _ = failing.post_form(f"/r/{survey.token}/d/north", {**hidden, **answer})
    finally:
        rename_ratings(survey.url, "rating_away", "rating")
    assert status == 500
    server.stop()

    access = server.access_log.read_text().splitlines()
    errors = server.error_log.read_text().splitlines()
    secrets = {survey.token, survey.closed_token, *codes, "north", "south"}
    for r in [*respondents, failing]:
        hidden_values = r.hidden if isinstance(r, Respondent) else hidden
        secrets |= {v for v in hidden_values.values() if len(v) >= 8}
    for line in access + errors:
        assert not RESPONDENT_PATH.search(line), line
        assert not [s for s in secrets if s in line], line
    # The access log has timed lines — for the workspace only, none for respondents at all.
    assert any(TIME_OF_DAY.search(line) and '"GET /healthz HTTP/1.1" 200' in line
               for line in access)
    assert any('"GET /login HTTP/1.1" 200' in line for line in access)
    assert not any(" 303 " in line or " 500 " in line or "respondent" in line
                   for line in access), "respondent requests are in the access log"

    # The error is there, with where it happened and what kind, but not what was answered.
    error_log = "\n".join(errors)
    assert "Exception on [respondent link] [POST]" in error_log, error_log[-3000:]
    assert re.search(r"sqlalchemy\.exc\.\w+Error: \[withheld\]", error_log)
    assert "store_answer" in error_log  # the frames: where to look
    for word in ("[SQL:", "[parameters:", "INSERT INTO rating (", "rating_away", "item_0"):
        assert word not in error_log
