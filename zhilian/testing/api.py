"""A generic API test suite, configured per resource (after netbox's APITestCase).

Subclass `APIResourceTests` in an app's tests and set:

    list_url = "/api/v1/orders/"
    def make(self, store, **kwargs): ...          # one row in `store`
    def create_payload(self, actors): ...          # valid body for the manager of actors.store
    def update_payload(self, obj): ...             # a partial update (PATCH body)
    def check_created(self, obj, payload): ...     # optional: assert what create stored

Optional: `actor = "manager"` (who reads and writes), `writable = False` (a read-only resource:
the create and update tests skip, saying so), `scoped = False` (rows not tied to a store: the
other-store test skips, saying so).
"""

from __future__ import annotations

import pytest

from zhilian.testing.queries import assert_constant_queries


class APIResourceTests:
    list_url: str = ""
    actor: str = "manager"
    writable: bool = True
    scoped: bool = True

    # --- configuration hooks -----------------------------------------------------------------
    def make(self, store, **kwargs):
        raise NotImplementedError

    def create_payload(self, actors) -> dict:
        raise NotImplementedError

    def update_payload(self, obj) -> dict:
        raise NotImplementedError

    def check_created(self, obj, payload) -> None:
        pass

    def detail_url(self, obj) -> str:
        return f"{self.list_url}{obj.pk}/"

    def require_writable(self) -> None:
        if not self.writable:
            pytest.skip(f"{self.list_url} is read-only: no create or update")

    def require_scoped(self) -> None:
        if not self.scoped:
            pytest.skip(f"{self.list_url} rows are not tied to a store: no other store's rows to hide")

    # --- the suite ----------------------------------------------------------------------------
    def test_anonymous_is_refused(self, actors, anon_client):
        response = anon_client.get(self.list_url)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_list_holds_only_visible_rows(self, actors, client_for):
        mine = self.make(actors.store)
        theirs = self.make(actors.other_store)
        response = client_for(getattr(actors, self.actor)).get(self.list_url, {"page_size": 500})
        assert response.status_code == 200, response.content
        ids = {str(row["id"]) for row in response.json()["results"]}
        assert str(mine.pk) in ids
        if self.scoped:
            assert str(theirs.pk) not in ids

    def test_admin_sees_every_store(self, actors, client_for):
        mine = self.make(actors.store)
        theirs = self.make(actors.other_store)
        response = client_for(actors.admin).get(self.list_url, {"page_size": 500})
        assert response.status_code == 200
        ids = {str(row["id"]) for row in response.json()["results"]}
        assert {str(mine.pk), str(theirs.pk)} <= ids

    def test_other_store_detail_is_404(self, actors, client_for):
        self.require_scoped()
        theirs = self.make(actors.other_store)
        response = client_for(getattr(actors, self.actor)).get(self.detail_url(theirs))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_retrieve(self, actors, client_for):
        mine = self.make(actors.store)
        response = client_for(getattr(actors, self.actor)).get(self.detail_url(mine))
        assert response.status_code == 200
        assert str(response.json()["id"]) == str(mine.pk)

    def test_list_query_count_does_not_grow_with_rows(self, actors, client_for):
        client = client_for(getattr(actors, self.actor))

        def make_rows(n):
            for _ in range(n):
                self.make(actors.store)

        few, many = assert_constant_queries(make_rows, lambda: client.get(self.list_url, {"page_size": 100}))
        assert few.status_code == many.status_code == 200
        assert len(many.json()["results"]) >= 50

    def test_create(self, actors, client_for):
        self.require_writable()
        payload = self.create_payload(actors)
        response = client_for(getattr(actors, self.actor)).post(self.list_url, payload, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        obj = type(self.make(actors.store))._default_manager.get(pk=body["id"])
        self.check_created(obj, payload)

    def test_partial_update(self, actors, client_for):
        self.require_writable()
        obj = self.make(actors.store)
        payload = self.update_payload(obj)
        response = client_for(getattr(actors, self.actor)).patch(self.detail_url(obj), payload, format="json")
        assert response.status_code == 200, response.content
        obj.refresh_from_db()
        for field, value in payload.items():
            stored = getattr(obj, f"{field}_id", None) if hasattr(obj, f"{field}_id") else getattr(obj, field)
            assert str(stored) == str(value), f"{field}: stored {stored!r}, sent {value!r}"

    def test_invalid_body_is_400_with_field_errors(self, actors, client_for):
        self.require_writable()
        response = client_for(getattr(actors, self.actor)).post(self.list_url, {"no_such_field": 1}, format="json")
        assert response.status_code == 400
        assert isinstance(response.json(), dict) and response.json()
