"""Real gunicorn (the repository's gunicorn.conf.py) on a migrated database, and simulated
respondents that talk HTTP to it like a phone would: load the form, keep the cookie, post the
answer with its CSRF token and submission key, follow the redirect.

`make test` runs short versions; SPINDEL_LOAD_FULL=1 (`make test-load`) the full ones."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import create_engine, text

from spindel.dates import local_today
from spindel.extensions import db
from spindel.models import Round, RoundState
from spindel.services.projects import create_project
from tests.conftest import POSTGRES_URL, ROOT, hidden_fields, make_app

FULL = os.environ.get("SPINDEL_LOAD_FULL") == "1"


def scaled(short: int, full: int) -> int:
    return full if FULL else short


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/load/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.load)


# --- the database, migrated like production --------------------------------------------------


@dataclass
class Survey:
    """A migrated database with one project: an open round, a closed round, and what a
    respondent may choose."""

    url: str
    token: str
    closed_token: str
    items: list[str]
    professions: list[str]
    districts: list[str]
    cannot_judge: str = "x"


def prepare_database(tmp_path: Path, backend: str) -> Survey:
    from flask_migrate import upgrade

    from spindel import instrument as instruments

    app = make_app(tmp_path, backend)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        upgrade()  # the migrations, as `spindel db upgrade` runs them before start
        project = create_project("Lasttest", "lasttest",
                                 districts=[("north", "Norr"), ("south", "Söder"),
                                            ("east", "Öster")])
        today = local_today()
        project.rounds.append(Round(number=1, label="Mätning 1", state=RoundState.CLOSED,
                                    opens_on=today - dt.timedelta(days=60),
                                    closes_on=today - dt.timedelta(days=30)))
        project.rounds.append(Round(number=2, label="Mätning 2", state=RoundState.OPEN,
                                    opens_on=today - dt.timedelta(days=1)))
        db.session.commit()
        instrument = instruments.for_project(project)
        survey = Survey(url=url, token=project.rounds[1].token,
                        closed_token=project.rounds[0].token, items=list(instrument.item_keys),
                        professions=[p.key for p in project.professions],
                        districts=[d.key for d in project.districts])
        db.session.remove()
        db.engine.dispose()
    return survey


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def survey(request, tmp_path) -> Survey:
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need SPINDEL_TEST_POSTGRES_URL (set by .ci/run)")
    return prepare_database(tmp_path, request.param)


# --- gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`gunicorn wsgi:app` with the repository's gunicorn.conf.py, in its own process group
    so that a SIGKILL takes the master and every worker down at once, like a power cut."""

    def __init__(self, database_url: str, log_dir: Path, app: str = "wsgi:app", **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.access_log = log_dir / f"access-{self.port}.log"
        self.error_log = log_dir / f"error-{self.port}.log"
        self.app = app
        self.env = {**os.environ, "SPINDEL_DATABASE_URL": database_url,
                    "SPINDEL_SECRET_KEY": "load-test-secret", "SPINDEL_BIND":
                    f"127.0.0.1:{self.port}", "SPINDEL_ACCESS_LOG": str(self.access_log),
                    # Everything else as configured; a test need not wait 20 s for idle
                    # keep-alive connections when it stops the server.
                    "GUNICORN_CMD_ARGS": "--graceful-timeout 2",
                    **{k: str(v) for k, v in env.items()}}
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30, warm_path: str = "/") -> Gunicorn:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        with open(self.error_log, "ab") as errors:
            self.process = subprocess.Popen(
                [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), self.app], cwd=ROOT,
                env=self.env, stdout=errors, stderr=errors, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.error_log.read_text()[-2000:]}")
            try:
                status, _, _ = request(self.url, "GET", "/healthz", timeout=2)
                if status == 200 or self.app != "wsgi:app":  # a baseline app has no health
                    self.warm_up(warm_path)
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not start: {self.error_log.read_text()[-2000:]}")

    def warm_up(self, path: str) -> None:
        """A few requests per worker so that imports and template compiling are not timed."""
        threads = [threading.Thread(target=request, args=(self.url, "GET", path))
                   for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    def kill(self) -> None:
        """SIGKILL master and workers: no graceful shutdown, no flushing."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> Gunicorn:
        # `with Gunicorn(...).start(...)` is already running: starting twice would orphan one.
        return self if self.process is not None and self.process.poll() is None \
            else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@pytest.fixture
def gunicorn(tmp_path):
    """Factory: gunicorn on a database URL (started); stopped after the test."""
    servers: list[Gunicorn] = []

    def factory(database_url: str, warm_path: str = "/", **env) -> Gunicorn:
        server = Gunicorn(database_url, tmp_path, **env).start(warm_path=warm_path)
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.stop()


# --- HTTP like a phone -----------------------------------------------------------------------


def request(base: str, method: str, path: str, body: bytes | None = None,
            headers: dict | None = None, timeout: float = 60):
    """One HTTP request on a fresh connection; returns (status, headers, body)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        chunked = body is not None and not isinstance(body, bytes)
        conn.request(method, path, body=body, headers=headers or {}, encode_chunked=chunked)
        reply = conn.getresponse()
        return reply.status, reply.getheaders(), reply.read()
    finally:
        conn.close()


@dataclass
class Visitor:
    """A browser's worth of state: cookies, and the timing of every request it made."""

    base: str
    cookies: dict = field(default_factory=dict)
    timings: list = field(default_factory=list)  # (kind, status, seconds)

    def send(self, kind: str, method: str, path: str, body: bytes | None = None,
             content_type: str | None = None, extra: dict | None = None):
        headers = {"Accept-Language": "sv"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        headers.update(extra or {})
        started = time.perf_counter()
        status, reply_headers, data = request(self.base, method, path, body, headers)
        self.timings.append((kind, status, time.perf_counter() - started))
        for name, value in reply_headers:
            if name.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val
        return status, dict((k.lower(), v) for k, v in reply_headers), data

    def get(self, path: str, kind: str = "get"):
        return self.send(kind, "GET", path)

    def post_form(self, path: str, data: dict, kind: str = "post"):
        return self.send(kind, "POST", path, urlencode(data).encode(),
                         "application/x-www-form-urlencoded")


def random_answer(survey: Survey, rng: random.Random) -> dict[str, str]:
    values = [str(v) for v in range(1, 11)] + [survey.cannot_judge]
    data = {"profession": rng.choice(survey.professions),
            "district": rng.choice(survey.districts)}
    data.update({f"item_{key}": rng.choice(values) for key in survey.items})
    return data


@dataclass
class Respondent:
    """One person: loads the form, answers, follows the redirect to the thank-you page."""

    survey: Survey
    base: str
    seed: int
    answer: dict = field(default_factory=dict)
    hidden: dict = field(default_factory=dict)
    visitor: Visitor | None = None
    stored: bool = False  # got the 303 and the thank-you page
    error: str | None = None

    def __post_init__(self):
        self.answer = random_answer(self.survey, random.Random(self.seed))
        self.visitor = Visitor(self.base)

    @property
    def submission_key(self) -> str:
        return self.hidden.get("submission_key", "")

    def load_form(self) -> None:
        status, _, body = self.visitor.get(f"/r/{self.survey.token}", "form")
        assert status == 200, status
        self.hidden = hidden_fields(body.decode())

    def send_answer(self) -> None:
        status, headers, _ = self.visitor.post_form(f"/r/{self.survey.token}",
                                                    {**self.hidden, **self.answer}, "submit")
        if status != 303:
            self.error = f"POST {status}"
            return
        location = urlsplit(headers["location"]).path
        status, _, body = self.visitor.get(location, "thanks")
        self.stored = status == 200 and b"Tack" in body
        if not self.stored:
            self.error = f"thanks {status}"

    def run(self) -> None:
        try:
            if not self.hidden:
                self.load_form()
            self.send_answer()
        except (OSError, http.client.HTTPException, AssertionError) as exc:
            self.error = f"{type(exc).__name__}: {exc}"


def run_all(respondents: list[Respondent], start_together: bool = True,
            spread_seconds: float = 0.0, seed: int = 1) -> float:
    """Run every respondent in its own thread; all at once (a barrier), or with arrivals
    spread at random over spread_seconds. Returns the wall time."""
    barrier = threading.Barrier(len(respondents)) if start_together else None
    rng = random.Random(seed)
    delays = [rng.uniform(0, spread_seconds) for _ in respondents]

    def one(respondent: Respondent, delay: float) -> None:
        if barrier is not None:
            barrier.wait()
        if delay:
            time.sleep(delay)
        respondent.run()

    threads = [threading.Thread(target=one, args=(r, d)) for r, d in zip(respondents, delays,
                                                                          strict=True)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    return time.perf_counter() - started


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds (nearest rank)."""
    ordered = sorted(seconds)
    if not ordered:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0}

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, int(round(p * len(ordered))) - 1))] * 1000

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99)}


def timings(respondents: list[Respondent]) -> list[tuple[str, int, float]]:
    return [t for r in respondents for t in r.visitor.timings]


# --- what the database must hold -------------------------------------------------------------


def expected_tallies(survey: Survey, respondents: list[Respondent]) -> Counter:
    """(profession, district, item, value) -> count, computed from what was sent."""
    counts: Counter = Counter()
    for r in respondents:
        for key in survey.items:
            raw = r.answer[f"item_{key}"]
            value = 0 if raw == survey.cannot_judge else int(raw)
            counts[(r.answer["profession"], r.answer["district"], key, value)] += 1
    return counts


def database_state(survey: Survey) -> dict:
    """What the open round holds, read with plain SQL: responses by submission key, the
    tallies, the tallies recounted from the ratings, and the integrity check."""
    engine = create_engine(survey.url)
    try:
        with engine.connect() as conn:
            round_id = conn.execute(text("SELECT id FROM round WHERE token = :t"),
                                    {"t": survey.token}).scalar_one()
            keys = Counter(conn.execute(text(
                "SELECT submission_key FROM response WHERE round_id = :r"),
                {"r": round_id}).scalars())
            group = ("SELECT p.key, d.key, {item}, {value}, {count} FROM {source} "
                     "JOIN profession p ON p.id = {prof} JOIN district d ON d.id = {dist} "
                     "WHERE {rid} = :r {tail}")
            tallies = Counter({tuple(row[:4]): row[4] for row in conn.execute(text(group.format(
                item="t.item_key", value="t.value", count="t.count", source="rating_tally t",
                prof="t.profession_id", dist="t.district_id", rid="t.round_id", tail="")),
                {"r": round_id}) if row[4]})
            recount = Counter({tuple(row[:4]): row[4] for row in conn.execute(text(group.format(
                item="ra.item_key", value="COALESCE(ra.value, 0)", count="COUNT(*)",
                source="response re JOIN rating ra ON ra.response_id = re.id",
                prof="re.profession_id", dist="re.district_id", rid="re.round_id",
                tail="GROUP BY p.key, d.key, ra.item_key, COALESCE(ra.value, 0)")),
                {"r": round_id})})
            ratings = conn.execute(text(
                "SELECT COUNT(*) FROM rating ra JOIN response re ON re.id = ra.response_id "
                "WHERE re.round_id = :r"), {"r": round_id}).scalar_one()
            integrity = "ok"
            if engine.dialect.name == "sqlite":
                integrity = conn.execute(text("PRAGMA integrity_check")).scalar_one()
            closed = conn.execute(text(
                "SELECT COUNT(*) FROM response re JOIN round ro ON ro.id = re.round_id "
                "WHERE ro.token = :t"), {"t": survey.closed_token}).scalar_one()
    finally:
        engine.dispose()
    return {"keys": keys, "tallies": tallies, "recount": recount, "ratings": ratings,
            "integrity": integrity, "closed_round_responses": closed}


def report(title: str, rows: dict[str, list[float]], extra: str = "") -> str:
    lines = [f"\n{title}{' – ' + extra if extra else ''}"]
    for kind, seconds in rows.items():
        p = percentiles(seconds)
        lines.append(f"  {kind:<8} n={len(seconds):<4} p50={p['p50']:7.1f} ms  "
                     f"p95={p['p95']:7.1f} ms  p99={p['p99']:7.1f} ms")
    text_ = "\n".join(lines)
    print(text_)
    return text_
