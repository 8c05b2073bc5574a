"""Stories of the documents pages: asking for papers, staff finishing them, anyone verifying them.

Also who may not see what: another volunteer's documents, staff of another institution (IDOR),
and whatever a robot types into the forms (never a server error).
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models import AssignmentStatus
from app.models import ComplianceRecord
from app.models import Document
from app.models import DocumentKind
from app.models import Role
from tests.documents.test_documents_pdf import add_hours
from tests.documents.test_documents_pdf import long_engagement
from tests.documents.test_documents_pdf import pdf_text
from tests.factories import PASSWORD
from tests.test_bad_input import nasty_text

pytestmark = pytest.mark.clock


class World:
    pass


@pytest.fixture
def world(app, factory):
    """A volunteer with confirmed hours and a long engagement at A; staff of A and B; others."""
    w = World()
    w.a = factory.institution("Filharmonia Opolska", short_name="Filharmonia")
    w.b = factory.institution("Teatr Lalki i Aktora", short_name="Teatr Lalki")
    w.volunteer = factory.user(first_name="Grażyna", last_name="Wąsowska")
    w.other = factory.user(first_name="Inny", last_name="Wolontariusz")
    w.staff_a = factory.user(Role.STAFF, institution=w.a)
    w.staff_b = factory.user(Role.STAFF, institution=w.b)
    w.coordinator = factory.user(Role.COORDINATOR)
    w.need = long_engagement(factory, w.a, w.volunteer, description="Pomoc przy koncertach")
    w.need_b = factory.need(w.b, "Spektakle")
    w.last_month = datetime.now(UTC).date().replace(day=1) - timedelta(days=1)
    w.first_of_last_month = w.last_month.replace(day=1)
    add_hours(app, w.volunteer, w.a, w.need, w.first_of_last_month, 6)
    add_hours(app, w.volunteer, w.a, w.need, w.last_month, 2.5)
    return w


def client_for(app, user):
    client = app.test_client()
    if user is not None:
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
    return client


def only_document(app, kind: DocumentKind) -> Document:
    return db.session.scalars(select(Document).where(Document.kind == kind)).one()


def test_volunteer_asks_for_a_certificate_and_downloads_it(app, world):
    client = client_for(app, world.volunteer)
    page = client.get("/documents/")
    assert page.status_code == 200 and "Poproś o zaświadczenie" in page.text
    response = client.post(
        "/documents/certificates",
        data={
            "institution_id": str(world.a.id),
            "period_start": world.first_of_last_month.isoformat(),
            "period_end": world.last_month.isoformat(),
        },
    )
    assert response.status_code == 302
    doc = only_document(app, DocumentKind.CERTIFICATE)
    assert doc.hours == 8.5
    page = client.get("/documents/")
    assert doc.number in page.text and "godzin: 8,5" in page.text
    pdf = client.get(f"/documents/{doc.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "Grażyna Wąsowska" in text and "Łącznie potwierdzonych godzin: 8,5" in text


def test_a_period_without_hours_is_refused_at_the_field(app, world):
    client = client_for(app, world.volunteer)
    response = client.post(
        "/documents/certificates",
        data={"institution_id": "", "period_start": "2020-01-01", "period_end": "2020-01-31"},
    )
    assert response.status_code == 422
    assert "nie masz potwierdzonych godzin" in response.text


def test_volunteer_asks_for_an_agreement_and_staff_record_the_signature(app, world):
    client = client_for(app, world.volunteer)
    response = client.post("/documents/agreements/request", data={"need_id": str(world.need.id)})
    assert response.status_code == 302
    doc = only_document(app, DocumentKind.AGREEMENT)
    again = client.post("/documents/agreements/request", data={"need_id": str(world.need.id)})
    assert again.status_code == 422 and "już istnieje" in again.text

    staff = client_for(app, world.staff_a)
    listing = staff.get("/documents/staff")
    assert doc.number in listing.text and "do podpisania" in listing.text
    today = datetime.now(UTC).date()
    response = staff.post(
        f"/documents/{doc.id}/signature",
        data={"signed_on": today.isoformat(), "signed_by": "Grażyna Wąsowska, Jan Dyrektor"},
    )
    assert response.status_code == 302
    from app.services.documents import engagements_needing_agreement

    assert engagements_needing_agreement(today) == []
    future = staff.post(
        f"/documents/{doc.id}/signature",
        data={"signed_on": (today + timedelta(days=3)).isoformat(), "signed_by": "X"},
    )
    assert future.status_code == 422


def test_staff_write_an_opinion_that_the_certificate_prints(app, world):
    volunteer = client_for(app, world.volunteer)
    volunteer.post(
        "/documents/certificates",
        data={
            "institution_id": str(world.a.id),
            "period_start": world.first_of_last_month.isoformat(),
            "period_end": world.last_month.isoformat(),
        },
    )
    doc = only_document(app, DocumentKind.CERTIFICATE)
    staff = client_for(app, world.staff_a)
    assert staff.get(f"/documents/{doc.id}").status_code == 200
    response = staff.post(
        f"/documents/{doc.id}/opinion", data={"opinion": "Sumienna i życzliwa wobec publiczności."}
    )
    assert response.status_code == 302
    assert "życzliwa wobec publiczności" in pdf_text(volunteer.get(f"/documents/{doc.id}.pdf").data)


def test_nobody_else_sees_or_changes_a_document(app, world, factory):
    client_for(app, world.volunteer).post(
        "/documents/agreements/request", data={"need_id": str(world.need.id)}
    )
    doc = only_document(app, DocumentKind.AGREEMENT)
    other = client_for(app, world.other)
    assert other.get(f"/documents/{doc.id}.pdf").status_code == 404
    assert doc.number not in other.get("/documents/").text
    staff_b = client_for(app, world.staff_b)
    assert staff_b.get(f"/documents/{doc.id}.pdf").status_code == 404
    assert staff_b.get(f"/documents/{doc.id}").status_code == 403
    assert staff_b.post(f"/documents/{doc.id}/opinion", data={"opinion": "x"}).status_code == 403
    response = staff_b.post(
        f"/documents/{doc.id}/signature", data={"signed_on": "2026-01-01", "signed_by": "X"}
    )
    assert response.status_code == 403
    assert doc.number not in staff_b.get("/documents/staff").text
    assert client_for(app, None).get(f"/documents/{doc.id}.pdf").status_code == 302
    coordinator = client_for(app, world.coordinator)
    assert coordinator.get(f"/documents/{doc.id}.pdf").status_code == 200
    assert client_for(app, world.staff_a).get(f"/documents/{doc.id}.pdf").status_code == 200
    assert factory.get(Document, doc.id).signed_on is None


def test_a_volunteer_cannot_ask_for_an_agreement_on_someone_elses_engagement(app, world, factory):
    factory.application(world.other, world.need_b, status=AssignmentStatus.ACCEPTED)
    client = client_for(app, world.volunteer)
    response = client.post("/documents/agreements/request", data={"need_id": str(world.need_b.id)})
    assert response.status_code == 422
    assert factory.scalars(select(Document)) == []


def test_staff_see_what_each_placement_lacks_and_record_it(app, world):
    staff = client_for(app, world.staff_a)
    overview = staff.get("/documents/staff")
    assert "Braki przed najbliższymi zmianami" in overview.text
    assert "Grażyna Wąsowska" in overview.text  # her first shift is in a week
    assert "Grażyna Wąsowska" not in client_for(app, world.staff_b).get("/documents/staff").text
    assert f"/documents/compliance/{world.need.id}" in overview.text
    page = staff.get(f"/documents/compliance/{world.need.id}")
    assert page.status_code == 200
    assert "Grażyna Wąsowska" in page.text
    assert "Szkolenie BHP" in page.text and "Brak:" in page.text
    response = staff.post(
        f"/documents/compliance/{world.need.id}/records",
        data={
            "volunteer_id": str(world.volunteer.id),
            "kind": "safety_briefing",
            "done_on": date.today().isoformat(),
            "note": "Instruktaż stanowiskowy",
        },
    )
    assert response.status_code == 302
    response = staff.post(
        f"/documents/compliance/{world.need.id}/agreements",
        data={"volunteer_id": str(world.volunteer.id)},
    )
    assert response.status_code == 302
    doc = only_document(app, DocumentKind.AGREEMENT)
    page = staff.get(f"/documents/compliance/{world.need.id}")
    assert "Instruktaż stanowiskowy" in page.text and doc.number in page.text


def test_staff_of_another_institution_cannot_see_or_record_compliance(app, world, factory):
    staff_b = client_for(app, world.staff_b)
    assert staff_b.get(f"/documents/compliance/{world.need.id}").status_code == 403
    response = staff_b.post(
        f"/documents/compliance/{world.need.id}/records",
        data={
            "volunteer_id": str(world.volunteer.id),
            "kind": "safety_briefing",
            "done_on": "2026-01-01",
        },
    )
    assert response.status_code == 403
    response = staff_b.post(
        f"/documents/compliance/{world.need.id}/agreements",
        data={"volunteer_id": str(world.volunteer.id)},
    )
    assert response.status_code == 403
    # Staff of A cannot record for a volunteer who is not on the need.
    staff_a = client_for(app, world.staff_a)
    response = staff_a.post(
        f"/documents/compliance/{world.need.id}/records",
        data={
            "volunteer_id": str(world.other.id),
            "kind": "safety_briefing",
            "done_on": "2026-01-01",
        },
    )
    assert response.status_code == 422
    assert factory.scalars(select(ComplianceRecord)) == []
    assert factory.scalars(select(Document)) == []


def test_a_co_host_records_compliance_but_leaves_the_agreement_to_the_host(app, world, factory):
    from tests.needs.test_needs_helpers import add_cohost

    add_cohost(app, world.need, world.b)
    staff_b = client_for(app, world.staff_b)
    page = staff_b.get(f"/documents/compliance/{world.need.id}")
    assert page.status_code == 200
    assert "przygotowuje gospodarz potrzeby: Filharmonia Opolska" in page.text
    assert "/agreements" not in page.text
    response = staff_b.post(
        f"/documents/compliance/{world.need.id}/agreements",
        data={"volunteer_id": str(world.volunteer.id)},
    )
    assert response.status_code == 403
    assert 'role="alert"' in response.text and "Filharmonia Opolska" in response.text
    assert factory.scalars(select(Document)) == []
    response = staff_b.post(
        f"/documents/compliance/{world.need.id}/records",
        data={
            "volunteer_id": str(world.volunteer.id),
            "kind": "safety_briefing",
            "done_on": date.today().isoformat(),
        },
    )
    assert response.status_code == 302


def test_the_public_page_confirms_a_code_with_only_name_and_dates(app, world):
    client_for(app, world.volunteer).post(
        "/documents/agreements/request", data={"need_id": str(world.need.id)}
    )
    doc = only_document(app, DocumentKind.AGREEMENT)
    public = client_for(app, None)
    typed = public.get("/verify", query_string={"code": doc.verification_code.lower()})
    assert typed.status_code == 302 and typed.location.endswith(f"/verify/{doc.verification_code}")
    page = public.get(f"/verify/{doc.verification_code}")
    assert page.status_code == 200
    assert "Dokument potwierdzony" in page.text
    assert doc.number in page.text and "Grażyna Wąsowska" in page.text
    assert "Filharmonia Opolska" in page.text
    assert world.volunteer.email not in page.text
    assert "Pomoc przy koncertach" not in page.text  # the scope stays private
    unknown = public.get("/verify/ABCD-EFGH-JKMN")
    assert unknown.status_code == 404
    assert "Nie znamy dokumentu z takim kodem" in unknown.text
    assert public.get("/verify", query_string={"code": ""}).status_code == 422


# --- bad input -----------------------------------------------------------------------------------

dates_or_text = st.one_of(
    nasty_text,
    st.dates().map(str),
    st.sampled_from(["2026-02-30", "0000-01-01", "9999-12-31", "1-1-1", "2026-13-01"]),
)


@pytest.mark.parametrize(
    ("who", "url", "fields"),
    [
        ("volunteer", "/documents/certificates", ["institution_id", "period_start", "period_end"]),
        ("volunteer", "/documents/agreements/request", ["need_id"]),
        (
            "staff_a",
            "/documents/compliance/{need}/records",
            ["volunteer_id", "kind", "done_on", "note"],
        ),
        ("staff_a", "/documents/compliance/{need}/agreements", ["volunteer_id"]),
        ("staff_a", "/documents/{agreement}/signature", ["signed_on", "signed_by"]),
        ("staff_a", "/documents/{certificate}/opinion", ["opinion"]),
    ],
)
def test_document_forms_never_answer_with_a_server_error(app, world, who, url, fields):
    volunteer = client_for(app, world.volunteer)
    volunteer.post("/documents/agreements/request", data={"need_id": str(world.need.id)})
    volunteer.post(
        "/documents/certificates",
        data={
            "institution_id": "",
            "period_start": world.first_of_last_month.isoformat(),
            "period_end": world.last_month.isoformat(),
        },
    )
    ids = {
        "need": world.need.id,
        "agreement": only_document(app, DocumentKind.AGREEMENT).id,
        "certificate": only_document(app, DocumentKind.CERTIFICATE).id,
    }
    client = volunteer if who == "volunteer" else client_for(app, world.staff_a)
    if "{certificate}" in url:
        client = client_for(app, world.coordinator)  # a coalition-wide certificate
    target = url.format(**ids)
    strategies = {f: dates_or_text for f in fields}
    for key in ("institution_id", "need_id", "volunteer_id"):
        if key in strategies:
            strategies[key] = st.one_of(
                nasty_text, st.sampled_from([str(world.a.id), str(world.need.id), "", "0"])
            )

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(values=st.fixed_dictionaries({}, optional=strategies))
    def check(values):
        response = client.post(target, data=values)
        response.close()
        assert response.status_code < 500, (target, values, response.status_code)
        assert response.status_code in (302, 400, 422), (target, values, response.status_code)

    check()


@given(code=nasty_text)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_verification_never_answers_with_a_server_error(client, code):
    for response in (
        client.get(f"/verify/{code}"),
        client.get("/verify", query_string={"code": code}),
    ):
        response.close()
        # "/verify/" with an empty code is sent on to "/verify" (308), like any trailing slash.
        assert response.status_code in (200, 302, 308, 400, 404, 422), response.status_code


def test_odd_document_ids_are_not_found(app, world):
    client = client_for(app, world.staff_a)
    for n in ("0", "-1", "99999999999999999999", "abc", "%00"):
        for path in (f"/documents/{n}.pdf", f"/documents/{n}", f"/documents/compliance/{n}"):
            response = client.get(path)
            response.close()
            assert response.status_code == 404, (path, response.status_code)
