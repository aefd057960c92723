"""The demo collaboration, made up but shaped like the Stockholm project "Stärkt tidigt stöd i
samverkan" (2017–2021) that the sources describe: its seven districts, the four services whose
staff rated the conditions for their collaboration (BVC, BMM, open preschool, social services'
parent advisors), six rounds each spring and autumn from autumn 2018, 40–60 answers a round.

Every answer is invented (the project's description says so). The patterns are ones a process
supporter would recognise: management support and the two added questions start low and move
slowly; open preschool rates the organisation lower than the others; the pandemic spring of
2020 is a dip, and autumn 2020 has not quite recovered. One small group shows the anonymity
rules at work: in round 2 only two staff answered from Skarpnäck, so that district is hidden
in the round's breakdown. The sixth round is still open, so `spindel demo` prints a respondent
link and the presentation runs live.

Deterministic (seeded), so every `make run` shows the same charts.
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
from ..extensions import db
from ..instrument import Scale
from ..models import Project, Round, RoundState
from .accounts import create_user, set_password, user_by_email
from .projects import create_project
from .responses import Answer, store_answer
from .round_setup import RoundSetup

DEMO_SLUG = "demo"
DEMO_NAME = "Demo: Stärkt tidigt stöd i samverkan"
DEMO_DESCRIPTION = (
    "Påhittade demonstrationsdata. Projektet är uppbyggt som Stockholms stads projekt Stärkt "
    "tidigt stöd i samverkan (2017–2021), med dess sju stadsdelar, fyra verksamheter och sex "
    "mätningar, men inget svar kommer från en verklig person och siffrorna säger ingenting om "
    "projektets resultat."
)
DISTRICTS = [
    ("enskede_arsta_vantor", "Enskede-Årsta-Vantör"), ("farsta", "Farsta"),
    ("hasselby_vallingby", "Hässelby-Vällingby"), ("rinkeby_kista", "Rinkeby-Kista"),
    ("skarpnack", "Skarpnäck"), ("skarholmen", "Skärholmen"), ("spanga_tensta", "Spånga-Tensta"),
]
PROFESSIONS = ["bvc", "bmm", "open_preschool", "social_services"]
# (number, label, first day); a closed round took answers for three weeks.
ROUNDS = [
    (1, "Mätning 1 – hösten 2018", dt.date(2018, 10, 8)),
    (2, "Mätning 2 – våren 2019", dt.date(2019, 4, 1)),
    (3, "Mätning 3 – hösten 2019", dt.date(2019, 10, 7)),
    (4, "Mätning 4 – våren 2020", dt.date(2020, 4, 20)),
    (5, "Mätning 5 – hösten 2020", dt.date(2020, 10, 5)),
    (6, "Mätning 6 – våren 2021", dt.date(2021, 4, 12)),
]
OPEN_ROUND = 6  # still open: the round a seminar answers and watches live
ANSWER_DAYS = 21
ANSWERS = (40, 60)  # per round, both ends included
# The small group: in this round only these staff answered from this district.
SMALL_GROUP = {"round": 2, "district": "skarpnack", "profession": "bvc", "answers": 2}
MIN_PER_DISTRICT = 6  # every other district is large enough to be shown
MIN_PER_PROFESSION = 8
PROFESSION_WEIGHTS = {"bvc": 3, "bmm": 2, "open_preschool": 3, "social_services": 2}

# Where each condition starts (round 1) and how much it moves per round. Management support
# and the two added questions start low and hardly move.
START = {"rules": 5.4, "routines": 4.7, "goals": 5.0, "management": 3.4, "roles": 4.9,
         "knowledge": 4.6, "shared_view": 5.2, "early_support": 3.6, "user_influence": 3.1}
GAIN = {"rules": 0.2, "routines": 0.5, "goals": 0.35, "management": 0.12, "roles": 0.4,
        "knowledge": 0.55, "shared_view": 0.3, "early_support": 0.12, "user_influence": 0.1}
# 2020: meetings stopped or went digital in the spring; autumn had not quite recovered.
DIP = {4: 1.1, 5: 0.5}
PROFESSION_BIAS = {"bvc": 0.5, "bmm": -0.3, "open_preschool": 0.3, "social_services": -0.2}
ORGANISATION_ITEMS = ("goals", "management", "roles")
OPEN_PRESCHOOL_ON_ORGANISATION = -2.0
CANNOT_JUDGE_SHARE = {"bmm": 0.08, "open_preschool": 0.04}  # else 2 %


def _respondents(rng: random.Random, number: int) -> list[tuple[str, str]]:
    """Who answered in one round: (profession, district) pairs, every district and service
    present, 40–60 in all."""
    small = SMALL_GROUP if SMALL_GROUP["round"] == number else None
    fixed = [(small["profession"], small["district"])] * small["answers"] if small else []
    districts = [key for key, _name in DISTRICTS if not small or key != small["district"]]
    least = len(districts) * MIN_PER_DISTRICT + len(fixed)
    total = rng.randint(max(ANSWERS[0], least), ANSWERS[1]) - len(fixed)
    district_list = [d for d in districts for _ in range(MIN_PER_DISTRICT)]
    district_list += rng.choices(districts, k=total - len(district_list))
    profession_list = [p for p in PROFESSIONS for _ in range(MIN_PER_PROFESSION)]
    profession_list += rng.choices(PROFESSIONS, [PROFESSION_WEIGHTS[p] for p in PROFESSIONS],
                                   k=total - len(profession_list))
    rng.shuffle(district_list)
    rng.shuffle(profession_list)
    return list(zip(profession_list, district_list, strict=True)) + fixed


def _ratings(rng: random.Random, items: list[str], scale: Scale, number: int, profession: str,
             district_bias: float) -> dict[str, int | None]:
    person = rng.gauss(0, 0.5)  # some people rate everything a little higher or lower
    ratings: dict[str, int | None] = {}
    for item in items:
        if rng.random() < CANNOT_JUDGE_SHARE.get(profession, 0.02):
            ratings[item] = None
            continue
        mean = (START[item] + GAIN[item] * (number - 1) - DIP.get(number, 0)
                + PROFESSION_BIAS[profession] + district_bias + person)
        if profession == "open_preschool" and item in ORGANISATION_ITEMS:
            mean += OPEN_PRESCHOOL_ON_ORGANISATION
        ratings[item] = min(scale.max, max(scale.min, round(rng.gauss(mean, 1.3))))
    return ratings


def create_demo(seed: int = 2017) -> Project:
    """Create the demo project: five closed rounds of made-up answers and an open sixth that
    already holds some. The caller commits."""
    rng = random.Random(seed)
    ident = instruments.default_ident()
    professions = [p for p in instruments.registry()[ident].professions
                   if p.key in PROFESSIONS]
    project = create_project(
        DEMO_NAME, DEMO_SLUG, instrument=ident, description=DEMO_DESCRIPTION,
        districts=DISTRICTS,
        professions=[(p.key, p.label.sv, p.label.en) for p in professions],
    )
    instrument = instruments.for_project(project)
    district_bias = {key: rng.uniform(-0.6, 0.6) for key, _name in DISTRICTS}
    for number, label, opened in ROUNDS:
        if number == OPEN_ROUND:
            round_ = Round(number=number, label=label, opens_on=opened, state=RoundState.OPEN)
        else:
            round_ = Round(number=number, label=label, opens_on=opened,
                           closes_on=opened + dt.timedelta(days=ANSWER_DAYS - 1),
                           state=RoundState.CLOSED)
        project.rounds.append(round_)
        db.session.flush()
        setup = RoundSetup.of(round_)
        for profession, district in _respondents(rng, number):
            ratings = _ratings(rng, instrument.item_keys, instrument.scale, number, profession,
                               district_bias[district])
            day = opened + dt.timedelta(days=rng.randrange(ANSWER_DAYS))
            store_answer(setup, instrument, Answer(profession, district, ratings), today=day,
                         check_open=False)
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
