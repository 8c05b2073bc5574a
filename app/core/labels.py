"""Words for values the app stores as numbers or codes, one table each, used by every page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def skill_level_labels() -> dict[int, str]:
    """The three skill levels as volunteers choose them and as needs ask for them."""
    return {1: str(_l("podstawowy")), 2: str(_l("doświadczony")), 3: str(_l("ekspert"))}


def skill_level_label(level: int) -> str:
    return skill_level_labels().get(level, str(level))
