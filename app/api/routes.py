"""Routes of this feature."""

from app.api import bp  # noqa: F401
