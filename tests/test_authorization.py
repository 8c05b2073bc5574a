"""Every route, every role: who may see and change what.

The tables in tests/authz/ list each (endpoint, method) of the app's URL map with the status each
role gets, on records of their own institution and of another one. A route added without an entry
makes `test_every_route_is_in_the_table` fail.

No IDOR: each feature's CROSS_OWNER lists, for every route with an identifier in its path, a
request by someone of the right role on a record that is not theirs (staff of B on institution A's
records, the volunteer on the other volunteer's), with a complete form. A new object route without
such a case, or an explicit NO_OWNER reason, makes
`test_every_object_route_is_tried_by_a_wrong_owner` fail. The same requests by the rightful owner
get through (the control), and the pages that list records show the wrong owner nothing of them.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import tests.authz
from app.extensions import db
from tests.authz.common import OWNER_OF
from tests.authz.common import ROLES
from tests.factories import PASSWORD


def merged_tables(name: str = "ROUTES") -> dict:
    """The tables called `name` of every module in tests/authz/, in one dict."""
    table: dict = {}
    for module_info in pkgutil.iter_modules(tests.authz.__path__):
        module = importlib.import_module(f"tests.authz.{module_info.name}")
        routes = getattr(module, name, None)
        if routes is None:
            continue
        clash = table.keys() & routes.keys()
        assert not clash, f"routes listed twice in {name}: {clash}"
        table.update(routes)
    return table


TABLE = merged_tables()


def routes_of(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((rule.endpoint, method))
    return found


def test_every_route_is_in_the_table(app):
    routes = routes_of(app)
    missing = sorted(routes - TABLE.keys())
    stale = sorted(TABLE.keys() - routes)
    assert not missing, f"routes without an authorisation entry: {missing}"
    assert not stale, f"table entries for routes that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_on_every_route(app, authz_world, role):
    world, users = authz_world
    client = app.test_client()

    def sign_in() -> None:
        if users[role]:
            response = client.post("/login", data={"email": users[role], "password": PASSWORD})
            assert response.status_code == 302, f"{role} could not sign in"

    sign_in()
    wrong = []
    for (endpoint, method), (url_for_world, expected) in sorted(TABLE.items()):
        url = url_for_world(world)
        response = client.open(url, method=method, data={})
        response.close()
        if response.status_code != expected[role]:
            wrong.append(
                f"{method} {url} ({endpoint}): got {response.status_code}, want {expected[role]}"
            )
        if endpoint in ("auth.logout", "auth.login", "volunteers.delete_account"):
            sign_in()
    assert not wrong, "\n".join(wrong)


# --- no IDOR: every object route is tried by someone of the right role but the wrong owner -------

CROSS_OWNER = merged_tables("CROSS_OWNER")

# Object routes that have no owner narrower than the role that may use them, each with the reason.
# Everything else with an identifier in its rule needs a CROSS_OWNER case in tests/authz/.
NO_OWNER: dict[str, str] = {
    "static": "the app's own stylesheets, scripts and images, the same for everyone",
    "institutions.detail": "the public page of a coalition member",
    "needs.detail": "the public page of a published need; drafts answer 404 to all (DRAFT_ROUTES)",
    "api.need": "the public API record of a published need; drafts answer 404 (DRAFT_ROUTES)",
    "needs.apply": "any volunteer may apply to any published need; drafts answer 404",
    "needs.join_waitlist": "any volunteer may wait for a full shift of a published need, for "
    "themselves only; drafts answer 404",
    "needs.leave_waitlist": "the volunteer leaves only their own place in the queue: no other "
    "person's row is named or reachable",
    "documents.verify": "the public check of a code printed on a document: kind, number, name, "
    "institution and dates only",
    "auth.confirm": "the signed, expiring token names its account and is the only key",
    "auth.reset_password": "the signed, expiring token names its account and is the only key",
    "notifications.unsubscribe": "the signed token from the e-mail names the person and the kind",
    "invitations.stop_weekly": "the signed token from the weekly e-mail names the person",
    "volunteers.feed": "the secret token is the key (calendar apps send no cookie); a reset "
    "voids the old address",
    "volunteers.guardian": "the signed token sent to the guardian is the key",
    "coordination.decide_staff": "requests to the coalition, decided by coordinators only",
    "coordination.decide_institution": "requests to the coalition, decided by coordinators only",
    "coordination.confirm_birth_date_change": "a date of birth confirmed by coordinators only",
    "proposals.run_detail": "matching runs are coalition-wide, for coordinators only",
    "proposals.retry_run": "matching runs are coalition-wide, started again by coordinators only",
    "proposals.delegation": "coordinators only; the institution's own staff are refused too",
    "notifications.retry_message": "the outbox is for administrators only",
    "notifications.cancel_message": "the outbox is for administrators only",
    "admin.edit_skill": "the skill taxonomy is the coalition's, changed by administrators only",
    "admin.retire_skill": "the skill taxonomy is the coalition's, changed by administrators only",
    "admin.restore_skill": "the skill taxonomy is the coalition's, changed by administrators only",
    "admin.user": "accounts are managed by administrators only",
    "qualifications.edit": "the qualification catalogue is the coalition's, kept by coordinators only",
    "qualifications.delete": "the qualification catalogue is the coalition's, kept by coordinators "
    "only",
    "admin.change_role": "accounts are managed by administrators only",
    "admin.deactivate_user": "accounts are managed by administrators only",
    "admin.reactivate_user": "accounts are managed by administrators only",
    "admin.resend_confirmation": "accounts are managed by administrators only",
    "news.detail": "the coalition board is read by the staff of every member, public posts by "
    "everyone; hidden ones by coordinators only",
    "news.pin_post": "the board is the coalition's: coordinators only pin",
    "news.hide_post": "the board is the coalition's: coordinators only hide",
    "widgets.institution": "the public widget of a member's open needs, for its own website",
}

# The app refuses a wrong owner with 403 on staff pages and with 404 on a volunteer's own records
# (someone else's id looks like a missing one). Exceptions, each with the reason:
STAFF_GET_404: dict[str, str] = {
    "documents.download": "one URL for the volunteer and for staff: whoever may not see the PDF "
    "gets 404, so that document numbers cannot be probed",
}


def object_routes(app) -> set[tuple[str, str]]:
    """(endpoint, method) of every rule with an identifier (a converter argument) in its path."""
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.arguments
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_object_route_is_tried_by_a_wrong_owner(app):
    routes = object_routes(app)
    missing = sorted(r for r in routes if r not in CROSS_OWNER and r[0] not in NO_OWNER)
    assert not missing, (
        f"object routes with no cross-owner case in tests/authz/*.py CROSS_OWNER: {missing}"
    )
    endpoints = {endpoint for endpoint, _method in routes}
    stale = sorted(set(NO_OWNER) - endpoints)
    assert not stale, f"NO_OWNER names routes without identifiers or that no longer exist: {stale}"
    both = sorted(r for r in CROSS_OWNER if r[0] in NO_OWNER)
    assert not both, f"routes both exempt and tried: {both}"
    unknown = sorted(CROSS_OWNER.keys() - routes_of(app))
    assert not unknown, f"CROSS_OWNER entries for routes that do not exist: {unknown}"
    assert all(reason.strip() for reason in NO_OWNER.values())
    for key, cases in CROSS_OWNER.items():
        assert cases, f"{key}: an empty list of cases"
        for case in cases:
            assert case.who in OWNER_OF, f"{key}: {case.who!r} is not a wrong owner"


def test_wrong_owners_are_refused_the_same_way_everywhere():
    """403 on staff pages, 404 on a volunteer's own records: one convention, listed exceptions."""
    odd = []
    for (endpoint, method), cases in sorted(CROSS_OWNER.items()):
        for case in cases:
            if case.who == "volunteer" or endpoint in STAFF_GET_404:
                expected = 404
            else:
                expected = 403
            if case.refused != expected:
                odd.append(f"{method} {endpoint} for {case.who}: {case.refused}, not {expected}")
    assert not odd, "\n".join(odd)


def signed_in_client(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, f"{email} could not sign in"
    return client


def database_rows(app) -> dict[str, list[dict]]:
    """Every row of every table, in primary key order."""
    with app.app_context(), db.engine.connect() as conn:
        return {
            table.name: [
                dict(row._mapping)
                for row in conn.execute(table.select().order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


def restore_rows(app, rows: dict[str, list[dict]]) -> None:
    """Put the database back as `database_rows` saw it (same rows, same ids)."""
    with app.app_context(), db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        for table in db.metadata.sorted_tables:
            if rows[table.name]:
                conn.execute(table.insert(), rows[table.name])


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


@pytest.mark.parametrize("who", sorted(OWNER_OF))
def test_the_wrong_owner_is_refused_and_nothing_changes(app, authz_world, who):
    """Staff of B on A's records, the volunteer on the other volunteer's: complete, valid forms,
    and still a refusal, with every table as it was."""
    world, users = authz_world
    client = signed_in_client(app, users[who])
    before = database_rows(app)
    wrong = []
    for (endpoint, method), cases in sorted(CROSS_OWNER.items()):
        for case in (c for c in cases if c.who == who):
            url = case.url(world)
            response = client.open(url, method=method, data=case.form(world))
            response.close()
            if response.status_code != case.refused:
                wrong.append(
                    f"{method} {url} ({endpoint}): got {response.status_code}, want {case.refused}"
                )
    changed = changed_tables(before, database_rows(app))
    if changed:
        wrong.append(f"tables changed by refused requests: {changed}")
    assert not wrong, "\n".join(wrong)


def messages_on(response) -> list[str]:
    """Flashed messages and form errors on a page, to tell why the owner was not let through."""
    page = response.get_data(as_text=True)
    return re.findall(r'class="(?:flash [^"]*|error[^"]*)"[^>]*>([^<]+)<', page)


@pytest.mark.parametrize("owner", sorted(OWNER_OF.values()))
def test_the_owner_gets_through_with_the_same_requests(app, authz_world, owner):
    """The control: the rightful owner sending the very same requests is let in, and each POST
    does change something, so the refusals above are about ownership. The database is put back
    after each request, so that every one starts from the same world."""
    world, users = authz_world
    client = signed_in_client(app, users[owner])
    start = database_rows(app)
    wrong = []
    for (endpoint, method), cases in sorted(CROSS_OWNER.items()):
        for case in (c for c in cases if OWNER_OF[c.who] == owner):
            url = case.url(world)
            response = client.open(url, method=method, data=case.form(world))
            response.close()
            where = f"{method} {url} ({endpoint})"
            if response.status_code != case.owner_gets:
                wrong.append(
                    f"{where}: got {response.status_code}, want {case.owner_gets}: "
                    f"{messages_on(response)}"
                )
            elif "/login" in response.headers.get("Location", ""):
                wrong.append(f"{where}: sent to sign in")
            elif method == "POST" and not changed_tables(start, database_rows(app)):
                wrong.append(f"{where}: the owner's request changed nothing")
            if method == "POST":
                restore_rows(app, start)
    assert not wrong, "\n".join(wrong)


# The pages that list records: the wrong owner sees nothing of the other owner's records there,
# the owner sees each of them on one page or another (so the marks looked for are real).
LISTS = {
    "staff_b": [
        "/manage/",
        "/manage/institutions/{slug}",
        "/hours/pending",
        "/documents/staff",
        "/proposals/institution/{slug}",
        "/reports/institutions/{slug}",
    ],
    "volunteer": [
        "/me/schedule",
        "/me/availability",
        "/me/notices",
        "/me/data.json",
        "/hours/mine",
        "/documents/",
        "/offers/",
    ],
}
OWN_SLUG = {"staff_b": "slug_b", "staff_a": "slug_a"}


def others_marks(app, world, who: str) -> list[str]:
    """Text that only the other owner's records carry."""
    from app.models import Document
    from app.models import User

    with app.app_context():
        numbers = [
            db.session.get(Document, i).number for i in (world.certificate_a, world.agreement_a)
        ]
        other = db.session.get(User, world.other_volunteer)  # a name no one else has
        if who == "staff_b":
            return [*numbers, "Dyżur w muzeum A", "Noc muzeów w A", "Szkic potrzeby A"]
        return [
            *numbers,
            other.last_name,
            "Obsługa widowni w teatrze B",
            "Oprowadzanie po wystawie",
        ]


def marks_on_lists(app, world, users, person: str, lists: list[str], marks: list[str]) -> set:
    client = signed_in_client(app, users[person])
    seen = set()
    for path in lists:
        url = path.format(slug=getattr(world, OWN_SLUG.get(person, "slug_a")))
        response = client.get(url)
        assert response.status_code == 200, f"{person}: {url}"
        page = response.get_data(as_text=True)
        seen |= {(url, mark) for mark in marks if mark in page}
    return seen


@pytest.mark.parametrize("who", sorted(LISTS))
def test_lists_show_the_wrong_owner_nothing_of_the_others_records(app, authz_world, who):
    world, users = authz_world
    marks = others_marks(app, world, who)
    assert marks_on_lists(app, world, users, who, LISTS[who], marks) == set()
    owner_saw = {
        mark for _url, mark in marks_on_lists(app, world, users, OWNER_OF[who], LISTS[who], marks)
    }
    assert owner_saw == set(marks)
