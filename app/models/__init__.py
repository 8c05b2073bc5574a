"""All models, imported here so that Alembic and the app see the whole schema."""

from app.models.institutions import (
    Institution,
    InstitutionKind,
    InstitutionRequest,
    RequestStatus,
    StaffMembership,
    StaffRequest,
)
from app.models.needs import Need, NeedKind, NeedSkill, NeedStatus, Shift, need_cohost
from app.models.skills import Skill, SkillGroup
from app.models.users import AuditLog, Role, User
from app.models.volunteers import AvailabilityWindow, VolunteerProfile, VolunteerSkill

__all__ = [
    "AuditLog",
    "AvailabilityWindow",
    "Institution",
    "InstitutionKind",
    "InstitutionRequest",
    "Need",
    "NeedKind",
    "NeedSkill",
    "NeedStatus",
    "RequestStatus",
    "Role",
    "Shift",
    "Skill",
    "SkillGroup",
    "StaffMembership",
    "StaffRequest",
    "User",
    "VolunteerProfile",
    "VolunteerSkill",
    "need_cohost",
]
