from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from accounts.models import User
from accounts.usernames import normalize_username


def resolve_login(login: str | None) -> User | None:
    """The account a login name (username or email, any case, any Unicode form) names, or None.

    A username that happens to look like someone else's email wins over that email.
    """
    login = normalize_username(login or "")
    if not login:
        return None
    candidates = list(User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login))[:3])
    for user in candidates:
        if user.username.lower() == login.lower():
            return user
    return candidates[0] if candidates else None


class UsernameOrEmailBackend(ModelBackend):
    """Log in with the username or the email address. Permissions come from the role.

    The lockout (django-axes, accounts.lockout) runs before this backend in
    AUTHENTICATION_BACKENDS and counts what this one refuses.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        login = username or kwargs.get(User.USERNAME_FIELD) or kwargs.get("email")
        if not login or password is None:
            return None
        user = resolve_login(login)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()
