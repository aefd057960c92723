"""A staff member opens the round's link and answers the nine items."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from sqlalchemy import func, select

from spindel import instrument as instruments
from spindel.dates import local_today
from spindel.extensions import db
from spindel.models import Rating, Response, RoundState
from tests.conftest import full_answer, hidden_fields


def count_responses() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def load_form(client, round_, lang=None):
    url = f"/r/{round_.token}" + (f"?lang={lang}" if lang else "")
    page = client.get(url)
    assert page.status_code == 200
    return page.get_data(as_text=True), hidden_fields(page.get_data(as_text=True))


def post_answer(client, round_, data, hidden):
    return client.post(f"/r/{round_.token}", data={**hidden, **data})


@pytest.fixture
def open_round(make_project):
    return make_project().rounds[0]


def test_the_promise_names_the_group_size_actually_applied(client, open_round):
    """A k stored below the floor of 3 (an old or imported project) is applied as 3, and
    the respondent is promised that, not the stored number."""
    open_round.project.min_group_size = 1
    db.session.commit()
    html, _ = load_form(client, open_round)
    assert "grupper med minst 3 personer" in html
    assert "grupper med minst 1 personer" not in html


def test_form_shows_project_round_promise_and_every_item_under_its_dimension(client, open_round):
    html, _ = load_form(client, open_round)
    instrument = instruments.for_project(open_round.project)
    assert open_round.project.name in html and open_round.label in html
    assert "anonym" in html.lower()
    positions = []
    for dimension in instrument.dimensions:
        positions.append(html.index(dimension.label.sv))
        for item in instrument.items_in(dimension.key):
            assert html.index(item.text.sv.replace("'", "&#39;")) > positions[-1]
    assert positions == sorted(positions)
    assert instrument.scale.min_label.sv in html and instrument.scale.max_label.sv in html
    assert instrument.scale.cannot_judge_label.sv in html
    assert '<html lang="sv">' in html
    assert "<script" not in html  # answering needs no JavaScript


def test_english_is_one_click_away_and_sticks(client, open_round):
    html, _ = load_form(client, open_round)
    assert "?lang=en" in html
    html, _ = load_form(client, open_round, lang="en")
    instrument = instruments.for_project(open_round.project)
    assert '<html lang="en">' in html
    assert instrument.items[0].text.en in html
    assert "Send my answer" in html
    again = client.get(f"/r/{open_round.token}").get_data(as_text=True)
    assert '<html lang="en">' in again


def test_a_full_answer_is_stored_once_with_the_day_only(client, open_round):
    _, hidden = load_form(client, open_round)
    instrument = instruments.for_project(open_round.project)
    data = full_answer(instrument, value="8")
    data["item_roles"] = "x"
    reply = post_answer(client, open_round, data, hidden)
    assert reply.status_code == 303
    assert reply.headers["Location"].endswith(f"/r/{open_round.token}/thanks")
    assert count_responses() == 1
    response = db.session.scalar(select(Response))
    assert response.submitted_on == local_today()
    ratings = {r.item_key: r.value for r in db.session.scalars(select(Rating))}
    assert ratings.pop("roles") is None  # "cannot judge" is no number
    assert set(ratings.values()) == {8}
    thanks = client.get(reply.headers["Location"])
    assert thanks.status_code == 200 and "Tack" in thanks.get_data(as_text=True)


def test_the_stored_response_has_no_time_ip_or_user_agent_column():
    columns = {c.name for c in Response.__table__.columns}
    # import_batch_id is set only for answers brought in by an import (never for a
    # respondent's answer), so they can be undone together.
    assert columns == {"id", "round_id", "profession_id", "district_id", "submitted_on",
                       "submission_key", "import_batch_id"}
    assert str(Response.__table__.c.submitted_on.type) == "DATE"


@pytest.mark.parametrize("resends", [1, 3])
def test_double_click_and_resubmit_store_the_answer_once(client, open_round, resends):
    _, hidden = load_form(client, open_round)
    data = full_answer(instruments.for_project(open_round.project))
    for _ in range(resends + 1):
        assert post_answer(client, open_round, data, hidden).status_code == 303
    assert count_responses() == 1
    # A new form load is a new answer.
    _, hidden = load_form(client, open_round)
    post_answer(client, open_round, data, hidden)
    assert count_responses() == 2


@pytest.mark.parametrize("change, field, message", [
    ({"item_goals": None}, "item_goals", "Välj ett värde"),
    ({"item_goals": "11"}, "item_goals", "Välj ett värde"),
    ({"item_goals": "0"}, "item_goals", "Välj ett värde"),
    ({"item_goals": "seven"}, "item_goals", "Välj ett värde"),
    ({"profession": "astronaut"}, "profession", "Välj en av yrkesgrupperna"),
    ({"profession": None}, "profession", "Välj din yrkesgrupp"),
    ({"district": "atlantis"}, "district", "Välj ett av stadsdelsområdena"),
])
def test_invalid_input_keeps_every_answer_and_stores_nothing(client, open_round, change, field,
                                                              message):
    _, hidden = load_form(client, open_round)
    instrument = instruments.for_project(open_round.project)
    data = full_answer(instrument, value="6")
    data["item_rules"] = "x"
    for key, value in change.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    reply = post_answer(client, open_round, data, hidden)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert count_responses() == 0
    assert message in html
    assert f'id="{field}-error"' in html and 'class="error-summary"' in html
    # Every other answer is still checked.
    for key in instrument.item_keys:
        if f"item_{key}" == field:
            continue
        expected = "x" if key == "rules" else "6"
        assert re.search(rf'name="item_{key}"\s+value="{expected}"[^>]*\schecked', html), key
    if field != "profession":
        assert 'value="bvc" checked' in html


def test_a_stale_csrf_token_keeps_the_answers(client, open_round):
    _, hidden = load_form(client, open_round)
    hidden["csrf_token"] = "not-a-token"
    data = full_answer(instruments.for_project(open_round.project), value="9")
    reply = post_answer(client, open_round, data, hidden)
    assert reply.status_code == 422
    assert count_responses() == 0
    html = reply.get_data(as_text=True)
    assert "formuläret hade gått ut" in html.lower()
    assert 'value="9" checked' in html
    # Sending again with the new token works.
    assert post_answer(client, open_round, data, hidden_fields(html)).status_code == 303
    assert count_responses() == 1


def test_unknown_token_is_a_friendly_404(client):
    reply = client.get("/r/this-is-not-a-token")
    assert reply.status_code == 404
    assert "Sidan finns inte" in reply.get_data(as_text=True)
    assert client.get("/r/" + "a" * 500).status_code == 404


def test_closed_round_says_so_with_410_and_stores_nothing(client, make_project):
    round_ = make_project(state=RoundState.OPEN).rounds[0]
    _, hidden = load_form(client, round_)
    round_.state = RoundState.CLOSED
    db.session.commit()
    reply = post_answer(client, round_, full_answer(instruments.for_project(round_.project)),
                        hidden)
    assert reply.status_code == 410
    assert "stängd" in reply.get_data(as_text=True)
    assert client.get(f"/r/{round_.token}").status_code == 410
    assert count_responses() == 0


def test_round_past_its_closing_date_is_closed(client, make_project):
    round_ = make_project().rounds[0]
    round_.closes_on = local_today() - dt.timedelta(days=1)
    db.session.commit()
    reply = client.get(f"/r/{round_.token}")
    assert reply.status_code == 410
    html = reply.get_data(as_text=True)
    assert "stängd" in html and "<form" not in html


def test_round_not_yet_open_says_when_it_opens(client, make_project):
    round_ = make_project(state=RoundState.SCHEDULED).rounds[0]
    round_.opens_on = dt.date(2031, 3, 14)
    db.session.commit()
    reply = client.get(f"/r/{round_.token}")
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert "har inte öppnat" in html and "14 mars 2031" in html
    assert "<form" not in html
    reply = client.post(f"/r/{round_.token}", data={"profession": "bvc"})
    assert reply.status_code == 403
    assert count_responses() == 0


def test_scheduled_round_opens_on_its_date(client, make_project):
    round_ = make_project(state=RoundState.SCHEDULED).rounds[0]
    round_.opens_on = local_today()
    db.session.commit()
    assert "<form" in client.get(f"/r/{round_.token}").get_data(as_text=True)


def test_project_without_districts_does_not_ask_for_one(client, make_project):
    round_ = make_project(districts=()).rounds[0]
    html, hidden = load_form(client, round_)
    assert 'name="district"' not in html
    data = full_answer(instruments.for_project(round_.project), district=None)
    assert post_answer(client, round_, data, hidden).status_code == 303
    assert db.session.scalar(select(Response)).district_id is None


def test_security_headers_on_every_page(client, open_round):
    for url in ["/", f"/r/{open_round.token}", "/r/unknown-token-123"]:
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1]\
            .split(";")[0]
        assert "frame-ancestors 'none'" in csp
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_respondent_requests_never_reach_the_development_servers_log(app, open_round):
    """werkzeug's request line holds a time: for a respondent's request it is not written."""
    import logging

    from spindel.security import RedactTokens

    logger = logging.getLogger("werkzeug")
    assert any(isinstance(f, RedactTokens) for f in logger.filters)

    def written(line: str) -> str | None:
        record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s',
                                   ("127.0.0.1", "30/Nov/2026 09:41:07", line, "200"), None)
        return record.getMessage() if all(f.filter(record) for f in logger.filters) else None

    assert written(f"GET /r/{open_round.token} HTTP/1.1") is None
    assert written(f"POST /r/{open_round.token}/d/north HTTP/1.1") is None
    assert written("GET /workspace HTTP/1.1").endswith('"GET /workspace HTTP/1.1" 200')


def test_tallies_count_every_stored_answer_exactly(app, make_project, add_answer):
    """The per-value counts that results read agree with the ratings themselves."""
    from spindel.models import RatingTally
    from spindel.services.responses import recount_tallies

    project = make_project(rounds=2)
    for i in range(12):
        ratings = {k: (None if (i + n) % 5 == 0 else (i * 3 + n) % 10 + 1)
                   for n, k in enumerate(instruments.for_project(project).item_keys)}
        add_answer(project.rounds[i % 2], profession=("bvc", "bmm")[i % 3 == 0],
                   district=("north", "south")[i % 2], ratings=ratings)

    def snapshot():
        return sorted(db.session.execute(select(
            RatingTally.round_id, RatingTally.profession_id, RatingTally.district_id,
            RatingTally.item_key, RatingTally.value, RatingTally.count)).all())

    kept = snapshot()
    assert sum(row[-1] for row in kept) == 12 * 9
    recount_tallies([r.id for r in project.rounds])
    assert snapshot() == kept


@pytest.mark.parametrize(("lang", "title", "expired"), [
    ("sv", "Inte skickat än", "Formuläret hade gått ut. Allt du har fyllt i finns kvar"),
    ("en", "Not sent yet", "The form had expired. Everything you filled in is kept"),
])
def test_a_stale_token_is_said_in_plain_words_not_as_a_csrf_field(client, open_round, lang,
                                                                    title, expired):
    _, hidden = load_form(client, open_round, lang=lang)
    hidden["csrf_token"] = "not-a-token"
    data = full_answer(instruments.for_project(open_round.project), value="4")
    reply = post_answer(client, open_round, data, hidden)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "csrf" not in html.lower().replace('name="csrf_token"', "").replace(
        'id="csrf_token"', "")
    summary = html[html.index('class="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert title in summary and expired in summary
    assert 'value="4" checked' in html


def test_a_stale_token_and_a_missing_answer_keep_both_messages(client, open_round):
    _, hidden = load_form(client, open_round)
    hidden["csrf_token"] = "not-a-token"
    data = full_answer(instruments.for_project(open_round.project), value="8")
    data.pop("profession")
    html = post_answer(client, open_round, data, hidden).get_data(as_text=True)
    summary = html[html.index('class="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert "Några svar saknas" in summary and "Formuläret hade gått ut" in summary
    assert 'href="#profession-0"' in summary and "CSRF" not in summary
    # A label that ends in a full stop is not followed by ".:" in the summary.
    assert ".:" not in summary


def test_one_respondents_choices_never_show_on_anothers_form(client, open_round):
    """The unanswered radios are made once and kept: a re-shown form with choices made must
    not leave them in what the next person gets."""
    _, hidden = load_form(client, open_round)
    data = full_answer(instruments.for_project(open_round.project), value="3")
    data.pop("profession")
    assert 'value="3" checked' in post_answer(client, open_round, data, hidden).get_data(True)
    html, _ = load_form(client, open_round)
    assert " checked" not in html


def test_fifty_answers_in_a_row_get_ids_that_do_not_follow_their_arrival(client, open_round):
    """Ids that counted up would date each answer against any log of the day (policy §5)."""
    instrument = instruments.for_project(open_round.project)
    arrived = []
    for n in range(50):
        _, hidden = load_form(client, open_round)
        reply = post_answer(client, open_round, full_answer(instrument, value=str(n % 10 + 1)),
                            hidden)
        assert reply.status_code == 303
        arrived.append(db.session.scalar(select(Response.id).where(
            Response.submission_key == hidden["submission_key"])))
    assert len(set(arrived)) == 50
    assert arrived != sorted(arrived) and arrived != sorted(arrived, reverse=True)
    # Random order: about half the neighbours go up (49 pairs; 10–39 is > 99.99 % likely).
    rises = sum(a < b for a, b in itertools.pairwise(arrived))
    assert 10 <= rises <= 39, rises
    assert all(0 < i < 2**63 for i in arrived)


def test_store_answer_draws_again_when_a_random_id_is_taken(app, backend, monkeypatch):
    """On both databases: a new answer that draws an id already held is stored under the
    next draw; the earlier answer and a repeated submission key are left as they were."""
    from spindel.models import Round
    from spindel.services import responses
    from spindel.services.projects import create_project
    from spindel.services.round_setup import RoundSetup

    project = create_project("Krock", "krock", districts=[("north", "Norr")])
    project.rounds.append(Round(number=1, label="Mätning 1", state=RoundState.OPEN))
    db.session.commit()
    setup, instrument = RoundSetup.of(project.rounds[0]), instruments.for_project(project)
    answer = responses.Answer("bvc", "north", dict.fromkeys(instrument.item_keys, 4))
    first, _ = responses.store_answer(setup, instrument, answer, submission_key="k1")
    draws = iter([first.id, first.id, 77])
    monkeypatch.setattr(responses, "new_response_id", lambda: next(draws))
    second, created = responses.store_answer(setup, instrument, answer, submission_key="k2")
    db.session.commit()
    assert created and second.id == 77
    assert db.session.get(Response, first.id).submission_key == "k1"
    assert db.session.scalar(select(func.count()).select_from(Rating)
                             .where(Rating.response_id == 77)) == len(instrument.item_keys)
    monkeypatch.setattr(responses, "new_response_id", lambda: 77)  # taken, and so is the key
    again, created = responses.store_answer(setup, instrument, answer, submission_key="k2")
    assert not created and again.id == 77 and count_responses() == 2


def test_switching_language_part_way_sends_the_choices_along_and_stores_nothing(client,
                                                                              open_round):
    html, hidden = load_form(client, open_round)
    switch = re.search(r'<button type="submit" form="answer-form" name="switch_language"'
                       r'[^>]*formaction="([^"]+)"[^>]*formnovalidate', html)
    assert switch and switch.group(1) == f"/r/{open_round.token}?lang=en"
    instrument = instruments.for_project(open_round.project)
    some = {"profession": "bmm", "district": "south", f"item_{instrument.items[0].key}": "4",
            f"item_{instrument.items[1].key}": "x"}
    reply = client.post(switch.group(1), data={**hidden, **some, "switch_language": "en"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200 and count_responses() == 0
    assert '<html lang="en">' in html and instrument.items[0].text.en in html
    assert "It takes about 3 minutes." in html
    assert "error-summary" not in html and "field-error" not in html  # not sent: no errors
    assert len(re.findall(r"\schecked", html)) == 4
    assert 'value="bmm" checked' in html and 'value="south" checked' in html
    for name, value in list(some.items())[2:]:
        assert re.search(rf'name="{name}"\s+value="{value}"[^>]*\schecked', html), name
    # The same form (the same submission key) is then sent in English.
    assert hidden_fields(html)["submission_key"] == hidden["submission_key"]
    reply = client.post(f"/r/{open_round.token}?send", data={
        **hidden_fields(html), **full_answer(instrument)})
    assert reply.status_code == 303 and count_responses() == 1


def test_the_form_is_kept_for_back_and_sent_to_another_address(client, open_round):
    """Back after sending must show the form as sent: the browser keeps it (private, no-cache,
    no Vary: Cookie, which would make it fetch a fresh form once the cookie is set), and the
    form is sent to ?send, because a form sent to a page's own address makes the browser
    forget that page."""
    reply = client.get(f"/r/{open_round.token}")
    assert reply.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" not in reply.headers.get("Vary", "")
    assert '<form method="post" action="?send"' in reply.get_data(as_text=True)
    hidden = hidden_fields(reply.get_data(as_text=True))
    reply = post_answer(client, open_round, {"profession": "bvc"}, hidden)
    assert reply.status_code == 422
    assert reply.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" not in reply.headers.get("Vary", "")
    # Every other page is still never stored.
    for url in (f"/r/{open_round.token}/thanks", "/"):
        assert client.get(url).headers["Cache-Control"] == "no-store"


def test_sending_again_after_the_answer_is_in_shows_the_thank_you_page(client, open_round):
    """From a page kept for Back, even an hour later (expired token) or from the version with
    an answer missing: the same submission key goes to the thank-you page, nothing new."""
    _, hidden = load_form(client, open_round)
    data = full_answer(instruments.for_project(open_round.project))
    assert post_answer(client, open_round, data, hidden).status_code == 303
    data.pop("profession")
    again = post_answer(client, open_round, data, {**hidden, "csrf_token": "expired"})
    assert again.status_code == 303
    assert again.headers["Location"].endswith(f"/r/{open_round.token}/thanks")
    assert count_responses() == 1
    # A key never stored is a form to fix, as before.
    _, fresh = load_form(client, open_round)
    assert post_answer(client, open_round, data, fresh).status_code == 422


def test_thanks_and_closed_pages_carry_the_instrument_name_like_the_form(client,
                                                                        make_project):
    from spindel import instrument as instruments
    from tests.conftest import full_answer, hidden_fields

    round_ = make_project().rounds[0]
    name = instruments.for_project(round_.project).name.get("sv")
    form = client.get(f"/r/{round_.token}").get_data(as_text=True)
    assert f'<span class="brand">{name}</span>' in form
    data = {**hidden_fields(form), **full_answer(instruments.for_project(round_.project))}
    thanks = client.post(f"/r/{round_.token}", data=data, follow_redirects=True)
    assert f'<span class="brand">{name}</span>' in thanks.get_data(as_text=True)
