"""The matcher's reasons and diagnoses in words, in the reader's language.

The library returns stable codes with parameters; this module is their translation table.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import get_locale
from sqlalchemy import Select
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import union_all

from app.core.i18n import gettext as _
from app.core.i18n import ngettext
from app.extensions import db
from app.models import Institution
from app.models import Qualification
from app.models import Skill


def weekday_name(n: int) -> str:
    return [
        _("w poniedziałki"),
        _("we wtorki"),
        _("w środy"),
        _("w czwartki"),
        _("w piątki"),
        _("w soboty"),
        _("w niedziele"),
    ][n]


class Names:
    """Skill and institution names for one page, loaded once."""

    def __init__(self, institution_ids: Iterable[int] | None = None) -> None:
        """`institution_ids` limits the institutions to those a page names: a coalition of
        thousands need not be read for a page that mentions twenty."""
        english = str(get_locale() or "pl") == "en"
        institutions: Select[Any, int, str] = select(
            literal_column("1"), Institution.id, Institution.short_name
        )
        if institution_ids is not None:
            institutions = institutions.where(Institution.id.in_(sorted(set(institution_ids))))
        skills: Select[Any, int, str] = select(
            literal_column("0"), Skill.id, Skill.name_en if english else Skill.name_pl
        )
        # Both lists in one statement: a page's fixed cost is mostly its round trips.
        self.skills: dict[int, str] = {}
        self.qualifications: dict[int, str] | None = None
        self.institutions: dict[int, str] = {}
        for kind, id_, name in db.session.execute(union_all(skills, institutions)):
            (self.institutions if kind else self.skills)[id_] = name

    def skill(self, skill_id: int) -> str:
        return self.skills.get(skill_id, f"#{skill_id}")

    def institution(self, institution_id: int) -> str:
        return self.institutions.get(institution_id, f"#{institution_id}")

    def qualification(self, qualification_id: int) -> str:
        """Read on first use: few pages name a qualification, none should pay for the list."""
        if self.qualifications is None:
            rows = db.session.execute(
                select(Qualification.id, Qualification.name_pl, Qualification.name_en)
            )
            english = str(get_locale() or "pl") == "en"
            self.qualifications = {i: (en if english and en else pl) for i, pl, en in rows}
        return self.qualifications.get(qualification_id, f"#{qualification_id}")


def reason_text(reason: Mapping[str, Any], names: Names) -> str:
    code, p = reason["code"], reason.get("params", {})
    if code == "skill_level":
        return _(
            "umie: %(skill)s, poziom %(level)d (wymagany %(min)d)",
            skill=names.skill(p["skill_id"]),
            level=p["level"],
            min=p["min_level"],
        )
    if code == "nice_skill":
        return _(
            "dodatkowo umie: %(skill)s (poziom %(level)d)",
            skill=names.skill(p["skill_id"]),
            level=p["level"],
        )
    if code == "interests":
        return _("wspólne zainteresowania: %(tags)s", tags=", ".join(p.get("tags", [])))
    if code == "preferred_institution":
        return _("woli działać w: %(inst)s", inst=names.institution(p["institution_id"]))
    if code == "continuity":
        return _(
            "kontynuuje długoterminową współpracę z: %(inst)s",
            inst=names.institution(p["institution_id"]),
        )
    if code == "new_institution":
        return _(
            "pozna nową instytucję koalicji: %(inst)s", inst=names.institution(p["institution_id"])
        )
    if code == "reliability" and p.get("newcomer"):
        return _("nowy wolontariusz: jeszcze bez historii obecności")
    if code == "reliability":
        return _("niezawodność: %(pct)d%% obecności", pct=round(100 * float(p["reliability"])))
    if code == "qualification":
        return qualification_reason(p, names)
    return code


def qualification_reason(p: Mapping[str, Any], names: Names) -> str:
    name = names.qualification(p["qualification_id"])
    until = p.get("valid_until")
    if until:
        return _(
            "ma wymaganą kwalifikację: %(name)s (ważna do %(until)s)",
            name=name,
            until=format_date(date.fromisoformat(until)),
        )
    return _("ma wymaganą kwalifikację: %(name)s (bezterminowo)", name=name)


def _skills(skills: list[Mapping[str, Any]], names: Names) -> str:
    return ", ".join(
        _("%(skill)s (poziom %(level)d)", skill=names.skill(s["skill_id"]), level=s["min_level"])
        for s in skills
    )


def diagnostic_text(diag: Mapping[str, Any], names: Names) -> str:
    code, p = diag["code"], diag.get("params", {})
    n = int(p.get("count", 0))
    if code == "candidates_taken":
        return ngettext(
            "%(num)d kandydat, ale ma już propozycję tam, gdzie pasuje lepiej",
            "%(num)d kandydatów, wszyscy mają już propozycje tam, gdzie pasują lepiej",
            n,
        )
    if code == "too_few_candidates":
        return ngettext(
            "Tylko %(num)d kandydat na wolne miejsca",
            "Tylko %(num)d kandydatów na wolne miejsca",
            n,
        )
    if code == "no_skill":
        return _("Nikt nie ma umiejętności: %(skills)s", skills=_skills(p["skills"], names))
    if code == "no_skilled_available":
        return _(
            "Nikt z umiejętnościami %(skills)s nie jest wolny %(day)s %(start)s–%(end)s",
            skills=_skills(p["skills"], names),
            day=weekday_name(p["weekday"]),
            start=p["start"],
            end=p["end"],
        )
    if code == "no_one_available":
        return _(
            "Nikt nie jest wolny %(day)s %(start)s–%(end)s",
            day=weekday_name(p["weekday"]),
            start=p["start"],
            end=p["end"],
        )
    if code == "crosses_midnight":
        return _("Zmiana trwa przez północ (%(start)s–%(end)s)", start=p["start"], end=p["end"])
    if code == "all_away":
        return ngettext(
            "%(num)d pasująca osoba jest nieobecna %(date)s",
            "%(num)d pasujących osób jest nieobecnych %(date)s",
            n,
            date=p["date"],
        )
    if code == "blocked_age":
        return ngettext(
            "%(num)d pasująca osoba jest za młoda (minimum %(age)d lat)",
            "%(num)d pasujących osób jest za młodych (minimum %(age)d lat)",
            n,
            age=p["min_age"],
        )
    if code == "blocked_child_protection":
        return ngettext(
            "%(num)d pasująca osoba nie ma sprawdzenia do pracy z dziećmi",
            "%(num)d pasujących osób nie ma sprawdzenia do pracy z dziećmi",
            n,
        )
    if code == "blocked_bookings":
        return ngettext(
            "%(num)d pasująca osoba ma wtedy inne zajęcia",
            "%(num)d pasujących osób ma wtedy inne zajęcia",
            n,
        )
    if code == "declined":
        return ngettext(
            "%(num)d pasująca osoba wcześniej odmówiła",
            "%(num)d pasujących osób wcześniej odmówiło",
            n,
        )
    if code == "blocked_hours":
        return ngettext(
            "%(num)d pasująca osoba wyczerpała limit godzin",
            "%(num)d pasujących osób wyczerpało limit godzin",
            n,
        )
    if code == "blocked_qualification":
        return ngettext(
            "%(num)d pasująca osoba nie ma ważnej w dniu zmiany kwalifikacji: %(names)s",
            "%(num)d pasujących osób nie ma ważnej w dniu zmiany kwalifikacji: %(names)s",
            n,
            names=", ".join(names.qualification(q) for q in p.get("qualification_ids", [])),
        )
    if code == "blocked_rest":
        return ngettext(
            "%(num)d pasująca osoba ma inną zmianę zbyt blisko (odpoczynek co najmniej %(hours)s h)",
            "%(num)d pasujących osób ma inne zmiany zbyt blisko (odpoczynek co najmniej %(hours)s h)",
            n,
            hours=f"{p.get('rest_hours', 0):g}",
        )
    if code == "blocked_days_in_row":
        return ngettext(
            "%(num)d pasująca osoba przekroczyłaby limit %(days)d dni z rzędu",
            "%(num)d pasujących osób przekroczyłoby limit %(days)d dni z rzędu",
            n,
            days=int(p.get("days", 0)),
        )
    if code == "signup_not_open":
        return _("Zapisy na tę zmianę otwierają się dopiero %(date)s", date=p.get("opens", ""))
    if code == "blocked_mixed":
        return ngettext(
            "%(num)d pasująca osoba odpada z różnych powodów",
            "%(num)d pasujących osób odpada z różnych powodów",
            n,
        )
    return _("Brak kandydatów")
