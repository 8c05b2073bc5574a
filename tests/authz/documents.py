"""Routes of the documents feature: agreements, certificates, compliance records, verification.

The volunteer's own page and requests are for volunteers only; the staff pages for staff and
coordinators (administrators pass everywhere). Object routes point at the other volunteer's
certificate and agreement at institution A and at A's needs: staff of A and coordinators get
through, staff of B are refused. A PDF is a 404 to anyone who may not see it (also the signed-in
volunteer, whose documents these are not), so that document numbers cannot be probed.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from tests.authz.common import CrossOwner
from tests.authz.common import CrossOwnerRoutes
from tests.authz.common import Routes
from tests.authz.common import everyone
from tests.authz.common import staff_b_on_a
from tests.authz.common import staff_of_a
from tests.authz.common import volunteers_only


def staff_pages(allowed: int) -> dict[str, int]:
    """Staff of either institution and coordinators; volunteers 403; anonymous sent to sign in."""
    return {
        "anonymous": 302,
        "volunteer": 403,
        "staff_a": allowed,
        "staff_b": allowed,
        "coordinator": allowed,
        "admin": allowed,
    }


def yesterday() -> str:
    return (date.today() - timedelta(days=1)).isoformat()


ROUTES: Routes = {
    ("documents.mine", "GET"): (lambda w: "/documents/", volunteers_only(200)),
    ("documents.request_certificate", "POST"): (
        lambda w: "/documents/certificates",
        volunteers_only(422),
    ),
    ("documents.request_agreement", "POST"): (
        lambda w: "/documents/agreements/request",
        volunteers_only(422),
    ),
    # The other volunteer's certificate of hours at A.
    ("documents.download", "GET"): (
        lambda w: f"/documents/{w.certificate_a}.pdf",
        {**staff_of_a(200, other_staff=404), "volunteer": 404},
    ),
    ("documents.staff_list", "GET"): (lambda w: "/documents/staff", staff_pages(200)),
    ("documents.detail", "GET"): (lambda w: f"/documents/{w.certificate_a}", staff_of_a(200)),
    ("documents.opinion", "POST"): (
        lambda w: f"/documents/{w.certificate_a}/opinion",
        staff_of_a(422),
    ),
    ("documents.signature", "POST"): (
        lambda w: f"/documents/{w.agreement_a}/signature",
        staff_of_a(422),
    ),
    ("documents.compliance_page", "GET"): (
        lambda w: f"/documents/compliance/{w.need_a}",
        staff_of_a(200),
    ),
    ("documents.record_compliance", "POST"): (
        lambda w: f"/documents/compliance/{w.need_a}/records",
        staff_of_a(422),
    ),
    ("documents.issue_agreement", "POST"): (
        lambda w: f"/documents/compliance/{w.need_a}/agreements",
        staff_of_a(422),
    ),
    ("documents.verify_form", "GET"): (lambda w: "/verify", everyone(200)),
    ("documents.verify", "GET"): (lambda w: "/verify/ABCD-EFGH-JKMN", everyone(404)),
}

CROSS_OWNER: CrossOwnerRoutes = {
    # One URL for volunteers and staff: whoever may not see the PDF gets 404.
    ("documents.download", "GET"): [
        CrossOwner("volunteer", lambda w: f"/documents/{w.certificate_a}.pdf", 404, 200),
        CrossOwner("staff_b", lambda w: f"/documents/{w.certificate_a}.pdf", 404, 200),
    ],
    ("documents.detail", "GET"): staff_b_on_a(lambda w: f"/documents/{w.agreement_a}", 200),
    ("documents.opinion", "POST"): staff_b_on_a(
        lambda w: f"/documents/{w.certificate_a}/opinion",
        302,
        lambda w: {"opinion": "Sumienna i punktualna."},
    ),
    ("documents.signature", "POST"): staff_b_on_a(
        lambda w: f"/documents/{w.agreement_a}/signature",
        302,
        lambda w: {"signed_on": yesterday(), "signed_by": "Jan Kowalski"},
    ),
    ("documents.compliance_page", "GET"): staff_b_on_a(
        lambda w: f"/documents/compliance/{w.past_need_a}", 200
    ),
    ("documents.record_compliance", "POST"): staff_b_on_a(
        lambda w: f"/documents/compliance/{w.past_need_a}/records",
        302,
        lambda w: {
            "volunteer_id": str(w.other_volunteer),
            "kind": "safety_briefing",
            "done_on": yesterday(),
        },
    ),
    # The signed-in volunteer also worked the past shift at A and has no agreement yet.
    ("documents.issue_agreement", "POST"): staff_b_on_a(
        lambda w: f"/documents/compliance/{w.past_need_a}/agreements",
        302,
        lambda w: {"volunteer_id": str(w.volunteer)},
    ),
}
