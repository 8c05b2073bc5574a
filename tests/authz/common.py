"""Helpers for the per-feature authorisation tables: roles, the test world, expected answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ROLES = ("anonymous", "volunteer", "staff_a", "staff_b", "coordinator", "admin")


@dataclass
class World:
    """Records that the route table can point at. "a" belongs to institution A, "b" to B.

    The signed-in volunteer has applied to need_a; another volunteer has applied to need_b. The
    other volunteer also worked a shift at A that is over (past_shift_a), logged and was confirmed
    hours there, holds a certificate and an agreement of A, and keeps availability windows and
    absences: the records that staff of B and the signed-in volunteer must never reach.
    """

    slug_a: str
    slug_b: str
    institution_a: int
    institution_b: int
    volunteer: int
    other_volunteer: int
    need_a: int
    need_a_draft: int
    need_b: int
    shift_a: int
    shift_b: int
    assignment_a: int  # the volunteer's application on need_a
    assignment_b: int  # the other volunteer's application on need_b
    staff_request_id: int
    institution_request_id: int
    feed_token: str
    other_feed_token: str
    # Matching records, all at a third institution C so that they change nothing A or B may see:
    run_id: int = 0  # a finished matching run
    proposal_a: int = 0  # a pending proposal (for the other volunteer)
    offer: int = 0  # an offer to the signed-in volunteer
    other_offer: int = 0  # an offer to the other volunteer
    # More records at institution A, mostly the other volunteer's (tests/conftest.py authz_world):
    staff_a_user: int = 0  # the id of the staff member of A (a valid "volunteer coordinator")
    past_need_a: int = 0  # a need of A whose one shift is over
    past_shift_a: int = 0
    past_placement_a: int = 0  # the other volunteer's accepted place on past_shift_a
    other_application_a: int = 0  # the other volunteer's application on need_a, free to accept
    entry_a: int = 0  # the other volunteer's own log of hours at A, waiting for staff
    certificate_a: int = 0  # the other volunteer's certificate of hours at A
    agreement_a: int = 0  # the other volunteer's agreement with A for past_need_a
    other_window: int = 0  # the other volunteer's weekly availability window
    other_absence: int = 0  # the other volunteer's dates away
    post_a: int = 0  # a post of institution A on the news board, for members only
    spare_post_a: int = 0  # another one, which the delete route may take away
    qualification: int = 0  # a catalogue entry (tests/authz/qualifications.py)
    training_need_a: int = 0  # a training at A that grants it; the other volunteer attended
    invite_shift_a: int = 0  # a shift of A in the day, a week ahead
    invitable: int = 0  # a volunteer the ranking suggests for invite_shift_a


Url = Callable[[World], str]
Expected = dict[str, int]
Routes = dict[tuple[str, str], tuple[Url, Expected]]
Form = Callable[[World], dict[str, str]]

# Who asks for a record that is not theirs, and who owns it: staff of B ask for institution A's
# records; the signed-in volunteer asks for the other volunteer's. Same role, wrong owner.
OWNER_OF = {"staff_b": "staff_a", "volunteer": "other_volunteer"}


def no_form(world: World) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class CrossOwner:
    """A request by the wrong owner on someone else's record: it must be refused, change nothing.

    The form is complete and valid, so that a missing check would show as a change; the rightful
    owner (OWNER_OF[who]) sending the very same request gets `owner_gets`, which proves the refusal
    is about ownership and not about a broken form or a missing record.
    """

    who: str  # "staff_b" or "volunteer", see OWNER_OF
    url: Url
    refused: int  # 403 or 404: what the app answers the wrong owner
    owner_gets: int
    form: Form = no_form


# (endpoint, method) -> the cross-owner requests on that route.
CrossOwnerRoutes = dict[tuple[str, str], list[CrossOwner]]


def everyone(code: int) -> Expected:
    return dict.fromkeys(ROLES, code)


def signed_in(anonymous: int, others: int) -> Expected:
    return {"anonymous": anonymous, **dict.fromkeys(ROLES[1:], others)}


def coordinators(allowed: int) -> Expected:
    return {
        "anonymous": 302,
        "volunteer": 403,
        "staff_a": 403,
        "staff_b": 403,
        "coordinator": allowed,
        "admin": allowed,
    }


def admins(allowed: int) -> Expected:
    return {**coordinators(403), "anonymous": 302, "admin": allowed}


def volunteers_only(allowed: int, others: int = 403) -> Expected:
    """Only the volunteer; staff, coordinators and admins have no volunteer profile."""
    return {**dict.fromkeys(ROLES, others), "anonymous": 302, "volunteer": allowed}


def staff_of_a(allowed: int, other_staff: int = 403) -> Expected:
    """Staff of institution A and coordinators; staff of B and volunteers are refused."""
    return {
        "anonymous": 302,
        "volunteer": 403,
        "staff_a": allowed,
        "staff_b": other_staff,
        "coordinator": allowed,
        "admin": allowed,
    }


def staff_b_on_a(url: Url, owner_gets: int, form: Form = no_form) -> list[CrossOwner]:
    """Staff of B ask for a record of institution A: 403."""
    return [CrossOwner("staff_b", url, 403, owner_gets, form)]


def volunteer_on_other(url: Url, owner_gets: int, form: Form = no_form) -> list[CrossOwner]:
    """The signed-in volunteer asks for the other volunteer's record: 404, as if there were none."""
    return [CrossOwner("volunteer", url, 404, owner_gets, form)]
