"""Factories that put test data in the database and hand back detached, fully loaded objects."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from app.demo import load_reference_data
from app.extensions import db
from app.models import (
    Institution,
    InstitutionKind,
    InstitutionRequest,
    Need,
    NeedStatus,
    Role,
    Shift,
    StaffMembership,
    StaffRequest,
    User,
    VolunteerProfile,
)
from app.models.base import utcnow
from app.services.passwords import hash_password

PASSWORD = "Wolontariat-2026!"  # noqa: S105 - test password
_counter = itertools.count(1)
_HASH_CACHE: dict[str, str] = {}


def _hash(password: str) -> str:
    # Argon2 is slow on purpose; tests reuse one hash per password.
    if password not in _HASH_CACHE:
        _HASH_CACHE[password] = hash_password(password)
    return _HASH_CACHE[password]


class Factory:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def _save(self, obj):
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
        return obj

    def reference_data(self) -> None:
        with self.app.app_context():
            load_reference_data()

    def institution(self, name: str | None = None, **kw) -> Institution:
        n = next(_counter)
        with self.app.app_context():
            return self._save(
                Institution(
                    name=name or f"Instytucja testowa {n}",
                    short_name=kw.pop("short_name", f"IT{n}"),
                    slug=kw.pop("slug", f"instytucja-{n}"),
                    kind=kw.pop("kind", InstitutionKind.MUSEUM),
                    contact_email=kw.pop("contact_email", f"kontakt{n}@example.org"),
                    **kw,
                )
            )

    def user(
        self,
        role: Role = Role.VOLUNTEER,
        email: str | None = None,
        password: str = PASSWORD,
        confirmed: bool = True,
        institution: Institution | None = None,
        **kw,
    ) -> User:
        n = next(_counter)
        with self.app.app_context():
            user = User(
                email=email or f"osoba{n}@example.org",
                password_hash=_hash(password),
                role=role,
                first_name=kw.pop("first_name", "Ola"),
                last_name=kw.pop("last_name", f"Testowa{n}"),
                email_confirmed_at=utcnow() if confirmed else None,
                **kw,
            )
            if role == Role.VOLUNTEER:
                user.profile = VolunteerProfile(city="Opole")
            db.session.add(user)
            db.session.flush()
            if institution is not None:
                db.session.add(StaffMembership(user_id=user.id, institution_id=institution.id))
            db.session.commit()
            user = db.session.scalar(select(User).where(User.id == user.id))
            _ = [m.institution for m in user.memberships]
            db.session.expunge_all()
            return user

    def staff_request(
        self, user: User, institution: Institution, position: str = "Edukatorka"
    ) -> StaffRequest:
        with self.app.app_context():
            return self._save(
                StaffRequest(user_id=user.id, institution_id=institution.id, position=position)
            )

    def institution_request(self, user: User, name: str | None = None) -> InstitutionRequest:
        n = next(_counter)
        with self.app.app_context():
            return self._save(
                InstitutionRequest(
                    requested_by_id=user.id,
                    name=name or f"Nowa Fundacja {n}",
                    short_name=f"NF{n}",
                    kind=InstitutionKind.NGO,
                    contact_email=f"fundacja{n}@example.org",
                    description="Działamy na rzecz kultury w Opolu.",
                    position="Prezeska",
                )
            )

    def need(self, institution: Institution, title: str = "Dyżur na wystawie", **kw) -> Need:
        with self.app.app_context():
            need = Need(
                institution_id=institution.id,
                title=title,
                status=kw.pop("status", NeedStatus.PUBLISHED),
                **kw,
            )
            start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
            need.shifts.append(Shift(starts_at=start, ends_at=start + timedelta(hours=4), places=2))
            return self._save(need)
