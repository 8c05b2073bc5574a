"""Every visible string is translated, and the catalogues follow the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def catalogue(locale: str):
    with (ROOT / f"translations/{locale}/LC_MESSAGES/messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def untranslated(cat) -> list[str]:
    missing = []
    for message in cat:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def test_every_message_has_an_english_translation():
    assert untranslated(catalogue("en")) == []


def test_every_polish_plural_has_its_three_forms():
    plurals = [m for m in catalogue("pl") if m.pluralizable and m.id]
    assert plurals
    assert [m.id[0] for m in plurals if len([s for s in m.string if s]) != 3] == []


def test_catalogues_hold_every_message_of_the_code(tmp_path):
    pot = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "--no-wrap",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        fresh = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue("en") if m.id}
    assert sorted(fresh - known) == [], "run `make update-messages` and translate the new strings"


# "Zgłosiłeś(-aś)", "przyjęty(-a)", "zgłosił(a)": forms that pick a gender and bolt the other on.
GENDERED = re.compile(r"\w\((-?a|-aś|-łaś)\)|łeś\b")


def test_polish_texts_address_people_without_guessing_their_gender():
    ids = [m.id if isinstance(m.id, str) else m.id[0] for m in catalogue("pl") if m.id]
    assert len(ids) > 500
    assert [i for i in ids if GENDERED.search(i)] == []
    assert GENDERED.search("Zgłosiłeś(-aś) się") and GENDERED.search("Jeśli to nie Ty prosiłeś")
