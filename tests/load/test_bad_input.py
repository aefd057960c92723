"""Whatever a stranger sends to the answer form gets a 4xx with a message, never a 5xx, and
stores nothing: hypothesis-generated posts in-process, raw bodies through real gunicorn."""

from __future__ import annotations

import json
import random
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import hidden_fields, make_app
from tests.load.conftest import Visitor, database_state, random_answer, scaled

VALID_VALUES = [str(v) for v in range(1, 11)] + ["x"]
VALID_KEY = re.compile(r"[A-Za-z0-9_\-]{16,64}")


def explains(status: int, body: str) -> bool:
    """A person can read what went wrong: an error at the form, a notice, or an error page
    with a heading and a sentence."""
    return ('role="alert"' in body or 'class="notice"' in body
            or re.search(r"<h1>[^<]+</h1>\s*<p>[^<]{20,}", body) is not None)


@pytest.fixture
def form_client(survey, tmp_path):
    """A test client on the survey's database, with the form loaded once (session cookie,
    CSRF token, submission key)."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=survey.url)
    client = app.test_client()
    page = client.get(f"/r/{survey.token}")
    client.hidden = hidden_fields(page.get_data(as_text=True))
    yield client
    with app.app_context():
        from spindel.extensions import db

        db.engine.dispose()


junk = st.one_of(
    st.integers(min_value=-10**40, max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=40),
    st.sampled_from(["", " 5", "5 ", "05", "5.0", "x ", "X", "null", "[]", "\x00", "5\n",
                     "9" * 5000, "ä" * 300, "\ud7ff", "-1", "0", "11"]),
).filter(lambda v: v not in VALID_VALUES)


@st.composite
def bad_posts(draw, survey):
    """(fields as a list of pairs, raw bytes to splice into a value or None). At least one
    thing is wrong; extra and repeated fields come on top."""
    hidden_names = ["csrf_token", "submission_key"]
    answer = random_answer(survey, random.Random(draw(st.integers(0, 999))))
    fields = dict(answer)
    fields.update({name: f"<{name}>" for name in hidden_names})  # placeholders, filled later
    required = list(fields)
    wrong = draw(st.sampled_from(["drop", "value", "csrf", "key", "utf8"]))
    target = draw(st.sampled_from([k for k in required if k not in hidden_names]))
    raw = None
    if wrong == "drop":
        fields.pop(draw(st.sampled_from(required)))
    elif wrong == "value":
        fields[target] = draw(junk)
    elif wrong == "csrf":
        fields["csrf_token"] = draw(st.one_of(st.text(max_size=120), st.just(
            "IjQ5ZDQ5ZDQ5ZDQ5ZDQ5ZDQ5ZDQ5ZDQ5ZDQ5ZCI.ZZZZZZ.abcdefghijklmnopqrstuvwxyz")))
    elif wrong == "key":
        fields["submission_key"] = draw(st.text(max_size=80).filter(
            lambda k: VALID_KEY.fullmatch(k) is None))
    else:  # invalid UTF-8 in a required value
        raw = (target, draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"5\xfe"])))
    pairs = list(fields.items())
    for name, value in draw(st.lists(st.tuples(st.text(max_size=20), junk), max_size=4)):
        pairs.append((name, value))  # extra fields
    if draw(st.booleans()) and wrong == "value":
        pairs.append((target, "5"))  # a valid value repeated after the bad one
    return pairs, raw


def encode(pairs, raw, hidden) -> bytes:
    parts = []
    for name, sent in pairs:
        value = hidden[sent.strip("<>")] if sent in ("<csrf_token>", "<submission_key>") \
            else sent
        encoded = quote(value.encode("utf-8", "surrogatepass"), safe="")
        if raw is not None and name == raw[0]:
            parts.append(quote(name, safe="").encode() + b"=" + raw[1])
            raw = None
            continue
        parts.append(f"{quote(name.encode('utf-8', 'surrogatepass'), safe='')}={encoded}"
                     .encode())
    return b"&".join(parts)


def test_generated_bad_answers_get_a_4xx_with_a_message_and_store_nothing(survey, form_client):
    seen: dict[int, int] = {}

    @given(case=bad_posts(survey))
    @settings(max_examples=scaled(40, 600), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        pairs, raw = case
        reply = form_client.post(f"/r/{survey.token}", data=encode(pairs, raw,
                                                                   form_client.hidden),
                                 content_type="application/x-www-form-urlencoded")
        body = reply.get_data(as_text=True)
        assert 400 <= reply.status_code < 500, (reply.status_code, pairs, raw)
        assert explains(reply.status_code, body), (reply.status_code, body[:500])
        seen[reply.status_code] = seen.get(reply.status_code, 0) + 1

    check()
    state = database_state(survey)
    assert sum(state["keys"].values()) == 0 and state["tallies"] == {}
    print(f"\nbad input (generated): status counts {dict(sorted(seen.items()))}")


@pytest.mark.parametrize("key", ["A" * 16 + "\n", "A" * 65, "A" * 15, "A" * 15 + "!", ""])
def test_a_malformed_submission_key_is_refused(survey, form_client, key):
    data = {**form_client.hidden, **random_answer(survey, random.Random(4)),
            "submission_key": key}
    reply = form_client.post(f"/r/{survey.token}", data=data)
    assert reply.status_code == 422 and explains(422, reply.get_data(as_text=True))
    assert sum(database_state(survey)["keys"].values()) == 0


def test_extra_fields_are_ignored_and_a_valid_answer_still_counts(survey, form_client):
    data = {**form_client.hidden, **random_answer(survey, random.Random(1)),
            "is_admin": "1", "round_id": "1", "submitted_on": "1999-01-01"}
    assert form_client.post(f"/r/{survey.token}", data=data).status_code == 303
    assert sum(database_state(survey)["keys"].values()) == 1


def test_a_valid_answer_to_a_closed_round_is_410_with_a_notice(survey, form_client):
    page = form_client.get(f"/r/{survey.closed_token}")
    assert page.status_code == 410 and 'class="notice"' in page.get_data(as_text=True)
    data = {**form_client.hidden, **random_answer(survey, random.Random(2))}
    reply = form_client.post(f"/r/{survey.closed_token}", data=data)
    assert reply.status_code == 410 and explains(410, reply.get_data(as_text=True))
    assert database_state(survey)["closed_round_responses"] == 0


# --- raw bodies through real gunicorn -------------------------------------------------------

MB = 1024 * 1024


def _chunked(body: bytes, size: int = 64 * 1024):
    for start in range(0, len(body), size):
        yield body[start:start + size]


def raw_cases(hidden: dict, answer: dict):
    form = "&".join(f"{k}={quote(v)}" for k, v in {**hidden, **answer}.items()).encode()
    boundary = "spindelboundary"
    multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                 f"filename=\"big.bin\"\r\n\r\n").encode() + b"\0" * MB + \
        f"\r\n--{boundary}--\r\n".encode()
    many_parts = b"".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"f{i}\""
                          f"\r\n\r\n1\r\n".encode() for i in range(200)) + \
        f"--{boundary}--\r\n".encode()
    return {
        "1 MB form body": (form + b"&junk=" + b"a" * MB, "application/x-www-form-urlencoded",
                           413),
        "3 MB form body": (form + b"&junk=" + b"a" * 3 * MB,
                           "application/x-www-form-urlencoded", 413),
        "1 MB chunked, no length": (_chunked(form + b"&junk=" + b"a" * MB),
                                    "application/x-www-form-urlencoded", 413),
        "malformed chunks": (b"zz\r\n" + form + b"\r\n0\r\n\r\n",
                             "application/x-www-form-urlencoded", 400),
        "1 MB multipart file": (multipart, f"multipart/form-data; boundary={boundary}", 413),
        "200 multipart parts": (many_parts, f"multipart/form-data; boundary={boundary}", 413),
        "invalid UTF-8": (form.replace(b"profession=", b"profession=\xff\xfe"),
                          "application/x-www-form-urlencoded", 422),
        "JSON answer": (json.dumps({**hidden, **answer}).encode(), "application/json", 415),
        "JSON list": (b"[1, 2, 3]", "application/json", 415),
        "plain text": (form, "text/plain", 415),
        "no content type": (form, None, 415),
    }


def test_raw_bodies_through_gunicorn_get_a_4xx_with_a_message(survey, gunicorn):
    server = gunicorn(survey.url)
    visitor = Visitor(server.url)
    status, _, body = visitor.get(f"/r/{survey.token}")
    hidden = hidden_fields(body.decode())
    answer = random_answer(survey, random.Random(3))
    for name, (payload, content_type, expected) in raw_cases(hidden, answer).items():
        extra = {"Transfer-Encoding": "chunked"} if name == "malformed chunks" else {}
        status, _, reply = visitor.send("bad", "POST", f"/r/{survey.token}", payload,
                                        content_type, extra)
        assert status == expected, (name, status, reply[:300])
        assert explains(status, reply.decode("utf-8", "replace")), (name, reply[:500])
    for method in ("PUT", "DELETE", "PATCH"):
        status, _, reply = visitor.send("bad", method, f"/r/{survey.token}", b"x=1",
                                        "application/x-www-form-urlencoded")
        assert status == 405 and explains(status, reply.decode()), (method, status)
    # A NUL in the address was a 500 on PostgreSQL (issue 11); every route and form:
    # tests/test_hostile_requests.py.
    for path in ("/r/%00abcdefgh", f"/r/{survey.token}%00", f"/r/{survey.token}?lang=%00",
                 "/projects/%00", "/login?next=%00"):
        status, _, reply = visitor.get(path)
        assert status == 400 and explains(status, reply.decode()), (path, status, reply[:300])
    state = database_state(survey)
    assert sum(state["keys"].values()) == 0 and state["tallies"] == {}


def test_a_used_single_use_code_takes_no_second_answer(survey, tmp_path):
    """Two tabs open on one personal link: the first answer counts, the second gets a 410
    with a notice and stores nothing; opening the link again shows the same form as before
    (it tells nobody whether it was used); the round's shared link takes no answers at all."""
    from spindel.extensions import db
    from spindel.services.codes import generate_codes
    from spindel.services.projects import round_by_token

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=survey.url)
    with app.app_context():
        code = generate_codes(round_by_token(survey.token), 2)[0]
        db.session.commit()
        db.session.remove()
    first, second = app.test_client(), app.test_client()
    forms = [hidden_fields(c.get(f"/r/c/{code}").get_data(as_text=True)) for c in (first,
                                                                                  second)]
    answer = random_answer(survey, random.Random(8))
    assert first.post(f"/r/c/{code}", data={**forms[0], **answer}).status_code == 303
    again = second.post(f"/r/c/{code}", data={**forms[1], **answer})
    assert again.status_code == 410 and explains(410, again.get_data(as_text=True))
    page = second.get(f"/r/c/{code}")
    assert page.status_code == 200 and 'name="profession"' in page.get_data(as_text=True)
    shared = second.post(f"/r/{survey.token}", data={**forms[1], **answer})
    assert 400 <= shared.status_code < 500 and explains(shared.status_code,
                                                         shared.get_data(as_text=True))
    assert sum(database_state(survey)["keys"].values()) == 1
    with app.app_context():
        db.engine.dispose()
