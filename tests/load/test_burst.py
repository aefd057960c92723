"""A seminar: everyone scans the QR code at once. Against real gunicorn with the production
configuration (3 workers × 4 threads), on SQLite and PostgreSQL: every answer is stored once,
no response is 500 or above, and the tallies match what was sent."""

from __future__ import annotations

from tests.load.conftest import (
    Respondent,
    database_state,
    expected_tallies,
    report,
    run_all,
    scaled,
    timings,
)


def test_a_burst_of_respondents_is_stored_completely(survey, gunicorn):
    server = gunicorn(survey.url, warm_path=f"/r/{survey.token}")
    respondents = [Respondent(survey, server.url, seed) for seed in range(scaled(30, 300))]
    wall = run_all(respondents)

    seen = timings(respondents)
    assert [t for t in seen if t[1] >= 500] == []
    assert [r.error for r in respondents if r.error] == []
    state = database_state(survey)
    assert sum(state["keys"].values()) == len(respondents)
    assert set(state["keys"]) == {r.submission_key for r in respondents}
    assert state["ratings"] == len(respondents) * len(survey.items)
    assert state["tallies"] == expected_tallies(survey, respondents)
    assert state["recount"] == state["tallies"]
    assert state["integrity"] == "ok"
    by_kind = {kind: [s for k, _, s in seen if k == kind] for kind in ("form", "submit",
                                                                        "thanks")}
    by_kind["all"] = [s for _, _, s in seen]
    backend = survey.url.split(":", 1)[0]
    report(f"burst: {len(respondents)} respondents at once on {backend}", by_kind,
           f"{wall:.1f} s wall, {len(seen) / wall:.0f} requests/s")


def test_impatient_double_clicks_during_a_burst_store_each_answer_once(survey, gunicorn):
    """Each respondent sends the same form three times at once (a double click on a slow
    phone, racing itself across workers): one response and one tally count per respondent."""
    import threading

    server = gunicorn(survey.url, warm_path=f"/r/{survey.token}")
    respondents = [Respondent(survey, server.url, seed) for seed in range(scaled(10, 60))]
    for respondent in respondents:
        respondent.load_form()
    statuses = []

    def click(respondent):
        status, _, _ = respondent.visitor.post_form(
            f"/r/{survey.token}", {**respondent.hidden, **respondent.answer})
        statuses.append(status)

    threads = [threading.Thread(target=click, args=(r,)) for r in respondents for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses.count(303) == len(threads)
    state = database_state(survey)
    assert state["keys"] == {r.submission_key: 1 for r in respondents}
    assert state["tallies"] == expected_tallies(survey, respondents)
    assert state["recount"] == state["tallies"]
