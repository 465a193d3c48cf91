"""The site root and its icon: `/` sends each user where their work is (the admin for the roles
that run stores from it, the dashboard for everyone else, the dashboard's login when signed out)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from zhilian import roles


@require_safe
@never_cache
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated and roles.may_enter_admin(user):
        return redirect("admin:index")
    return redirect("dashboard")


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; answer with the site's icon."""
    return redirect(static("zhilian/favicon.svg"), permanent=True)
