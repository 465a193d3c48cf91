"""The waitlist in the admin: a changelist of tickets and the host stand (one page with the
queues per band, taking numbers and moving tickets through the same services as the API)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stores.models import Store, Table
from waitlist import services
from waitlist.models import WaitlistTicket
from waitlist.selectors import waitlist_board
from waitlist.workflow import ACTIONS
from zhilian import roles
from zhilian.admin import ScopedModelAdmin
from zhilian.errors import DomainError


@admin.register(WaitlistTicket)
class WaitlistTicketAdmin(ScopedModelAdmin):
    list_display = ["code", "store", "business_date", "party_size", "status", "quoted_wait_minutes", "issued_at",
                    "seated_at", "table"]  # fmt: skip
    list_filter = ["status", "band", "business_date", "store"]
    list_select_related = ["store", "table"]
    search_fields = ["phone"]
    date_hierarchy = "business_date"
    ordering = ["-business_date", "band", "number"]
    readonly_fields = [f.name for f in WaitlistTicket._meta.fields if f.name != "id"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # numbers are taken at the host stand (or the kiosk), through the service

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("number"), ordering="number")
    def code(self, obj: WaitlistTicket) -> str:
        return obj.code

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("host-stand/", view(self.host_stand_view), name="waitlist_waitlistticket_host_stand"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"host_stand_url": reverse("admin:waitlist_waitlistticket_host_stand"), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def host_stand_view(self, request):
        """GET: the queues; POST: take a number or move a ticket, then back to the queues."""
        user = request.user
        if not roles.can(user, "view", "waitlist.waitlistticket"):
            raise Http404
        stores = list(Store.objects.for_user(user).order_by("pk").only("pk", "name", "config"))
        wanted = request.POST.get("store") or request.GET.get("store") or user.store_id
        wanted = wanted or (stores[0].pk if stores else None)
        store = next((s for s in stores if s.pk == wanted), None)
        if store is None:
            raise Http404(gettext("No such store."))
        if request.method == "POST":
            self._host_stand_post(request, store)
            url = reverse("admin:waitlist_waitlistticket_host_stand")
            return HttpResponseRedirect(
                f"{url}?{urlencode({'store': store.pk})}" if roles.sees_several_stores(user) else url
            )
        board = waitlist_board(store=store)
        tables = Table.objects.filter(store=store, is_active=True).order_by("capacity", "number")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Host stand"),
            "store": store,
            "stores": stores if roles.sees_several_stores(user) else [],
            "board": board,
            "tables": list(tables.values("pk", "number", "capacity")),
            "can_move": roles.can(user, "transition", "waitlist.waitlistticket"),
            "can_issue": roles.can(user, "add", "waitlist.waitlistticket"),
        }
        return TemplateResponse(request, "admin/waitlist/host_stand.html", context)

    def _host_stand_post(self, request, store: Store) -> None:
        user = request.user
        action = request.POST.get("action", "")
        try:
            if action == "issue":
                if not roles.can(user, "add", "waitlist.waitlistticket"):
                    raise Http404
                try:
                    party = int(request.POST.get("party_size", ""))
                except ValueError:
                    party = 0
                ticket = services.waitlist_ticket_issue(
                    actor=user, store=store, party_size=party, phone=request.POST.get("phone", "")
                )
                messages.success(request, gettext("Number %(code)s taken.") % {"code": ticket.code})
                return
            if action not in ACTIONS or not roles.can(user, "transition", "waitlist.waitlistticket"):
                raise Http404
            ticket = WaitlistTicket.objects.for_user(user).filter(store=store, pk=request.POST.get("ticket")).first()
            if ticket is None:
                raise Http404
            table = None
            if action == "seat" and request.POST.get("table"):
                table = Table.objects.filter(store=store, pk=request.POST["table"]).first()
            services.waitlist_ticket_transition(actor=user, ticket=ticket, status=ACTIONS[action], table=table)
            done = {"code": ticket.code, "status": ticket.get_status_display()}
            messages.success(request, gettext("%(code)s: %(status)s.") % done)
        except DomainError as exc:
            messages.error(request, exc.message)
