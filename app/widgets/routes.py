"""The widgets: light pages without scripts or outside code, the only ones that may be framed."""

from __future__ import annotations

from flask import abort
from flask import render_template
from flask_babel import gettext as _

from app.core.security import frameable
from app.services.directory import active_institution
from app.widgets.blueprint import bp
from app.widgets.queries import open_needs


@bp.get("/needs")
@frameable
def coalition():
    """List the open needs of the whole coalition, for a member's website."""
    return render_template(
        "widgets/needs.html",
        heading=_("Wolontariat w instytucjach koalicji OKIK"),
        needs=open_needs(),
        institution=None,
    )


@bp.get("/needs/<slug>")
@frameable
def institution(slug: str):
    """List one member's open needs, for its own website."""
    member = active_institution(slug) or abort(404)
    return render_template(
        "widgets/needs.html",
        heading=_("Wolontariat: %(name)s", name=member.short_name or member.name),
        needs=open_needs(member.slug),
        institution=member,
    )
