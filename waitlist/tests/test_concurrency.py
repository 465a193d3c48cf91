"""Two kiosks taking a number at the same moment never get the same one (PostgreSQL)."""

import pytest

from stores.tests.factories import StoreFactory
from waitlist.models import WaitlistTicket
from waitlist.services import waitlist_ticket_issue
from zhilian.testing.concurrency import run_in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 16


def test_parallel_issues_get_distinct_consecutive_numbers():
    store = StoreFactory(id="WAIT01", code="WT01")

    def work(index):
        return waitlist_ticket_issue(actor=None, store=store, party_size=2 if index % 2 else 4).code

    results = run_in_threads(THREADS, work)
    assert results.unexpected() == []
    assert sorted(results.ok) == [f"A{n:03d}" for n in range(1, 9)] + [f"B{n:03d}" for n in range(1, 9)]
    assert WaitlistTicket.objects.filter(store=store).count() == THREADS
