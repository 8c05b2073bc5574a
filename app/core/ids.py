"""Record ids as people send them in forms and addresses."""

from __future__ import annotations

# PostgreSQL integer keys end here: a larger number names no record, and sending it to the
# database would fail instead of finding nothing.
MAX_ID = 2**31 - 1
