"""Schemathesis sends generated requests to every API operation and checks the answers.

The schema is loaded from the app itself, so the OpenAPI document and the code are checked
against each other: no server errors, answers that match the documented schemas, statuses,
headers and content types, valid input accepted and invalid input refused.

(Schemathesis' own pytest plugin does not run under this pytest version, so each operation's
strategy is driven by Hypothesis directly; the checks are the same.)
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from schemathesis.generation import GenerationMode

from app.models import NeedKind
from tests.needs.test_needs_helpers import add_cohost
from tests.needs.test_needs_helpers import add_skills
from tests.needs.test_needs_helpers import make_skill


@pytest.fixture
def api_schema(app, factory):
    museum = factory.institution(
        "Muzeum Śląska Opolskiego", slug="muzeum", website="https://muzeum.example.org"
    )
    theatre = factory.institution("Teatr im. Jana Kochanowskiego", slug="teatr")
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    need = factory.need(museum, "Fotografia wydarzeń", shifts=2, start=soon, place="Łódź")
    add_skills(app, need, [(make_skill(app, "Fotografia", "Photography"), 2, True)])
    add_cohost(app, need, theatre)
    factory.need(theatre, "Stała pomoc", kind=NeedKind.LONG_TERM, start=soon, is_accessible=True)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def test_the_document_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {
        (method.upper(), "/api/v1" + path)
        for path, item in document["paths"].items()
        for method in item
    }
    routes = {
        ("GET", rule.rule.replace("<int:need_id>", "{need_id}"))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert documented == routes


# Invalid input exists only where there are parameters; /institutions takes none.
RUNS = [
    ("listNeeds", GenerationMode.POSITIVE),
    ("listNeeds", GenerationMode.NEGATIVE),
    ("getNeed", GenerationMode.POSITIVE),
    ("getNeed", GenerationMode.NEGATIVE),
    ("listInstitutions", GenerationMode.POSITIVE),
]


@pytest.mark.parametrize(("operation_id", "mode"), RUNS)
def test_api_conforms_to_its_openapi_document(api_schema, operation_id, mode):
    operation = next(
        op for op in operations(api_schema) if op.definition.raw["operationId"] == operation_id
    )

    @settings(
        max_examples=60 if operation_id == "listNeeds" else 25,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        case.call_and_validate()

    check()
