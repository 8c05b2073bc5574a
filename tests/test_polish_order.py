"""People and institutions are listed by the Polish alphabet, on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from app.core.text import polish
from app.core.text import polish_sort_key
from app.extensions import db
from app.models import User

NAMES = ["Żak", "Zając", "Łukasiewicz", "Lubicz", "Ćwik", "Cebula", "Janek", "Jan Nowak"]
EXPECTED = ["Cebula", "Ćwik", "Jan Nowak", "Janek", "Lubicz", "Łukasiewicz", "Zając", "Żak"]


def test_the_sort_key_follows_the_polish_alphabet():
    assert sorted(NAMES, key=polish_sort_key) == EXPECTED
    assert sorted(["óda", "oda", "Ola"], key=polish_sort_key) == ["oda", "Ola", "óda"]


def test_the_database_orders_names_as_the_sort_key_does(app, factory):
    for name in NAMES:
        factory.user(last_name=name)
    with app.app_context():
        ordered = db.session.scalars(
            select(User.last_name).where(User.last_name.in_(NAMES)).order_by(polish(User.last_name))
        ).all()
    assert ordered == EXPECTED


def test_the_coalition_directory_lists_institutions_from_a_to_ż(client, factory):
    for n, name in enumerate(["Żywa Galeria", "Zamek w Opolu", "Łaźnia Miejska", "Lamus"]):
        factory.institution(name=name, slug=f"polish-order-{n}")
    page = client.get("/institutions/").get_data(as_text=True)
    positions = [page.index(name) for name in ["Lamus", "Łaźnia", "Zamek w Opolu", "Żywa"]]
    assert positions == sorted(positions)
