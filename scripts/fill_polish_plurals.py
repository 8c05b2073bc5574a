"""Fill the Polish catalogue's plural forms that are still empty.

Polish msgids carry the singular and the genitive plural ("5 miejsc"); the 2-4 form
("2 miejsca") is given in POLISH_FEW below. Run after `make update-messages`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po
from babel.messages.pofile import write_po

CATALOGUE = Path(__file__).resolve().parent.parent / "translations/pl/LC_MESSAGES/messages.po"

# singular msgid -> the form used after 2, 3, 4 (22, 23, 24, ...)
POLISH_FEW = {
    "Na tę zmianę przyjęto już %(num)d osobę. Nie można zmniejszyć liczby miejsc poniżej tej liczby: najpierw porozmawiaj z wolontariuszem i zmień jego przydział.": "Na tę zmianę przyjęto już %(num)d osoby. Nie można zmniejszyć liczby miejsc poniżej tej liczby: najpierw porozmawiaj z wolontariuszami i zmień ich przydział.",
    "%(num)d nieobsadzona zmiana.": "%(num)d nieobsadzone zmiany.",
    "%(num)d instytucja": "%(num)d instytucje",
    "%(num)d otwarta potrzeba": "%(num)d otwarte potrzeby",
    "%(num)d wolontariusz": "%(num)d wolontariuszy",
    "%(num)d konto": "%(num)d konta",
    "%(num)d kandydat, ale ma już propozycję tam, gdzie pasuje lepiej": "%(num)d kandydatów, wszyscy mają już propozycje tam, gdzie pasują lepiej",
    "Tylko %(num)d kandydat na wolne miejsca": "Tylko %(num)d kandydatów na wolne miejsca",
    "%(num)d pasująca osoba jest nieobecna %(date)s": "%(num)d pasujące osoby są nieobecne %(date)s",
    "%(num)d pasująca osoba jest za młoda (minimum %(age)d lat)": "%(num)d pasujące osoby są za młode (minimum %(age)d lat)",
    "%(num)d pasująca osoba nie ma sprawdzenia do pracy z dziećmi": "%(num)d pasujące osoby nie mają sprawdzenia do pracy z dziećmi",
    "%(num)d pasująca osoba ma wtedy inne zajęcia": "%(num)d pasujące osoby mają wtedy inne zajęcia",
    "%(num)d pasująca osoba wcześniej odmówiła": "%(num)d pasujące osoby wcześniej odmówiły",
    "%(num)d pasująca osoba wyczerpała limit godzin": "%(num)d pasujące osoby wyczerpały limit godzin",
    "%(num)d pasująca osoba odpada z różnych powodów": "%(num)d pasujące osoby odpadają z różnych powodów",
    # manage: staff pages
    "Zapisano szkic potrzeby z %(num)d zmianą.": "Zapisano szkic potrzeby z %(num)d zmianami.",
    "Zapisano zmiany. Powiadomiono %(num)d osobę zgłoszoną lub przyjętą.": "Zapisano zmiany. Powiadomiono %(num)d osoby zgłoszone lub przyjęte.",
    "Potrzeba odwołana. Powiadomiono %(num)d osobę.": "Potrzeba odwołana. Powiadomiono %(num)d osoby.",
    "Dodano %(num)d zmianę.": "Dodano %(num)d zmiany.",
    # needs: public search and need page
    "%(num)d zmiana": "%(num)d zmiany",
    "Znaleziono %(num)d potrzebę": "Znaleziono %(num)d potrzeby",
    "%(num)d wolne miejsce": "%(num)d wolne miejsca",
}


def main() -> int:
    with CATALOGUE.open("rb") as f:
        catalog = read_po(f, locale="pl")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if not message.pluralizable:
            # Polish msgids need no translation: a guessed (fuzzy) one would replace them.
            if message.fuzzy:
                message.string = ""
                message.flags.discard("fuzzy")
            continue
        singular, plural = message.id
        # The forms follow from the msgid and POLISH_FEW alone, so they are always rewritten.
        message.flags.discard("fuzzy")
        few = POLISH_FEW.get(singular)
        if few is None:
            missing.append(singular)
            continue
        message.string = (singular, few, plural)
    with CATALOGUE.open("wb") as f:
        write_po(f, catalog, width=0)
    if missing:
        print("No 2-4 form for:", *missing, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
