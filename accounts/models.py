import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.usernames import normalize_username, validate_username
from zhilian import roles
from zhilian.models import StoreScopedQuerySet, TimestampedModel, store_scope
from zhilian.roles import Role


class UserQuerySet(StoreScopedQuerySet):
    def update(self, **kwargs):
        # A bulk change of what tokens say of a user revokes their tokens, as User.save does.
        fields = {self.model._meta.get_field(name).attname for name in kwargs}
        if fields & set(self.model.TOKEN_FIELDS):
            from accounts.tokens import revoke_user_tokens_before_now

            user_ids = list(self.values_list("pk", flat=True))
            updated = super().update(**kwargs)
            for user_id in user_ids:
                revoke_user_tokens_before_now(user_id)
            return updated
        return super().update(**kwargs)

    def for_user(self, user):
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.role in (Role.ADMIN, Role.FINANCE):
            return self
        if user.role == Role.MANAGER and user.store_id:
            return self.filter(store_id=user.store_id)
        if user.role == Role.AREA_MANAGER:
            # The people of their regions' stores, and themselves (they have no store).
            return self.filter(Q(store_id__in=store_scope(user)) | Q(pk=user.pk))
        return self.filter(pk=user.pk)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, username, email, password, **extra):
        if not username:
            raise ValueError("username is required")
        user = self.model(username=self.model.normalize_username(username), email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, username, email="", password=None, **extra):
        extra.setdefault("role", Role.STAFF)
        return self._create_user(username, email, password, **extra)

    def create_superuser(self, username, email="", password=None, **extra):
        extra["role"] = Role.ADMIN
        return self._create_user(username, email, password, **extra)


class User(TimestampedModel, AbstractBaseUser):
    """A person who logs in. The role alone decides what they may do (zhilian.roles)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The character set and normalization are documented in accounts/usernames.py; clean()
    # stores the NFKC form, which the case-insensitive unique constraint below compares.
    username = models.CharField(_("username"), max_length=150, unique=True, validators=[validate_username])
    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STAFF)
    store = models.ForeignKey(
        "stores.Store",
        verbose_name=_("store"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    # An area manager's regions: they see and manage exactly those regions' stores.
    managed_regions = models.ManyToManyField(
        "stores.Region",
        verbose_name=_("managed regions"),
        blank=True,
        related_name="area_managers",
        help_text=_("Area managers only: the regions whose stores they run."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()
    store_lookup = "store"
    # Set by the server, never by a client or an admin form (ids, timestamps, computed totals,
    # statuses moved only by transitions): the serializers' read_only_fields and the admin's
    # readonly fields.
    SERVER_OWNED_FIELDS = ("date_joined", "last_login", "created_at", "updated_at")

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[Role.ADMIN, Role.AREA_MANAGER, Role.FINANCE]) | Q(store__isnull=False),
                name="user_non_admin_has_store",
                violation_error_message=_("Managers and staff belong to a store."),
            ),
            # HQ roles see several stores through their role (and regions), never through a store.
            models.CheckConstraint(
                condition=~Q(role__in=[Role.AREA_MANAGER, Role.FINANCE]) | Q(store__isnull=True),
                name="user_hq_role_has_no_store",
                violation_error_message=_("Area managers and finance belong to no single store."),
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            # Logins match username and email case-insensitively, so they must be unique that way.
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_ci_unique",
                violation_error_code="username_taken",
                violation_error_message=_("A user with that username already exists."),
            ),
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_code="email_taken",
                violation_error_message=_("A user with that email already exists."),
            ),
        ]
        indexes = [models.Index(fields=["store", "role"], name="user_store_role_idx")]

    def __str__(self) -> str:
        return self.full_name or self.username

    # --- what access tokens say of the user (accounts/tokens.py) ----------------------------------
    # A change to any of these revokes the tokens issued before it, whichever path saves the user.
    TOKEN_FIELDS = ("role", "store_id", "username", "is_active", "password")

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._token_state = instance._loaded_token_state()
        return instance

    def _loaded_token_state(self) -> dict:
        # Only the loaded fields: reading a deferred one would query.
        return {f: self.__dict__[f] for f in self.TOKEN_FIELDS if f in self.__dict__}

    def save(self, *args, **kwargs):
        before = getattr(self, "_token_state", None)
        after = self._loaded_token_state()
        super().save(*args, **kwargs)
        if before is not None and any(before.get(f, after[f]) != after[f] for f in after):
            from accounts.tokens import revoke_user_tokens_before_now

            revoke_user_tokens_before_now(self.pk)
        self._token_state = after

    def delete(self, *args, **kwargs):
        from accounts.tokens import revoke_user_tokens_before_now

        user_id = self.pk
        result = super().delete(*args, **kwargs)
        revoke_user_tokens_before_now(user_id)
        return result

    @classmethod
    def normalize_username(cls, username):
        # AbstractBaseUser.clean() stores this form; Django's default is NFKC alone.
        return normalize_username(username) if isinstance(username, str) else username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.username

    # The admin and DRF ask these; they are derived from the role, never set by hand.
    @property
    def is_staff(self) -> bool:
        return roles.may_enter_admin(self)

    @property
    def is_superuser(self) -> bool:
        return roles.is_admin(self)

    def has_perm(self, perm: str, obj=None) -> bool:
        app_label, _dot, codename = perm.partition(".")
        action, _us, model_name = codename.partition("_")
        if obj is not None:
            return roles.can_on_object(self, action, obj)
        return roles.can(self, action, f"{app_label}.{model_name}")

    def has_perms(self, perm_list, obj=None) -> bool:
        return all(self.has_perm(p, obj) for p in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and roles.has_module(self, app_label)
