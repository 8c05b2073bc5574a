"""Staff pages: an institution's needs, shifts, applicants and decisions."""

from flask import abort, redirect, url_for
from flask_login import current_user, login_required

from app.manage import bp


@bp.get("/institutions/<slug>")
@login_required
def institution(slug: str):
    """Show the institution's needs and applicants (placeholder until the staff pages land)."""
    if not (current_user.is_staff or current_user.is_coordinator):
        abort(403)
    return redirect(url_for("institutions.detail", slug=slug))
