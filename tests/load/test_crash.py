"""The server dies in the middle of a burst (SIGKILL to gunicorn's master and workers, like a
power cut) and is started again. Every answer that got a success response is stored exactly
once; respondents whose send failed press "Send" again (same form, same submission key) and are
stored once too; the database is intact and its tallies match what was sent."""

from __future__ import annotations

import threading
import time

from tests.load.conftest import (
    Gunicorn,
    Respondent,
    database_state,
    expected_tallies,
    run_all,
    scaled,
)


def test_answers_survive_a_kill_in_the_middle_of_a_burst(survey, gunicorn, tmp_path):
    server = gunicorn(survey.url)
    respondents = [Respondent(survey, server.url, seed) for seed in range(scaled(30, 300))]
    for respondent in respondents:  # forms loaded before the burst, as on the seminar's phones
        respondent.load_form()

    def kill_when_a_third_is_in() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if sum(r.stored for r in respondents) >= len(respondents) // 3:
                break
            time.sleep(0.005)
        server.kill()

    killer = threading.Thread(target=kill_when_a_third_is_in)
    killer.start()
    run_all(respondents)
    killer.join()

    succeeded = [r for r in respondents if r.stored]
    failed = [r for r in respondents if not r.stored]
    assert succeeded, "the kill came before any answer was stored"
    assert failed, "the kill came after the burst: nothing was interrupted"
    state = database_state(survey)
    assert state["integrity"] == "ok"
    assert all(state["keys"][r.submission_key] == 1 for r in succeeded)
    assert state["recount"] == state["tallies"]  # the tallies and ratings never diverge

    # Restart; everyone who saw an error sends the same form again.
    restarted = Gunicorn(survey.url, tmp_path)
    restarted.start()
    try:
        for respondent in failed:
            respondent.visitor.base = restarted.url
            respondent.error = None
            respondent.run()
    finally:
        restarted.stop()
    assert [r.error for r in failed if r.error] == []
    state = database_state(survey)
    assert state["keys"] == {r.submission_key: 1 for r in respondents}
    assert state["tallies"] == expected_tallies(survey, respondents)
    assert state["recount"] == state["tallies"]
    assert state["integrity"] == "ok"
    print(f"\ncrash: killed after {len(succeeded)} of {len(respondents)} answers; "
          f"{len(failed)} sent again after the restart; all stored once")
