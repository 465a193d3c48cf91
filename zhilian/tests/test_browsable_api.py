"""The browsable API: every list and detail endpoint of the OpenAPI schema renders under DEBUG
(no 5xx), and with DEBUG off the API answers JSON only.

The endpoints come from the schema (drf-spectacular), not from a list kept here, so a new
resource is covered as soon as it is routed. Each resource gets a row in the actor's store first
(through the authorization matrix's makers), so the pages render real rows and the forms render
real choices for every related field: the reservation list answered 500 because of one of them.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from stores.tests.factories import TableFactory
from waitlist.tests.factories import WaitlistTicketFactory
from zhilian.tests import authorization_resources as matrix

pytestmark = pytest.mark.django_db

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# A detail, or a GET action of one (`/schedules/{id}/budget/`, `/stock-counts/{id}/variance/`).
DETAIL = re.compile(r"^/api/v1/(?P<resource>[^{}]+)/\{id\}/(?:[\w-]+/)?$")


class _Maker:
    def __init__(self, make):
        self.make = make


# Resources whose authorization cases are actions (zhilian/tests/authorization_actions.py), not
# matrix rows, and paths whose parameter is not an id.
ACTION_ONLY = {"waitlist/tickets": _Maker(lambda actors: WaitlistTicketFactory(store=actors.store))}
OTHER_PARAMETERS = {
    "/api/v1/waitlist/position/{token}/": lambda actors: (
        f"/api/v1/waitlist/position/{WaitlistTicketFactory(store=actors.store).token}/"
    ),
}


def schema_get_paths() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(path for path, item in schema["paths"].items() if "get" in item)


def session_client(user) -> Client:
    """The browsable API's own way in: a signed-in browser session."""
    client = Client()
    client.force_login(user)
    return client


def pages_to_render(actors) -> list[str]:
    """Every parameter-free GET path, and every `/{id}/` detail with a row made for it."""
    makers = {resource.name: resource for resource in matrix.RESOURCES}
    urls = []
    for path in schema_get_paths():
        if "{" not in path:
            urls.append(path)
            continue
        if path in OTHER_PARAMETERS:
            urls.append(OTHER_PARAMETERS[path](actors))
            continue
        detail = DETAIL.match(path)
        assert detail, f"{path}: a GET path with parameters this test does not know how to fill"
        resource = makers.get(detail["resource"]) or ACTION_ONLY.get(detail["resource"])
        assert resource is not None, f"{path}: no maker in the authorization matrix for this resource"
        urls.append(path.replace("{id}", str(resource.make(actors).pk)))
    return urls


@pytest.mark.parametrize("actor", ["admin", "manager", "staff"])
def test_every_endpoint_renders_in_the_browsable_api_under_debug(actor, actors, settings):
    settings.DEBUG = True
    # A table of the store: listed as a choice, it made the reservation pages 500 once.
    TableFactory(store=actors.store, number="BR1")
    urls = pages_to_render(actors)
    assert len(urls) >= 30, urls  # lists, their GET actions and details of every resource

    client = session_client(getattr(actors, actor) if actor != "admin" else actors.admin)
    failures = []
    for url in urls:
        try:
            response = client.get(url, HTTP_ACCEPT=BROWSER_ACCEPT)
        except Exception as exc:  # the test client re-raises what would have been a 500
            failures.append(f"{url}: {type(exc).__name__}: {exc}")
            continue
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code}")
            continue
        if not response["Content-Type"].startswith("text/html"):
            failures.append(f"{url}: {response.status_code} {response['Content-Type']}, not the browsable API")
            continue
        page = response.content.decode()
        # DRF's page: the response block with the status line, here for errors (403, 400) too.
        if 'class="response-info"' not in page or f"HTTP {response.status_code}" not in page:
            failures.append(f"{url}: {response.status_code} without the browsable API's response block")
    assert not failures, "\n".join(failures)

    if actor != "staff":
        # The API reads JSON only (docs/api.md): the page offers the raw JSON form of a new
        # reservation, not an HTML form that would post form data (a 415).
        page = client.get("/api/v1/reservations/", HTTP_ACCEPT=BROWSER_ACCEPT).content.decode()
        assert 'id="post-generic-content-form"' in page
        assert '<option value="application/json"' in page
        assert 'id="post-object-form"' not in page


@pytest.mark.parametrize("debug", [False, True])
def test_reservation_list_with_tables_renders_html_when_asked(debug, actors, settings):
    """The reported case: session login as admin, Accept: text/html, a reservation holding tables."""
    settings.DEBUG = debug
    reservation = matrix.reservations_api.TestReservationResource().make(actors.store)
    client = session_client(actors.admin)
    response = client.get("/api/v1/reservations/", HTTP_ACCEPT="text/html")
    if debug:
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert reservation.pk in response.content.decode()
    else:
        # Production offers no HTML: an Accept header that names only text/html is not acceptable.
        assert response.status_code == 406
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "not_acceptable"


def test_without_debug_browsers_get_json(actors, settings):
    settings.DEBUG = False
    reservation = matrix.reservations_api.TestReservationResource().make(actors.store)
    client = session_client(actors.admin)

    response = client.get("/api/v1/reservations/", HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert [row["id"] for row in body["results"]] == [reservation.pk]
    assert body["results"][0]["tables"][0]["number"] == reservation.tables.get().number

    # Naming the browsable API's format is a 404, answered in JSON.
    response = client.get("/api/v1/reservations/?format=api", HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_with_debug_browsers_get_the_browsable_api(actors, settings):
    settings.DEBUG = True
    client = session_client(actors.admin)
    response = client.get("/api/v1/reservations/", HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    # Clients that ask for JSON still get JSON.
    response = client.get("/api/v1/reservations/", HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json"
    assert response.json()["count"] == 0
