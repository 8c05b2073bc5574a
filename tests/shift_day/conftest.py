"""A museum with a shift running now, one over, one later today; volunteers on them; staff of
the museum and of a theatre; a coordinator."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.models import AssignmentStatus
from app.models import Role
from tests.factories import PASSWORD

S = AssignmentStatus


def signed_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def day(app, factory):
    museum = factory.institution("Muzeum A", contact_email="muzeum@example.org")
    theatre = factory.institution("Teatr B")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    running = factory.need(
        museum,
        "Noc muzeów",
        start=now - timedelta(hours=1),
        places=5,
        contact_name="Ewa Kustosz",
        contact_email="ewa.kustosz@example.org",
    )
    over = factory.need(museum, "Wernisaż", start=now - timedelta(days=2), places=6)
    later = factory.need(museum, "Dyżur wieczorny", start=now + timedelta(hours=3))
    anna = factory.user(first_name="Anna", last_name="Nowak")
    piotr = factory.user(first_name="Piotr", last_name="Zięba")
    olga = factory.user(first_name="Olga", last_name="Lis")
    marek = factory.user(first_name="Marek", last_name="Wójcik")
    return SimpleNamespace(
        museum=museum,
        theatre=theatre,
        staff=factory.user(Role.STAFF, institution=museum, first_name="Ewa", last_name="Kustosz"),
        staff_b=factory.user(Role.STAFF, institution=theatre),
        coordinator=factory.user(Role.COORDINATOR),
        anna=anna,
        piotr=piotr,
        olga=olga,
        marek=marek,
        running=running,
        shift=running.shifts[0],
        over=over,
        later=later,
        anna_now=factory.application(anna, running, status=S.ACCEPTED),
        piotr_now=factory.application(piotr, running, status=S.ACCEPTED),
        olga_offered=factory.application(olga, running, status=S.OFFERED),
        marek_applied=factory.application(marek, running),
        anna_later=factory.application(anna, later, status=S.ACCEPTED),
    )
