"""API authentication: simplejwt's JWT check plus the logout deny list (accounts.tokens)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import aware_utcnow

from accounts import tokens


class VerifiedTokens:
    """Access tokens whose signature and claims were already verified, by their exact bytes.

    A POS terminal sends the same token with every request for its whole lifetime; checking its
    HMAC and decoding its JSON again each time was a fifth of an order detail's CPU. Only the
    verification is remembered: expiry is checked on every use, and revocation (a logout, an
    account change) is looked up on every request as before. Bounded: the oldest entries go first.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._tokens: dict[bytes, Token] = {}

    def get(self, raw_token: bytes) -> Token | None:
        token = self._tokens.get(raw_token)
        if token is None:
            return None
        try:
            token.check_exp(current_time=aware_utcnow())
        except TokenError:
            self._tokens.pop(raw_token, None)
            return None
        return token

    def add(self, raw_token: bytes, token: Token) -> None:
        while len(self._tokens) >= self.size:
            try:
                del self._tokens[next(iter(self._tokens))]
            except (StopIteration, KeyError, RuntimeError):  # emptied or changed by another thread
                break
        self._tokens[raw_token] = token


verified_tokens = VerifiedTokens()


class RevocableJWTAuthentication(JWTAuthentication):
    """A valid access token that a logout (or a change to the account) revoked is refused (401,
    code ``token_revoked``); otherwise its user comes from its claims, without a query
    (accounts/tokens.py says why that cannot go stale)."""

    def get_validated_token(self, raw_token: bytes) -> Token:
        validated = verified_tokens.get(raw_token)
        if validated is None:
            validated = super().get_validated_token(raw_token)
            verified_tokens.add(raw_token, validated)
        if tokens.is_revoked(validated):
            raise InvalidToken(_("This token was revoked by a logout."), code="token_revoked")
        return validated

    def get_user(self, validated_token: Token):
        return tokens.user_from_claims(validated_token) or super().get_user(validated_token)


class RevocableJWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of the subclass: the same bearer JWT."""

    target_class = "accounts.authentication.RevocableJWTAuthentication"
