"""The audit trail: entries written by services inside their transaction, with the actor."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from zhilian.audit import CREATE, audit_entries, audit_record

pytestmark = pytest.mark.django_db


def test_an_entry_names_the_actor_the_event_and_the_changes(store, manager):
    audit_record(
        actor=manager, instance=store, event="store.rename", changes={"name": ("Old", "New")}, reason="rebrand"
    )
    entry = audit_entries(store).get()
    assert entry.actor == manager
    assert entry.changes == {"name": ["Old", "New"]}
    assert entry.additional_data == {"event": "store.rename", "reason": "rebrand"}
    assert entry.object_pk == store.pk


def test_system_jobs_record_no_actor_and_newest_comes_first(store, manager):
    audit_record(actor=manager, instance=store, event="first", action=CREATE)
    audit_record(actor=AnonymousUser(), instance=store, event="second")
    audit_record(actor=None, instance=store, event="third")
    entries = list(audit_entries(store))
    assert [e.additional_data["event"] for e in entries] == ["third", "second", "first"]
    assert [e.actor for e in entries] == [None, None, manager]


def test_an_entry_is_rolled_back_with_the_change_it_describes(store, manager):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=manager, instance=store, event="store.rename")
        raise RuntimeError("the change failed")
    assert not audit_entries(store).exists()
