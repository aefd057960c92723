"""The app factory, its configuration from the environment, and the demo data."""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from spindel import create_app
from spindel.config import from_environment
from spindel.extensions import db
from spindel.models import Rating, Response, Round, RoundStatus
from spindel.services.demo import create_demo

ROOT = Path(__file__).resolve().parent.parent


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SPINDEL_SECRET_KEY", raising=False)
    first = from_environment(tmp_path)["SECRET_KEY"]
    second = from_environment(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first
    other = from_environment(tmp_path / "elsewhere")["SECRET_KEY"]
    assert other != first


def test_environment_overrides_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("SPINDEL_SECRET_KEY", "from-env")
    monkeypatch.setenv("SPINDEL_DATABASE_URL", "postgresql+psycopg://x@h/db")
    config = from_environment(tmp_path)
    assert config["SECRET_KEY"] == "from-env"
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://x@h/db"
    monkeypatch.delenv("SPINDEL_DATABASE_URL")
    assert from_environment(tmp_path)["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert str(tmp_path) in from_environment(tmp_path)["SQLALCHEMY_DATABASE_URI"]


def test_wsgi_exposes_app_and_the_console_script_exists():
    code = "import wsgi; print(type(wsgi.app).__name__)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=False,
                         text=True, env={"SPINDEL_DATABASE_URL": "sqlite://",
                                         "SPINDEL_SECRET_KEY": "x", "PATH": ""})
    assert out.stdout.strip() == "Flask", out.stderr
    script = Path(sys.executable).parent / "spindel"
    env = {"SPINDEL_DATABASE_URL": "sqlite://", "SPINDEL_SECRET_KEY": "x"}
    help_text = subprocess.run([str(script), "--help"], capture_output=True, text=True,
                               check=False, env=env)
    assert "db" in help_text.stdout and "demo" in help_text.stdout


def test_demo_has_six_rounds_with_realistic_answers(app):
    project = create_demo()
    db.session.commit()
    assert len(project.districts) == 7 and len(project.professions) == 4
    rounds = db.session.scalars(select(Round).order_by(Round.number)).all()
    assert [r.number for r in rounds] == [1, 2, 3, 4, 5, 6]
    assert [r.status() for r in rounds] == [RoundStatus.CLOSED] * 5 + [RoundStatus.OPEN]
    counts = []
    means = []
    for round_ in rounds[:5]:
        n = db.session.scalar(select(func.count()).select_from(Response)
                              .where(Response.round_id == round_.id))
        counts.append(n)
        values = db.session.scalars(
            select(Rating.value).join(Response).where(Response.round_id == round_.id,
                                                      Rating.value.is_not(None))).all()
        means.append(statistics.mean(values))
    assert all(40 <= n <= 60 for n in counts), counts
    assert means[-1] > means[0] + 0.5, means  # improves over time
    cannot_judge = db.session.scalar(select(func.count()).select_from(Rating)
                                     .where(Rating.value.is_(None)))
    assert cannot_judge > 0
    # Professions differ.
    by_profession = db.session.execute(
        select(Response.profession_id, func.avg(Rating.value)).join(Rating)
        .group_by(Response.profession_id)).all()
    averages = sorted(float(a) for _, a in by_profession)
    assert averages[-1] - averages[0] > 0.5


def test_demo_is_deterministic(tmp_path):
    def snapshot(sub):
        app = create_app({"TESTING": True, "SECRET_KEY": "x",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / sub}.sqlite"})
        with app.app_context():
            db.create_all()
            create_demo()
            db.session.commit()
            # Answers compared whole, in a fixed order: their ids are random.
            answers = {}
            for response_id, *group, item_key, value in db.session.execute(
                    select(Response.id, Response.round_id, Response.profession_id,
                           Response.district_id, Response.submitted_on, Rating.item_key,
                           Rating.value).join(Rating).order_by(Rating.item_key)):
                answers.setdefault(response_id, [tuple(group)]).append((item_key, value))
            db.engine.dispose()
            return sorted(answers.values(), key=repr)

    assert snapshot("a") == snapshot("b")


def test_the_start_page_leads_supporters_to_the_login(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/login"' in html and "Processtödjare eller administratör?" in html


def test_the_start_page_leads_a_logged_in_supporter_to_the_workspace(client, login_as):
    login_as()
    html = client.get("/?lang=en").get_data(as_text=True)
    assert 'href="/workspace"' in html and "Go to your workspace" in html
    assert 'href="/login"' not in html


def test_the_readme_does_not_claim_the_same_people_answer_every_round():
    """Staff come and go (the Stockholm report stresses it): each round is its own group."""
    readme = re.sub(r"\s+", " ", (ROOT / "README.md").read_text(encoding="utf-8"))
    assert "each round is its own group of people" in readme
    assert not re.search(r"same (people|staff|respondents)", readme, re.IGNORECASE)
