"""Routes of this feature."""

from app.documents import bp  # noqa: F401

