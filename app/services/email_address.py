"""E-mail addresses as the exchange stores and compares them.

Two addresses that look the same belong to one account. An address is normalised before it is
stored or looked up: Unicode NFKC (fullwidth "ｊａｎ" becomes "jan", a ligature its letters), then
lower case, as the database compares addresses. An address that mixes alphabets, such as a
Cyrillic "а" among Latin letters, is refused: it exists only to look like someone else's.
"""

from __future__ import annotations

import unicodedata

# Scripts written together in one language count as one (Japanese mixes all three).
_SAME_SCRIPT = {
    "HIRAGANA": "CJK",
    "KATAKANA": "CJK",
    "HANGUL": "CJK",
    "BOPOMOFO": "CJK",
    "IDEOGRAPHIC": "CJK",
    "ARABIC-INDIC": "ARABIC",
    "EXTENDED": "ARABIC",
}


def normalise_email(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().lower()


def _script(ch: str) -> str | None:
    """The script of a letter or digit, by its Unicode name; None for what every script shares."""
    if ch.isascii():
        return "LATIN" if ch.isalpha() else None
    if unicodedata.category(ch)[0] not in "LN":
        return None  # punctuation, symbols and combining marks belong to no alphabet
    words = unicodedata.name(ch, "").split()
    if not words:
        return None
    if words[0] in ("FULLWIDTH", "HALFWIDTH"):
        return "FULLWIDTH"
    return _SAME_SCRIPT.get(words[0], words[0])


def mixes_scripts(address: str) -> bool:
    """True when the address, as typed, holds letters of more than one alphabet.

    The check reads the address before normalisation, so that fullwidth letters among Latin ones
    are seen; an address typed wholly in fullwidth letters is simply normalised to Latin.
    """
    scripts = {_script(ch) for ch in address}
    scripts.discard(None)
    return len(scripts) > 1
