"""Documents as the law asks for them: what the agreement and the certificate say, in PDF.

The PDFs are read back with pdftotext, so the tests see what a reader sees: Polish letters from
the embedded font, the parts art. 44 of the volunteering act requires, and the confirmed hours.
pypdf reads the document catalog and the structure tree that a screen reader uses, and pdffonts
says which fonts are embedded.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import AssignmentStatus
from app.models import Document
from app.models import HoursEntry
from app.models import HoursSource
from app.models import HoursStatus
from app.models import Institution
from app.models import Role
from app.models import User
from app.models import VolunteerProfile
from app.services import documents as service
from app.services import pdf

pytestmark = [
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext"),
    pytest.mark.clock,
]


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode("utf-8").split())


def embedded_fonts(data: bytes) -> list[str]:
    """The base names of the fonts embedded in the PDF, as pdffonts lists them (subset tag dropped)."""
    out = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True)
    names = []
    for line in out.stdout.decode("utf-8").splitlines()[2:]:
        columns = line.split()
        # name, type (one or more words), encoding, emb, sub, uni, object, generation
        assert columns[-5] == "yes", f"{columns[0]} is not embedded"
        names.append(columns[0].split("+", 1)[-1])
    return names


def letters(text: str) -> str:
    """Text as a reader compares it: presentation forms folded (NFKC), no bidi marks or spaces.

    pdftotext gives Arabic in the presentation forms the font drew, wraps a right-to-left run in
    embedding marks, and may see a gap between two joined letters as a space.
    """
    folded = unicodedata.normalize("NFKC", text)
    return "".join(c for c in folded if not c.isspace() and unicodedata.category(c) != "Cf")


def structure(data: bytes) -> tuple[dict, list[tuple[str, int, int]]]:
    """The catalog and the tagged elements (role, page index, marked-content id) in reading order.

    Checks on the way that every element points at a marked-content sequence that is really on its
    page, that each page's parent tree lists its elements in MCID order, and that every BDC on a
    page is closed by an EMC.
    """
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    root = catalog["/StructTreeRoot"]
    (document,) = [kid.get_object() for kid in root["/K"]]
    assert document["/S"] == "/Document"
    page_index = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    elements = []
    for kid in document["/K"]:
        element = kid.get_object()
        (mcid,) = element["/K"]
        elements.append(
            (element["/S"][1:], page_index[element["/Pg"].indirect_reference.idnum], mcid)
        )
    parent_tree = root["/ParentTree"]["/Nums"]
    parents = dict(zip(parent_tree[::2], parent_tree[1::2], strict=True))
    for n, page in enumerate(reader.pages):
        content = page.get_contents().get_data().decode("latin-1")
        assert content.count(" BDC") == content.count("EMC")
        marked = [
            (role, int(mcid)) for role, mcid in re.findall(r"/(\w+) <</MCID (\d+)>> BDC", content)
        ]
        on_page = [(role, mcid) for role, page_no, mcid in elements if page_no == n]
        assert marked == on_page
        listed = [ref.get_object()["/K"][0] for ref in parents[page["/StructParents"]]]
        assert listed == list(range(len(on_page)))
    return catalog, elements


def set_profile(app, volunteer, **fields) -> None:
    profile = db.session.get(VolunteerProfile, volunteer.id)
    for name, value in fields.items():
        setattr(profile, name, value)
    db.session.commit()


def set_institution(app, institution, **fields) -> None:
    inst = db.session.get(Institution, institution.id)
    for name, value in fields.items():
        setattr(inst, name, value)
    db.session.commit()


def add_hours(app, volunteer, institution, need, day: date, hours: float, status=None) -> None:
    db.session.add(
        HoursEntry(
            volunteer_id=volunteer.id,
            institution_id=institution.id,
            need_id=need.id if need else None,
            worked_on=day,
            hours=hours,
            source=HoursSource.SELF_LOG,
            status=status or HoursStatus.CONFIRMED,
        )
    )
    db.session.commit()


def long_engagement(factory, institution, volunteer, **need_fields):
    """A long-term need with six weekly shifts (36 days); the volunteer accepted on all of them."""
    need = factory.need(institution, "Inwentaryzacja zbiorów", shifts=6, **need_fields)
    for index in range(6):
        factory.application(volunteer, need, shift_index=index, status=AssignmentStatus.ACCEPTED)
    return need


@pytest.fixture
def museum(factory):
    inst = factory.institution("Muzeum Śląska Opolskiego", short_name="MŚO")
    return inst


def test_agreement_names_the_parties_scope_time_ending_safety_and_costs(app, factory, museum):
    coordinator = factory.user(
        Role.STAFF, institution=museum, first_name="Łucja", last_name="Żółkiewska"
    )
    set_institution(
        app,
        museum,
        address="ul. Świętego Wojciecha 13, 45-023 Opole",
        volunteer_coordinator_id=coordinator.id,
    )
    volunteer = factory.user(first_name="Zdzisław", last_name="Gęślą-Źdźbło")
    set_profile(app, volunteer, date_of_birth=date(1990, 3, 14))
    need = long_engagement(
        factory, museum, volunteer, description="Opisywanie eksponatów w magazynie"
    )
    staff = factory.user(Role.STAFF, institution=museum)
    with app.test_request_context():
        issuer = db.session.get(User, staff.id)
        doc = service.issue_agreement(volunteer.id, need.id, issuer, date(2026, 11, 1))
        db.session.commit()
        assert doc.number == "OKIK/POR/2026/0001"
        text = pdf_text(pdf.render(doc, "http://localhost/verify"))

    assert "POROZUMIENIE O WYKONYWANIU ŚWIADCZEŃ WOLONTARIUSZA" in text
    assert "art. 44" in text
    assert "Muzeum Śląska Opolskiego" in text
    assert "ul. Świętego Wojciecha 13" in text
    assert "Łucja Żółkiewska" in text  # the named volunteer coordinator represents the host
    assert "Zdzisław Gęślą-Źdźbło" in text and "14.03.1990" in text
    assert "Opisywanie eksponatów w magazynie" in text
    assert "Rozwiązanie porozumienia" in text and "7-dniowego" in text
    assert "natychmiastowym" in text
    assert "Bezpieczeństwo i higiena pracy" in text
    assert "zwalnia Korzystającego z obowiązku pokrycia kosztów" in text  # no reimbursement
    assert doc.verification_code in text
    assert "Wolontariusz" in text and "Korzystający" in text  # places to sign
    for letter in "ąćęłńóśźżŁŚŻ":
        assert letter in text


def test_agreement_for_a_minor_names_the_guardian_and_under_13_the_guardian_concludes_it(
    app, factory, museum
):
    volunteer = factory.user(first_name="Jaś", last_name="Mały")
    start = datetime.now(UTC) + timedelta(days=7)
    set_profile(
        app,
        volunteer,
        date_of_birth=(start - timedelta(days=365 * 12)).date(),
        guardian_name="Małgorzata Mała",
        guardian_email="opiekunka@example.org",
    )
    need = factory.need(museum, "Warsztaty dla dzieci", offers_reimbursement=True)
    factory.application(volunteer, need, status=AssignmentStatus.ACCEPTED)
    with app.test_request_context():
        doc = service.issue_agreement(
            volunteer.id, need.id, db.session.get(User, volunteer.id), date(2026, 11, 1)
        )
        text = pdf_text(pdf.render(doc, "http://localhost/verify"))
    assert "Opiekun prawny wolontariusza: Małgorzata Mała, e-mail: opiekunka@example.org" in text
    assert "porozumienie w jego imieniu zawiera opiekun prawny" in text
    assert "Korzystający pokrywa" in text  # the need offers reimbursement


def test_one_agreement_per_engagement_and_only_for_accepted_work(app, factory, museum):
    volunteer = factory.user()
    applied_only = factory.need(museum, "Tylko zgłoszenie")
    factory.application(volunteer, applied_only)
    need = long_engagement(factory, museum, volunteer)
    with app.test_request_context():
        user = db.session.get(User, volunteer.id)
        with pytest.raises(service.DocumentError):
            service.issue_agreement(volunteer.id, applied_only.id, user, date(2026, 11, 1))
        service.issue_agreement(volunteer.id, need.id, user, date(2026, 11, 1))
        with pytest.raises(service.DocumentError):
            service.issue_agreement(volunteer.id, need.id, user, date(2026, 11, 1))


def test_engagements_longer_than_30_days_need_a_signed_agreement(app, factory, museum):
    volunteer = factory.user()
    short = factory.need(museum, "Jednodniowy dyżur")
    factory.application(volunteer, short, status=AssignmentStatus.ACCEPTED)
    need = long_engagement(factory, museum, volunteer)
    today = datetime.now(UTC).date()
    with app.test_request_context():
        found = service.engagements_needing_agreement(today)
        assert [(v, n) for v, n, _first in found] == [(volunteer.id, need.id)]
        assert found[0][2] == service.engagement(volunteer.id, need.id).first_day
        doc = service.issue_agreement(
            volunteer.id, need.id, db.session.get(User, volunteer.id), today
        )
        # Prepared but not signed yet: still reported.
        assert len(service.engagements_needing_agreement(today)) == 1
        service.record_signature(doc, today, "Ola Testowa i Łucja Żółkiewska", today)
        db.session.commit()
        assert service.engagements_needing_agreement(today) == []
        # An engagement that ended long ago is no longer something to remind about.
        later = service.engagement(volunteer.id, need.id).last_day + timedelta(days=1)
        assert service.engagements_needing_agreement(later) == []


def test_certificate_sums_confirmed_hours_in_the_period_per_institution(app, factory, museum):
    theatre = factory.institution("Teatr im. Jana Kochanowskiego", short_name="Teatr")
    volunteer = factory.user(first_name="Bożena", last_name="Źdźbło")
    set_profile(app, volunteer, date_of_birth=date(2001, 5, 2))
    need_m = factory.need(museum, "Oprowadzanie po wystawie")
    need_t = factory.need(theatre, "Obsługa widowni")
    add_hours(app, volunteer, museum, need_m, date(2026, 9, 5), 4)
    add_hours(app, volunteer, museum, need_m, date(2026, 9, 12), 3.5)
    add_hours(app, volunteer, museum, need_m, date(2026, 9, 13), 6, HoursStatus.PENDING)
    add_hours(app, volunteer, museum, need_m, date(2026, 8, 1), 8)  # outside the period
    add_hours(app, volunteer, theatre, need_t, date(2026, 9, 20), 5)
    today = date(2026, 11, 1)
    with app.test_request_context():
        user = db.session.get(User, volunteer.id)
        one = service.issue_certificate(user, date(2026, 9, 1), date(2026, 9, 30), museum.id, today)
        assert one.hours == 7.5
        text = pdf_text(pdf.render(one, "http://localhost/verify"))
        assert "ZAŚWIADCZENIE" in text
        assert "Bożena Źdźbło" in text and "02.05.2001" in text
        assert "01.09.2026" in text and "30.09.2026" in text
        assert "Muzeum Śląska Opolskiego" in text
        assert "Oprowadzanie po wystawie" in text
        assert "Łącznie potwierdzonych godzin: 7,5" in text
        assert "Teatr" not in text

        everywhere = service.issue_certificate(
            user, date(2026, 9, 1), date(2026, 9, 30), None, today
        )
        one.opinion = "Rzetelna, punktualna, świetnie współpracuje z zespołem."
        db.session.commit()
        assert everywhere.hours == 12.5
        assert everywhere.number == "OKIK/ZAS/2026/0002"
        text = pdf_text(pdf.render(everywhere, "http://localhost/verify"))
        assert "zaświadczenie zbiorcze" in text
        assert "Teatr im. Jana Kochanowskiego" in text and "Potwierdzone godziny: 5" in text
        assert "Łącznie potwierdzonych godzin: 12,5" in text
        text = pdf_text(pdf.render(one, "http://localhost/verify"))
        assert "Opinia" in text and "świetnie współpracuje" in text


def test_no_certificate_without_confirmed_hours_or_with_a_wrong_period(app, factory, museum):
    volunteer = factory.user()
    today = date(2026, 11, 1)
    with app.test_request_context():
        user = db.session.get(User, volunteer.id)
        for start, end in [
            (date(2026, 9, 1), date(2026, 9, 30)),  # nothing confirmed
            (date(2026, 9, 30), date(2026, 9, 1)),  # backwards
            (date(2026, 10, 1), date(2026, 12, 1)),  # ends in the future
        ]:
            with pytest.raises(service.DocumentError):
                service.issue_certificate(user, start, end, None, today)
        assert db.session.scalars(select(Document)).all() == []


def test_codes_are_unambiguous_and_typed_codes_are_normalised(app):
    code = service.new_verification_code()
    assert len(code) == 14 and code.count("-") == 2
    assert not set(code) & set("01OIL")
    assert service.normalise_code(code.lower().replace("-", " ")) == code
    assert service.normalise_code("0000-0000-0000") is None
    assert service.normalise_code("") is None


def test_a_number_taken_at_the_same_moment_is_skipped(app, factory, museum, monkeypatch):
    volunteer = factory.user()
    add_hours(app, volunteer, museum, None, date(2026, 9, 5), 4)
    real_next = service.next_number
    calls = []

    def clashing(kind, year):
        calls.append(kind)
        return "OKIK/ZAS/2026/0001" if len(calls) <= 2 else real_next(kind, year)

    with app.test_request_context():
        user = db.session.get(User, volunteer.id)
        first = service.issue_certificate(
            user, date(2026, 9, 1), date(2026, 9, 30), None, date(2026, 11, 1)
        )
        db.session.commit()
        monkeypatch.setattr(service, "next_number", clashing)
        second = service.issue_certificate(
            user, date(2026, 9, 1), date(2026, 9, 30), None, date(2026, 11, 1)
        )
        db.session.commit()
        assert first.number == "OKIK/ZAS/2026/0001"
        assert second.number == "OKIK/ZAS/2026/0002"
        assert first.verification_code != second.verification_code


def test_documents_are_tagged_titled_and_speak_the_language_they_were_issued_in(
    app, factory, museum
):
    """A screen reader finds headings and paragraphs; a reader's window names the document."""
    volunteer = factory.user(first_name="Jan", last_name="Kowalski")
    need = long_engagement(factory, museum, volunteer)
    add_hours(app, volunteer, museum, need, date(2026, 9, 5), 4)
    with app.test_request_context():
        user = db.session.get(User, volunteer.id)
        agreement = service.issue_agreement(volunteer.id, need.id, user, date(2026, 11, 1))
        certificate = service.issue_certificate(
            user, date(2026, 9, 1), date(2026, 9, 30), None, date(2026, 11, 1)
        )
        # An opinion long enough to go over the page break.
        certificate.opinion = "Rzetelna, punktualna, świetnie współpracuje z zespołem. " * 120
        db.session.commit()
        agreement_pdf = pdf.render(agreement, "http://localhost/verify")
        certificate_pdf = pdf.render(certificate, "http://localhost/verify")
        with force_locale("en"):
            english_pdf = pdf.render(agreement, "http://localhost/verify")

    catalog, elements = structure(agreement_pdf)
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == "pl"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    meta = PdfReader(io.BytesIO(agreement_pdf)).metadata
    assert meta.title == (
        "Porozumienie wolontariackie – Jan Kowalski – Muzeum Śląska Opolskiego (OKIK/POR/2026/0001)"
    )
    assert meta.author == "Muzeum Śląska Opolskiego"
    # Polish letters only: the large fallback fonts stay out of the file.
    assert not [font for font in embedded_fonts(agreement_pdf) if font.startswith("Noto")]
    roles = [role for role, _page, _mcid in elements]
    assert roles[0] == "H1" and roles.count("H1") == 1
    assert roles.count("H2") == 7  # § 1 to § 7
    assert roles.count("P") > 10

    catalog, elements = structure(certificate_pdf)
    assert bool(catalog["/MarkInfo"]["/Marked"]) and catalog["/Lang"] == "pl"
    assert PdfReader(io.BytesIO(certificate_pdf)).metadata.title == (
        "Zaświadczenie o wolontariacie – Jan Kowalski – Opolska Koalicja Instytucji Kultury "
        "(OKIK/ZAS/2026/0001)"
    )
    pages = {page for _role, page, _mcid in elements}
    assert pages == {0, 1}  # the opinion went on over the page break, still tagged

    catalog, _elements = structure(english_pdf)
    assert catalog["/Lang"] == "en"
    assert PdfReader(io.BytesIO(english_pdf)).metadata.title == (
        "Volunteer agreement – Jan Kowalski – Muzeum Śląska Opolskiego (OKIK/POR/2026/0001)"
    )
    assert "VOLUNTEER AGREEMENT" in pdf_text(english_pdf)


@pytest.mark.parametrize(
    ("first_name", "last_name", "fallback_font"),
    [("محمد", "علي", "NotoSansArabic"), ("王", "小明", "NotoSansSC")],
)
def test_a_certificate_prints_a_name_in_a_script_open_sans_lacks(
    app, factory, museum, first_name, last_name, fallback_font
):
    """The name used to vanish: its letters now come from a fallback font embedded in the PDF."""
    volunteer = factory.user(first_name=first_name, last_name=last_name)
    add_hours(app, volunteer, museum, None, date(2026, 9, 5), 4)
    with app.test_request_context():
        user = db.session.get(User, volunteer.id)
        doc = service.issue_certificate(
            user, date(2026, 9, 1), date(2026, 9, 30), museum.id, date(2026, 11, 1)
        )
        data = pdf.render(doc, "http://localhost/verify")

    name = f"{first_name} {last_name}"
    text = pdf_text(data)
    # pdftotext reorders the neutral "(" that follows an Arabic run, so the name alone is compared.
    assert letters(name) in letters(text)
    assert "osoba:" in text and "data urodzenia" in text
    assert "Zaświadcza się" in text  # the Polish around it is still Open Sans
    fonts = embedded_fonts(data)
    assert "OpenSans" in fonts and fallback_font in fonts
    assert PdfReader(io.BytesIO(data)).metadata.title.startswith(
        f"Zaświadczenie o wolontariacie – {name} – "
    )
