"""The Alembic migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, inspect, text
from sqlalchemy.exc import IntegrityError

from spindel.extensions import db
from spindel.models import Response
from tests.conftest import make_app

TABLES = {"project", "district", "profession", "round", "response", "rating", "rating_tally",
          "user", "project_member", "api_token", "access_code"}


def test_upgrade_from_empty_matches_the_models(tmp_path, backend):
    app = make_app(tmp_path, backend)
    with app.app_context():
        upgrade()
        assert TABLES <= set(inspect(db.engine).get_table_names())
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                             "render_as_batch": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        db.engine.dispose()


def test_downgrade_to_base_and_up_again(tmp_path, backend):
    app = make_app(tmp_path, backend)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert not TABLES & set(inspect(db.engine).get_table_names())
        upgrade()
        assert TABLES <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_busy_timeout(app):
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_cli_db_upgrade_and_demo(tmp_path):
    # Its own password file: the checkout's instance/demo_password belongs to `make run`.
    app = make_app(tmp_path, SPINDEL_DEMO_PASSWORD_FILE=tmp_path / "demo_password")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "/r/" in result.output
    again = runner.invoke(args=["demo"])
    assert "Created" not in again.output and "/r/" in again.output
    with app.app_context():
        db.engine.dispose()


def _answers_before_random_ids(conn, count: int) -> dict[str, tuple]:
    """Answers as the schema of 0004 stored them, ids counting up 1, 2, 3 …; returns what
    each one is (submission key -> round, profession, district, day, its ratings)."""
    table = sa.table
    conn.execute(table("project", *map(sa.column, ("id", "slug", "name", "description",
                                                   "instrument", "min_group_size")))
                 .insert().values(id=1, slug="p", name="P", description="",
                                  instrument="spindeln@1", min_group_size=5))
    conn.execute(table("profession", *map(sa.column, ("id", "project_id", "key", "name_sv",
                                                      "name_en", "position", "active")))
                 .insert(), [{"id": n, "project_id": 1, "key": f"p{n}", "name_sv": f"P{n}",
                              "name_en": "", "position": n, "active": True} for n in (1, 2)])
    conn.execute(table("district", *map(sa.column, ("id", "project_id", "key", "name",
                                                    "position", "active")))
                 .insert(), [{"id": n, "project_id": 1, "key": f"d{n}", "name": f"D{n}",
                              "position": n, "active": True} for n in (1, 2, 3)])
    conn.execute(table("round", *map(sa.column, ("id", "project_id", "number", "label",
                                                  "state", "token")))
                 .insert(), [{"id": n, "project_id": 1, "number": n, "label": f"M{n}",
                              "state": "closed", "token": f"token-{n}"} for n in (1, 2)])
    answers = {}
    for n in range(1, count + 1):
        key = f"key-{n:03d}"
        answers[key] = (n % 2 + 1, n % 2 + 1, (n % 3 + 1) if n % 4 else None,
                        dt.date(2025, 3, n % 28 + 1),
                        {"a": n % 10 + 1, "b": None if n % 5 == 0 else n % 7 + 1, "c": 3})
    response = table("response", *map(sa.column, ("id", "round_id", "profession_id",
                                                  "district_id", "submitted_on",
                                                  "submission_key")))
    rating = table("rating", *map(sa.column, ("response_id", "item_key", "value")))
    for n, (key, (round_id, profession_id, district_id, day, ratings)) in enumerate(
            answers.items(), start=1):
        conn.execute(response.insert().values(id=n, round_id=round_id,
                                              profession_id=profession_id,
                                              district_id=district_id, submitted_on=day,
                                              submission_key=key))
        conn.execute(rating.insert(), [{"response_id": n, "item_key": item, "value": value}
                                       for item, value in ratings.items()])
    return answers


def _stored_answers(conn) -> tuple[dict[str, tuple], dict[str, int]]:
    """(submission key -> round, profession, district, day, ratings), and key -> id."""
    answers, ids = {}, {}
    for id_, round_id, profession_id, district_id, day, key in conn.execute(text(
            "SELECT id, round_id, profession_id, district_id, submitted_on, submission_key "
            "FROM response")):
        on = dt.date.fromisoformat(day) if isinstance(day, str) else day  # SQLite: text
        answers[key], ids[key] = (round_id, profession_id, district_id, on, {}), id_
    by_id = {id_: key for key, id_ in ids.items()}
    for response_id, item, value in conn.execute(text(
            "SELECT response_id, item_key, value FROM rating")):
        answers[by_id[response_id]][4][item] = value
    return answers, ids


def test_random_ids_migration_keeps_every_answer_with_its_ratings(tmp_path, backend):
    """0005 renumbers answers stored with counting ids: each keeps its round, profession,
    district, day and ratings, under a random id; the foreign key still holds; new answers
    need no sequence; and the way back keeps them too."""
    app = make_app(tmp_path, backend)
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as conn:
            before = _answers_before_random_ids(conn, 40)
        upgrade(revision="0005")
        with db.engine.connect() as conn:
            after, ids = _stored_answers(conn)
        assert after == before
        in_arrival_order = [ids[key] for key in sorted(ids)]
        assert not set(in_arrival_order) & set(range(1, 41))
        assert in_arrival_order != sorted(in_arrival_order)
        assert in_arrival_order != sorted(in_arrival_order, reverse=True)
        assert max(in_arrival_order) > 2**40  # drawn from 62 bits, not counted
        assert all(0 < i < 2**63 for i in in_arrival_order)

        with db.engine.connect() as conn:
            with pytest.raises(IntegrityError), conn.begin():  # a rating needs its answer
                conn.execute(text("INSERT INTO rating (response_id, item_key, value) "
                                  "VALUES (123, 'a', 1)"))
        with db.engine.begin() as conn:  # new answers: a random id from the model
            new_id = conn.execute(insert(Response).values(
                round_id=1, profession_id=1, district_id=None, submitted_on=dt.date(2025, 4, 1),
                submission_key="new").returning(Response.id)).scalar_one()
            conn.execute(text("DELETE FROM response WHERE submission_key = 'key-001'"))
            assert conn.execute(text("SELECT COUNT(*) FROM rating WHERE response_id = :i"),
                                {"i": ids["key-001"]}).scalar() == 0  # cascades as before
        assert new_id not in in_arrival_order

        downgrade(revision="0004")
        with db.engine.connect() as conn:
            back, back_ids = _stored_answers(conn)
        del before["key-001"]
        assert {k: v for k, v in back.items() if k != "new"} == before
        assert sorted(back_ids.values()) == list(range(1, 41))
        if backend == "postgres":  # the sequence is back and counts on from there
            with db.engine.begin() as conn:
                assert conn.execute(text(
                    "INSERT INTO response (round_id, profession_id, submitted_on) "
                    "VALUES (1, 1, '2025-04-02') RETURNING id")).scalar_one() == 41
        db.engine.dispose()


def _answers_at_0008(conn, count: int) -> dict[str, tuple]:
    """Answers as the schema of 0008 stores them (random ids, rounds with short codes)."""
    conn.execute(text("INSERT INTO project (id, slug, name, description, instrument, "
                      "min_group_size, setup_version) VALUES (1, 'p', 'P', '', 'spindeln@1', "
                      "5, 1)"))
    conn.execute(text("INSERT INTO profession (id, project_id, key, name_sv, name_en, position, "
                      "active) VALUES (1, 1, 'p1', 'P1', '', 1, true)"))
    conn.execute(text("INSERT INTO round (id, project_id, number, label, state, token, "
                      "short_code) VALUES (1, 1, 1, 'M1', 'closed', 't1', 'ABCDE')"))
    answers = {}
    for n in range(1, count + 1):
        key, id_ = f"key-{n:03d}", 2**40 + 7919 * n
        answers[key] = (1, 1, None, dt.date(2025, 3, n % 28 + 1), {"a": n % 10 + 1,
                                                                    "b": None})
        conn.execute(text("INSERT INTO response (id, round_id, profession_id, submitted_on, "
                          "submission_key) VALUES (:id, 1, 1, :day, :key)"),
                     {"id": id_, "day": answers[key][3], "key": key})
        conn.execute(text("INSERT INTO rating (response_id, item_key, value) VALUES "
                          "(:id, 'a', :a), (:id, 'b', NULL)"), {"id": id_, "a": n % 10 + 1})
    return answers


def test_import_batches_migration_keeps_every_answer_and_rating(tmp_path, backend):
    """0009 adds response.import_batch_id: on SQLite batch mode copies the response table,
    and dropping the old one must not take the ratings with it (ON DELETE CASCADE); answers
    and ratings are all there after the upgrade and after the way back."""
    app = make_app(tmp_path, backend)
    with app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as conn:
            before = _answers_at_0008(conn, 30)
        upgrade(revision="0009")
        with db.engine.connect() as conn:
            after, _ids = _stored_answers(conn)
        assert after == before
        with db.engine.begin() as conn:  # an import's answers point to their batch
            conn.execute(text("INSERT INTO import_batch (id, project_id, created_on, rows, "
                              "file_sha256, filename, undone) VALUES (1, 1, '2025-04-01', 1, "
                              "'ab', 'f.csv', false)"))
            conn.execute(text("UPDATE response SET import_batch_id = 1 "
                              "WHERE submission_key = 'key-002'"))
            with pytest.raises(IntegrityError), conn.begin_nested():  # one live import a file
                conn.execute(text("INSERT INTO import_batch (project_id, created_on, rows, "
                                  "file_sha256, filename, undone) VALUES (1, '2025-04-02', 1, "
                                  "'ab', 'g.csv', false)"))
            conn.execute(text("DELETE FROM import_batch"))  # the answer stays, unlinked
            assert conn.execute(text("SELECT import_batch_id FROM response WHERE "
                                     "submission_key = 'key-002'")).scalar_one() is None
        downgrade(revision="0008")
        with db.engine.connect() as conn:
            back, _ids = _stored_answers(conn)
        assert back == before
        db.engine.dispose()


def test_every_upgrade_from_0005_keeps_every_answer_and_rating(tmp_path, backend):
    """Stored at 0005 (the first schema with random ids), the answers and their ratings are
    all there at head: no migration's table rebuild may cascade into them (batch mode on
    SQLite drops and recreates tables; migrations/env.py switches foreign keys off for it)."""
    app = make_app(tmp_path, backend)
    with app.app_context():
        upgrade(revision="0005")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO project (id, slug, name, description, instrument, "
                              "min_group_size, setup_version) VALUES (1, 'p', 'P', '', "
                              "'spindeln@1', 5, 1)"))
            conn.execute(text("INSERT INTO profession (id, project_id, key, name_sv, name_en, "
                              "position, active) VALUES (1, 1, 'p1', 'P1', '', 1, true)"))
            conn.execute(text("INSERT INTO round (id, project_id, number, label, state, token) "
                              "VALUES (1, 1, 1, 'M1', 'closed', 't1')"))
            for n in range(1, 13):
                conn.execute(text("INSERT INTO response (id, round_id, profession_id, "
                                  "submitted_on) VALUES (:id, 1, 1, '2025-03-01')"),
                             {"id": 2**40 + n})
                conn.execute(text("INSERT INTO rating (response_id, item_key, value) VALUES "
                                  "(:id, 'a', :v), (:id, 'b', NULL)"), {"id": 2**40 + n, "v": n})
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM response")).scalar() == 12
            assert conn.execute(text("SELECT COUNT(*) FROM rating")).scalar() == 24
            assert conn.execute(text("SELECT SUM(value) FROM rating")).scalar() == 78
        db.engine.dispose()
