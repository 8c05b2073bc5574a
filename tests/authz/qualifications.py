"""Routes of the qualification pages: the catalogue, a volunteer's qualifications, a training's.

The catalogue is the coalition's, kept by coordinators (and administrators). A volunteer's page
is open to staff who see that volunteer through a placement at their institution: the signed-in
volunteer applied to need_a, so staff of A get through and staff of B get 403. Granting a
training's qualification belongs to staff of the training's institution. POSTs are sent empty:
422 means the person reached validation.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from app.extensions import db
from app.models import HoursEntry
from app.models import HoursSource
from app.models import HoursStatus
from app.models import NeedKind
from app.models import Qualification
from tests.authz.common import CrossOwnerRoutes
from tests.authz.common import Routes
from tests.authz.common import coordinators
from tests.authz.common import staff_b_on_a
from tests.authz.common import staff_of_a
from tests.authz.common import volunteers_only


def qualifications_at_a(factory, world, inst_a, other) -> None:
    """A catalogue entry, and a finished training at A that grants it, where the other volunteer's
    hours were confirmed: the record a grant would write."""
    started = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=3)
    with factory.app.app_context():
        entry = Qualification(name_pl="Pierwsza pomoc", validity_months=24)
        db.session.add(entry)
        db.session.commit()
        world.qualification = entry.id
    training = factory.need(
        inst_a,
        "Kurs pierwszej pomocy w A",
        start=started,
        kind=NeedKind.TRAINING,
        grants_qualification_id=world.qualification,
    )
    world.training_need_a = training.id
    with factory.app.app_context():
        db.session.add(
            HoursEntry(
                volunteer_id=other.id,
                institution_id=inst_a.id,
                need_id=training.id,
                worked_on=started.date(),
                hours=4,
                description="Kurs",
                source=HoursSource.SHIFT,
                status=HoursStatus.CONFIRMED,
            )
        )
        db.session.commit()


ROUTES: Routes = {
    ("qualifications.catalogue", "GET"): (lambda w: "/qualifications/", coordinators(200)),
    ("qualifications.catalogue", "POST"): (lambda w: "/qualifications/", coordinators(422)),
    ("qualifications.edit", "GET"): (
        lambda w: f"/qualifications/{w.qualification}/edit",
        coordinators(200),
    ),
    ("qualifications.edit", "POST"): (
        lambda w: f"/qualifications/{w.qualification}/edit",
        coordinators(422),
    ),
    ("qualifications.delete", "POST"): (
        lambda w: f"/qualifications/{w.qualification}/delete",
        coordinators(422),
    ),
    ("qualifications.mine", "GET"): (lambda w: "/qualifications/mine", volunteers_only(200)),
    ("qualifications.volunteer", "GET"): (
        lambda w: f"/qualifications/volunteers/{w.volunteer}",
        staff_of_a(200),
    ),
    ("qualifications.record", "POST"): (
        lambda w: f"/qualifications/volunteers/{w.volunteer}",
        staff_of_a(422),
    ),
    ("qualifications.grant", "POST"): (
        lambda w: f"/qualifications/needs/{w.training_need_a}/grant",
        staff_of_a(422),
    ),
}


def _record_form(w) -> dict[str, str]:
    return {
        "qualification": str(w.qualification),
        "institution": str(w.institution_a),
        "obtained_on": (datetime.now(UTC).date() - timedelta(days=10)).isoformat(),
    }


CROSS_OWNER: CrossOwnerRoutes = {
    ("qualifications.volunteer", "GET"): staff_b_on_a(
        lambda w: f"/qualifications/volunteers/{w.volunteer}", 200
    ),
    ("qualifications.record", "POST"): staff_b_on_a(
        lambda w: f"/qualifications/volunteers/{w.volunteer}", 303, _record_form
    ),
    ("qualifications.grant", "POST"): staff_b_on_a(
        lambda w: f"/qualifications/needs/{w.training_need_a}/grant",
        303,
        lambda w: {"confirm": str(w.qualification)},
    ),
}
