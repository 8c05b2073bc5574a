"""A small coalition for the qualification stories: a museum that trains, a theatre that needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest

from app.core.time import WARSAW
from app.extensions import db
from app.models import AvailabilityWindow
from app.models import Consent
from app.models import ConsentKind
from app.models import Institution
from app.models import Need
from app.models import Qualification
from app.models import Role
from app.models import User
from app.models import VolunteerProfile


@dataclass
class Coalition:
    museum: Institution
    theatre: Institution
    museum_staff: User
    theatre_staff: User
    coordinator: User
    ala: User  # trained in first aid at the museum
    bartek: User  # without it
    first_aid: int
    show: Need  # the theatre's need that requires first aid, next Saturday 10-14
    show_day: date


def next_saturday() -> date:
    today = datetime.now(WARSAW).date()
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


def shares(app, person: User, granted: bool = True) -> None:
    with app.app_context():
        db.session.add(Consent(user_id=person.id, kind=ConsentKind.QUALIFICATIONS, granted=granted))
        db.session.commit()


@pytest.fixture
def coalition(app, factory) -> Coalition:
    museum = factory.institution("Muzeum Śląska Opolskiego (test)")
    theatre = factory.institution("Teatr im. Kochanowskiego (test)")
    with app.app_context():
        first_aid = Qualification(name_pl="Pierwsza pomoc", name_en="First aid", validity_months=24)
        db.session.add(first_aid)
        db.session.commit()
        first_aid_id = first_aid.id
    day = next_saturday()
    start = datetime.combine(day, time(10), tzinfo=WARSAW).astimezone(UTC)
    show = factory.need(
        theatre,
        "Dyżur na widowni z pierwszą pomocą",
        start=start,
        places=2,
        required_qualification_id=first_aid_id,
    )
    people = [factory.user(first_name=name) for name in ("Ala", "Bartek")]
    with app.app_context():
        for person in people:
            profile = db.session.get(VolunteerProfile, person.id)
            profile.date_of_birth = date(1995, 5, 5)
            profile.availability.append(
                AvailabilityWindow(weekday=5, start_time=time(9), end_time=time(18))
            )
            db.session.add(
                Consent(user_id=person.id, kind=ConsentKind.DATA_PROCESSING, granted=True)
            )
        db.session.commit()
    return Coalition(
        museum=museum,
        theatre=theatre,
        museum_staff=factory.user(Role.STAFF, institution=museum),
        theatre_staff=factory.user(Role.STAFF, institution=theatre),
        coordinator=factory.user(Role.COORDINATOR),
        ala=people[0],
        bartek=people[1],
        first_aid=first_aid_id,
        show=show,
        show_day=day,
    )
