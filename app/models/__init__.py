"""All models, imported here so that Alembic and the app see the whole schema."""

from app.models.assignments import (
    ACTIVE,
    BOOKED,
    COUNTED_IN_PLACES,
    HOLDS_PLACE,
    Assignment,
    AssignmentSource,
    AssignmentStatus,
    TransitionError,
)
from app.models.hours import (
    ComplianceKind,
    ComplianceRecord,
    Document,
    DocumentKind,
    HoursEntry,
    HoursSource,
    HoursStatus,
)
from app.models.institutions import (
    Institution,
    InstitutionKind,
    InstitutionRequest,
    RequestStatus,
    StaffMembership,
    StaffRequest,
)
from app.models.matching_runs import MatchRun
from app.models.needs import Need, NeedKind, NeedSkill, NeedStatus, Shift, need_cohost
from app.models.notices import Notice
from app.models.outbox import EmailOptOut, OutboxMessage, OutboxStatus
from app.models.scheduler import SchedulerHeartbeat
from app.models.skills import Skill, SkillGroup
from app.models.users import AuditLog, Role, User, UserSession
from app.models.volunteers import (
    AvailabilityWindow,
    ChildProtectionCheck,
    Consent,
    ConsentKind,
    VolunteerAbsence,
    VolunteerProfile,
    VolunteerSkill,
    volunteer_preferred_institution,
)

__all__ = [
    "ComplianceKind",
    "ComplianceRecord",
    "Document",
    "DocumentKind",
    "HoursEntry",
    "HoursSource",
    "HoursStatus",
    "ACTIVE",
    "BOOKED",
    "COUNTED_IN_PLACES",
    "HOLDS_PLACE",
    "Assignment",
    "AssignmentSource",
    "AssignmentStatus",
    "AuditLog",
    "ChildProtectionCheck",
    "Consent",
    "ConsentKind",
    "MatchRun",
    "Notice",
    "EmailOptOut",
    "OutboxMessage",
    "OutboxStatus",
    "TransitionError",
    "VolunteerAbsence",
    "volunteer_preferred_institution",
    "AvailabilityWindow",
    "Institution",
    "InstitutionKind",
    "InstitutionRequest",
    "Need",
    "NeedKind",
    "NeedSkill",
    "NeedStatus",
    "RequestStatus",
    "SchedulerHeartbeat",
    "Role",
    "Shift",
    "Skill",
    "SkillGroup",
    "StaffMembership",
    "StaffRequest",
    "User",
    "UserSession",
    "VolunteerProfile",
    "VolunteerSkill",
    "need_cohost",
]
