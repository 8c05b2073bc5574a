"""Routes of the news board and the widgets.

The board is read by the staff of every member and by coordinators: volunteers are refused,
anonymous visitors go to the sign-in page. A post speaks for its institution, so only its staff
(and coordinators) change or delete it: staff of B get 403 on A's posts. Pinning and hiding are
the coordinators'. The public page, the Atom feed and the widgets are public. POSTs are sent
empty: 422 means the person reached validation; the pin and hide buttons carry the state asked
for, so without it they answer 400 and change nothing.
"""

from __future__ import annotations

from tests.authz.common import CrossOwnerRoutes
from tests.authz.common import Routes
from tests.authz.common import coordinators
from tests.authz.common import everyone
from tests.authz.common import staff_b_on_a
from tests.authz.common import staff_of_a

MEMBERS = {
    "anonymous": 302,
    "volunteer": 403,
    "staff_a": 200,
    "staff_b": 200,
    "coordinator": 200,
    "admin": 200,
}


def members(code: int) -> dict[str, int]:
    return {**MEMBERS, **{role: code for role, seen in MEMBERS.items() if seen == 200}}


ROUTES: Routes = {
    ("news.board", "GET"): (lambda w: "/news/", members(200)),
    ("news.new_post", "GET"): (lambda w: "/news/new", members(200)),
    ("news.new_post", "POST"): (lambda w: "/news/new", members(422)),
    ("news.detail", "GET"): (lambda w: f"/news/{w.post_a}", members(200)),
    ("news.edit_post", "GET"): (lambda w: f"/news/{w.post_a}/edit", staff_of_a(200)),
    ("news.edit_post", "POST"): (lambda w: f"/news/{w.post_a}/edit", staff_of_a(422)),
    ("news.delete_post", "POST"): (lambda w: f"/news/{w.spare_post_a}/delete", staff_of_a(303)),
    ("news.pin_post", "POST"): (lambda w: f"/news/{w.post_a}/pin", coordinators(400)),
    ("news.hide_post", "POST"): (lambda w: f"/news/{w.post_a}/hide", coordinators(400)),
    ("news.digest", "POST"): (lambda w: "/news/digest", members(303)),
    ("news.public", "GET"): (lambda w: "/news/public", everyone(200)),
    ("news.feed", "GET"): (lambda w: "/news/feed.atom", everyone(200)),
    ("widgets.coalition", "GET"): (lambda w: "/widget/needs?lang=en", everyone(200)),
    ("widgets.institution", "GET"): (lambda w: f"/widget/needs/{w.slug_a}", everyone(200)),
}


def post_form(w) -> dict[str, str]:
    return {
        "institution_id": str(w.institution_a),
        "kind": "event",
        "title": "Dzień otwarty w muzeum A",
        "body": "Zapraszamy wolontariuszy wszystkich instytucji.",
    }


CROSS_OWNER: CrossOwnerRoutes = {
    ("news.edit_post", "GET"): staff_b_on_a(lambda w: f"/news/{w.post_a}/edit", 200),
    ("news.edit_post", "POST"): staff_b_on_a(lambda w: f"/news/{w.post_a}/edit", 303, post_form),
    ("news.delete_post", "POST"): staff_b_on_a(lambda w: f"/news/{w.post_a}/delete", 303),
}
