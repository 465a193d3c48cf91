"""The store a request is about (`?store=` of a report, `store` of an action's body): one rule.

Managers and staff get their own store by default. Admins see every store, so they name one (or,
where the endpoint allows it, leave it out to mean every store), even an admin who has a store.
A store the user may not see answers exactly like one that does not exist: 404 "No such store."
(docs/architecture.md, "Store scoping").
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from stores.models import Store
from zhilian import roles
from zhilian.errors import InvalidInput, NotFound


def requested_store(request, value: str | None, *, required: bool = True, field: str = "store") -> Store | None:
    """The visible store `value` names, else a non-admin's own; with `required=False` an admin's
    empty value is None (every store)."""
    user = request.user
    if not value:
        if not roles.is_admin(user):
            value = user.store_id
        elif not required:
            return None
        else:
            raise InvalidInput({field: [_("Name the store.")]})
    store = Store.objects.for_user(user).filter(pk=value).first()
    if store is None:
        raise NotFound(_("No such store."))
    return store
