"""Agreements that come back: after a round the supporter records what the seminar agreed
(which questions, what, by whom, by when), marks it done, in progress or dropped, and the next
round's presentation and deck open with it and each question's change since — a change of
published means only, called clear only on the evidence rule, computed here independently
from the ratings the test stored."""

from __future__ import annotations

import io
import math
import re
import statistics
from html import unescape

import pytest
from flask import g
from pptx import Presentation

from spindel.extensions import db
from spindel.models import VIEWER, Agreement, AgreementStatus, ProjectMember, RoundState
from spindel.services import agreements
from spindel.services.exports.deck import build_deck
from tests.conftest import AuthActions, post_form

K = 5  # the projects' minimum group size: a change is clear only with 2k ratings a side


def close(round_) -> None:
    round_.state = RoundState.CLOSED
    db.session.commit()


def base(project, number: int) -> str:
    return f"/projects/{project.slug}/rounds/{number}/agreements"


def stored(round_) -> list[Agreement]:
    db.session.expire_all()
    return agreements.for_round(round_)


def text_of(html: str) -> str:
    """A page's visible words, tags gone and whitespace squeezed."""
    words = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    return re.sub(r" ([:.,;])", r"\1", words)


@pytest.fixture
def supporter(client, make_user):
    def factory(project):
        user = make_user(projects=[project])
        AuthActions(client).login(user)
        return user

    return factory


@pytest.fixture
def viewer(client, make_user):
    def factory(project):
        user = make_user()
        user.memberships.append(ProjectMember(project=project, role=VIEWER))
        db.session.commit()
        AuthActions(client).login(user)
        return user

    return factory


# The two rounds every story below rates: ten answers a round (= 2k), so a change can be
# clear. Routines moves from 4 to 6 with everyone alike: clear. Management from a mean of
# 4.0 to 4.5 with a wide spread: not clear. Roles is rated the same both times.
ROUND_1 = {"routines": [4] * 10, "management": [3, 5] * 5, "roles": [7] * 10}
ROUND_2 = {"routines": [6] * 10, "management": [3, 6] * 5, "roles": [7] * 10}


def rate_round(add_answer, round_, plan: dict[str, list[int]], profession="bvc",
               rest: int = 5) -> None:
    from spindel import instrument as instruments

    keys = instruments.for_project(round_.project).item_keys
    for i in range(len(next(iter(plan.values())))):
        ratings = {key: plan[key][i] if key in plan else rest for key in keys}
        add_answer(round_, profession=profession, ratings=ratings)


@pytest.fixture
def two_rounds(make_project, add_answer):
    """Round 1 closed and rated, round 2 rated (open); an agreement after round 1 about
    routines, management and roles."""
    project = make_project(rounds=2, min_group_size=K)
    first, second = project.rounds
    rate_round(add_answer, first, ROUND_1)
    close(first)
    rate_round(add_answer, second, ROUND_2)
    agreements.add(first, ["roles", "routines", "management"],
                   "Gemensamma rutinträffar varje månad", "Styrgruppen Farsta", "våren 2020")
    db.session.commit()
    return project


def welch_evident(a: list[int], b: list[int], k: int) -> bool:
    """The evidence rule, written out again: 2k a side and more than twice Welch's se."""
    if len(a) < 2 * k or len(b) < 2 * k:
        return False
    se = math.sqrt(statistics.stdev(a) ** 2 / len(a) + statistics.stdev(b) ** 2 / len(b))
    return abs(statistics.mean(b) - statistics.mean(a)) > 2 * se


# --- the service ------------------------------------------------------------------------


def test_an_agreement_is_recorded_cleaned_and_in_the_instruments_order(make_project):
    project = make_project()
    round_ = project.rounds[0]
    agreement = agreements.add(round_, ["knowledge", "rules"], "  Träffas\r\noftare  ",
                               " BVC-teamet ", "")
    db.session.commit()
    assert agreement.items == ["rules", "knowledge"]  # the instrument's order
    assert agreement.action == "Träffas\noftare"
    assert agreement.owner == "BVC-teamet" and agreement.due == ""
    assert agreement.status == AgreementStatus.IN_PROGRESS
    second = agreements.add(round_, [], "Bjuda in BMM")
    assert [a.id for a in agreements.for_round(round_)] == [agreement.id, second.id]


@pytest.mark.parametrize(("fields", "field"), [
    ({"items": ["no_such_item"]}, "items"),
    ({"items": ["rules", "rules"]}, "items"),
    ({"action": "   "}, "action"),
    ({"action": "x" * (agreements.MAX_ACTION + 1)}, "action"),
    ({"owner": "y" * (agreements.MAX_OWNER + 1)}, "owner"),
    ({"due": "z" * (agreements.MAX_DUE + 1)}, "due"),
    ({"owner": "Team\u202eevil"}, "owner"),
    ({"action": "NUL\x00here"}, "action"),
])
def test_a_wrong_agreement_is_refused_with_its_field_and_nothing_is_stored(make_project,
                                                                          fields, field):
    project = make_project()
    round_ = project.rounds[0]
    values = {"items": ["rules"], "action": "Träffas", "owner": "", "due": "", **fields}
    with pytest.raises(agreements.AgreementError) as refused:
        agreements.add(round_, **values)
    assert list(refused.value.problems) == [field]
    db.session.rollback()
    assert stored(round_) == []


def test_edit_status_move_and_delete(make_project):
    project = make_project()
    round_ = project.rounds[0]
    one = agreements.add(round_, ["rules"], "Ett")
    two = agreements.add(round_, ["goals"], "Två")
    agreements.edit(one, ["roles"], "Ett, ändrat", "Styrgruppen", "hösten")
    agreements.set_status(one, AgreementStatus.DONE)
    with pytest.raises(agreements.AgreementError):
        agreements.set_status(two, "finished")
    agreements.move(two, "up")
    db.session.commit()
    assert [a.action for a in stored(round_)] == ["Två", "Ett, ändrat"]
    assert stored(round_)[1].status == "done" and stored(round_)[1].items == ["roles"]
    agreements.delete(two)
    db.session.commit()
    assert [(a.action, a.position) for a in stored(round_)] == [("Ett, ändrat", 0)]


def test_the_next_round_gets_each_items_change_from_published_means(two_rounds):
    project = two_rounds
    close(project.rounds[1])
    last = agreements.previous(project, 2, lang="sv")
    assert last.then.number == 1 and last.now.number == 2
    (view,) = last.agreements
    changes = {c.key: c for c in view.items}
    assert list(changes) == ["routines", "management", "roles"]
    for key, change in changes.items():
        before, now = ROUND_1[key], ROUND_2[key]
        assert change.state == agreements.SHOWN
        assert change.before == pytest.approx(statistics.mean(before))
        assert change.now == pytest.approx(statistics.mean(now))
        assert change.n_before == len(before) and change.n_now == len(now)
        assert change.change == pytest.approx(round(statistics.mean(now), 1)
                                              - round(statistics.mean(before), 1))
        assert change.evident is welch_evident(before, now, K)
    # Both cases are really here: one clear change, one that could be chance.
    assert changes["routines"].evident and not changes["management"].evident
    assert changes["routines"].text == "4,0 → 6,0 (+2,0; tydlig förändring; 10 och 10 svar)"
    assert changes["management"].text == ("4,0 → 4,5 (+0,5; ingen tydlig förändring; 10 och "
                                          "10 svar)")
    assert changes["roles"].text.startswith("7,0 → 7,0 (±0,0;")
    en = agreements.previous(project, 2, lang="en").agreements[0].items[0]
    assert en.text == "4.0 → 6.0 (+2.0; a clear change; 10 and 10 answers)"


def test_too_few_ratings_is_never_a_clear_change(make_project, add_answer):
    """Everyone alike moved by 3 — but 5 answers a side is under 2k: not clear."""
    project = make_project(rounds=2, min_group_size=K)
    first, second = project.rounds
    rate_round(add_answer, first, {"routines": [3] * 5})
    rate_round(add_answer, second, {"routines": [6] * 5})
    close(first)
    close(second)
    agreements.add(first, ["routines"], "Rutiner")
    change = agreements.previous(project, 2).agreements[0].items[0]
    assert change.state == agreements.SHOWN and change.change == 3.0
    assert change.evident is welch_evident([3] * 5, [6] * 5, K) is False


def test_an_open_round_shows_its_whole_round_and_a_group_waits(two_rounds):
    """While round 2 is open only its whole round is published: BVC's change waits."""
    project = two_rounds
    whole = agreements.previous(project, 2).agreements[0].items
    assert all(c.state == agreements.SHOWN for c in whole)
    bvc = agreements.previous(project, 2, profession="bvc").agreements[0].items
    assert [c.state for c in bvc] == [agreements.WAITING] * 3
    assert all(c.before is None and c.now is None for c in bvc)
    assert bvc[0].text == "inte publicerad än"


def test_a_hidden_group_stays_hidden(make_project, add_answer):
    """BMM has 2 answers in round 1 (under k): its change is hidden, not computed."""
    project = make_project(rounds=2, min_group_size=K)
    first, second = project.rounds
    rate_round(add_answer, first, {"routines": [4] * 10})
    rate_round(add_answer, first, {"routines": [9] * 2}, profession="bmm")
    rate_round(add_answer, second, {"routines": [5] * 10})
    rate_round(add_answer, second, {"routines": [8] * 10}, profession="bmm")
    close(first)
    close(second)
    agreements.add(first, ["routines"], "Rutiner")
    change = agreements.previous(project, 2, profession="bmm").agreements[0].items[0]
    assert change.state == agreements.HIDDEN and change.before is None
    assert change.text == "dold för att skydda anonymiteten"


def test_the_latest_earlier_round_with_agreements_comes_back(make_project):
    project = make_project(rounds=4)
    first, second, third, _fourth = project.rounds
    agreements.add(first, ["rules"], "Första")
    agreements.add(second, ["rules"], "Andra")
    db.session.commit()
    assert agreements.previous(project, 4).then.number == 2  # round 3 has none
    assert agreements.previous(project, 2).then.number == 1
    assert agreements.previous(project, 1) is None
    assert [v.agreement.action for v in agreements.previous(project, 3).agreements] == ["Andra"]
    assert third  # no agreements of its own: not a "last time"


# --- the pages ----------------------------------------------------------------------------


def test_a_supporter_records_edits_marks_and_deletes_an_agreement(client, make_project,
                                                                  supporter):
    project = make_project()
    round_ = project.rounds[0]
    supporter(project)
    page = client.get(base(project, 1))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Överenskommelser" in html and "Registrera överenskommelsen" in html
    reply = post_form(client, base(project, 1), {
        "items": ["goals", "routines"], "action": "Gemensamma rutinträffar",
        "owner": "Styrgruppen Farsta", "due": "våren 2020"})
    assert reply.status_code == 302
    (agreement,) = stored(round_)
    assert agreement.items == ["routines", "goals"]  # the instrument's order
    words = text_of(client.get(base(project, 1)).get_data(as_text=True))
    assert "Gemensamma rutinträffar" in words and "Styrgruppen Farsta" in words
    assert "Status: Pågår" in words

    edit = f"{base(project, 1)}/{agreement.id}/edit"
    assert "Gemensamma rutinträffar" in client.get(edit).get_data(as_text=True)
    assert post_form(client, edit, {"items": ["roles"], "action": "Nytt",
                                    "owner": "", "due": ""}).status_code == 302
    assert stored(round_)[0].items == ["roles"] and stored(round_)[0].action == "Nytt"

    for status, word in (("done", "Klar"), ("dropped", "Avbruten"),
                         ("in_progress", "Pågår")):
        reply = post_form(client, f"{base(project, 1)}/{agreement.id}/status",
                          {"status": status})
        assert reply.status_code == 302
        assert stored(round_)[0].status == status
        words = text_of(client.get(base(project, 1)).get_data(as_text=True))
        assert f"Status: {word}" in words

    confirm = client.get(f"{base(project, 1)}/{agreement.id}/delete")
    assert confirm.status_code == 200 and "Nytt" in confirm.get_data(as_text=True)
    assert stored(round_), "GET only asks"
    assert post_form(client, f"{base(project, 1)}/{agreement.id}/delete").status_code == 302
    assert stored(round_) == []


def test_a_wrong_form_keeps_what_was_typed_and_stores_nothing(client, make_project,
                                                              supporter):
    project = make_project()
    round_ = project.rounds[0]
    supporter(project)
    reply = post_form(client, base(project, 1), {
        "items": ["routines", "no_such_item"], "action": "Behåll mig",
        "owner": "x" * 201, "due": "snart"})
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert stored(round_) == []
    assert "Välj bara bland alternativen i listan." in html and "Högst 200 tecken." in html
    assert "Behåll mig" in html and 'value="snart"' in html
    assert re.search(r'value="routines"\s+checked', html)  # the valid item stays chosen
    reply = post_form(client, base(project, 1), {"action": "", "owner": "Teamet"})
    assert reply.status_code == 422 and stored(round_) == []
    assert "Säg vad som ska göras." in reply.get_data(as_text=True)


def test_without_a_csrf_token_nothing_changes(client, make_project, supporter):
    project = make_project()
    round_ = project.rounds[0]
    supporter(project)
    agreement = agreements.add(round_, ["rules"], "Finns")
    db.session.commit()
    url = f"{base(project, 1)}/{agreement.id}"
    for path, data in ((base(project, 1), {"action": "Smyger in"}),
                       (f"{url}/edit", {"action": "Ändrad"}), (f"{url}/status",
                                                               {"status": "done"}),
                       (f"{url}/move", {"direction": "up"}), (f"{url}/delete", {})):
        assert client.post(path, data=data).status_code == 400, path
    assert [(a.action, a.status) for a in stored(round_)] == [("Finns", "in_progress")]


def test_a_refused_form_token_shows_the_form_again_with_everything_typed(client,
                                                                         make_project,
                                                                         supporter):
    """A token that no longer fits (a form from an old page, or sent from elsewhere) is a
    400, and the agreement typed during the seminar is on the page again, not lost."""
    project = make_project()
    round_ = project.rounds[0]
    supporter(project)
    typed = {"items": ["goals"], "action": "Gemensamma rutinträffar varje månad",
             "owner": "Styrgruppen Farsta", "due": "våren 2020", "csrf_token": "gammal"}
    reply = client.post(base(project, 1), data=typed)
    assert reply.status_code == 400
    html = reply.get_data(as_text=True)
    assert "Formuläret hade gått ut. Allt du har fyllt i finns kvar – skicka det igen." in html
    assert 'role="alert"' in html
    assert "Gemensamma rutinträffar varje månad</textarea>" in html
    assert 'value="Styrgruppen Farsta"' in html and 'value="våren 2020"' in html
    assert re.search(r'value="goals"\s+checked', html)
    assert stored(round_) == []
    # Sent again from that page (with its fresh token), it is recorded.
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    assert client.post(base(project, 1), data={**typed, "csrf_token": token}).status_code == 302
    [agreement] = stored(round_)
    assert agreement.action == typed["action"]

    reply = client.post(f"{base(project, 1)}/{agreement.id}/edit",
                        data={**typed, "action": "Ändrad text", "csrf_token": ""})
    assert reply.status_code == 400
    html = reply.get_data(as_text=True)
    assert "Allt du har fyllt i finns kvar" in html and "Ändrad text</textarea>" in html
    assert stored(round_)[0].action == typed["action"]


@pytest.mark.parametrize("lost", ["login", "cookie"])
def test_a_supporter_logged_out_while_typing_gets_her_agreement_back(client, make_project,
                                                                      supporter, lost):
    """Her login ended while she typed (hours unused), or the browser dropped its cookie:
    nothing is stored, and the page says why and shows what she wrote, to copy."""
    project = make_project()
    round_ = project.rounds[0]
    supporter(project)
    agreement = agreements.add(round_, ["rules"], "Finns")
    db.session.commit()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get(base(project, 1)).get_data(as_text=True)).group(1)
    if lost == "login":
        with client.session_transaction() as session:
            session["_login_at"] = 0
    else:
        client._cookies.clear()
    g.pop("_login_user", None)  # the tests' one app context would keep the last request's
    typed = {"items": ["goals", "roles"], "action": "Träffas <varje> månad\r\noch följa upp",
             "owner": "Styrgruppen", "due": "hösten", "csrf_token": token}
    for path in (base(project, 1), f"{base(project, 1)}/{agreement.id}/edit"):
        reply = client.post(path, data=typed)
        assert reply.status_code == 400, path
        html = reply.get_data(as_text=True)
        words = text_of(html)
        assert "Du hade loggats ut – överenskommelsen sparades inte" in words
        assert "kopiera det, logga in igen" in words
        assert "Träffas &lt;varje&gt; månad" in html and "<varje>" not in html
        assert 'value="Styrgruppen"' not in html and ">Styrgruppen</textarea>" in html
        assert re.search(r"Frågor som den gäller: [^,]+, [^,]+ Vad som ska göras", words)
        assert f'href="/login?next={path}"' in html
    assert [(a.action, a.items) for a in stored(round_)] == [("Finns", ["rules"])]


def test_hostile_requests_get_a_clear_answer_never_500(client, make_project, supporter):
    mine, other = make_project(rounds=2), make_project()
    supporter(mine)
    theirs = agreements.add(other.rounds[0], ["rules"], "Deras")
    own_round_2 = agreements.add(mine.rounds[1], ["rules"], "Min, mätning 2")
    db.session.commit()
    # Another project's agreement through my project's address: not found.
    for suffix, method in (("edit", "get"), ("edit", "post"), ("delete", "get"),
                           ("delete", "post"), ("status", "post"), ("move", "post")):
        url = f"{base(mine, 1)}/{theirs.id}/{suffix}"
        if method == "get":
            assert client.get(url).status_code == 404, url
        else:
            assert post_form(client, url, {"status": "done", "direction": "up",
                                           "action": "x"}).status_code == 404, url
    # My own agreement, but under the wrong round: not found either.
    assert client.get(f"{base(mine, 1)}/{own_round_2.id}/edit").status_code == 404
    assert client.get(base(mine, 99)).status_code == 404
    assert client.get(base(other, 1)).status_code == 404
    assert post_form(client, f"{base(mine, 2)}/{own_round_2.id}/status",
                     {"status": "finished"}).status_code == 400
    assert post_form(client, f"{base(mine, 2)}/{own_round_2.id}/move",
                     {"direction": "sideways"}).status_code == 400
    assert client.get(f"{base(mine, 2)}/not-a-number/edit").status_code == 404
    assert stored(other.rounds[0])[0].action == "Deras"
    assert stored(mine.rounds[1])[0].status == "in_progress"


def test_a_viewer_reads_the_list_and_changes_nothing(client, make_project, viewer):
    project = make_project()
    round_ = project.rounds[0]
    agreement = agreements.add(round_, ["rules"], "Styrgruppen läser", "Styrgruppen")
    db.session.commit()
    viewer(project)
    html = client.get(base(project, 1)).get_data(as_text=True)
    assert "Styrgruppen läser" in html
    assert f'action="{base(project, 1)}"' not in html
    assert "Registrera en överenskommelse" not in html and "Markera som klar" not in html
    url = f"{base(project, 1)}/{agreement.id}"
    assert post_form(client, base(project, 1), {"action": "Viewer"}).status_code == 404
    for suffix in ("edit", "delete"):
        assert client.get(f"{url}/{suffix}").status_code == 404
        assert post_form(client, f"{url}/{suffix}", {"action": "x"}).status_code == 404
    assert post_form(client, f"{url}/status", {"status": "done"}).status_code == 404
    assert [(a.action, a.status) for a in stored(round_)] == [("Styrgruppen läser",
                                                               "in_progress")]


def test_the_setup_page_links_each_rounds_agreements(client, make_project, supporter):
    project = make_project(rounds=2)
    agreements.add(project.rounds[0], ["rules"], "Något")
    db.session.commit()
    supporter(project)
    html = client.get(f"/projects/{project.slug}/present").get_data(as_text=True)
    assert f'href="{base(project, 1)}"' in html and f'href="{base(project, 2)}"' in html
    assert "1 överenskommelse" in text_of(html)


# --- the slides and the deck ----------------------------------------------------------------


def slides_query(project, **extra) -> str:
    rounds = "&".join(f"rounds={r.number}" for r in project.rounds)
    more = "".join(f"&{k}={v}" for k, v in extra.items())
    return f"?{rounds}{more}"


def slide_json(client, project, key, **extra):
    return client.get(f"/projects/{project.slug}/present/slides/{key}.json"
                      + slides_query(project, **extra))


def test_the_next_rounds_presentation_opens_with_last_times_agreements(client, two_rounds,
                                                                       supporter):
    project = two_rounds
    close(project.rounds[1])
    supporter(project)
    html = client.get(f"/projects/{project.slug}/present/slides"
                      + slides_query(project)).get_data(as_text=True)
    keys = re.findall(r'<section class="slide[^"]*" id="slide-([^"]+)"', html)
    assert keys[:2] == ["title", "agreed-last"]
    assert "agreed" not in keys  # round 2 has none of its own yet
    assert "Förra gången kom vi överens om…" in html
    reply = slide_json(client, project, "agreed-last")
    assert reply.status_code == 200
    words = text_of(reply.get_json()["html"])
    assert "Gemensamma rutinträffar varje månad" in words
    assert "Status: Pågår · Vem: Styrgruppen Farsta · När: våren 2020" in words
    assert "Rutiner: ↑ 4,0 → 6,0 (+2,0; tydlig förändring; 10 och 10 svar)" in words
    assert ("Ledningens stöd: ↑ 4,0 → 4,5 (+0,5; ingen tydlig förändring; 10 och 10 svar)"
            in words)
    assert "Ansvarsfördelning: 7,0 → 7,0 (±0,0;" in words
    assert "Mätning 1" in words and "Mätning 2" in words


def test_while_the_room_answers_a_group_slide_says_not_published_yet(client, two_rounds,
                                                                     supporter):
    project = two_rounds  # round 2 open
    supporter(project)
    words = text_of(slide_json(client, project, "agreed-last", group="profession:bvc")
                    .get_json()["html"])
    assert "Rutiner: inte publicerad än" in words
    assert "4,0" not in words  # not even the earlier round's figure alone


def test_the_rounds_own_agreements_have_a_slide_of_their_own(client, two_rounds, supporter):
    project = two_rounds
    second = project.rounds[1]
    agreements.add(second, ["knowledge"], "Hospitera hos varandra", "Alla team", "hösten")
    done = agreements.add(second, [], "Ny rutin för remisser")
    agreements.set_status(done, AgreementStatus.DONE)
    db.session.commit()
    supporter(project)
    html = client.get(f"/projects/{project.slug}/present/slides"
                      + slides_query(project)).get_data(as_text=True)
    keys = re.findall(r'<section class="slide[^"]*" id="slide-([^"]+)"', html)
    assert keys[-1] == "agreed" and keys[1] == "agreed-last"
    assert "Det här kom vi överens om – Mätning 2" in html
    words = text_of(slide_json(client, project, "agreed").get_json()["html"])
    assert "Hospitera hos varandra" in words and "Frågor: Kunskap om varandra" in words
    assert "Status: Klar" in words and "Ny rutin för remisser" in words
    en = text_of(slide_json(client, project, "agreed", lang="en").get_json()["html"])
    assert "Status: Done" in en


def test_a_viewer_sees_the_agreement_slides(client, two_rounds, viewer):
    project = two_rounds
    viewer(project)
    html = client.get(f"/projects/{project.slug}/present/slides"
                      + slides_query(project)).get_data(as_text=True)
    keys = re.findall(r'<section class="slide[^"]*" id="slide-([^"]+)"', html)
    assert keys[:2] == ["title", "agreed-last"]
    reply = slide_json(client, project, "agreed-last")
    assert reply.status_code == 200
    words = text_of(reply.get_json()["html"])
    assert "Gemensamma rutinträffar varje månad" in words
    assert "Status: Pågår · Vem: Styrgruppen Farsta · När: våren 2020" in words


def deck_texts(data: bytes) -> list[tuple[str, str]]:
    """Each slide's title and the rest of its text."""
    out = []
    for slide in Presentation(io.BytesIO(data)).slides:
        title = slide.shapes.title.text if slide.shapes.title is not None else ""
        body = " ".join(shape.text_frame.text for shape in slide.shapes
                        if shape.has_text_frame and shape != slide.shapes.title)
        out.append((title, re.sub(r"\s+", " ", body)))
    return out


def test_the_deck_has_last_times_agreements_and_the_rounds_own(two_rounds):
    project = two_rounds
    close(project.rounds[1])
    agreements.add(project.rounds[1], ["goals"], "Skriva gemensamma mål", "Ledningsgruppen")
    db.session.commit()
    slides = deck_texts(build_deck(project, lang="sv", talking_points=[]))
    titles = [title for title, _body in slides]
    assert titles[1] == "Förra gången kom vi överens om…"
    last = slides[1][1]
    assert "Gemensamma rutinträffar varje månad" in last and "Styrgruppen Farsta" in last
    assert "Rutiner: 4,0 → 6,0 (+2,0; tydlig förändring; 10 och 10 svar)" in last
    assert "Ledningens stöd: 4,0 → 4,5 (+0,5; ingen tydlig förändring" in last
    own = [body for title, body in slides if title == "Det här kom vi överens om – Mätning 2"]
    assert len(own) == 1 and "Skriva gemensamma mål" in own[0]
    assert "Gemensamma mål" in own[0] and "Ledningsgruppen" in own[0]
    # Without agreements the deck has neither slide.
    for agreement in agreements.for_round(project.rounds[0]) + \
            agreements.for_round(project.rounds[1]):
        agreements.delete(agreement)
    db.session.commit()
    titles = [t for t, _b in deck_texts(build_deck(project, lang="sv", talking_points=[]))]
    assert "Förra gången kom vi överens om…" not in titles
    assert not any(t.startswith("Det här kom vi överens om") for t in titles)


def test_the_deck_in_english_with_a_group_that_is_hidden(make_project, add_answer):
    project = make_project(rounds=2, min_group_size=K)
    first, second = project.rounds
    rate_round(add_answer, first, {"routines": [4] * 10})
    rate_round(add_answer, first, {"routines": [9] * 2}, profession="bmm")
    rate_round(add_answer, second, {"routines": [5] * 10})
    rate_round(add_answer, second, {"routines": [8] * 10}, profession="bmm")
    close(first)
    close(second)
    agreements.add(first, ["routines"], "Routines together")
    db.session.commit()
    slides = deck_texts(build_deck(project, lang="en", profession="bmm", talking_points=[]))
    assert slides[1][0] == "Last time we agreed…"
    assert "Routines: hidden to protect anonymity" in slides[1][1]
    assert "9.0" not in slides[1][1]



def test_a_viewer_of_one_district_reads_the_list_too(client, make_project, make_user):
    """The list holds no figures: a steering group limited to its district may read it."""
    project = make_project()
    agreements.add(project.rounds[0], ["rules"], "Gäller alla områden")
    user = make_user()
    user.memberships.append(ProjectMember(project=project, role=VIEWER,
                                          district=project.districts[0]))
    db.session.commit()
    AuthActions(client).login(user)
    reply = client.get(base(project, 1))
    assert reply.status_code == 200 and "Gäller alla områden" in reply.get_data(as_text=True)
    assert post_form(client, base(project, 1), {"action": "Nej"}).status_code == 404


def test_the_form_starts_from_the_votes_top_three(client, make_project, supporter):
    """Routines 3 votes, goals and roles 2, knowledge 1, rules 0: the three first, ties in
    the instrument's order."""
    from spindel.services import votes

    project = make_project()
    round_ = project.rounds[0]
    votes.open_vote(round_)
    for ballot, items in enumerate([["routines", "roles", "knowledge"], ["routines", "goals"],
                                    ["routines", "roles", "goals"]], start=1):
        votes.cast(round_, ballot, items)
    db.session.commit()
    supporter(project)
    html = client.get(base(project, 1)).get_data(as_text=True)
    checked = re.findall(r'value="([a-z_]+)"\s+checked', html)
    assert checked == ["routines", "goals", "roles"]
    assert "De frågor som rummet prioriterade mest är redan valda" in html
    assert agreements.prioritised(project.rounds[0], 1) == ["routines"]


def test_without_a_vote_nothing_is_chosen(client, make_project, supporter):
    project = make_project()
    supporter(project)
    html = client.get(base(project, 1)).get_data(as_text=True)
    assert re.findall(r'value="([a-z_]+)"\s+checked', html) == []
    assert "prioriterade mest" not in html
