"""The demo coalition's qualification catalogue, records and consents."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.models import Need
from app.models import NeedKind
from app.models import Qualification
from app.models import QualificationRecord
from app.models import User
from app.seed.demo import load_demo_data
from app.seed.demo_qualifications import FIRST_AID_TRAINING
from app.seed.reference import QUALIFICATIONS


def test_the_demo_holds_the_catalogue_a_few_records_and_a_training_that_grants(app):
    with app.app_context():
        load_demo_data()
        catalogue = {
            q.name_pl: q.validity_months for q in db.session.scalars(select(Qualification))
        }
        assert catalogue == {name: months for name, _en, months in QUALIFICATIONS}
        assert db.session.scalar(select(func.count()).select_from(QualificationRecord)) >= 10
        demo = db.session.scalar(select(User).where(User.email == "wolontariusz@example.org"))
        record = db.session.scalar(
            select(QualificationRecord).where(QualificationRecord.user_id == demo.id)
        )
        assert record.qualification.name_pl == "Szkolenie BHP" and record.expires_on is not None
        training = db.session.scalar(
            select(Need).where(Need.title == FIRST_AID_TRAINING, Need.kind == NeedKind.TRAINING)
        )
        assert training.grants_qualification.name_pl == "Pierwsza pomoc"
