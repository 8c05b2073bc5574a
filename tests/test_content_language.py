"""What people wrote in Polish says so on English pages (WCAG 3.1.2, language of parts).

Need titles and descriptions, institution names and descriptions, applicants' messages: people
write them in Polish whatever language a reader picked. On an English page each carries
lang="pl", so that a screen reader switches to Polish pronunciation instead of reading "Dyżur"
as English; on a Polish page the page's own lang="pl" says it already, and nothing is added.
"""

from __future__ import annotations

from app.extensions import db
from app.models import Assignment
from app.models import Role
from tests.factories import PASSWORD


def english(client):
    client.set_cookie("okik_lang", "en")
    return client


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_an_english_reader_hears_the_need_and_its_host_in_polish(client, factory):
    museum = factory.institution("Muzeum Śląska Opolskiego", short_name="Muzeum Śląska")
    need = factory.need(
        museum,
        "Dyżur w sali ekspozycyjnej",
        description="Pilnowanie sali.\n\nOprowadzanie gości po wystawie.",
        place="ul. Świętego Wojciecha 13, Opole",
    )

    page = page_of(english(client), f"/needs/{need.id}")

    assert '<html lang="en">' in page
    assert '<h1><span lang="pl">Dyżur w sali ekspozycyjnej</span></h1>' in page
    assert '<p><span lang="pl">Oprowadzanie gości po wystawie.</span></p>' in page
    assert '<span lang="pl">Muzeum Śląska Opolskiego</span>' in page
    assert '<span lang="pl">ul. Świętego Wojciecha 13, Opole</span>' in page
    # The interface around them stays English, unmarked.
    assert "Apply" in page or "apply" in page


def test_a_polish_reader_gets_no_extra_marks(client, factory):
    museum = factory.institution("Muzeum Śląska Opolskiego")
    need = factory.need(museum, "Dyżur w sali ekspozycyjnej", description="Pilnowanie sali.")

    page = page_of(client, f"/needs/{need.id}")

    assert '<html lang="pl">' in page
    assert "<h1>Dyżur w sali ekspozycyjnej</h1>" in page
    assert 'lang="pl">Dyżur' not in page


def test_the_directory_and_the_search_in_english_mark_names_and_descriptions(client, factory):
    factory.institution(
        "Teatr im. Jana Kochanowskiego", description="Scena dramatyczna w centrum Opola."
    )
    theatre = factory.institution("Filharmonia Opolska")
    factory.need(theatre, "Obsługa widowni podczas koncertu")
    english(client)

    directory = page_of(client, "/institutions/")
    assert '<span lang="pl">Teatr im. Jana Kochanowskiego</span>' in directory
    assert '<p><span lang="pl">Scena dramatyczna w centrum Opola.</span></p>' in directory

    search = page_of(client, "/needs/?q=koncert")
    assert '<span lang="pl">Obsługa widowni podczas koncertu</span>' in search

    calendar = page_of(client, "/calendar/")
    # An <option> cannot hold a <span>: the option itself says it.
    assert 'lang="pl">Filharmonia Opolska</option>' in calendar


def test_staff_reading_in_english_see_the_volunteers_message_marked_polish(app, client, factory):
    gallery = factory.institution("Galeria Sztuki Współczesnej")
    need = factory.need(gallery, "Pomoc przy wernisażu")
    volunteer = factory.user(first_name="Jadwiga", last_name="Nowak")
    application = factory.application(volunteer, need)
    with app.app_context():
        db.session.get(
            Assignment, application.id
        ).message = "Chętnie pomogę przy powieszeniu obrazów."
        db.session.commit()
    staff = factory.user(Role.STAFF, institution=gallery, locale="en")
    client.post("/login", data={"email": staff.email, "password": PASSWORD})

    page = page_of(client, f"/manage/needs/{need.id}")

    assert '<html lang="en">' in page
    assert '<span lang="pl">Chętnie pomogę przy powieszeniu obrazów.</span>' in page
    assert '<h1><span lang="pl">Pomoc przy wernisażu</span></h1>' in page


def test_marked_text_is_still_escaped(client, factory):
    museum = factory.institution("Muzeum <b>Złote</b>")
    factory.need(museum, "<script>alert(1)</script>")

    page = page_of(english(client), "/needs/?q=alert")

    assert '<span lang="pl">&lt;script&gt;alert(1)&lt;/script&gt;</span>' in page
    assert "<script>alert(1)" not in page
