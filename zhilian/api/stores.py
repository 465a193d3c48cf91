"""The store a request is about (`?store=` of a report, `store` of an action's body): one rule.

Managers and staff get their own store by default. Admins, area managers and finance see several
stores, so they name one (admins and finance, who see the whole chain, may leave it out where the
endpoint allows it, to mean every store), even an admin who has a store.
A store the user may not see answers exactly like one that does not exist: 404 "No such store."
(docs/architecture.md, "Store scoping").
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from stores.models import Store
from zhilian import roles
from zhilian.errors import InvalidInput, NotFound
from zhilian.models import ALL_STORES, store_scope


def requested_store(request, value: str | None, *, required: bool = True, field: str = "store") -> Store | None:
    """The visible store `value` names, else a one-store user's own; with `required=False` the
    empty value of someone who sees the whole chain is None (every store)."""
    user = request.user
    if not value:
        if not roles.sees_several_stores(user):
            value = user.store_id
        elif not required and store_scope(user) is ALL_STORES:
            return None
        else:
            raise InvalidInput({field: [_("Name the store.")]})
    store = Store.objects.for_user(user).filter(pk=value).first()
    if store is None:
        raise NotFound(_("No such store."))
    return store
