"""The open needs a widget lists: published, with their next shift that has places left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Need
from app.models import NeedStatus
from app.models import Shift
from app.models.base import utcnow
from app.services.search import institution_condition

WIDGET_LIMIT = 30


@dataclass(frozen=True)
class OpenNeed:
    need: Need
    next_start: datetime | None


def open_needs(slug: str = "", limit: int = WIDGET_LIMIT) -> list[OpenNeed]:
    """Published needs with a future shift that still has a free place, soonest first; of one
    institution (host or co-host) when a slug is given. A widget stays short: a member's page
    shows the next few, and the link leads to the rest."""
    next_start = (
        select(Shift.need_id, func.min(Shift.starts_at).label("starts_at"))
        .where(
            Shift.starts_at > utcnow(),
            Shift.is_cancelled.is_(False),
            Shift.accepted_count < Shift.places,
        )
        .group_by(Shift.need_id)
        .subquery()
    )
    query = (
        select(Need, next_start.c.starts_at)
        .join(next_start, next_start.c.need_id == Need.id)
        .where(Need.status == NeedStatus.PUBLISHED)
        .options(selectinload(Need.institution))
        .order_by(next_start.c.starts_at, Need.id)
        .limit(limit)
    )
    if slug:
        query = query.where(institution_condition(slug))
    return [OpenNeed(need, starts) for need, starts in db.session.execute(query)]
