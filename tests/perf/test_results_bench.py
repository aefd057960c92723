"""Benchmark: the results JSON (GET /api/v1/projects/<slug>/results) at 10k, 100k and 1M
responses, on SQLite and PostgreSQL, against two baselines measured in the same run on the
same database: a trivial request (/healthz: Flask, a session, SELECT 1) and a bare
`SELECT count(*) FROM response`.

Run with `make bench`. Responses and their tallies are bulk-inserted directly (ratings are
not: results read only the tallies and the response counts). Issue 3's targets: under
50 / 80 / 150 ms, growing sub-linearly. Prints a table; asserts only that it answers.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import statistics
import time

import pytest
from sqlalchemy import func, select, text

from spindel import instrument as instruments
from spindel.extensions import db
from spindel.models import Response, new_response_id
from spindel.services.accounts import create_api_token, create_user
from spindel.services.demo import DISTRICTS, PROFESSIONS
from spindel.services.projects import create_project
from tests.conftest import make_app

pytestmark = pytest.mark.bench

SIZES = (10_000, 100_000, 1_000_000)
TARGETS_MS = (50, 80, 150)
ROUNDS = 6
REPEAT = 7
# Published cells only (disclosure.md §1): rounds side by side, one round's groups, one
# group across rounds.
QUERIES = {"by round": "?by=round", "by role, one round": "?by=role&round=3",
           "by area, one round": "?by=area&round=3", "one role by round": "?by=round&role=bvc",
           "none": "?by=none&round=3"}
FIGURES: list[tuple] = []


def timed(call, repeat: int = REPEAT) -> float:
    """Median wall time in ms of `repeat` calls after one warm-up call."""
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def add_responses(project, count: int, rng: random.Random) -> None:
    """Add `count` responses spread over the project's cells, and tallies that agree."""
    instrument = instruments.for_project(project)
    rounds = [r.id for r in project.rounds]
    professions = [p.id for p in project.professions]
    districts = [d.id for d in project.districts]
    cells = [(r, p, d) for r in rounds for p in professions for d in districts]
    per_cell = {cell: 0 for cell in cells}
    for _ in range(count):
        per_cell[rng.choice(cells)] += 1
    values = [0, *instrument.scale.values]
    tallies = []
    for (r, p, d), n in per_cell.items():
        for item in instrument.item_keys:
            split = rng.choices(values, k=n) if n < 200 else None
            counts = dict.fromkeys(values, 0)
            if split is None:  # large cells: spread proportionally, remainder to the middle
                weights = [rng.random() for _ in values]
                total = sum(weights)
                for v, w in zip(values, weights, strict=True):
                    counts[v] = int(n * w / total)
                counts[values[len(values) // 2]] += n - sum(counts.values())
            else:
                for v in split:
                    counts[v] += 1
            tallies += [(r, p, d, item, v, c) for v, c in counts.items() if c]
    connection = db.session.connection()
    raw = connection.connection.driver_connection
    day = dt.date(2020, 1, 1)
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor:
            with cursor.copy("COPY response (id, round_id, profession_id, district_id, "
                             "submitted_on) FROM STDIN") as copy:
                buffer = io.StringIO()
                for (r, p, d), n in per_cell.items():
                    for _ in range(n):
                        buffer.write(f"{new_response_id()}\t{r}\t{p}\t{d}\t{day}\n")
                copy.write(buffer.getvalue())
            # Add to existing tallies (later sizes grow the same project).
            cursor.execute("CREATE TEMP TABLE new_tally (LIKE rating_tally) ON COMMIT DROP")
            with cursor.copy("COPY new_tally (round_id, profession_id, district_id, item_key, "
                             "value, count) FROM STDIN") as copy:
                for row in tallies:
                    copy.write_row(row)
            cursor.execute(
                "INSERT INTO rating_tally SELECT * FROM new_tally ON CONFLICT (round_id, "
                "profession_id, district_id, item_key, value) DO UPDATE SET count = "
                "rating_tally.count + excluded.count")
    else:
        raw.executemany(
            "INSERT INTO response (id, round_id, profession_id, district_id, submitted_on) "
            "VALUES (?, ?, ?, ?, ?)",
            ((new_response_id(), r, p, d, day.isoformat()) for (r, p, d), n in per_cell.items()
             for _ in range(n)))
        raw.executemany(
            "INSERT INTO rating_tally (round_id, profession_id, district_id, item_key, value, "
            "count) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (round_id, profession_id, "
            "district_id, item_key, value) DO UPDATE SET count = count + excluded.count",
            tallies)
    db.session.commit()
    # What autovacuum / a routine ANALYZE would have done by the time anyone reads results.
    if connection.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE response"))
            conn.execute(text("VACUUM ANALYZE rating_tally"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


@pytest.mark.parametrize("backend_name", ["sqlite", "postgres"])
def test_results_json_latency(tmp_path, backend_name):
    app = make_app(tmp_path, backend_name)
    rng = random.Random(3)
    with app.app_context():
        db.create_all()
        project = create_project("Bench", "bench", districts=DISTRICTS, professions=[
            (p, p, p) for p in PROFESSIONS])
        from spindel.models import Round, RoundState

        for number in range(1, ROUNDS + 1):
            # Closed: their professions and districts are published.
            project.rounds.append(Round(number=number, label=f"Mätning {number}",
                                        state=RoundState.CLOSED))
        user = create_user("bench@example.se", "bench password 1", is_admin=True)
        token = create_api_token(user)
        db.session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}

        def get(path: str):
            response = client.get(path, headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]

        stored = 0
        for size in SIZES:
            add_responses(project, size - stored, rng)
            stored = size
            assert db.session.scalar(select(func.count()).select_from(Response)) == size
            healthz = timed(lambda: client.get("/healthz"))
            count = timed(lambda: db.session.execute(
                select(func.count()).select_from(Response)).scalar())
            for name, query in QUERIES.items():
                ms = timed(lambda q=query: get(f"/api/v1/projects/bench/results{q}"))
                FIGURES.append((backend_name, size, name, ms, ms / healthz, ms / count))
        db.session.remove()
        db.engine.dispose()
    print_figures(backend_name)


def print_figures(backend_name: str) -> None:
    print(f"\nResults JSON latency on {backend_name} (median of {REPEAT}; targets 50/80/150 ms)")
    print(f"{'responses':>10} {'query':<20} {'ms':>8} {'÷ /healthz':>11} {'÷ count(*)':>11}")
    slowest = {}
    for backend, size, name, ms, per_health, per_count in FIGURES:
        if backend == backend_name:
            print(f"{size:>10,} {name:<20} {ms:>8.1f} {per_health:>11.2f} {per_count:>11.2f}")
            slowest[size] = max(slowest.get(size, 0.0), ms)
    met = all(slowest[size] < target for size, target in zip(SIZES, TARGETS_MS, strict=True))
    print(f"  goal: results JSON on {backend_name}, slowest query at "
          + " / ".join(f"{size:,}" for size in SIZES) + " answers: "
          + " / ".join(f"{slowest[size]:.0f}" for size in SIZES) + " ms (targets "
          + " / ".join(str(t) for t in TARGETS_MS) + f" ms: {'met' if met else 'missed'})")
