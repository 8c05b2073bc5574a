"""Routes of the documents feature: agreements, certificates, compliance records, verification.

The volunteer's own page and requests are for volunteers only; the staff pages for staff and
coordinators (administrators pass everywhere); object routes here point at ids that do not exist
(404 once a user is let in) or at need A. Records of A seen by staff of B and another volunteer's
documents are in tests/test_documents_routes.py (IDOR stories).
"""

from __future__ import annotations

from tests.authz.common import Routes, everyone, signed_in, staff_of_a, volunteers_only

MISSING = 987654321


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
    ("documents.download", "GET"): (lambda w: f"/documents/{MISSING}.pdf", signed_in(302, 404)),
    ("documents.staff_list", "GET"): (lambda w: "/documents/staff", staff_pages(200)),
    ("documents.detail", "GET"): (lambda w: f"/documents/{MISSING}", staff_pages(404)),
    ("documents.opinion", "POST"): (lambda w: f"/documents/{MISSING}/opinion", staff_pages(404)),
    ("documents.signature", "POST"): (
        lambda w: f"/documents/{MISSING}/signature",
        staff_pages(404),
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
