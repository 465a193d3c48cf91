from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin
from axes.models import AccessAttempt, AccessFailureLog
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import Group
from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import User
from zhilian import roles
from zhilian.admin import ScopedModelAdmin

# Roles (zhilian.roles) replace Django's groups and per-user permissions.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)

# The login lockout's records (django-axes): admins only, through the role matrix
# (User.has_perm). Successful logins are not logged (AXES_DISABLE_ACCESS_LOG), so no page for them.
admin.site.register(AccessAttempt, AccessAttemptAdmin)
admin.site.register(AccessFailureLog, AccessFailureLogAdmin)


def _with_recent_failures(queryset):
    """Annotate each account with its failed logins inside the lockout window (one subquery,
    no query per row); accounts.lockout records an account under its lower-cased username."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    failures = (
        AccessAttempt.objects.filter(username=Lower(OuterRef("username")), attempt_time__gte=since)
        .values("username")
        .annotate(total=Sum("failures_since_start"))
        .values("total")
    )
    return queryset.annotate(recent_login_failures=Coalesce(Subquery(failures, output_field=IntegerField()), Value(0)))


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("username", "email", "full_name", "phone", "role", "store", "managed_regions")
        field_classes = {"username": auth_forms.UsernameField}


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"username": auth_forms.UsernameField}


@admin.register(User)
class UserAdmin(ScopedModelAdmin, auth_admin.UserAdmin):
    """Accounts. Passwords are set with Django's admin password forms (add page, "Reset password").

    A manager sees the accounts of their store, creates staff there and edits staff; another
    manager's or an admin's account is read-only to them, and nobody but an admin changes their
    own role, store or active flag.
    """

    form = UserChangeForm
    add_form = UserCreationForm
    list_display = [
        "username",
        "full_name",
        "email",
        "role",
        "store",
        "is_active",
        "login_locked",
        "last_login",
        "date_joined",
    ]
    list_filter = ["role", "is_active", "store"]
    list_select_related = ["store"]
    search_fields = ["username", "full_name", "email", "phone"]
    filter_horizontal = ["managed_regions"]
    ordering = ["username"]
    date_hierarchy = "date_joined"
    autocomplete_fields = ["store"]
    readonly_fields = User.SERVER_OWNED_FIELDS
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "email", "phone"]}),
        (_("Role"), {"fields": ["role", "store", "managed_regions", "is_active"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined", "created_at", "updated_at"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "email",
                    "full_name",
                    "phone",
                    "role",
                    "store",
                    "managed_regions",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]

    actions = ["deactivate", "unlock_login"]

    # Accounts are written by the account services (role rules, token revocation, audit trail).
    services = services
    create_service = "user_create"
    update_service = "user_update"
    service_fields = ("username", "email", "full_name", "phone", "role", "store", "managed_regions", "is_active")

    def service_object_kwarg(self) -> str:
        return "user"

    def create_kwargs(self, request, form, formsets):
        kwargs = self.service_data(form, form.cleaned_data)
        # Django's add form: no password when "usable password" is off (set one later).
        kwargs["password"] = form.cleaned_data.get("password1") or None
        return {**kwargs, "actor": request.user}

    def update_kwargs(self, request, obj, form, formsets):
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        return {"actor": request.user, "user": obj, **self.service_data(form, changed)}

    def get_queryset(self, request):
        return _with_recent_failures(super().get_queryset(request))

    @admin.display(boolean=True, description=_("login locked"))
    def login_locked(self, obj) -> bool:
        return getattr(obj, "recent_login_failures", 0) >= settings.AXES_FAILURE_LIMIT

    def has_unlock_login_permission(self, request) -> bool:
        return roles.can(request.user, roles.UNLOCK_LOGIN, "accounts.user")

    @admin.action(description=_("Unlock login of selected accounts"), permissions=["unlock_login"])
    def unlock_login(self, request, queryset):
        done = 0
        for user in queryset:
            # The service applies the role rules per account (a manager: staff of their store only).
            if self.call_service(request, services.user_unlock_login, actor=request.user, user=user) is not None:
                done += 1
        if done:
            self.message_user(request, _("%(count)d account(s) unlocked.") % {"count": done})

    @admin.action(description=_("Deactivate selected accounts (their tokens stop working)"), permissions=["change"])
    def deactivate(self, request, queryset):
        done = 0
        for user in queryset.select_related("store"):
            # The service applies the role rules per account (a manager: staff of their store only).
            if self.call_service(request, services.user_update, actor=request.user, user=user, is_active=False):
                done += 1
        if done:
            self.message_user(request, _("%(count)d account(s) deactivated.") % {"count": done})

    def has_change_permission(self, request, obj=None):
        # Django's ModelAdmin asks without the object; the role matrix has object rules
        # (a manager edits staff of their store, not other managers).
        if obj is not None:
            return roles.can_on_object(request.user, roles.CHANGE, obj)
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None:
            return roles.can_on_object(request.user, roles.DELETE, obj) and obj.pk != request.user.pk
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            # Nobody takes or widens their own powers here (an admin could lock themselves out).
            fields += ["role", "store", "is_active"]
        if not roles.is_admin(request.user) and "managed_regions" not in fields:
            fields.append("managed_regions")  # regions are assigned by admins
        return fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            grantable = roles.grantable_roles(request.user)
            kwargs["choices"] = [(value, label) for value, label in db_field.choices if value in grantable]
            kwargs.setdefault("initial", roles.Role.STAFF)
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not roles.is_admin(request.user) and "store" in form.base_fields:
            # A manager's accounts belong to the manager's store; no empty choice.
            store_field: forms.ModelChoiceField = form.base_fields["store"]
            store_field.required = True
            store_field.empty_label = None
        return form
