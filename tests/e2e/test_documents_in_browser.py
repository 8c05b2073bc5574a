"""Grażyna downloads her agreement and certificate; anyone can check their codes on /verify.

Staff of the host see what her placement lacks and finish the papers. Every page passes axe-core.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from app.models import Role
from tests.documents.test_documents_pdf import add_hours
from tests.documents.test_documents_pdf import long_engagement
from tests.e2e.test_accounts_in_browser import sign_in

pytestmark = pytest.mark.e2e


def downloaded_text(download) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", download.path(), "-"], capture_output=True, check=True
    )
    return " ".join(out.stdout.decode("utf-8").split())


def test_volunteer_downloads_agreement_and_certificate_and_verifies_the_code(
    page: Page, app, factory, assert_accessible
):
    hall = factory.institution("Filharmonia Opolska", short_name="Filharmonia")
    grazyna = factory.user(first_name="Grażyna", last_name="Wąsowska")
    need = long_engagement(factory, hall, grazyna, description="Pomoc przy koncertach")
    last_month = datetime.now(UTC).date().replace(day=1) - timedelta(days=1)
    add_hours(app, grazyna, hall, need, last_month.replace(day=1), 6)
    add_hours(app, grazyna, hall, need, last_month, 2.5)

    sign_in(page, grazyna.email)
    page.get_by_role("link", name="Dokumenty").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dokumenty")
    assert_accessible(page)

    page.get_by_role("button", name="Przygotuj porozumienie").click()
    expect(page.get_by_role("status").first).to_contain_text("Przygotowano porozumienie")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"Pobierz PDF OKIK.POR")).click()
    agreement = downloaded_text(info.value)
    assert "POROZUMIENIE O WYKONYWANIU ŚWIADCZEŃ WOLONTARIUSZA" in agreement
    assert "Grażyna Wąsowska" in agreement and "Pomoc przy koncertach" in agreement

    # A period with no hours is refused at the field, and the page stays accessible.
    page.get_by_label("Od dnia").fill("2020-01-01")
    page.get_by_label("Do dnia").fill("2020-01-31")
    page.get_by_role("button", name="Wystaw zaświadczenie").click()
    expect(page.locator(".error-summary")).to_contain_text("nie masz potwierdzonych godzin")
    assert_accessible(page)

    page.get_by_label("Instytucja").select_option(label="Filharmonia Opolska")
    page.get_by_label("Od dnia").fill(last_month.replace(day=1).isoformat())
    page.get_by_label("Do dnia").fill(last_month.isoformat())
    page.get_by_role("button", name="Wystaw zaświadczenie").click()
    expect(page.get_by_role("status").first).to_contain_text("Wystawiono zaświadczenie")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"Pobierz PDF OKIK.ZAS")).click()
    certificate = downloaded_text(info.value)
    assert "Łącznie potwierdzonych godzin: 8,5" in certificate
    code = re.search(r"kod ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})", certificate).group(1)

    page.goto("/verify")
    expect(page.get_by_role("heading", level=1)).to_have_text("Weryfikacja dokumentu")
    assert_accessible(page)
    page.get_by_label("Kod weryfikacyjny").fill(code.lower())
    page.get_by_role("button", name="Sprawdź").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dokument potwierdzony")
    expect(page.locator("main")).to_contain_text("Grażyna Wąsowska")
    expect(page.locator("main")).to_contain_text("OKIK/ZAS/")
    assert_accessible(page)

    page.get_by_role("link", name="Sprawdź inny kod").click()
    page.get_by_label("Kod weryfikacyjny").fill("ABCD-EFGH-JKMN")
    page.get_by_role("button", name="Sprawdź").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nie znaleziono dokumentu")
    expect(page.get_by_role("alert").first).to_contain_text("Nie znamy dokumentu")
    assert_accessible(page)


def test_staff_see_missing_records_and_finish_the_papers(
    page: Page, app, factory, assert_accessible
):
    hall = factory.institution("Filharmonia Opolska", short_name="Filharmonia")
    staff = factory.user(Role.STAFF, institution=hall, first_name="Jan", last_name="Dyrektor")
    grazyna = factory.user(first_name="Grażyna", last_name="Wąsowska")
    need = long_engagement(factory, hall, grazyna)

    sign_in(page, staff.email)
    page.goto(f"/documents/compliance/{need.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wymogi formalne")
    expect(page.locator("table")).to_contain_text("Szkolenie BHP")
    assert_accessible(page)
    page.get_by_role("button", name="Zapisz", exact=True).click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Co zrobiono").select_option("safety_briefing")
    page.get_by_label("Data", exact=True).fill(datetime.now(UTC).date().isoformat())
    page.get_by_role("button", name="Zapisz", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Zapisano")

    page.get_by_role("button", name="Przygotuj porozumienie").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Porozumienie OKIK/POR/")
    assert_accessible(page)
    page.get_by_label("Data podpisania").fill(datetime.now(UTC).date().isoformat())
    page.get_by_label("Kto podpisał").fill("Grażyna Wąsowska, Jan Dyrektor")
    page.get_by_role("button", name="Zapisz podpisanie").click()
    expect(page.locator("main")).to_contain_text("Podpisano")
    page.goto("/documents/staff")
    expect(page.locator("table")).to_contain_text("podpisane")
    assert_accessible(page)
