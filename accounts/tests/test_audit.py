"""The audit trail of accounts: who created an account, changed its role, store or access, reset or
changed a password, or lifted a lockout (the password itself never reaches the trail)."""

import pytest

from accounts import services
from accounts.tests.factories import TEST_PASSWORD
from zhilian.audit import audit_entries
from zhilian.errors import DomainError
from zhilian.roles import Role

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "A-much-longer-passphrase-2026"


def events_of(user):
    return [(e.actor, e.additional_data["event"], e.changes) for e in audit_entries(user).order_by("pk")]


def test_creating_and_editing_an_account_name_the_actor_and_the_changes(actors):
    user = services.user_create(actor=actors.manager, username="cook1", email="cook1@example.com", full_name="Wang")
    services.user_update(actor=actors.manager, user=user, full_name="Wang Fang", is_active=False)
    services.user_update(actor=actors.admin, user=user, store=actors.other_store, password=NEW_PASSWORD)

    store, other = actors.store.pk, actors.other_store.pk
    assert events_of(user) == [
        (
            actors.manager,
            "user.create",
            {"role": ["None", Role.STAFF], "store": ["None", store], "is_active": ["None", "True"]},
        ),
        (actors.manager, "user.update", {"full_name": ["Wang", "Wang Fang"], "is_active": ["True", "False"]}),
        (actors.admin, "user.update", {"store": [store, other]}),
    ]
    reset = audit_entries(user).order_by("pk").last()
    assert reset.additional_data["password_reset"] is True
    assert NEW_PASSWORD not in str(reset.changes) + str(reset.additional_data)


def test_a_password_change_and_an_unlock_are_recorded(actors):
    services.user_change_password(user=actors.staff, old_password=TEST_PASSWORD, new_password=NEW_PASSWORD)
    services.user_unlock_login(actor=actors.manager, user=actors.staff)
    assert [(actor, event) for actor, event, _changes in events_of(actors.staff)] == [
        (actors.staff, "user.password_change"),
        (actors.manager, "user.unlock_login"),
    ]


@pytest.mark.parametrize(
    "refused",
    [
        lambda a: services.user_update(actor=a.manager, user=a.staff, role=Role.ADMIN),
        lambda a: services.user_update(actor=a.manager, user=a.other_staff, full_name="X"),
        lambda a: services.user_change_password(user=a.staff, old_password="wrong", new_password=NEW_PASSWORD),
        lambda a: services.user_unlock_login(actor=a.staff, user=a.manager),
    ],
    ids=["role not grantable", "another store's account", "wrong old password", "staff cannot unlock"],
)
def test_a_refused_change_writes_no_entry(actors, refused):
    with pytest.raises(DomainError):
        refused(actors)
    assert not audit_entries(actors.staff).exists()
    assert not audit_entries(actors.other_staff).exists()
    assert not audit_entries(actors.manager).exists()
