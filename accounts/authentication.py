"""API authentication: simplejwt's JWT check plus the logout deny list (accounts.tokens)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.tokens import Token

from accounts import tokens


class RevocableJWTAuthentication(JWTAuthentication):
    """A valid access token that a logout (or a change to the account) revoked is refused (401,
    code ``token_revoked``); otherwise its user comes from its claims, without a query
    (accounts/tokens.py says why that cannot go stale)."""

    def get_validated_token(self, raw_token: bytes) -> Token:
        validated = super().get_validated_token(raw_token)
        if tokens.is_revoked(validated):
            raise InvalidToken(_("This token was revoked by a logout."), code="token_revoked")
        return validated

    def get_user(self, validated_token: Token):
        return tokens.user_from_claims(validated_token) or super().get_user(validated_token)


class RevocableJWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of the subclass: the same bearer JWT."""

    target_class = "accounts.authentication.RevocableJWTAuthentication"
