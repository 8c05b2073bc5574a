"""Routes of this feature."""

from app.needs import bp  # noqa: F401
