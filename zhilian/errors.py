"""The small set of domain errors that services raise.

The API maps them to responses (`zhilian.api.exceptions`), the admin shows them as messages.
Each carries a stable `code` a client can branch on.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the change (HTTP 409)."""

    status_code = 409
    default_code = "business_rule"

    def __init__(self, message: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.message, "code": self.code, **self.extra}


class InvalidTransition(DomainError):
    """A status move the workflow does not allow; `allowed` names the moves that are."""

    default_code = "invalid_transition"


class InsufficientStock(DomainError):
    default_code = "insufficient_stock"


class Unavailable(DomainError):
    """A slot, table or resource is already taken."""

    default_code = "unavailable"


class Locked(DomainError):
    """The record is frozen (published schedule, order past the editable states)."""

    default_code = "locked"


class InvalidInput(DomainError):
    """Input the service rejects field by field (HTTP 400); `errors` maps field to messages."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, errors: dict[str, list[str] | str], *, code: str | None = None) -> None:
        normalized = {k: v if isinstance(v, list) else [v] for k, v in errors.items()}
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in normalized.items())
        super().__init__(message, code=code)
        self.errors = normalized

    def as_dict(self) -> dict[str, Any]:
        return self.errors


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"


class Forbidden(DomainError):
    status_code = 403
    default_code = "permission_denied"
