"""JSON values in our columns: bounded at the input boundary, harmless when read back.

Every JSON column is a `BoundedJSONField`. One check (`json_problem`) bounds what may be written:
nesting depth, serialized size, integers that fit in 64 bits, finite numbers, text without NUL
or unpaired surrogates. It runs in the model's validators (admin forms, `full_clean`), in the
API's JSON field (`zhilian.api.fields.JSONValueField`) before anything else touches the value,
and in the admin's form field, so every door refuses the same values with a message naming
the field (HTTP 400).

The other half is that a row written before the bound (or by hand) can never break a list:
reading a value too deep for Python's parser yields `UNREADABLE` instead of raising, and the
API's renderer (`zhilian.api.renderers`) falls back to `json_displayable` when a value cannot
be written as JSON.
"""

from __future__ import annotations

import logging
import math
import re
from typing import Any

import orjson
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.json import KeyTransform
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# What a value that cannot be shown is replaced with when it is read or rendered.
UNREADABLE = {"unreadable": True, "reason": "value too deeply nested to show"}
# Nesting the renderer keeps when it has to sanitize a response (orjson writes at most 254 levels).
RENDER_MAX_DEPTH = 64


def max_depth() -> int:
    return settings.ZHILIAN_JSON_MAX_DEPTH


def max_bytes() -> int:
    return settings.ZHILIAN_JSON_MAX_BYTES


def json_problem(value: Any, *, depth_limit: int | None = None, size_limit: int | None = None) -> str | None:
    """Why `value` may not be stored in a JSON column, or None.

    Walks the value without recursion, so a hostile nesting cannot exhaust the stack.
    """
    depth_limit = max_depth() if depth_limit is None else depth_limit
    size_limit = max_bytes() if size_limit is None else size_limit
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list | tuple):
            if depth >= depth_limit:
                return str(_("Nested more than %(depth)d levels deep.") % {"depth": depth_limit})
            if isinstance(node, dict):
                for key, child in node.items():
                    if not isinstance(key, str):
                        return str(_("Object keys must be text."))
                    if problem := _text_problem(key):
                        return problem
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in node)
        elif isinstance(node, bool) or node is None:
            continue
        elif isinstance(node, int):
            if not INT64_MIN <= node <= INT64_MAX:
                return str(_("Whole numbers must fit in 64 bits."))
        elif isinstance(node, float):
            if not math.isfinite(node):
                return str(_("NaN and Infinity are not JSON numbers."))
        elif isinstance(node, str):
            if problem := _text_problem(node):
                return problem
        else:
            return str(_("Only JSON values (objects, arrays, text, numbers, true, false, null) are allowed."))
    size = len(orjson.dumps(value))
    if size > size_limit:
        return str(_("At most %(limit)d bytes of JSON (this is %(size)d).") % {"limit": size_limit, "size": size})
    return None


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return str(_("Text may not contain NUL characters."))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return str(_("Text may not contain unpaired surrogates."))
    return None


def nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` nests more than `limit` arrays or objects deep (iteratively)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list | tuple):
            if depth >= limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list | tuple))
    return False


def parse_json_text(text: str | bytes) -> Any:
    """Parse JSON text (form input) with orjson: bounded nesting, no NaN, no stack exhaustion.

    Raises ValueError for anything that is not JSON.
    """
    return orjson.loads(text)


@deconstructible
class JSONBoundsValidator:
    """The model-level validator of every JSON column (see `json_problem`)."""

    code = "json_bounds"

    def __call__(self, value: Any) -> None:
        if problem := json_problem(value):
            raise ValidationError(problem, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JSONBoundsValidator)

    def __hash__(self) -> int:
        return hash(self.code)


validate_json_bounds = JSONBoundsValidator()


class JSONValueFormField(forms.JSONField):
    """The admin's JSON box: parses without exhausting the stack and applies the same bounds."""

    def to_python(self, value):
        if self.disabled:
            return value
        if value in self.empty_values:
            return None
        if isinstance(value, list | dict | int | float | forms.fields.JSONString):
            return value
        try:
            converted = parse_json_text(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value}) from None
        if isinstance(converted, str):
            return forms.fields.JSONString(converted)
        return converted

    def bound_data(self, data, initial):
        if self.disabled:
            return initial
        if data is None:
            return None
        try:
            return parse_json_text(data)
        except ValueError:
            return forms.fields.InvalidJSONInput(data)

    def validate(self, value):
        super().validate(value)
        if value not in self.empty_values and (problem := json_problem(value)):
            raise ValidationError(problem, code=JSONBoundsValidator.code)

    # A value stored before the bounds may be too deep for the json module to write: the form
    # shows (and compares) its displayable copy instead of failing.
    def prepare_value(self, value):
        try:
            return super().prepare_value(value)
        except RecursionError:
            return super().prepare_value(json_displayable(value))

    def has_changed(self, initial, data):
        try:
            return super().has_changed(initial, data)
        except RecursionError:
            return super().has_changed(json_displayable(initial), data)


class BoundedJSONField(models.JSONField):
    """A JSON column whose values are bounded on the way in and always readable on the way out."""

    default_validators = [validate_json_bounds]

    def from_db_value(self, value, expression, connection):
        # orjson reads the stored text several times faster than the json module (this runs for
        # every order and line of a list); Django's own reading below stays for what orjson
        # refuses (NaN or an over-deep value written by hand).
        if isinstance(value, str) and self.decoder is None and not isinstance(expression, KeyTransform):
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                pass
        try:
            return super().from_db_value(value, expression, connection)
        except RecursionError:
            # Written before the bound existed (or by hand): one unreadable row must not break
            # every list that includes it.
            logger.warning("a %s value is too deeply nested to read; shown as unreadable", self.name)
            return dict(UNREADABLE)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": JSONValueFormField, **kwargs})


def json_displayable(data: Any, *, depth_limit: int = RENDER_MAX_DEPTH) -> Any:
    """A copy of `data` that orjson can always write: nesting past `depth_limit` becomes
    `UNREADABLE`, integers beyond 64 bits become text, NaN/Infinity null, unpaired surrogates
    the replacement character. Iterative, so any depth is safe."""
    root: list[Any] = [None]
    # (source node, container to put the copy in, key or index in it, depth)
    stack: list[tuple[Any, Any, Any, int]] = [(data, root, 0, 0)]
    while stack:
        node, parent, slot, depth = stack.pop()
        if isinstance(node, dict | list | tuple):
            if depth >= depth_limit:
                parent[slot] = dict(UNREADABLE)
                continue
            if isinstance(node, dict):
                copy: Any = {}
                parent[slot] = copy
                for key, child in node.items():
                    safe_key = _safe_text(key) if isinstance(key, str) else str(key)
                    copy[safe_key] = None
                    stack.append((child, copy, safe_key, depth + 1))
            else:
                copy = [None] * len(node)
                parent[slot] = copy
                stack.extend((child, copy, index, depth + 1) for index, child in enumerate(node))
        elif isinstance(node, bool):
            parent[slot] = node
        elif isinstance(node, int):
            parent[slot] = node if INT64_MIN <= node <= INT64_MAX else str(node)
        elif isinstance(node, float):
            parent[slot] = node if math.isfinite(node) else None
        elif isinstance(node, str):
            parent[slot] = _safe_text(node)
        else:
            parent[slot] = node  # the renderer's `default` knows dates, decimals, UUIDs
    return root[0]


SURROGATE = re.compile("[\ud800-\udfff]")


def _safe_text(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE.sub("\ufffd", text)
    return text
