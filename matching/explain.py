"""Polish wording of reasons and diagnostics.

The app translates reason/diagnostic codes itself (the codes and params are the contract); this
module is a ready default for Polish pages, logs and tests.  Names of skills and institutions are
looked up in the mappings the caller passes; unknown ids fall back to "#id" so a missing name
never hides the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from matching.types import Diagnostic
from matching.types import Reason

__all__ = [
    "WEEKDAYS_PL",
    "plural_pl",
    "render_diagnostic",
    "render_reason",
    "render_reasons",
]

#: "on Mondays" ... "on Sundays" (availability is weekly).
WEEKDAYS_PL: tuple[str, ...] = (
    "w poniedziałki",
    "we wtorki",
    "w środy",
    "w czwartki",
    "w piątki",
    "w soboty",
    "w niedziele",
)

_STAGE_NAMES_PL: dict[str, str] = {
    "away": "nieobecność",
    "age": "wiek",
    "child_protection": "brak weryfikacji do pracy z dziećmi",
    "booking": "inne zajęcia w tym czasie",
    "declined": "wcześniejsza odmowa",
    "hours": "za mało godzin",
    "qualification": "brak wymaganej kwalifikacji",
    "rest": "za krótki odpoczynek między zmianami",
    "days_in_row": "za dużo dni z rzędu",
    "signup_closed": "zapisy jeszcze nieotwarte",
}


def plural_pl(n: int, one: str, few: str, many: str) -> str:
    """Polish plural form for ``n``: ``one`` (1), ``few`` (2-4, 22-24..., not 12-14), ``many``."""
    if n == 1:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many


def _hours_pl(hours: float) -> str:
    """Hours in the genitive that follows "co najmniej": "1 godziny", "11 godzin"."""
    whole = int(hours)
    if whole == hours:
        return f"{whole} {plural_pl(whole, 'godziny', 'godzin', 'godzin')}"
    return f"{hours:g} godziny"


def _name(names: Mapping[int, str] | None, key: int) -> str:
    if names is not None and key in names:
        return names[key]
    return f"#{key}"


def _skills_text(skills: Iterable[Mapping[str, Any]], names: Mapping[int, str] | None) -> str:
    parts = [f"„{_name(names, s['skill_id'])}” (poziom ≥ {s['min_level']})" for s in skills]
    return ", ".join(parts)


def render_reason(
    reason: Reason,
    skill_names: Mapping[int, str] | None = None,
    institution_names: Mapping[int, str] | None = None,
) -> str:
    """One reason of a proposal as a Polish phrase with its points, e.g.
    ``umiejętność „Pierwsza pomoc”: poziom 3 (wymagany 2) (+18 pkt)``."""
    p = reason.params
    code = reason.code
    if code == "skill_level":
        text = (
            f"umiejętność „{_name(skill_names, p['skill_id'])}”: poziom {p['level']} "
            f"(wymagany {p['min_level']})"
        )
    elif code == "nice_skill":
        text = f"dodatkowa umiejętność „{_name(skill_names, p['skill_id'])}” (poziom {p['level']})"
    elif code == "interests":
        text = "wspólne zainteresowania: " + ", ".join(p["tags"])
    elif code == "preferred_institution":
        text = f"preferowana instytucja: {_name(institution_names, p['institution_id'])}"
    elif code == "continuity":
        text = (
            "kontynuacja długoterminowej współpracy z instytucją "
            f"{_name(institution_names, p['institution_id'])}"
        )
    elif code == "new_institution":
        text = (
            "nowa dla wolontariusza instytucja koalicji: "
            f"{_name(institution_names, p['institution_id'])}"
        )
    elif code == "reliability" and p.get("newcomer"):
        text = "nowy wolontariusz, bez historii obecności"
    elif code == "qualification":
        until = p.get("valid_until")
        text = f"ma wymaganą kwalifikację #{p['qualification_id']}" + (
            f" (ważna do {until})" if until else " (bezterminową)"
        )
    elif code == "reliability":
        text = f"niezawodność {round(100 * float(p['reliability']))}%"
    else:
        text = f"{code} {dict(p)}"
    return f"{text} (+{reason.points} pkt)"


def render_reasons(
    reasons: Iterable[Reason],
    skill_names: Mapping[int, str] | None = None,
    institution_names: Mapping[int, str] | None = None,
) -> list[str]:
    """All reasons of a proposal, in order."""
    return [render_reason(r, skill_names, institution_names) for r in reasons]


def render_diagnostic(
    diagnostic: Diagnostic | tuple[str, Mapping[str, Any]],
    skill_names: Mapping[int, str] | None = None,
    qualification_names: Mapping[int, str] | None = None,
) -> str:
    """Why a shift is (partly) unfilled, as a Polish sentence.

    Accepts a :class:`Diagnostic` or a bare ``(code, params)`` pair.
    """
    if isinstance(diagnostic, Diagnostic):
        code, p = diagnostic.code, diagnostic.params
    else:
        code, p = diagnostic
    n = int(p.get("count", 0))
    who = f"Wszyscy pasujący wolontariusze ({n})" if n != 1 else "Jedyny pasujący wolontariusz"
    if code == "candidates_taken":
        noun = plural_pl(n, "kandydat", "kandydatów", "kandydatów")
        prefix = f"{n} {noun}"
        if n == 1:
            text = f"{prefix} – ma już propozycję gdzie indziej, gdzie pasuje lepiej"
        else:
            text = f"{prefix} – wszyscy mają już propozycje gdzie indziej, gdzie pasują lepiej"
        if int(p.get("proposed", 0)):
            text = f"Zaproponowano {p['proposed']}; pozostali: {text}"
        return text
    if code == "too_few_candidates":
        noun = plural_pl(n, "kandydat", "kandydatów", "kandydatów")
        return f"Tylko {n} {noun} – wszyscy zaproponowani tutaj, to za mało na wolne miejsca"
    if code == "no_skill":
        skills = list(p["skills"])
        if len(skills) == 1:
            s = skills[0]
            return (
                f"Nikt nie ma umiejętności „{_name(skill_names, s['skill_id'])}” "
                f"na poziomie co najmniej {s['min_level']}"
            )
        return "Nikt nie ma jednocześnie umiejętności " + _skills_text(skills, skill_names)
    if code == "no_skilled_available":
        skills = list(p["skills"])
        when = f"{WEEKDAYS_PL[p['weekday']]} {p['start']}–{p['end']}"
        if len(skills) == 1:
            s = skills[0]
            return (
                f"Żaden wolontariusz z umiejętnością „{_name(skill_names, s['skill_id'])}” "
                f"na poziomie co najmniej {s['min_level']} nie jest wolny {when}"
            )
        return (
            "Żaden wolontariusz z umiejętnościami "
            f"{_skills_text(skills, skill_names)} nie jest wolny {when}"
        )
    if code == "no_one_available":
        return f"Nikt nie jest wolny {WEEKDAYS_PL[p['weekday']]} {p['start']}–{p['end']}"
    if code == "crosses_midnight":
        return (
            f"Zmiana trwa przez północ ({p['start']}–{p['end']}), a dostępność podaje się "
            "w obrębie jednego dnia"
        )
    if code == "all_away":
        verb = "są nieobecni" if n != 1 else "jest nieobecny"
        return f"{who} {verb} {p['date']}"
    if code == "blocked_age":
        verb = (
            "są za młodzi lub nie podali wieku" if n != 1 else "jest za młody lub nie podał wieku"
        )
        return f"{who} {verb} (minimum {p['min_age']} lat)"
    if code == "blocked_child_protection":
        verb = "nie mają" if n != 1 else "nie ma"
        return f"{who} {verb} weryfikacji do pracy z dziećmi"
    if code == "blocked_bookings":
        verb = "mają" if n != 1 else "ma"
        return f"{who} {verb} już inne zajęcia w tym czasie"
    if code == "declined":
        verb = "odmówili" if n != 1 else "odmówił"
        return f"{who} wcześniej {verb} tej potrzeby"
    if code == "blocked_hours":
        verb = "nie mają" if n != 1 else "nie ma"
        return f"{who} {verb} już tylu wolnych godzin (zmiana trwa {p['hours']} h)"
    if code == "blocked_qualification":
        verb = "nie mają" if n != 1 else "nie ma"
        wanted = ", ".join(f"„{_name(qualification_names, q)}”" for q in p["qualification_ids"])
        return f"{who} {verb} ważnej w dniu zmiany kwalifikacji {wanted}"
    if code == "blocked_rest":
        verb = "mają" if n != 1 else "ma"
        return (
            f"{who} {verb} inną zmianę zbyt blisko: między dwiema zmianami potrzeba "
            f"co najmniej {_hours_pl(p['rest_hours'])} odpoczynku"
        )
    if code == "blocked_days_in_row":
        verb = "przekroczyliby" if n != 1 else "przekroczyłby"
        days = int(p["days"])
        return f"{who} {verb} limit {days} {plural_pl(days, 'dnia', 'dni', 'dni')} z rzędu"
    if code == "signup_not_open":
        return f"Zapisy na tę zmianę otwierają się dopiero {p.get('opens', '')}".rstrip()
    if code == "blocked_mixed":
        parts = ", ".join(f"{_STAGE_NAMES_PL.get(k, k)}: {v}" for k, v in dict(p["by"]).items())
        return f"Pasujący wolontariusze ({n}) odpadają z różnych powodów – {parts}"
    return f"{code} {dict(p)}"
