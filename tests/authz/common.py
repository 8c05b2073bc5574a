"""Helpers for the per-feature authorisation tables: roles, the test world, expected answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ROLES = ("anonymous", "volunteer", "staff_a", "staff_b", "coordinator", "admin")


@dataclass
class World:
    """Records that the route table can point at. "a" belongs to institution A, "b" to B.

    The signed-in volunteer has applied to need_a; another volunteer has applied to need_b.
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


Url = Callable[[World], str]
Expected = dict[str, int]
Routes = dict[tuple[str, str], tuple[Url, Expected]]


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
