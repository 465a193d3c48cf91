from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts import services
from accounts.models import User
from accounts.usernames import clean_username
from stores.models import Region, Store
from zhilian.api.serializers import BaseModelSerializer, ModelSerializer
from zhilian.roles import Role


def _username(value: str) -> str:
    """The username as it will be stored (accounts/usernames.py), or a 400 naming the character."""
    try:
        return clean_username(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(list(exc.messages)) from exc


def _unique_ci(field: str, value: str, instance) -> str:
    # Only for a clear message; the case-insensitive unique constraints are the guarantee. The
    # username compared is already normalized, as stored.
    others = User.objects.exclude(pk=instance.pk) if isinstance(instance, User) else User.objects.all()
    if value and others.filter(**{f"{field}__iexact": value}).exists():
        raise serializers.ValidationError(_("A user with that %(field)s already exists.") % {"field": field})
    return value


class UserSummarySerializer(ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "store"]
        read_only_fields = fields


class UserSerializer(BaseModelSerializer):
    """An account. Role and store can be set only within the caller's rights (docs/architecture.md, "Roles")."""

    password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=False,
        style={"input_type": "password"},
        trim_whitespace=False,
        max_length=128,
        help_text=_("On create: the initial password. On update: a reset by an admin or manager."),
    )
    # An area manager's regions, by code; admins assign them (accounts.services.user_update).
    managed_regions = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        queryset=Region.objects.all(),
        required=False,
        help_text=_("Area managers: the codes of the regions whose stores they run (admins set them)."),
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "full_name",
            "phone",
            "role",
            "store",
            "managed_regions",
            "is_active",
            "password",
            "date_joined",
            "last_login",
            "created_at",
            "updated_at",
        ]
        read_only_fields = User.SERVER_OWNED_FIELDS

    def model_validation_exclude(self) -> set[str]:
        # The raw password is not the stored hash; the services validate it.
        return super().model_validation_exclude() | {"password"}

    def validate_username(self, value):
        return _unique_ci("username", _username(value), self.instance)

    def validate_email(self, value):
        return _unique_ci("email", value, self.instance)

    def validate(self, attrs):
        # A store move of an account is an admin's decision, judged by the service
        # (BaseModelSerializer.validate would refuse it for every record), so only the model
        # validation of the base class runs here.
        attrs = serializers.ModelSerializer.validate(self, attrs)
        self.run_model_validation(attrs)
        return attrs

    def create(self, validated_data):
        return services.user_create(actor=self._user, **validated_data)

    def update(self, instance, validated_data):
        return services.user_update(actor=self._user, user=instance, **validated_data)


class MeSerializer(BaseModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "full_name", "phone", "role", "store", "is_active", "last_login"]
        read_only_fields = ["id", "username", "last_login"]

    def get_fields(self):
        fields = super().get_fields()
        # role/store/is_active are accepted so that an attempt to change them is a clear 400
        # (from the service) rather than silently ignored; the store choices are not limited
        # here so that the answer is the same whatever store is named.
        fields["store"].queryset = Store.objects.all()
        return fields

    def validate(self, attrs):
        # No model validation: role/store/is_active are refused by the service, naming the field.
        return attrs

    def update(self, instance, validated_data):
        return services.user_update(actor=self._user, user=instance, **validated_data)


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, max_length=254, help_text=_("Username or email address."))
    email = serializers.CharField(required=False, max_length=254, help_text=_("Alternative to username."))
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs):
        login = attrs.get("username") or attrs.get("email")
        if not login:
            raise serializers.ValidationError({"username": [_("Give a username or an email address.")]})
        attrs["login"] = login
        return attrs


class TokenResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField()
    user = UserSummarySerializer()


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)
    everywhere = serializers.BooleanField(
        required=False, default=False, help_text=_("Also revoke every other session of this user.")
    )


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    new_password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class RegisterSerializer(serializers.Serializer):
    """Input of POST /auth/register/ by an admin or manager; the rules (who may create whom)
    are in user_create. Taken usernames and emails are field errors: the caller is trusted."""

    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices, required=False, default=Role.STAFF)
    # Any existing store may be named; the service decides whether this caller may use it
    # (so a manager naming another store gets "store" in a 400, not "does not exist").
    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.all(), required=False, allow_null=True)

    def validate_username(self, value):
        return _unique_ci("username", _username(value), None)

    def validate_email(self, value):
        return _unique_ci("email", value, None)

    def create(self, validated_data):
        return services.user_create(actor=self.context["request"].user, **validated_data)


class SelfRegisterSerializer(RegisterSerializer):
    """Anonymous sign-up (open registration): the same input, but whether a username or email
    is taken is never checked here or told; the view passes it to user_register."""

    def validate_username(self, value):
        return _username(value)

    def validate_email(self, value):
        return value
