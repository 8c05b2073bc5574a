"""Routes of the coalition reports: the dashboard and its exports for coordinators, one
institution's report and exports for its staff (staff of B get 403 on A's report)."""

from __future__ import annotations

from tests.authz.common import CrossOwnerRoutes
from tests.authz.common import Routes
from tests.authz.common import coordinators
from tests.authz.common import staff_b_on_a
from tests.authz.common import staff_of_a

ROUTES: Routes = {
    ("reports.dashboard", "GET"): (lambda w: "/reports/", coordinators(200)),
    ("reports.export_csv", "GET"): (
        lambda w: "/reports/export.csv?table=hours&months=6",
        coordinators(200),
    ),
    ("reports.export_xlsx", "GET"): (
        lambda w: "/reports/export.xlsx?table=sharing",
        coordinators(200),
    ),
    ("reports.institution", "GET"): (
        lambda w: f"/reports/institutions/{w.slug_a}",
        staff_of_a(200),
    ),
    ("reports.institution_export_csv", "GET"): (
        lambda w: f"/reports/institutions/{w.slug_a}/export.csv?table=sharing",
        staff_of_a(200),
    ),
    ("reports.institution_export_xlsx", "GET"): (
        lambda w: f"/reports/institutions/{w.slug_a}/export.xlsx?table=hours&months=3",
        staff_of_a(200),
    ),
}

CROSS_OWNER: CrossOwnerRoutes = {
    ("reports.institution", "GET"): staff_b_on_a(
        lambda w: f"/reports/institutions/{w.slug_a}", 200
    ),
    ("reports.institution_export_csv", "GET"): staff_b_on_a(
        lambda w: f"/reports/institutions/{w.slug_a}/export.csv?table=hours&months=3", 200
    ),
    ("reports.institution_export_xlsx", "GET"): staff_b_on_a(
        lambda w: f"/reports/institutions/{w.slug_a}/export.xlsx?table=sharing", 200
    ),
}
