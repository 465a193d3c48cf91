"""The live dashboard: its summary API and its page.

GET /api/v1/kpis/dashboard/ answers `dashboard.selectors.dashboard_summary`, built from rows as
`DashboardSerializer` declares it (the contract: docs/api.md). The page is a shell rendered by Django, filled
and kept live by dashboard/static/dashboard/dashboard.js from that API and the WebSockets
(docs/architecture.md).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.forms import LoginForm
from accounts.lockout import mark_locked_out
from dashboard.selectors import dashboard_summary
from dashboard.serializers import DashboardQuerySerializer, DashboardSerializer
from kpis.charts import trend_chart
from kpis.models import KPI, KPIRecord
from kpis.selectors import DEFAULT_PERIOD, TREND_PERIODS, kpi_series
from stores.models import Employee, Store
from zhilian import roles
from zhilian.api.stores import requested_store
from zhilian.formatting import format_kpi_value

SUMMARY_URL = "/api/v1/kpis/dashboard/"
NOTIFICATIONS_URL = "/api/v1/notifications/"
TREND_URL = "/dashboard/kpi-trend/"
BOARD_STATUSES = ("pending", "confirmed", "preparing", "ready", "served")
POLL_SECONDS = 30
CLOCK_URL = "/api/v1/attendance/me/"
WAITLIST_BOARD_URL = "/api/v1/waitlist/tickets/board/"
DEV_REFRESH_SECONDS = 15


def _in_memory_layer() -> bool:
    return settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "").endswith("InMemoryChannelLayer")


class DashboardView(APIView):
    """Everything the live dashboard shows for a store and day."""

    # The role matrix grants "dashboard" on KPI records (zhilian/roles.py).
    resource = "kpis.kpirecord"
    role_action = "dashboard"

    @extend_schema(
        parameters=[
            OpenApiParameter("store", OpenApiTypes.STR, description="Store ID (required for admins)."),
            OpenApiParameter("date", OpenApiTypes.DATE, description="Local date (default today)."),
        ],
        responses={200: DashboardSerializer},
        summary="Dashboard summary",
    )
    def get(self, request):
        params = DashboardQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        store_id = params.validated_data.get("store")
        store = requested_store(request, store_id)
        day = params.validated_data.get("date") or timezone.localdate()
        return Response(dashboard_summary(store=store, day=day, user=request.user))


# --- the page -------------------------------------------------------------------------------------


def js_strings() -> dict[str, object]:
    """Every string the script shows, translated here so the page speaks the user's language."""
    return {
        "status": {
            "pending": _("Pending"),
            "confirmed": _("Confirmed"),
            "preparing": _("Preparing"),
            "ready": _("Ready"),
            "served": _("Served"),
            "completed": _("Completed"),
            "cancelled": _("Cancelled"),
            "arrived": _("Arrived"),
            "seated": _("Seated"),
            "no_show": _("No-show"),
        },
        "kpi_status": {"on_track": _("On track"), "at_risk": _("At risk"), "off_track": _("Off track")},
        "stock_status": {"normal": _("Normal"), "low": _("Low"), "critical": _("Critical"), "out_of_stock": _("Out")},
        "order_type": {"dine_in": _("Dine-in"), "takeaway": _("Takeaway"), "delivery": _("Delivery")},
        "figures": {
            "revenue_cents": _("Revenue"),
            "order_count": _("Orders"),
            "average_check_cents": _("Average check"),
            "guest_count": _("Guests"),
            "open_order_count": _("Open orders"),
        },
        "live": _("Live"),
        "offline": _("Offline — polling"),
        "connecting": _("Connecting…"),
        "reconnecting": _("Reconnecting…"),
        "no_orders": _("No orders"),
        "no_reservations": _("No reservations today"),
        "no_shifts": _("No shifts today"),
        "no_low_stock": _("Stock levels are fine"),
        "no_notifications": _("No notifications"),
        "no_kpis": _("KPIs for today are not computed yet"),
        "load_failed": _("Could not load the dashboard; retrying."),
        "guests": _("guests"),
        "table": _("Table"),
        "confirmed_shift": _("confirmed"),
        "unconfirmed_shift": _("not confirmed"),
        "target": _("target"),
        "updated": _("Updated"),
        "revenue_chart": _("Revenue, last 14 days"),
        "minimum": _("min"),
        "food_cost": {
            "theoretical": _("Theoretical food cost"),
            "actual": _("Actual food cost"),
            "gap": _("Gap (points)"),
            "recipe_cost": _("Recipe cost"),
            "as_of": _("as of"),
            "no_sales": _("No dish sales yet"),
            "no_count": _("No stock count period yet"),
            "gap_hint": _("Actual − theoretical"),
        },
        "no_dish_sales": _("No dishes sold"),
        "pace": {
            "on_pace": _("On pace"),
            "ahead": _("Ahead of pace by %(amount)s"),
            "behind": _("Behind pace by %(amount)s"),
            "no_history": _("No same-weekday history yet"),
            "expected": _("usually %(amount)s by %(time)s"),
        },
        "live_figure": _("live"),
        "full_day_target": _("full-day target"),
        "show_trend": _("Show the trend chart"),
        "trend_loading": _("Loading the trend…"),
        "trend_failed": _("Could not load the trend chart."),
        "close": _("Close"),
        # The built-in KPIs' units shown after a figure (¥ and % are written as symbols).
        "units": {
            "orders": pgettext("KPI unit", "orders"),
            "turns": pgettext("KPI unit", "turns"),
            "min": pgettext("KPI unit", "min"),
            "items": pgettext("KPI unit", "items"),
            "parties": pgettext("KPI unit", "parties"),
        },
        "waitlist": {
            "waiting": _("waiting"),
            "called": _("Called"),
            "next": _("Next"),
            "wait_now": _("Wait now"),
            "none_waiting": _("No one waiting"),
            "minutes": _("%(minutes)s min"),
            "seated_today": _("Seated today"),
        },
        "clock": {
            "clocked_out": _("Not clocked in"),
            "clocked_in": _("Clocked in since %(time)s"),
            "on_break": _("On a break since %(time)s"),
            "clock-in": _("Clock in"),
            "break-start": _("Start break"),
            "break-end": _("End break"),
            "clock-out": _("Clock out"),
            "failed": _("Could not record the punch."),
        },
    }


@never_cache
@login_required
def dashboard(request):
    user = request.user
    # Grouped by region for the switcher; stores without a region come last.
    stores = list(
        Store.objects.for_user(user)
        .select_related("region")
        .order_by(F("region__name").asc(nulls_last=True), "pk")
        .only("pk", "name", "region__code", "region__name")
    )
    is_admin = roles.is_admin(user)
    several = roles.sees_several_stores(user)
    # ?store= picks a store (admins, area managers, finance: the first by default); everyone else
    # has their own, and naming another is a 404.
    wanted = request.GET.get("store") or (stores[0].pk if several and stores else user.store_id)
    store = next((s for s in stores if s.pk == wanted), None)
    if wanted and store is None:
        # Unknown and invisible stores look the same, as in the API.
        raise Http404(_("No such store."))
    config = {
        "store": store.pk if store else None,
        "user": str(user.pk),
        "role": user.role,
        "readOnly": user.role in (roles.STAFF, roles.FINANCE),
        "summaryUrl": SUMMARY_URL,
        "notificationsUrl": NOTIFICATIONS_URL,
        "trendUrl": TREND_URL,
        "wsStore": f"/ws/stores/{store.pk}/" if store else None,
        "wsNotifications": "/ws/notifications/",
        "wsOrigin": settings.ZHILIAN_WS_URL or None,
        "pollSeconds": POLL_SECONDS,
        # Events reach the page only from this process when the channel layer is in memory
        # (development without Redis): refetch the summary regularly there; never needed with Redis.
        "refreshSeconds": DEV_REFRESH_SECONDS if _in_memory_layer() else 0,
        # The script reconnects a socket that hears no heartbeat for about two of these.
        "heartbeatSeconds": settings.ZHILIAN_WS_HEARTBEAT_SECONDS,
        "boardStatuses": BOARD_STATUSES,
        "csrfToken": get_token(request),
        "loginUrl": settings.LOGIN_URL,
        "adminOrderUrl": "/admin/orders/order/{id}/change/" if user.is_staff else None,
        # The signed-in person's own time clock (attendance), when their login is an employee's.
        "waitlistUrl": WAITLIST_BOARD_URL,
        "clockUrl": CLOCK_URL if Employee.objects.filter(user=user, is_active=True).exists() else None,
        "language": request.LANGUAGE_CODE,
        # Times show in the stores' zone (business days are local days), whatever the browser's.
        "timeZone": settings.TIME_ZONE,
        "strings": js_strings(),
    }
    context = {
        "store": store,
        "stores": stores,
        "is_admin": is_admin,
        # The store switcher: for whoever sees more than one store.
        "switcher": several and len(stores) > 1,
        "read_only": config["readOnly"],
        "board_statuses": [(s, config["strings"]["status"][s]) for s in BOARD_STATUSES],
        "config": config,
        "languages": settings.LANGUAGES,
    }
    return render(request, "dashboard/dashboard.html", context)


@never_cache
@login_required
def kpi_trend(request):
    """A KPI tile's trend chart: an HTML fragment drawn server-side (kpis/charts.py, the admin's
    chart) that the dashboard's script puts under the tiles. Another store's chart, or a KPI
    that is not there, is a 404."""
    user = request.user
    if not roles.can(user, "dashboard", "kpis.kpirecord"):
        raise Http404(_("No such store."))
    store = Store.objects.for_user(user).filter(pk=request.GET.get("store") or user.store_id).first()
    kpi = KPI.objects.for_user(user).filter(pk=request.GET.get("kpi") or "", is_active=True).first()
    if store is None or kpi is None:
        raise Http404(_("No such store."))
    try:
        days = int(request.GET.get("days") or DEFAULT_PERIOD)
    except ValueError:
        days = DEFAULT_PERIOD
    days = days if days in TREND_PERIODS else DEFAULT_PERIOD
    series = kpi_series(kpi=kpi, store=store, end=timezone.localdate(), days=days)
    chart = trend_chart(series)
    for dot in chart["dots"]:
        dot["text"] = format_kpi_value(dot["value"], kpi.unit)
        dot["status_label"] = KPIRecord.Status(dot["status"]).label
    context = {
        "kpi": kpi,
        "store": store,
        "days": days,
        "periods": TREND_PERIODS,
        "chart": chart,
        "target_text": format_kpi_value(series["target"], kpi.unit) if series["target"] is not None else None,
        "admin_url": f"/admin/kpis/kpirecord/trend/?kpi={kpi.pk}&store={store.pk}&days={days}"
        if user.is_staff
        else None,
    }
    return render(request, "dashboard/kpi_trend.html", context)


class DashboardLoginView(auth_views.LoginView):
    """A login form for everyone on shift: the admin's login only admits admins and managers."""

    template_name = "dashboard/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return "/dashboard/"

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.retry_after is not None:
            # The login lockout refused it: the page says when to try again.
            mark_locked_out(response, form.retry_after)
        return response
