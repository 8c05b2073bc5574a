"""All models, imported here so that Alembic and the app see the whole schema."""

from app.models.assignments import ACTIVE
from app.models.assignments import BOOKED
from app.models.assignments import COUNTED_IN_PLACES
from app.models.assignments import HOLDS_PLACE
from app.models.assignments import Assignment
from app.models.assignments import AssignmentSource
from app.models.assignments import AssignmentStatus
from app.models.assignments import TransitionError
from app.models.hours import ComplianceKind
from app.models.hours import ComplianceRecord
from app.models.hours import Document
from app.models.hours import DocumentKind
from app.models.hours import HoursEntry
from app.models.hours import HoursSource
from app.models.hours import HoursStatus
from app.models.institutions import Institution
from app.models.institutions import InstitutionKind
from app.models.institutions import InstitutionRequest
from app.models.institutions import RequestStatus
from app.models.institutions import StaffMembership
from app.models.institutions import StaffRequest
from app.models.matching_runs import MatchRun
from app.models.needs import Need
from app.models.needs import NeedKind
from app.models.needs import NeedSkill
from app.models.needs import NeedStatus
from app.models.needs import Shift
from app.models.needs import need_cohost
from app.models.news import NewsDigestSubscription
from app.models.news import NewsKind
from app.models.news import NewsPost
from app.models.notices import Notice
from app.models.outbox import EmailOptOut
from app.models.outbox import OutboxMessage
from app.models.outbox import OutboxStatus
from app.models.qualifications import Qualification
from app.models.qualifications import QualificationRecord
from app.models.scheduler import SchedulerHeartbeat
from app.models.shift_day import AttendanceMark
from app.models.shift_day import ShiftFeedback
from app.models.shift_day import ShiftMessage
from app.models.shift_day import ShiftMessageRecipient
from app.models.skills import Skill
from app.models.skills import SkillGroup
from app.models.users import AuditLog
from app.models.users import Role
from app.models.users import User
from app.models.users import UserSession
from app.models.volunteers import AvailabilityWindow
from app.models.volunteers import ChildProtectionCheck
from app.models.volunteers import Consent
from app.models.volunteers import ConsentKind
from app.models.volunteers import VolunteerAbsence
from app.models.volunteers import VolunteerProfile
from app.models.volunteers import VolunteerSkill
from app.models.volunteers import volunteer_preferred_institution
from app.models.waitlist import WaitlistEntry

__all__ = [
    "WaitlistEntry",
    "AttendanceMark",
    "ShiftFeedback",
    "ShiftMessage",
    "ShiftMessageRecipient",
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
    "Qualification",
    "QualificationRecord",
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
    "NewsDigestSubscription",
    "NewsKind",
    "NewsPost",
]
