"""The seminar's priority vote ("Vad ska vi prioritera?"): the rules of a ballot, the phone's
page at the round's short address with everything a stranger might send it, the presenter's
open and lock (a viewer may look but not touch), the slide's live counts, the deck's slide,
and what is stored: a round, a random ballot number and the items picked — no time, no
address, nothing that leads to an answer."""

from __future__ import annotations

import datetime as dt
import io
import logging
import random
import re
from collections import Counter
from html import unescape

import pytest
from flask import g
from pptx import Presentation
from sqlalchemy import func, inspect, select

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import VIEWER, PriorityVote, ProjectMember, Response, Round, VoteChoice
from spindel.security import DropRespondentRequests, redact
from spindel.services import votes
from spindel.services.exports.deck import build_deck
from spindel.services.projects import create_project
from tests.conftest import AuthActions, full_answer, hidden_fields, make_app

# --- helpers --------------------------------------------------------------------------------


def stored_choices() -> list[tuple[int, str]]:
    return sorted(db.session.execute(select(VoteChoice.ballot, VoteChoice.item_key)).all())


def ballot_count() -> int:
    return db.session.scalar(select(func.count(func.distinct(VoteChoice.ballot)))) or 0


def checked(html: str) -> list[str]:
    """The item keys whose checkbox the page shows checked."""
    return re.findall(r'name="items" value="([^"]+)" checked', html)


def item_keys(project) -> list[str]:
    return instruments.for_project(project).item_keys


class Phone:
    """A phone in the room: its own session (cookie), the vote page like a browser."""

    def __init__(self, app, round_):
        self.client = app.test_client()
        self.url = f"/v/{round_.short_code}"

    def page(self, **kwargs):
        # The test's app context outlives each request, and Flask-WTF keeps the last
        # session's form token in g: each phone must get its own.
        g.pop("csrf_token", None)
        return self.client.get(self.url, **kwargs)

    def vote(self, items, *, token: bool = True, **extra):
        html = self.page().get_data(as_text=True)
        data = {"items": list(items), **extra}
        if token:
            data["csrf_token"] = hidden_fields(html).get("csrf_token", "")
        return self.client.post(self.url, data=data)


@pytest.fixture
def seminar(make_project):
    """A project (instrument 2026.2, with the two added questions) and its one round."""
    project = make_project()
    return project, project.rounds[0]


@pytest.fixture
def open_round(seminar):
    project, round_ = seminar
    votes.open_vote(round_)
    db.session.commit()
    return project, round_


# --- the rules --------------------------------------------------------------------------------


def test_a_vote_opens_locks_and_reopens_with_its_ballots_kept(seminar):
    project, round_ = seminar
    assert votes.state_of(round_) is None
    assert votes.tally(round_).state is None
    votes.open_vote(round_)
    votes.cast(round_, 11, ["rules", "goals"])
    votes.lock_vote(round_)
    db.session.commit()
    assert votes.state_of(round_) == "locked"
    with pytest.raises(votes.VoteRefused) as refused:
        votes.cast(round_, 12, ["rules"])
    assert refused.value.reason == "locked"
    votes.open_vote(round_)  # reopened: the ballot is still there and may change
    votes.cast(round_, 11, ["roles"])
    db.session.commit()
    assert stored_choices() == [(11, "roles")]


def test_no_ballot_before_a_vote_is_opened(seminar):
    _, round_ = seminar
    with pytest.raises(votes.VoteRefused) as refused:
        votes.cast(round_, 5, ["rules"])
    assert refused.value.reason == "not_opened"
    assert stored_choices() == []


@pytest.mark.parametrize("items", [[], ["rules", "goals", "roles", "management"],
                                   ["rules", "rules"], ["rules", "no_such_item"],
                                   ["<script>"]])
def test_a_ballot_is_one_to_three_distinct_items_of_the_instrument(open_round, items):
    _, round_ = open_round
    with pytest.raises(votes.VoteRefused) as refused:
        votes.cast(round_, 7, items)
    assert refused.value.reason == "invalid"
    assert stored_choices() == []


def test_a_phone_changes_its_ballot_instead_of_adding_one(open_round):
    _, round_ = open_round
    votes.cast(round_, 7, ["shared_view", "rules"])
    votes.cast(round_, 7, ["management", "goals", "user_influence"])
    db.session.commit()
    assert ballot_count() == 1
    # Kept in the instrument's order, whatever order they came in.
    assert votes.choices_of(round_, 7) == ["goals", "management", "user_influence"]


def test_the_ballots_of_a_round_are_capped_but_a_known_ballot_may_still_change(open_round):
    _, round_ = open_round
    votes.cast(round_, 1, ["rules"], max_ballots=2)
    votes.cast(round_, 2, ["rules"], max_ballots=2)
    with pytest.raises(votes.VoteRefused) as refused:
        votes.cast(round_, 3, ["rules"], max_ballots=2)
    assert refused.value.reason == "full"
    votes.cast(round_, 2, ["goals"], max_ballots=2)
    db.session.commit()
    assert stored_choices() == [(1, "rules"), (2, "goals")]


def test_the_tally_counts_every_item_in_the_instruments_order(open_round, make_project):
    project, round_ = open_round
    keys = item_keys(project)
    rng = random.Random(13)
    expected: Counter = Counter()
    for ballot in range(1, 41):
        picked = rng.sample(keys, rng.randint(1, 3))
        expected.update(picked)
        votes.cast(round_, ballot, picked)
    # Another round's votes are not counted here.
    other = make_project().rounds[0]
    votes.open_vote(other)
    votes.cast(other, 1, ["rules"])
    db.session.commit()
    counted = votes.tally(round_)
    assert [i.key for i in counted.items] == keys
    assert [i.votes for i in counted.items] == [expected[k] for k in keys]
    assert counted.ballots == 40 and counted.state == "open"


def test_the_two_added_questions_can_be_voted_on_and_are_marked(open_round):
    project, round_ = open_round
    instrument = instruments.for_project(project)
    assert instrument.version == "2026.2"
    added = [i.key for i in instrument.items if instrument.group_of(i).kind == "added"]
    assert added == ["early_support", "user_influence"]
    votes.cast(round_, 1, added)
    db.session.commit()
    marked = {i.key: (i.added, i.votes) for i in votes.tally(round_, "sv").items}
    assert marked["early_support"] == (True, 1) and marked["user_influence"] == (True, 1)
    assert marked["rules"] == (False, 0)


def test_a_project_on_instrument_2026_1_votes_on_its_own_items(app, make_project):
    project = make_project(instrument="spindeln@2026.1")
    round_ = project.rounds[0]
    votes.open_vote(round_)
    keys = instruments.for_project(project).item_keys
    votes.cast(round_, 1, keys[-1:])
    db.session.commit()
    assert [i.key for i in votes.tally(round_).items] == keys


# --- what is stored ---------------------------------------------------------------------------


def test_the_vote_tables_hold_no_time_address_or_device(app):
    columns = {table: {c["name"] for c in inspect(db.engine).get_columns(table)}
               for table in ("priority_vote", "vote_choice")}
    assert columns == {"priority_vote": {"round_id", "state"},
                       "vote_choice": {"round_id", "ballot", "item_key"}}
    for table in columns:
        keys = inspect(db.engine).get_foreign_keys(table)
        assert [(k["referred_table"], k["constrained_columns"]) for k in keys] == [
            ("round", ["round_id"])]


def test_a_ballot_cannot_be_linked_to_the_answer_from_the_same_phone(app, open_round):
    project, round_ = open_round
    phone = Phone(app, round_)
    # She answers the round on her phone, then votes from the same browser.
    form = phone.client.get(f"/r/{round_.token}").get_data(as_text=True)
    sent = phone.client.post(f"/r/{round_.token}?send", data={
        **hidden_fields(form), **full_answer(instruments.for_project(project))})
    assert sent.status_code == 303
    assert phone.vote(["rules"]).status_code == 303
    response_id = db.session.scalar(select(Response.id))
    (ballot, _), = stored_choices()
    assert ballot != response_id
    # The session holds the ballot and nothing of the answer.
    with phone.client.session_transaction() as session:
        assert str(response_id) not in repr(dict(session))
        assert session[f"vote_ballot_{round_.id}"] == ballot
    # Ballot numbers are random, not counted up.
    for _ in range(3):
        Phone(app, round_).vote(["goals"])
    ballots = sorted(b for b, _ in stored_choices())
    assert len(ballots) == 4 and ballots[-1] - ballots[0] > 10**6


def test_the_phones_requests_are_not_logged():
    for path in ("/v/ABCDE", "/v/ABCDE/thanks", "/v/abcde?lang=en"):
        assert redact(f'"GET {path} HTTP/1.1" 200 -') .startswith('"GET [respondent link]')
        record = logging.LogRecord("werkzeug", logging.INFO, "", 0,
                                   '127.0.0.1 - - "GET %s HTTP/1.1" 200 -', (path,), None)
        assert DropRespondentRequests().filter(record) is False
    # The supporter's pages are logged as before.
    record = logging.LogRecord("werkzeug", logging.INFO, "", 0,
                               '"POST /projects/x/rounds/1/vote/lock HTTP/1.1" 303 -', (), None)
    assert DropRespondentRequests().filter(record) is True


# --- the phone's page -------------------------------------------------------------------------


def test_a_phone_votes_sees_thanks_and_may_change_its_vote(app, open_round):
    project, round_ = open_round
    phone = Phone(app, round_)
    page = phone.page()
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "Vad ska vi prioritera?" in html and "Välj upp till tre frågor" in html
    assert len(re.findall(r'type="checkbox"', html)) == 9
    assert "Projektets tillagda frågor" in html  # the added questions, labelled as such
    assert "<script" not in html  # works without JavaScript

    sent = phone.vote(["goals", "user_influence"])
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/thanks")
    thanks = unescape(phone.client.get(sent.headers["Location"]).get_data(as_text=True))
    assert "Tack för din röst!" in thanks
    assert re.findall(r"<li>(.*?)</li>", thanks) == ["Gemensamma mål", "Föräldrars inflytande"]
    assert "Du kan ändra din röst tills omröstningen låses." in thanks

    again = phone.page().get_data(as_text=True)
    assert checked(again) == ["goals", "user_influence"]
    assert phone.vote(["rules"]).status_code == 303
    assert stored_choices()[0][1] == "rules" and ballot_count() == 1


def test_english_is_one_click_away_and_keeps_the_choices(app, open_round):
    _, round_ = open_round
    phone = Phone(app, round_)
    html = phone.page().get_data(as_text=True)
    assert 'name="switch_language" value="en"' in html
    switched = phone.client.post(f"{phone.url}?lang=en", data={
        "csrf_token": hidden_fields(html)["csrf_token"], "items": ["rules", "roles"],
        "switch_language": "en"})
    english = unescape(switched.get_data(as_text=True))
    assert switched.status_code == 200 and "What should we prioritise?" in english
    assert checked(english) == ["rules", "roles"]
    assert stored_choices() == []  # switching language sends nothing


def test_a_fourth_item_is_refused_with_a_clear_message_and_the_choice_kept(app, open_round):
    _, round_ = open_round
    phone = Phone(app, round_)
    reply = phone.vote(["rules", "routines", "goals", "management"])
    html = unescape(reply.get_data(as_text=True))
    assert reply.status_code == 422
    assert "Välj högst tre frågor – du valde 4." in html
    assert checked(html) == ["rules", "routines", "goals", "management"]
    assert stored_choices() == []


@pytest.mark.parametrize(("items", "message"), [
    ([], "Välj minst en fråga."),
    (["rules", "no_such_item"], "Välj bland frågorna på den här sidan."),
    (["rules", "rules"], "Välj bland frågorna på den här sidan."),
    (["x" * 5000], "Välj bland frågorna på den här sidan."),
])
def test_hostile_ballots_get_a_message_and_store_nothing(app, open_round, items, message):
    _, round_ = open_round
    reply = Phone(app, round_).vote(items)
    assert reply.status_code == 422
    assert message in unescape(reply.get_data(as_text=True))
    assert stored_choices() == []


def test_a_ballot_without_its_form_token_is_not_stored_and_says_so(app, open_round):
    _, round_ = open_round
    phone = Phone(app, round_)
    reply = phone.vote(["rules", "goals"], token=False)
    html = unescape(reply.get_data(as_text=True))
    assert reply.status_code == 422
    assert "Formuläret hade gått ut" in html and checked(html) == ["rules", "goals"]
    assert stored_choices() == []
    # Not a form at all: still no 500, nothing stored.
    assert phone.client.post(phone.url, json={"items": ["rules"]}).status_code == 422
    assert phone.client.post(phone.url, data=b"\x00" * 100,
                             content_type="application/octet-stream").status_code < 500
    assert phone.client.post(phone.url, data={"items": "a" * 20_000}).status_code == 413
    assert stored_choices() == []


def test_before_the_vote_is_opened_the_page_says_so_and_takes_no_ballot(app, seminar):
    _, round_ = seminar
    phone = Phone(app, round_)
    page = phone.page()
    assert page.status_code == 200
    assert "Omröstningen har inte börjat än." in unescape(page.get_data(as_text=True))
    reply = phone.client.post(phone.url, data={"items": ["rules"]})
    assert reply.status_code == 403 and stored_choices() == []


def test_a_locked_vote_is_closed_for_every_phone(app, open_round):
    _, round_ = open_round
    voter, late = Phone(app, round_), Phone(app, round_)
    assert voter.vote(["rules", "goals"]).status_code == 303
    csrf = hidden_fields(late.page().get_data(as_text=True))["csrf_token"]
    votes.lock_vote(round_)
    db.session.commit()

    page = unescape(late.page().get_data(as_text=True))
    assert "Omröstningen är stängd." in page and 'type="checkbox"' not in page
    # A page loaded before the lock, sent after it: refused, nothing stored.
    reply = late.client.post(late.url, data={"csrf_token": csrf, "items": ["roles"]})
    assert reply.status_code == 403
    assert "Omröstningen är stängd." in unescape(reply.get_data(as_text=True))
    # The phone that voted cannot change its vote, and sees what it voted.
    assert voter.vote(["roles"]).status_code == 403
    closed = unescape(voter.page().get_data(as_text=True))
    assert "Din röst: Lagar och regler, Gemensamma mål" in closed
    assert "stängd nu" in unescape(voter.client.get(f"{voter.url}/thanks").get_data(as_text=True))
    assert sorted(k for _, k in stored_choices()) == ["goals", "rules"]


def test_unknown_or_odd_codes_are_404_never_500(client, open_round):
    _, round_ = open_round
    for code in ("ZZZZZ", "x" * 300, "%20", "' OR 1=1 --", "ÅÄÖ"):
        assert client.get(f"/v/{code}").status_code == 404, code
        assert client.post(f"/v/{code}", data={"items": ["rules"]}).status_code == 404
        assert client.get(f"/v/{code}/thanks").status_code == 404
    # Typed from the screen in small letters: the same vote.
    assert client.get(f"/v/{round_.short_code.lower()}").status_code == 200
    # Thanks without a vote: back to the vote.
    assert client.get(f"/v/{round_.short_code}/thanks").status_code == 303


def test_a_full_vote_refuses_new_phones_but_not_a_change(tmp_path):
    app = make_app(tmp_path, SPINDEL_VOTE_MAX_BALLOTS=2)
    with app.app_context():
        db.create_all()
        project = create_project("Samverkan", "samverkan")
        project.rounds.append(Round(number=1, label="Mätning 1", state="open",
                                    opens_on=dt.date.today()))
        db.session.commit()
        round_ = project.rounds[0]
        votes.open_vote(round_)
        db.session.commit()
        first, second, third = (Phone(app, round_) for _ in range(3))
        assert first.vote(["rules"]).status_code == 303
        assert second.vote(["rules"]).status_code == 303
        reply = third.vote(["rules"])
        assert reply.status_code == 403
        assert "tar inte emot fler röster" in unescape(reply.get_data(as_text=True))
        assert first.vote(["goals"]).status_code == 303
        assert ballot_count() == 2
        db.session.remove()
        db.engine.dispose()


# --- the presenter ----------------------------------------------------------------------------


def slides_url(project, **args) -> str:
    query = "&".join(f"rounds={r.number}" for r in project.rounds)
    extra = "".join(f"&{k}={v}" for k, v in args.items())
    return f"/projects/{project.slug}/present/slides?{query}{extra}"


def vote_data(client, project, **args) -> dict:
    page, query = slides_url(project, **args).split("?", 1)
    reply = client.get(f"{page}/vote.json?{query}")
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_json()


def vote_forms(html: str) -> dict[str, dict]:
    """The slide's open/lock forms by the state they are for: action, hidden fields, shown."""
    found = {}
    for form in re.finditer(r'<form method="post" class="vote-control"[^>]*>.*?</form>', html,
                            re.S):
        tag = form.group(0)
        found[re.search(r'data-vote-when="(\w+)"', tag).group(1)] = {
            "action": unescape(re.search(r'action="([^"]+)"', tag).group(1)),
            "fields": {k: unescape(v) for k, v in hidden_fields(tag).items()},
            "hidden": re.search(r"<form[^>]*\shidden[\s>]", tag) is not None}
    return found


@pytest.fixture
def presenter(client, make_user, seminar):
    project, round_ = seminar
    AuthActions(client).login(make_user(projects=[project]))
    return project, round_


def test_the_slide_shows_the_phones_address_and_a_qr_code(client, presenter):
    project, round_ = presenter
    html = client.get(slides_url(project)).get_data(as_text=True)
    slide = html[html.index('id="slide-vote"'):]
    slide = slide[:slide.index("</section>")]
    assert "Vad ska vi prioritera?" in slide
    assert f"localhost/v/{round_.short_code}" in re.sub(r"<[^>]+>", "", slide)
    assert f'<span class="vote-code">/v/{round_.short_code}</span>' in slide  # kept whole
    assert "<svg" in slide
    assert "Omröstningen är inte öppen än." in slide
    forms = vote_forms(slide)
    assert [k for k, f in forms.items() if not f["hidden"]] == ["none"]
    # The address leads to the phones' page.
    assert client.get(f"/v/{round_.short_code}").status_code == 200


def test_the_presenter_opens_and_locks_with_plain_forms(client, presenter):
    project, round_ = presenter
    page = slides_url(project)
    html = client.get(page).get_data(as_text=True)
    forms = vote_forms(html)
    reply = client.post(forms["none"]["action"], data=forms["none"]["fields"])
    assert reply.status_code == 303
    # Back to the same slides, on the vote's slide (the address counts slides from 1).
    number = re.findall(r'<section class="slide[^"]*" id="slide-([\w-]+)"', html).index("vote")
    assert reply.headers["Location"] == f"{page}#{number + 1}"
    assert votes.state_of(round_) == "open"

    forms = vote_forms(client.get(page).get_data(as_text=True))
    assert [k for k, f in forms.items() if not f["hidden"]] == ["open"]
    assert client.post(forms["open"]["action"], data=forms["open"]["fields"]).status_code == 303
    assert votes.state_of(round_) == "locked"
    forms = vote_forms(client.get(page).get_data(as_text=True))
    assert [k for k, f in forms.items() if not f["hidden"]] == ["locked"]
    assert "Öppna omröstningen igen" in client.get(page).get_data(as_text=True)


def test_with_javascript_the_forms_get_the_state_as_json(client, presenter):
    project, round_ = presenter
    forms = vote_forms(client.get(slides_url(project)).get_data(as_text=True))
    reply = client.post(forms["none"]["action"], data=forms["none"]["fields"],
                        headers={"Accept": "application/json"})
    assert reply.status_code == 200 and reply.get_json() == {"state": "open"}
    reply = client.post(forms["open"]["action"], data=forms["open"]["fields"],
                        headers={"Accept": "application/json"})
    assert reply.get_json() == {"state": "locked"}


def test_no_open_or_lock_without_the_form_token_or_to_elsewhere(client, presenter):
    project, round_ = presenter
    forms = vote_forms(client.get(slides_url(project)).get_data(as_text=True))
    action = forms["none"]["action"]
    reply = client.post(action, data={"next": forms["none"]["fields"]["next"]})
    assert reply.status_code == 400 and votes.state_of(round_) is None
    reply = client.post(action, data={**forms["none"]["fields"],
                                      "next": "https://elsewhere.example/"})
    assert reply.status_code == 303
    assert reply.headers["Location"] == f"/projects/{project.slug}/present"
    # A round the project does not have: 404.
    assert client.post(action.replace("/rounds/1/", "/rounds/9/"),
                       data=forms["none"]["fields"]).status_code == 404


def test_a_viewer_sees_the_slide_but_cannot_open_or_lock(app, client, make_user, seminar):
    project, round_ = seminar
    viewer = make_user()
    viewer.memberships.append(ProjectMember(project=project, role=VIEWER))
    db.session.commit()
    AuthActions(client).login(viewer)
    html = client.get(slides_url(project)).get_data(as_text=True)
    assert 'id="slide-vote"' in html and vote_forms(html) == {}
    token = hidden_fields(html)["csrf_token"]  # the log-out form's: a valid token
    for action in ("open", "lock"):
        reply = client.post(f"/projects/{project.slug}/rounds/1/vote/{action}",
                            data={"csrf_token": token})
        assert reply.status_code == 404
    assert db.session.scalar(select(PriorityVote)) is None
    assert vote_data(client, project)["vote"] == "none"


def test_the_slide_counts_the_phones_votes_live(app, client, presenter):
    project, round_ = presenter
    votes.open_vote(round_)
    db.session.commit()
    keys = item_keys(project)
    ballots = [["rules", "goals", "early_support"], ["goals"], ["goals", "user_influence"],
               ["management", "roles", "rules"]]
    expected = Counter()
    for picked in ballots:
        assert Phone(app, round_).vote(picked).status_code == 303
        expected.update(picked)
        data = vote_data(client, project)
        bars = data["figure"]["data"][0]
        assert bars["type"] == "bar" and bars["orientation"] == "h"
        assert bars["x"] == [expected[k] for k in keys]
        assert bars["customdata"] == keys
    assert data["count"] == "Omröstningen är öppen: 4 personer har röstat."
    assert data["vote"] == "open"
    # Items in the instrument's order from the top; the added ones say so.
    assert data["figure"]["layout"]["yaxis"]["autorange"] == "reversed"
    assert bars["y"][0] == "Lagar och regler"
    assert bars["y"][-1] == "Föräldrars inflytande<br><i>tillagd av projektet</i>"
    # Projector type, and the same numbers in the table.
    assert data["figure"]["layout"]["font"]["size"] >= 20
    cells = re.findall(r"<td>(\d+)</td>", data["table"])
    assert [int(c) for c in cells] == [expected[k] for k in keys] + [4]

    votes.lock_vote(round_)
    db.session.commit()
    data = vote_data(client, project)
    assert data["vote"] == "locked"
    assert data["count"] == "Omröstningen är låst: 4 personer har röstat."


def test_the_vote_is_the_focus_rounds(client, make_project, make_user):
    project = make_project(rounds=3)
    AuthActions(client).login(make_user(projects=[project]))
    first, _, third = project.rounds
    votes.open_vote(first)
    votes.cast(first, 1, ["rules"])
    db.session.commit()
    # The latest round shown: the third, which has no vote.
    assert vote_data(client, project)["vote"] == "none"
    # The round answered now is the focus.
    page, query = slides_url(project, live=1).split("?", 1)
    data = client.get(f"{page}/vote.json?{query}").get_json()
    assert data["vote"] == "open" and data["figure"]["data"][0]["x"][0] == 1
    assert f"/v/{third.short_code}<" in client.get(slides_url(project)).get_data(as_text=True)


# --- the deck ---------------------------------------------------------------------------------


def vote_slides(project, lang="sv"):
    deck = Presentation(io.BytesIO(build_deck(project, lang=lang, talking_points=[])))
    return [s for s in deck.slides if s.shapes.title.text.startswith(
        "Vad ska vi prioritera?" if lang == "sv" else "What should we prioritise?")]


def test_the_deck_has_the_locked_votes_result_most_votes_first(open_round):
    project, round_ = open_round
    assert vote_slides(project) == []  # still open: no result yet
    ballots = [["roles", "early_support"], ["roles", "rules"], ["roles", "early_support"],
               ["goals"]]
    for ballot, picked in enumerate(ballots, start=1):
        votes.cast(round_, ballot, picked)
    votes.lock_vote(round_)
    db.session.commit()
    slide, = vote_slides(project)
    assert slide.shapes.title.text == "Vad ska vi prioritera? – Mätning 1"
    chart = next(shape.chart for shape in slide.shapes if shape.has_chart)
    plot = chart.plots[0]
    counts = Counter(k for picked in ballots for k in picked)
    labels = {i.key: i.short.get("sv") for i in instruments.for_project(project).items}
    # Most votes first; ties in the instrument's order (sorted is stable).
    order = sorted(item_keys(project), key=lambda k: -counts[k])
    assert list(plot.categories) == [
        labels[k] + (" (tillagd av projektet)" if k in ("early_support", "user_influence")
                     else "") for k in order]
    assert list(plot.series[0].values) == [counts[k] for k in order]
    notes = slide.notes_slide.notes_text_frame.text
    assert "4 personer har röstat" in notes
    assert len(vote_slides(project, "en")) == 1


def test_no_vote_no_slide_in_the_deck(seminar):
    project, _ = seminar
    assert vote_slides(project) == []


# --- both databases -----------------------------------------------------------------------------


def test_the_vote_on_sqlite_and_postgresql(tmp_path, backend):
    """The rules on either database: a 62-bit ballot number, the row lock a ballot takes
    against a concurrent lock (FOR SHARE on PostgreSQL), replace, lock and count."""
    app = make_app(tmp_path, backend)
    with app.app_context():
        db.create_all()
        try:
            _vote_on_this_database()
        finally:
            db.session.remove()
            db.engine.dispose()


def _vote_on_this_database() -> None:
    project = create_project("Samverkan", "samverkan")
    project.rounds.append(Round(number=1, label="Mätning 1", state="open",
                                opens_on=dt.date.today()))
    db.session.commit()
    round_ = project.rounds[0]
    votes.open_vote(round_)
    db.session.commit()
    big = 2**62 - 1
    votes.cast(round_, big, ["rules", "user_influence"])
    votes.cast(round_, 5, ["rules"])
    db.session.commit()
    votes.cast(round_, 5, ["goals"])
    votes.lock_vote(round_)
    db.session.commit()
    with pytest.raises(votes.VoteRefused):
        votes.cast(round_, 6, ["rules"])
    db.session.rollback()
    counted = {i.key: i.votes for i in votes.tally(round_).items}
    assert counted["rules"] == 1 and counted["goals"] == 1 and counted["user_influence"] == 1
    assert votes.tally(round_).ballots == 2 and votes.choices_of(round_, big) == [
        "rules", "user_influence"]
