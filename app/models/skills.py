"""The shared skill taxonomy, named in Polish and English."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import Model
from app.models.base import UTCDateTime


class SkillGroup(Model):
    __tablename__ = "skill_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_pl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)

    skills: Mapped[list[Skill]] = relationship(back_populates="group", order_by="Skill.position")
    # What forms and the search offer: the skills not retired. Old records keep retired ones.
    offered_skills: Mapped[list[Skill]] = relationship(
        primaryjoin="and_(SkillGroup.id == Skill.group_id, Skill.retired_at.is_(None))",
        order_by="Skill.position",
        viewonly=True,
    )

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_pl


class Skill(Model):
    __tablename__ = "skill"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("skill_group.id"), index=True)
    name_pl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    # Set by an administrator: volunteers and needs that hold the skill keep it, no form offers it.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    group: Mapped[SkillGroup] = relationship(back_populates="skills")

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_pl
