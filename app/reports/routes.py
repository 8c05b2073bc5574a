"""Coalition reports: the coordinators' dashboard, one institution's page, CSV/XLSX exports."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from sqlalchemy import select

from app.auth.access import coordinator_required
from app.extensions import db
from app.models import Institution
from app.reports import charts
from app.reports import queries as svc
from app.reports.blueprint import bp
from app.services.staff_views import can_manage_institution

TABLES = ("hours", "sharing")
MATRIX_LIMIT = 20  # institutions shown in the page's matrix; the exports hold all of them
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period() -> svc.Period:
    return svc.Period.last(svc.parse_months(request.args.get("months")))


def _institution_or_403(slug: str) -> Institution:
    """Staff of this institution and coordinators; staff of another institution get 403."""
    institution = db.session.scalar(select(Institution).where(Institution.slug == slug))
    if institution is None:
        abort(404)
    if not can_manage_institution(current_user, institution):
        abort(403)
    return institution


def _context(period: svc.Period, institution: Institution | None) -> dict:
    inst_id = institution.id if institution else None
    hours = svc.hours_per_institution(period, inst_id)
    fill = svc.fill_rates(period, inst_id)
    people = svc.volunteers_per_month(period, inst_id)
    shared = svc.exchange(period, inst_id)
    if institution is None:
        heading = _("Raporty koalicji")
        endpoints: tuple[str, str, dict[str, str]] = (
            "reports.export_csv",
            "reports.export_xlsx",
            {},
        )
    else:
        heading = _("Raport: %(name)s", name=institution.name)
        endpoints = (
            "reports.institution_export_csv",
            "reports.institution_export_xlsx",
            {"slug": institution.slug},
        )
    return {
        "heading": heading,
        "csv_endpoint": endpoints[0],
        "xlsx_endpoint": endpoints[1],
        "args": endpoints[2],
        "format_hours": _format_hours,
        "period": period,
        "months": len(period.months),
        "institution": institution,
        "hours": hours,
        "hours_chart": charts.bar_chart(
            "chart-hours", _("Potwierdzone godziny w miesiącach"), hours.months, hours.totals
        ),
        "fill": fill,
        "fill_chart": charts.hbar_chart(
            "chart-fill",
            _("Obsadzenie miejsc w potrzebach według instytucji (procent)"),
            [row.name for row in fill],
            [row.rate for row in fill],
            suffix="%",
            maximum=100,
        ),
        "people": people,
        "people_chart": charts.line_chart(
            "chart-people",
            _("Nowi i aktywni wolontariusze w miesiącach"),
            [row.month for row in people],
            [
                (_("Nowi"), [row.new for row in people]),
                (_("Aktywni"), [row.active for row in people]),
            ],
        ),
        "exchange": shared,
        "matrix_order": _matrix_order(shared, institution),
        "exchange_chart": charts.hbar_chart(
            "chart-exchange",
            _("Wolontariusze według liczby instytucji, w których pracowali"),
            [str(n) for n in shared.spread],
            list(shared.spread.values()),
            colour=charts.PALETTE[2],
        ),
    }


def _format_hours(value: float) -> str:
    """Hours with a Polish decimal comma, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _matrix_order(shared: svc.Exchange, institution: Institution | None) -> list[int]:
    """The institutions sharing the most volunteers, by name (an institution's own report keeps it)."""
    weight = {i: sum(shared.cell(i, j) for j in shared.order) for i in shared.order}
    top = sorted(shared.order, key=lambda i: -weight[i])[:MATRIX_LIMIT]
    if institution is not None and institution.id in shared.names and institution.id not in top:
        top[-1] = institution.id
    return sorted(top, key=lambda i: shared.names[i].lower())


@bp.get("/")
@coordinator_required
def dashboard():
    return render_template("reports/dashboard.html", **_context(_period(), None))


@bp.get("/institutions/<slug>")
@login_required
def institution(slug: str):
    inst = _institution_or_403(slug)
    return render_template("reports/dashboard.html", **_context(_period(), inst))


def _export_rows(table: str, period: svc.Period, institution: Institution | None) -> list[list]:
    inst_id = institution.id if institution else None
    if table == "hours":
        return svc.hours_rows(
            svc.hours_per_institution(period, inst_id), _("Instytucja"), _("Razem")
        )
    return svc.sharing_rows(svc.exchange(period, inst_id), _("Instytucja"))


def _export(kind: str, institution: Institution | None) -> Response:
    table = request.args.get("table", "hours")
    if table not in TABLES:
        abort(400)
    period = _period()
    rows = _export_rows(table, period, institution)
    labels = period.labels()
    name = f"{table}-{labels[0]}_{labels[-1]}"
    if institution is not None:
        name = f"{institution.slug}-{name}"
    if kind == "csv":
        return Response(
            svc.to_csv(rows),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename={name}.csv"},
        )
    title = _("Godziny") if table == "hours" else _("Wspólni wolontariusze")
    return Response(
        svc.to_xlsx(rows, title),
        mimetype=XLSX,
        headers={"Content-Disposition": f"attachment; filename={name}.xlsx"},
    )


@bp.get("/export.csv")
@coordinator_required
def export_csv():
    return _export("csv", None)


@bp.get("/export.xlsx")
@coordinator_required
def export_xlsx():
    return _export("xlsx", None)


@bp.get("/institutions/<slug>/export.csv")
@login_required
def institution_export_csv(slug: str):
    return _export("csv", _institution_or_403(slug))


@bp.get("/institutions/<slug>/export.xlsx")
@login_required
def institution_export_xlsx(slug: str):
    return _export("xlsx", _institution_or_403(slug))
