"""Routes of this feature."""

from app.reports import bp  # noqa: F401

