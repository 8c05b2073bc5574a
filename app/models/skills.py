"""The shared skill taxonomy, named in Polish and English."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model


class SkillGroup(Model):
    __tablename__ = "skill_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_pl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)

    skills: Mapped[list[Skill]] = relationship(back_populates="group", order_by="Skill.position")

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

    group: Mapped[SkillGroup] = relationship(back_populates="skills")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_pl
