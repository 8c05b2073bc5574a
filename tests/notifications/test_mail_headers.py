"""The headers mail programs and mail providers read: one-click unsubscribe, the list a message
belongs to, that it was sent by a machine, and its language. Checked on the raw bytes the real
SMTP server received, because a header that parses back fine may still be written in a form
(RFC 2047 encoded words) that a mail program does not look into."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AssignmentStatus
from app.models import User
from app.scheduling import jobs
from app.scheduling import reminders

pytestmark = pytest.mark.clock


def raw_headers(mailbox, address: str) -> list[str]:
    """The header lines of the one message the server received for `address`, unfolded only where
    the message itself folded them (a continuation line starts with white space)."""
    mailbox.wait_for(address)
    (envelope,) = [e for e in mailbox.envelopes if address in e.rcpt_tos]
    head = envelope.content.split(b"\r\n\r\n", 1)[0].decode("ascii")
    lines: list[str] = []
    for line in head.split("\r\n"):
        if line[:1] in (" ", "\t"):
            lines[-1] += line
        else:
            lines.append(line)
    return lines


def header(lines: list[str], name: str) -> list[str]:
    prefix = f"{name.lower()}:"
    return [line[len(prefix) :].strip() for line in lines if line.lower().startswith(prefix)]


@pytest.fixture
def two_volunteers_on_a_shift(app, factory):
    museum = factory.institution("Muzeum")
    ola = factory.user(first_name="Ola")
    john = factory.user(first_name="John")
    with app.app_context():
        db.session.get(User, john.id).locale = "en"
        db.session.commit()
    need = factory.need(
        museum,
        "Dyżur w muzeum",
        start=datetime.now(UTC).replace(microsecond=0) + timedelta(hours=20),
    )
    for volunteer in (ola, john):
        factory.application(volunteer, need, status=AssignmentStatus.ACCEPTED)
    return ola, john


def test_a_reminder_can_be_unsubscribed_in_one_click_and_names_its_list_and_language(
    app, client, mailbox, two_volunteers_on_a_shift
):
    ola, john = two_volunteers_on_a_shift
    jobs.bind_app(app)
    jobs.run_job("shift_reminders", reminders.shift_reminders)

    polish = raw_headers(mailbox, ola.email)
    (unsubscribe,) = header(polish, "List-Unsubscribe")
    # An absolute link in angle brackets, written as it is, not as =?utf-8?q?...?= words.
    assert unsubscribe.startswith("<http://127.0.0.1:5000/unsubscribe/")
    assert unsubscribe.endswith(">") and "=?" not in unsubscribe and " " not in unsubscribe
    assert header(polish, "List-Unsubscribe-Post") == ["List-Unsubscribe=One-Click"]
    (list_id,) = header(polish, "List-Id")
    phrase, _, identifier = list_id.rpartition(" ")
    assert identifier == "<gielda.okik.example.org>"
    assert phrase.startswith("=?utf-8?")  # only the phrase, with its "ł", is encoded
    assert header(polish, "Auto-Submitted") == ["auto-generated"]
    assert header(polish, "Content-Language") == ["pl"]

    parsed = email.message_from_bytes(
        next(e for e in mailbox.envelopes if ola.email in e.rcpt_tos).content,
        policy=email.policy.default,
    )
    assert parsed["List-Id"] == "Giełda Wolontariatu OKIK <gielda.okik.example.org>"

    english = raw_headers(mailbox, john.email)
    assert header(english, "Content-Language") == ["en"]
    assert header(english, "List-Id") == ["OKIK Volunteer Exchange <gielda.okik.example.org>"]

    # The link in the header is the one-click unsubscribe: a POST without a session turns it off.
    path = unsubscribe.strip("<>").removeprefix("http://127.0.0.1:5000")
    response = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200


def test_an_account_email_has_no_unsubscribe_but_says_it_is_automatic(client, factory, mailbox):
    user = factory.user(email="ewa@example.org")
    client.post("/reset", data={"email": user.email})
    lines = raw_headers(mailbox, user.email)
    assert header(lines, "List-Unsubscribe") == []  # a password link cannot be turned off
    assert header(lines, "Auto-Submitted") == ["auto-generated"]
    assert header(lines, "Content-Language") == ["pl"]
    assert header(lines, "List-Id")[0].endswith(" <gielda.okik.example.org>")
