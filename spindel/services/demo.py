"""The demo collaboration: seven districts, four professions, six rounds of made-up answers.

Deterministic (seeded), so every `make run` shows the same charts. The answers differ by
profession and district and improve unevenly from round to round, like a real project.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
from pathlib import Path

from werkzeug.security import check_password_hash

from .. import instrument as instruments
from ..config import make_private_dir
from ..dates import local_today
from ..extensions import db
from ..models import Project, Round, RoundState
from .accounts import create_user, set_password, user_by_email
from .projects import create_project
from .responses import Answer, store_answer
from .round_setup import RoundSetup

DEMO_SLUG = "demo"
DISTRICTS = [
    ("rinkeby_kista", "Rinkeby-Kista"), ("spanga_tensta", "Spånga-Tensta"),
    ("hasselby_vallingby", "Hässelby-Vällingby"), ("bromma", "Bromma"),
    ("skarholmen", "Skärholmen"), ("farsta", "Farsta"),
    ("enskede_arsta_vantor", "Enskede-Årsta-Vantör"),
]
PROFESSIONS = ["bvc", "bmm", "open_preschool", "social_services"]
ROUNDS = [
    (1, "Mätning 1 – hösten 2017", dt.date(2017, 10, 2)),
    (2, "Mätning 2 – våren 2018", dt.date(2018, 4, 9)),
    (3, "Mätning 3 – hösten 2018", dt.date(2018, 10, 8)),
    (4, "Mätning 4 – våren 2019", dt.date(2019, 4, 1)),
    (5, "Mätning 5 – hösten 2019", dt.date(2019, 10, 7)),
    (6, "Mätning 6 – våren 2020", None),  # open now
]
# Where the collaboration starts and how fast each condition improves per round.
START = {"rules": 4.6, "routines": 3.6, "goals": 4.4, "management": 5.2, "roles": 3.9,
         "knowledge": 3.4, "shared_view": 4.8, "early_support": 4.5, "user_influence": 4.0}
GAIN = {"rules": 0.15, "routines": 0.55, "goals": 0.35, "management": 0.05, "roles": 0.45,
        "knowledge": 0.6, "shared_view": 0.3, "early_support": 0.35, "user_influence": 0.1}
PROFESSION_BIAS = {"bvc": 0.6, "bmm": -0.7, "open_preschool": 0.9, "social_services": -0.3}
CANNOT_JUDGE = {"bmm": 0.12, "open_preschool": 0.05}


def create_demo(seed: int = 2017, today: dt.date | None = None) -> Project:
    """Create the demo project with five closed rounds of answers and an open sixth."""
    rng = random.Random(seed)
    today = today or local_today()
    professions = [p for p in instruments.registry()[instruments.default_ident()].professions
                   if p.key in PROFESSIONS]
    project = create_project(
        "Demo", DEMO_SLUG,
        description="Stärkt tidigt stöd i samverkan – demonstrationsdata",
        districts=DISTRICTS,
        professions=[(p.key, p.label.sv, p.label.en) for p in professions],
    )
    instrument = instruments.for_project(project)
    district_bias = {key: rng.uniform(-0.8, 0.8) for key, _ in DISTRICTS}
    for number, label, opened in ROUNDS:
        if opened is None:
            round_ = Round(number=number, label=label, opens_on=today - dt.timedelta(days=3),
                           state=RoundState.OPEN)
        else:
            round_ = Round(number=number, label=label, opens_on=opened,
                           closes_on=opened + dt.timedelta(days=21), state=RoundState.CLOSED)
        project.rounds.append(round_)

        db.session.flush()
        if opened is None:
            continue
        setup = RoundSetup.of(round_)
        for _ in range(rng.randint(40, 60)):
            profession = rng.choice(PROFESSIONS)
            district = rng.choice(DISTRICTS)[0]
            ratings = {}
            for item in instrument.item_keys:
                if rng.random() < CANNOT_JUDGE.get(profession, 0.03):
                    ratings[item] = None
                    continue
                mean = (START[item] + GAIN[item] * (number - 1)
                        + PROFESSION_BIAS[profession] + district_bias[district])
                value = round(rng.gauss(mean, 1.6))
                ratings[item] = min(instrument.scale.max, max(instrument.scale.min, value))
            store_answer(setup, instrument, Answer(profession, district, ratings),
                         today=opened + dt.timedelta(days=rng.randint(0, 20)), check_open=False)
    return project


DEMO_EMAIL = "demo@spindel.local"


def ensure_demo_admin(path: Path) -> tuple[str, str]:
    """The demo admin's login (email, password), created once with a random password that is
    kept in `path` (instance/demo_password, readable only by its owner). The caller commits."""
    path = Path(path)
    user = user_by_email(DEMO_EMAIL)
    if path.exists() and user is not None:
        password = path.read_text().strip()
        # The file is what gets printed, so it wins: a file written by another database
        # (a test run, a second checkout) must not leave a printed login that fails.
        if not check_password_hash(user.password_hash, password):
            set_password(user, password)
            user.active = True
        return DEMO_EMAIL, password
    password = secrets.token_urlsafe(12)
    make_private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(password + "\n")
    if user is None:
        user = create_user(DEMO_EMAIL, password, is_admin=True)
    else:  # the file was lost: a new password, so the printed login works
        set_password(user, password)
        user.active = True
    return DEMO_EMAIL, password
