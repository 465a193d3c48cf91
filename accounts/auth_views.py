"""Auth endpoints under /api/v1/auth/: thin views over accounts.services."""

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

from accounts import services
from accounts.authentication import RevocableJWTAuthentication
from accounts.models import User
from accounts.serializers import (
    LoginSerializer,
    LogoutSerializer,
    MeSerializer,
    PasswordChangeSerializer,
    RefreshSerializer,
    RegisterSerializer,
    SelfRegisterSerializer,
    TokenResponseSerializer,
    UserSerializer,
    UserSummarySerializer,
)
from zhilian.api.throttling import RegisterThrottle
from zhilian.errors import Forbidden

TokenPairSerializer = inline_serializer(
    "TokenPair",
    fields={
        "access": serializers.CharField(),
        "refresh": serializers.CharField(),
        "token_type": serializers.CharField(),
        "expires_in": serializers.IntegerField(),
    },
)
ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description='{"detail": ..., "code": ...}')


def _translate(exc: services.DomainError):
    """Service refusals as DRF exceptions, so DRF adds WWW-Authenticate / Retry-After."""
    if isinstance(exc, services.LoginThrottled):
        return exceptions.Throttled(wait=exc.retry_after, detail=exc.message)
    if isinstance(exc, services.AuthenticationError):
        return exceptions.AuthenticationFailed(detail=exc.message, code=exc.code)
    return exc


class TokenEndpoint(APIView):
    """Endpoints that take credentials in the body: no other authentication is looked at
    (a stale Authorization header must not stop a login), no CSRF, no role check."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class LoginView(TokenEndpoint):
    @extend_schema(
        request=LoginSerializer,
        responses={200: TokenResponseSerializer, 400: ERROR, 401: ERROR, 429: ERROR},
        summary="Log in with username or email and password",
        tags=["auth"],
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user, tokens = services.auth_login(
                login=serializer.validated_data["login"],
                password=serializer.validated_data["password"],
                request=request._request,
            )
        except services.DomainError as exc:
            raise _translate(exc) from exc
        return Response({**tokens.as_dict(), "user": UserSummarySerializer(user).data})


class RefreshView(TokenEndpoint):
    @extend_schema(
        request=RefreshSerializer,
        responses={200: TokenPairSerializer, 400: ERROR, 401: ERROR},
        summary="Exchange a refresh token for a new pair (the old refresh token is spent)",
        tags=["auth"],
    )
    def post(self, request):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            _user, tokens = services.auth_refresh(refresh=serializer.validated_data["refresh"])
        except services.DomainError as exc:
            raise _translate(exc) from exc
        return Response(tokens.as_dict())


def _presented_access_token(request) -> str | None:
    """The access token in the Authorization header, if any (not checked here)."""
    auth = RevocableJWTAuthentication()
    header = auth.get_header(request)
    try:
        raw = auth.get_raw_token(header) if header is not None else None
    except (AuthenticationFailed, InvalidToken):
        return None
    return raw.decode("latin-1") if raw else None


class LogoutView(TokenEndpoint):
    @extend_schema(
        request=LogoutSerializer,
        responses={204: None, 400: ERROR, 401: ERROR},
        summary="End a session: its refresh token and access tokens stop working (optionally every session)",
        description="An access token sent in the Authorization header is revoked too.",
        tags=["auth"],
    )
    def post(self, request):
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.auth_logout(
                refresh=serializer.validated_data["refresh"],
                everywhere=serializer.validated_data["everywhere"],
                access=_presented_access_token(request),
            )
        except services.DomainError as exc:
            raise _translate(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class MeView(generics.RetrieveUpdateAPIView):
    """The caller's own profile. Role, store and active flag cannot be changed here (400)."""

    serializer_class = MeSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        # The whole account in one query (request.user of a JWT holds only what its claims say).
        return User.objects.get(pk=self.request.user.pk)


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PasswordChangeSerializer,
        responses={200: TokenPairSerializer, 400: ERROR, 401: ERROR},
        summary="Change one's own password; every earlier token stops working, a new pair is returned",
        tags=["auth"],
    )
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tokens = services.user_change_password(user=request.user, **serializer.validated_data)
        # A session user (browsable API) stays logged in in this browser only.
        if hasattr(request._request, "session") and request.auth is None:
            update_session_auth_hash(request._request, request.user)
        return Response(tokens.as_dict())


class RegisterView(APIView):
    """Admins create any account, managers staff of their store (201, the account).

    Anonymous callers: with registration closed, the same 403 whatever the body (nothing is
    read). With open registration (ZHILIAN_OPEN_REGISTRATION), the same 202 whether or not the
    username or email is taken — the account, inactive staff, exists only if both were free —
    and at most REGISTER_THROTTLE requests per address.
    """

    permission_classes = [AllowAny]
    throttle_classes = [RegisterThrottle]

    @extend_schema(
        request=RegisterSerializer,
        responses={
            201: UserSerializer,
            202: OpenApiResponse(OpenApiTypes.OBJECT, description="Anonymous sign-up received (open registration)"),
            400: ERROR,
            403: ERROR,
            429: ERROR,
        },
        summary="Create an account",
        tags=["auth"],
    )
    def post(self, request):
        if not request.user.is_authenticated:
            return self._self_register(request)
        serializer = RegisterSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.save()
        return Response(UserSerializer(user, context={"request": request}).data, status=status.HTTP_201_CREATED)

    def _self_register(self, request):
        if not settings.ZHILIAN_OPEN_REGISTRATION:
            raise Forbidden(_("Registration is closed; ask a manager for an account."), code="registration_closed")
        serializer = SelfRegisterSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        # Nothing is created when the username or email is taken; the answer is the same.
        services.user_register(**serializer.validated_data)
        body = {
            "detail": _(
                "If the details are acceptable, the account was requested; a manager of the store activates it."
            ),
            "code": "registration_received",
        }
        return Response(body, status=status.HTTP_202_ACCEPTED)
