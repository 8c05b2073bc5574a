"""Routes of this feature."""

from app.calendar import bp  # noqa: F401
