"""Routes of this feature."""

from app.volunteers import bp  # noqa: F401
