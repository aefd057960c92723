"""Benchmarks (`make bench`): everything a benchmark prints is also collected into
BENCHMARKS.md, under a header with the date and the machine."""

from __future__ import annotations

import datetime as dt
import io
import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SECTIONS: list[tuple[str, str]] = []


class _Tee(io.TextIOBase):
    def __init__(self, stream):
        self.stream, self.buffer_ = stream, io.StringIO()

    def write(self, text):
        self.buffer_.write(text)
        return self.stream.write(text)

    def flush(self):
        self.stream.flush()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    tee = _Tee(sys.stdout)
    sys.stdout = tee
    try:
        yield
    finally:
        sys.stdout = tee.stream
        SECTIONS.append((item.nodeid, tee.buffer_.getvalue().strip("\n")))


def machine() -> list[str]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    postgres = "not measured"
    url = os.environ.get("SPINDEL_TEST_POSTGRES_URL")
    if url:
        try:
            from sqlalchemy import create_engine, text

            engine = create_engine(url)
            with engine.connect() as conn:
                postgres = conn.execute(text("SHOW server_version")).scalar_one()
            engine.dispose()
        except Exception as exc:  # a benchmark header must not fail the run
            postgres = f"unreachable ({type(exc).__name__})"
    try:
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    return [f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {commit or '?'}",
            f"- Machine: {os.cpu_count()} cores, {cpu}; {platform.system()} "
            f"{platform.release()}; load average before the run {load}",
            f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"PostgreSQL {postgres}",
            "- Server: gunicorn with the repository's gunicorn.conf.py (gthread, 3 workers × 4 "
            "threads); the load generator runs on the same machine"]


_HEADER: list[str] = []


def pytest_sessionstart(session):
    _HEADER[:] = machine()  # before the run: the load average is the machine's, not ours


def pytest_sessionfinish(session, exitstatus):
    sections = [(nodeid, text) for nodeid, text in SECTIONS if text]
    if not sections or os.environ.get("SPINDEL_BENCH_NO_WRITE") == "1":
        return
    goals = [line.strip().removeprefix("goal: ") for _, text in sections
             for line in text.splitlines() if line.strip().startswith("goal: ")]
    lines = ["# Benchmarks", "", "Written by `make bench` (tests/perf); every figure is from one "
             "run on the machine below. Ratios compare with a baseline measured in the same run.",
             "The machine is shared, so absolute times vary from run to run; the ratios less.",
             "", *(_HEADER or machine()), "", "## Goals", "", *(f"- {g}" for g in goals), ""]
    for nodeid, text in sections:
        lines += [f"## {nodeid}", "", "```", text, "```", ""]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines), encoding="utf-8")


# The load tests' fixtures: a migrated survey database and real gunicorn.
from tests.load.conftest import gunicorn, survey  # noqa: E402, F401
