"""Members tell one another what they are doing: the board, its digest and its public feed."""

from __future__ import annotations

import feedparser
from sqlalchemy import select

from app.extensions import db
from app.models import NewsPost
from app.models import Role
from app.models.base import utcnow
from app.scheduling import jobs
from app.services.news import weekly_digests
from tests.factories import PASSWORD


def sign_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def coalition(factory):
    museum = factory.institution("Muzeum Śląska Opolskiego", short_name="MŚO")
    archive = factory.institution("Archiwum Państwowe w Opolu", short_name="Archiwum")
    return {
        "museum": museum,
        "archive": archive,
        "need": factory.need(museum, "Noc Muzeów: obsługa gości"),
        "museum_staff": factory.user(Role.STAFF, institution=museum, first_name="Anna"),
        "archive_staff": factory.user(Role.STAFF, institution=archive, first_name="Bartosz"),
        "coordinator": factory.user(Role.COORDINATOR),
        "volunteer": factory.user(Role.VOLUNTEER),
    }


def post_form(c, **changes) -> dict:
    form = {
        "institution_id": str(c["museum"].id),
        "kind": "call_for_help",
        "title": "Szukamy przewodników na Noc Muzeów",
        "body": "Potrzebujemy osób z innych instytucji do oprowadzania gości.\n\nZapraszamy!",
        "need_id": str(c["need"].id),
        "event_url": "https://muzeum.opole.example.org/noc-muzeow",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_staff_of_another_institution_read_the_post_in_the_app_and_in_their_digest(
    app, factory, mailbox
):
    c = coalition(factory)
    archive = sign_in(app, c["archive_staff"].email)
    assert archive.post("/news/digest", data={"wanted": "y"}).status_code == 303

    museum = sign_in(app, c["museum_staff"].email)
    response = museum.post("/news/new", data=post_form(c))
    assert response.status_code == 303
    post_url = response.headers["Location"]

    board = archive.get("/news/").get_data(as_text=True)
    assert "Szukamy przewodników na Noc Muzeów" in board
    assert "Prośba o pomoc innych instytucji" in board
    page = archive.get(post_url).get_data(as_text=True)
    assert "Noc Muzeów: obsługa gości" in page  # the linked need
    assert "https://muzeum.opole.example.org/noc-muzeow" in page
    assert "Zmień wiadomość" not in page  # the archive does not speak for the museum
    assert c["museum_staff"].email in page  # whom to ask

    with app.app_context():
        assert weekly_digests(utcnow()) == {"news_digests": 1}
        db.session.commit()
    [digest] = mailbox.wait_for(c["archive_staff"].email)
    assert digest["Subject"] == "Wiadomości z koalicji OKIK z ostatniego tygodnia"
    text = mailbox.text_of(digest)
    assert "Szukamy przewodników na Noc Muzeów (Muzeum Śląska Opolskiego" in text
    assert post_url in text
    assert digest["List-Unsubscribe"].startswith("<http")
    # Nobody else asked for it; and a second run in the same week queues nothing.
    assert mailbox.to(c["museum_staff"].email) == []
    with app.app_context():
        assert weekly_digests(utcnow()) == {"news_digests": 0}


def test_the_digest_is_opt_in_and_can_be_stopped(app, factory, mailbox):
    c = coalition(factory)
    factory.news_post(c["museum"], c["museum_staff"])
    archive = sign_in(app, c["archive_staff"].email)
    assert 'name="wanted"' in archive.get("/news/").get_data(as_text=True)
    with app.app_context():
        assert weekly_digests(utcnow()) == {"news_digests": 0}
    archive.post("/news/digest", data={"wanted": "y"})
    archive.post("/news/digest", data={})
    with app.app_context():
        assert weekly_digests(utcnow()) == {"news_digests": 0}
    assert mailbox.messages == []


def test_the_weekly_job_sends_the_digest(app, factory, mailbox):
    c = coalition(factory)
    factory.news_post(c["museum"], c["museum_staff"], title="Warsztaty dla wolontariuszy")
    sign_in(app, c["coordinator"].email).post("/news/digest", data={"wanted": "y"})
    jobs.bind_app(app)
    jobs.news_digests()
    [digest] = mailbox.wait_for(c["coordinator"].email)
    assert "Warsztaty dla wolontariuszy" in mailbox.text_of(digest)


def test_members_posts_stay_among_members_unless_marked_public(app, factory):
    c = coalition(factory)
    inside = factory.news_post(c["museum"], title="Tylko dla instytucji")
    public = factory.news_post(c["museum"], title="Dla wszystkich", is_public=True)
    anonymous = app.test_client()
    listing = anonymous.get("/news/public").get_data(as_text=True)
    assert "Dla wszystkich" in listing and "Tylko dla instytucji" not in listing
    assert anonymous.get(f"/news/{public.id}").status_code == 200
    assert anonymous.get(f"/news/{inside.id}").status_code == 302
    volunteer = sign_in(app, c["volunteer"].email)
    assert volunteer.get(f"/news/{inside.id}").status_code == 403
    assert volunteer.get("/news/").status_code == 403


def test_the_atom_feed_of_public_posts_validates(app, factory):
    c = coalition(factory)
    factory.news_post(
        c["museum"],
        title="Szkolenie z pierwszej pomocy & BHP",
        is_public=True,
        body="Zapraszamy <wolontariuszy> wszystkich instytucji.",
    )
    factory.news_post(c["archive"], title="Wewnętrzna sprawa", is_public=False)
    response = app.test_client().get("/news/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "Wiadomości instytucji koalicji OKIK"
    [entry] = feed.entries
    assert entry.title == "Szkolenie z pierwszej pomocy & BHP"
    assert entry.content[0].value == "Zapraszamy <wolontariuszy> wszystkich instytucji."
    assert entry.author == "Muzeum Śląska Opolskiego"
    assert entry.link.startswith("http://localhost/news/")
    assert entry.published_parsed and entry.updated_parsed


def test_coordinators_pin_and_hide_posts(app, factory):
    c = coalition(factory)
    older = factory.news_post(c["museum"], title="Starsza wiadomość")
    factory.news_post(c["archive"], title="Nowsza wiadomość")
    coordinator = sign_in(app, c["coordinator"].email)
    assert coordinator.post(f"/news/{older.id}/pin", data={"on": "1"}).status_code == 303
    board = sign_in(app, c["archive_staff"].email).get("/news/").get_data(as_text=True)
    assert board.index("Starsza wiadomość") < board.index("Nowsza wiadomość")

    assert coordinator.post(f"/news/{older.id}/hide", data={"on": "1"}).status_code == 303
    staff = sign_in(app, c["archive_staff"].email)
    assert "Starsza wiadomość" not in staff.get("/news/").get_data(as_text=True)
    assert staff.get(f"/news/{older.id}").status_code == 404
    assert "Ukryta przez koordynatora" in coordinator.get("/news/").get_data(as_text=True)
    # Staff may not pin or hide, not even their own institution's post.
    museum = sign_in(app, c["museum_staff"].email)
    assert museum.post(f"/news/{older.id}/hide", data={"on": "0"}).status_code == 403


def test_staff_change_and_delete_only_their_institutions_posts(app, factory):
    c = coalition(factory)
    post = factory.news_post(c["museum"], c["museum_staff"])
    archive = sign_in(app, c["archive_staff"].email)
    assert (
        archive.post(f"/news/{post.id}/edit", data=post_form(c, title="Przejęte")).status_code
        == 403
    )
    assert archive.post(f"/news/{post.id}/delete").status_code == 403
    museum = sign_in(app, c["museum_staff"].email)
    response = museum.post(f"/news/{post.id}/edit", data=post_form(c, title="Nowy tytuł"))
    assert response.status_code == 303
    assert museum.post(f"/news/{post.id}/delete").status_code == 303
    with app.app_context():
        assert db.session.scalars(select(NewsPost)).all() == []


def test_staff_post_only_for_their_own_institution(app, factory):
    c = coalition(factory)
    archive = sign_in(app, c["archive_staff"].email)
    response = archive.post("/news/new", data=post_form(c, need_id=""))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="institution_id-error"' in page
    # Nor link a need of another institution.
    response = archive.post("/news/new", data=post_form(c, institution_id=str(c["archive"].id)))
    assert response.status_code == 422
    assert 'id="need_id-error"' in response.get_data(as_text=True)
