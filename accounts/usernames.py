"""Usernames: one normalizer and one validator for every door that creates or renames an account.

The rule:

1. The value is normalized to Unicode NFKC, so fullwidth letters (ｓｔａｆｆ１), ligatures and
   compatibility ideographs become their plain forms (staff1) before anything else is checked
   or stored. Uniqueness (case-insensitive, ``Lower(username)``) therefore compares the
   normalized forms.
2. After normalization a username is 1 to 150 characters from this set only:
   - ASCII letters ``A-Z a-z`` and digits ``0-9``;
   - the punctuation ``.`` ``_`` ``-`` ``@`` ``+``;
   - CJK unified ideographs (汉字, every block Unicode names "CJK UNIFIED IDEOGRAPH").
   It must contain at least one letter, digit or ideograph.
3. Everything else is refused, with the offending character named. That covers control and
   format characters (Unicode categories Cc and Cf: zero-width spaces and joiners, bidi
   controls, the byte-order mark), every kind of space (Zs), and letters of other scripts —
   Cyrillic ``а`` or Greek ``ο`` that look like Latin ones — so two usernames that look the same
   are the same string. Whitespace around the name is dropped (as every form field does);
   whitespace inside it is refused.

Logins are looked up with the same normalization (``normalize_username``), so typing the
fullwidth form of a name finds the account.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 150
ASCII_ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@+")
PUNCTUATION = frozenset("._-@+")


def normalize_username(value: str) -> str:
    """NFKC form of a username or login; surrounding whitespace is dropped."""
    return unicodedata.normalize("NFKC", value).strip()


def is_ideograph(char: str) -> bool:
    return unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH-")


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    if unicodedata.category(char)[0] in "CZ" or not char.isprintable():
        return f"{code} {name}".strip()
    return f"“{char}” ({code} {name})".strip()


@deconstructible
class UsernameValidator:
    """Validates the NFKC form of a username against the documented character set."""

    message = _(
        "A username may contain only ASCII letters, digits, Chinese characters and . _ - @ +; "
        "%(character)s is not allowed."
    )
    code = "invalid_username"

    def __call__(self, value: str) -> None:
        normalized = normalize_username(value)
        if not normalized:
            raise ValidationError(_("A username cannot be empty."), code=self.code)
        if len(normalized) > MAX_LENGTH:
            raise ValidationError(
                _("A username has at most %(max)d characters."), code="max_length", params={"max": MAX_LENGTH}
            )
        for char in normalized:
            if char not in ASCII_ALLOWED and not is_ideograph(char):
                raise ValidationError(self.message, code=self.code, params={"character": _describe(char)})
        if all(char in PUNCTUATION for char in normalized):
            raise ValidationError(
                _("A username needs at least one letter, digit or Chinese character."), code=self.code
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UsernameValidator)

    def __hash__(self) -> int:
        return hash(UsernameValidator)


validate_username = UsernameValidator()


def clean_username(value: str) -> str:
    """The normalized username, or ValidationError: what services store."""
    validate_username(value)
    return normalize_username(value)
