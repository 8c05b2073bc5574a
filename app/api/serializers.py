"""Needs and institutions as the public JSON API shows them: public facts only, never people.

Contact persons and everything about volunteers (applications, names, e-mails) stay out, so that
the feed can be embedded anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.core.time import WARSAW
from app.models import Institution
from app.models import Need
from app.models import Shift
from app.services.search import upcoming_shifts


def moment(value: datetime) -> str:
    """ISO 8601 in Warsaw time with its offset, e.g. 2026-03-29T10:00:00+02:00."""
    return value.astimezone(WARSAW).isoformat()


def institution_ref(institution: Institution) -> dict:
    return {
        "id": institution.id,
        "name": institution.name,
        "short_name": institution.short_name,
        "slug": institution.slug,
    }


def institution_json(institution: Institution) -> dict:
    return {
        "id": institution.id,
        "slug": institution.slug,
        "name": institution.name,
        "short_name": institution.short_name,
        "kind": institution.kind.value,
        "is_founder": institution.is_founder,
        "website": institution.website,
        "description": institution.description,
    }


def shift_json(shift: Shift) -> dict:
    return {
        "id": shift.id,
        "starts_at": moment(shift.starts_at),
        "ends_at": moment(shift.ends_at),
        "places": shift.places,
        "places_left": shift.places_left,
    }


def need_json(need: Need, url: Callable[[Need], str]) -> dict:
    return {
        "id": need.id,
        "title": need.title,
        "description": need.description,
        "kind": need.kind.value,
        "institution": institution_ref(need.institution),
        "cohosts": [institution_ref(i) for i in sorted(need.cohosts, key=lambda i: i.id)],
        "place": need.place,
        "min_age": need.min_age,
        "works_with_children": need.works_with_children,
        "is_accessible": need.is_accessible,
        "accessibility_note": need.accessibility_note,
        "offers_training": need.offers_training,
        "offers_certificate": need.offers_certificate,
        "offers_reimbursement": need.offers_reimbursement,
        "skills": [
            {
                "id": s.skill.id,
                "name_pl": s.skill.name_pl,
                "name_en": s.skill.name_en,
                "min_level": s.min_level,
                "required": s.is_required,
            }
            for s in sorted(need.skills, key=lambda s: (not s.is_required, s.skill_id))
        ],
        "shifts": [shift_json(s) for s in upcoming_shifts(need)],
        "url": url(need),
    }
