"""Benchmarks of answering: submit throughput against a bare Flask endpoint under the same
gunicorn configuration, burst latency for 300 respondents, and a profile of the submit path."""

from __future__ import annotations

import http.client
import random
import secrets
import statistics
import threading
import time
from collections import Counter
from urllib.parse import urlencode

import pytest

from tests.conftest import hidden_fields, make_app
from tests.load.conftest import (
    Gunicorn,
    Respondent,
    Visitor,
    database_state,
    percentiles,
    random_answer,
    report,
    run_all,
    timings,
)

pytestmark = pytest.mark.bench

CLIENT_THREADS = 8
SECONDS = 10
SLICES, SLICE_SECONDS = 5, 3


def hammer(url: str, path: str, make_body, headers: dict, seconds: float = SECONDS):
    """Closed loop: CLIENT_THREADS keep-alive connections post as fast as answers come back.
    Returns (requests per second, status counts, latencies)."""
    host, port = url.removeprefix("http://").split(":")
    stop = time.monotonic() + seconds
    statuses: Counter = Counter()
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine, seen = [], Counter()
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn.request("POST", path, make_body(rng), headers)
            reply = conn.getresponse()
            reply.read()
            mine.append(time.perf_counter() - started)
            seen[reply.status] += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(seen)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENT_THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(statuses.values()) / (time.perf_counter() - started), statuses, latencies


def test_submit_throughput_against_a_bare_flask_endpoint(survey, tmp_path):
    # Spindel: one form load for the session cookie and CSRF token, then every post is a new
    # answer (fresh submission key), as from many phones. Both servers run side by side and
    # take turns (SLICES × SLICE_SECONDS each), so a noisy neighbour on this shared machine
    # slows both alike; the ratio is of the medians of the slices.
    with Gunicorn(survey.url, tmp_path).start(warm_path=f"/r/{survey.token}") as spindel, \
            Gunicorn("sqlite://", tmp_path, app="tests.perf.bare_app:app").start(
                warm_path="/submit") as bare:
        visitor = Visitor(spindel.url)
        _, _, page = visitor.get(f"/r/{survey.token}")
        csrf = hidden_fields(page.decode())["csrf_token"]
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Cookie": "; ".join(f"{k}={v}" for k, v in visitor.cookies.items())}

        def answer(rng):
            return urlencode({"csrf_token": csrf, "submission_key": secrets.token_urlsafe(18),
                              **random_answer(survey, rng)}).encode()

        targets = {"spindel": (spindel.url, f"/r/{survey.token}"), "bare": (bare.url, "/submit")}
        for url, path in targets.values():  # warm up
            hammer(url, path, answer, headers, seconds=2)
        stored_before = sum(database_state(survey)["keys"].values())
        rates = {name: [] for name in targets}
        statuses = {name: Counter() for name in targets}
        latencies = {name: [] for name in targets}
        for _ in range(SLICES):
            for name, (url, path) in targets.items():
                rate, seen, times = hammer(url, path, answer, headers, seconds=SLICE_SECONDS)
                rates[name].append(rate)
                statuses[name].update(seen)
                latencies[name].extend(times)
        state = database_state(survey)
    assert set(statuses["spindel"]) == {303}, statuses["spindel"]
    assert set(statuses["bare"]) == {303}, statuses["bare"]
    assert sum(state["keys"].values()) - stored_before == statuses["spindel"][303]
    assert state["recount"] == state["tallies"]

    backend = survey.url.split(":")[0].split("+")[0]
    rate, bare_rate = statistics.median(rates["spindel"]), statistics.median(rates["bare"])
    ratio = rate / bare_rate
    p, bp = percentiles(latencies["spindel"]), percentiles(latencies["bare"])
    print(f"\nSubmit throughput on {backend}, {CLIENT_THREADS} keep-alive clients, "
          f"{SLICES} turns of {SLICE_SECONDS} s each")
    print(f"  Spindel answer POST   {rate:7.0f} answers/s  p50 {p['p50']:6.1f} ms  "
          f"p95 {p['p95']:6.1f} ms  (every one stored, tallies exact)")
    print(f"  bare Flask POST       {bare_rate:7.0f} requests/s p50 {bp['p50']:6.1f} ms  "
          f"p95 {bp['p95']:6.1f} ms")
    print("  turns (answers/s)     Spindel " + " ".join(f"{r:.0f}" for r in rates["spindel"])
          + " | bare " + " ".join(f"{r:.0f}" for r in rates["bare"]))
    print(f"  goal: submit throughput ratio on {backend} {ratio:.2f} "
          f"(goal ≥ 0.6: {'met' if ratio >= 0.6 else 'missed'})")


@pytest.mark.parametrize("spread", [0, 60], ids=["all-at-once", "within-a-minute"])
def test_burst_of_300_respondents(survey, gunicorn, tmp_path, spread):
    server = gunicorn(survey.url, warm_path=f"/r/{survey.token}")
    respondents = [Respondent(survey, server.url, seed) for seed in range(300)]
    wall = run_all(respondents, spread_seconds=spread)
    seen = timings(respondents)
    assert [r.error for r in respondents if r.error] == []
    assert sum(database_state(survey)["keys"].values()) == 300
    assert not [t for t in seen if t[1] >= 500]
    server.stop()

    # The floor in the same run: the same 300 respondents against bare Flask endpoints under
    # the same gunicorn configuration (form page, post, thank-you page; no work at all).
    with Gunicorn("sqlite://", tmp_path, app="tests.perf.bare_app:app").start(
            warm_path=f"/r/{survey.token}") as bare:
        baseline = [Respondent(survey, bare.url, seed) for seed in range(300)]
        bare_wall = run_all(baseline, spread_seconds=spread)
    assert [r.error for r in baseline if r.error] == []

    backend = survey.url.split(":")[0].split("+")[0]
    how = "all at once" if not spread else f"arriving over {spread} s"
    report(f"Burst: 300 respondents {how} on {backend} (form, answer, thank-you page)",
           by_kind(seen), f"{wall:.1f} s wall; 0 of {len(seen)} requests ≥ 500")
    report("  the same against bare Flask endpoints (the floor on this machine)",
           by_kind(timings(baseline)), f"{bare_wall:.1f} s wall")
    p95 = percentiles([s for _, _, s in seen])["p95"]
    floor = percentiles([s for _, _, s in timings(baseline)])["p95"]
    print(f"  goal: burst {how} on {backend}: p95 {p95:.0f} ms over all requests "
          f"(goal < 200 ms: {'met' if p95 < 200 else 'missed'}; "
          f"bare Flask floor in this run {floor:.0f} ms)")


def by_kind(seen: list) -> dict[str, list[float]]:
    kinds = {kind: [s for k, _, s in seen if k == kind] for kind in ("form", "submit",
                                                                      "thanks")}
    kinds["all"] = [s for _, _, s in seen]
    return kinds


def test_profile_of_the_submit_path(tmp_path):
    """Where an answer's time goes, in-process on SQLite (Flask's test client, no server):
    the bare endpoint, the Spindel app with every extension but a view that does nothing, the
    real answer; then a pyinstrument profile of the real answer."""
    from flask import redirect, request
    from pyinstrument import Profiler

    from tests.load.conftest import prepare_database
    from tests.perf.bare_app import app as bare_app

    survey = prepare_database(tmp_path, "sqlite")
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=survey.url, TESTING=False)

    def no_op():  # the bare endpoint's body inside the Spindel app
        if len(request.form) < 3:
            return "missing fields", 422
        return redirect("/thanks", code=303)

    app.add_url_rule("/no-op", "no_op", no_op, methods=["POST"])
    from spindel.extensions import csrf
    csrf.exempt(no_op)

    client = app.test_client()
    page = client.get(f"/r/{survey.token}")
    hidden = hidden_fields(page.get_data(as_text=True))
    rng = random.Random(5)
    bodies = [{**hidden, "submission_key": secrets.token_urlsafe(18),
               **random_answer(survey, rng)} for _ in range(2600)]

    def per_post(post, bodies_) -> float:
        started = time.perf_counter()
        for body in bodies_:
            assert post(body).status_code == 303
        return (time.perf_counter() - started) / len(bodies_) * 1000

    bare = bare_app.test_client()
    answer = lambda body: client.post(f"/r/{survey.token}", data=body)  # noqa: E731
    per_post(answer, bodies[:100])  # warm up
    times = {"bare Flask endpoint": per_post(lambda b: bare.post("/submit", data=b), bodies),
             "Spindel app, view doing nothing": per_post(
                 lambda b: client.post("/no-op", data=b), bodies),
             "Spindel answer (stored)": per_post(answer, bodies[100:1100])}
    print("\nSubmit path in-process (test client, SQLite, no HTTP server), ms per post")
    for name, ms in times.items():
        print(f"  {name:<34} {ms:6.2f} ms")

    profiler = Profiler(interval=0.0005)
    with profiler:
        per_post(answer, bodies[1100:1600])
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    print("\n".join(line for line in text.splitlines()[:60] if line.strip()))
