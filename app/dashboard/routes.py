"""The dashboard ("Pulpit"): where each role lands after signing in, with what waits for them."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from flask_login import login_required

from app.core.labels import compliance_kind_labels
from app.dashboard import panels as dashboard
from app.dashboard.blueprint import bp
from app.proposals.texts import Names
from app.proposals.texts import diagnostic_text
from app.proposals.texts import reason_text


@bp.get("/dashboard")
@login_required
def index():
    """Show the signed-in person the panels of their role; every item links to its page."""
    user = current_user._get_current_object()
    panels = dashboard.panels_for(user)
    # Only the institutions the reasons name are read, not the whole coalition.
    named = {
        reason["params"]["institution_id"]
        for item in panels.get("recommended", ())
        for reason in item.reasons
        if "institution_id" in reason["params"]
    }
    return render_template(
        "dashboard/index.html",
        names=Names(named),
        reason_text=reason_text,
        diagnostic_text=diagnostic_text,
        compliance_labels=compliance_kind_labels,
        PANEL_ROWS=dashboard.PANEL_ROWS,
        **panels,
    )
