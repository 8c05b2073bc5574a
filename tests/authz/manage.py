"""Routes of the staff pages: needs, shifts, applicants and decisions, per institution."""

from __future__ import annotations

from tests.authz.common import Routes, staff_of_a

ROUTES: Routes = {
    ("manage.institution", "GET"): (lambda w: f"/manage/institutions/{w.slug_a}", staff_of_a(302, 302)),
}
