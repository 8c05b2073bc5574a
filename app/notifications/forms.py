"""Forms of the notifications feature."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ButtonForm(FlaskForm):
    """A button on the outbox page (send again, cancel) that only needs the CSRF token."""
