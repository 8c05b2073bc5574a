"""The dates the exchange takes: the years people mean, not every year a calendar can hold.

A year such as 0001 or 9999 is a slip of the keyboard. Accepted, it breaks arithmetic for
everybody: the day after 9999-12-31 does not exist, and a calendar feed cannot describe the time
zone around it. Forms refuse such dates at the field, the API refuses them with 400, pages that
read a date from the address ignore it, and code that meets one already stored leaves it out.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime

FIRST_YEAR, LAST_YEAR = 2000, 2100
# People born before this year do not volunteer any more; the birth date also reaches back
# further than the exchange's own dates.
FIRST_BIRTH_YEAR = 1900

FIRST_DAY = date(FIRST_YEAR, 1, 1)
LAST_DAY = date(LAST_YEAR, 12, 31)
FIRST_BIRTH_DAY = date(FIRST_BIRTH_YEAR, 1, 1)
# Instants a stored shift may have for the feeds and the matcher to use it (UTC, end excluded).
FIRST_INSTANT = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
END_INSTANT = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)


def is_sensible(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def clamp(day: date) -> date:
    """A date far away behaves like the nearest end of the range."""
    return min(max(day, FIRST_DAY), LAST_DAY)
