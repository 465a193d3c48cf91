"""Notification texts translated when they are read, not when they are written.

A notification is written once for recipients who may read it in different languages (and may
switch language later), so a service passes its title and body as `message(msgid, **params)`:
the English msgid and its parameters go into ``data["i18n"]``, the title and body columns keep
the English text (what search and old clients see), and `render` words them in the reader's
active language (the API, the admin, the dashboard's bell). A parameter may itself be a message
(a status label, a KPI's name) and is then translated too; `name(text, zh)` is a stored name with
its own Chinese form (a user-defined KPI). Rows written before this, or as plain strings, show
as stored.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import get_language, gettext

Message = dict[str, Any]


def message(msgid: str, **params: Any) -> Message:
    return {"msgid": msgid, "params": params}


def name(text: str, zh: str = "") -> Message:
    """A name translated by the catalogue where it is a built-in, else its stored Chinese form."""
    return {"msgid": text, "zh": zh} if zh else {"msgid": text}


def _param(value: Any) -> Any:
    return render(value) if isinstance(value, dict) and "msgid" in value else value


def render(value: Message | list[Message] | str) -> str:
    """The text in the active language; a list renders as lines."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(render(v) for v in value)
    if value.get("zh") and (get_language() or "").lower().startswith("zh"):
        return value["zh"]
    text = gettext(value["msgid"]) if value["msgid"] else ""
    params = {k: _param(v) for k, v in (value.get("params") or {}).items()}
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder
        return value["msgid"] % params


def english(value: Message | list[Message] | str) -> str:
    with translation.override("en"):
        return render(value)
