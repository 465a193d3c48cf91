"""One rule for the store a request names (zhilian.api.stores.requested_store)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from zhilian.api.stores import requested_store
from zhilian.errors import InvalidInput, NotFound


def as_request(user):
    return SimpleNamespace(user=user)


def test_managers_and_staff_default_to_their_own_store(actors):
    assert requested_store(as_request(actors.manager), None) == actors.store
    assert requested_store(as_request(actors.staff), "") == actors.store
    assert requested_store(as_request(actors.staff), None, required=False) == actors.store


def test_admins_name_the_store_or_mean_every_store(actors):
    with pytest.raises(InvalidInput) as refused:
        requested_store(as_request(actors.admin), None)
    assert refused.value.errors == {"store": ["Name the store."]}
    assert requested_store(as_request(actors.admin), None, required=False) is None
    assert requested_store(as_request(actors.admin), actors.other_store.pk) == actors.other_store


def test_an_admin_with_a_store_still_names_one(actors):
    actors.admin.store = actors.store
    actors.admin.save(update_fields=["store"])
    with pytest.raises(InvalidInput):
        requested_store(as_request(actors.admin), None)


@pytest.mark.parametrize("value", ["STORE002", "NOPE"])
def test_another_stores_and_a_missing_store_look_the_same(actors, value):
    with pytest.raises(NotFound) as refused:
        requested_store(as_request(actors.manager), value)
    assert (refused.value.message, refused.value.status_code) == ("No such store.", 404)
