"""Text people type is shown as text: script and attribute payloads never reach a page unescaped."""

from __future__ import annotations

import pytest
from markupsafe import escape

from app.models import Role

PAYLOADS = [
    '<script>alert("x")</script>',
    '" onmouseover="alert(1)',
    "<img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_user_text_is_escaped_on_every_page_that_shows_it(client, factory, payload):
    museum = factory.institution(f"Muzeum {payload}", description=payload)
    need = factory.need(museum, f"Dyżur {payload}", description=payload, place=payload)
    applicant = factory.user(first_name=payload, last_name=payload)
    factory.application(applicant, need)
    factory.staff_request(applicant, museum, position=payload)
    factory.institution_request(applicant, name=f"Fundacja {payload}")
    pages = {
        None: [
            "/",
            f"/needs/{need.id}",
            f"/needs/?q={payload}",
            "/institutions/",
            f"/institutions/{museum.slug}",
        ]
    }
    pages[factory.user(Role.COORDINATOR).email] = [
        "/coordination/requests",
        f"/manage/needs/{need.id}",
        f"/manage/institutions/{museum.slug}",
        f"/manage/volunteers/{applicant.id}",
    ]
    pages[factory.user(Role.ADMIN).email] = ["/admin/users"]
    for email, urls in pages.items():
        if email:
            client.post("/login", data={"email": email, "password": "Wolontariat-2026!"})
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.get_data(as_text=True)
            assert payload not in html, f"{url} shows the payload unescaped"
            if url == f"/needs/{need.id}":
                assert str(escape(payload)) in html  # it is there, as text
        client.post("/logout")
