"""The coalition's member institutions as every list shows them: active ones, from A to Ż."""

from __future__ import annotations

from sqlalchemy import select

from app.core.text import polish
from app.extensions import db
from app.models import Institution


def active_institutions() -> list[Institution]:
    """Members of the coalition today, by the Polish alphabet; those who left are not listed."""
    return list(
        db.session.scalars(
            select(Institution)
            .where(Institution.is_active.is_(True))
            .order_by(polish(Institution.name))
        )
    )


def active_institution(slug: str) -> Institution | None:
    """A member by its slug; one that left the coalition has no page and no feed."""
    return db.session.scalar(
        select(Institution).where(Institution.slug == slug, Institution.is_active.is_(True))
    )
