"""Routes of this feature."""

from app.hours import bp  # noqa: F401

