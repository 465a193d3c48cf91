"""The API's JSON renderer: orjson, and a response that can always be written."""

from __future__ import annotations

import logging

import orjson
from drf_orjson_renderer.renderers import ORJSONRenderer

from zhilian.jsonvalues import json_displayable

logger = logging.getLogger(__name__)


class JSONRenderer(ORJSONRenderer):
    """orjson; when a value cannot be written (nesting orjson refuses, an integer beyond 64 bits,
    an unpaired surrogate in a row stored before the input bounds existed), the response is
    written with such values made displayable instead of failing for every reader of the list."""

    def render(self, data, media_type=None, renderer_context=None) -> bytes:
        try:
            return super().render(data, media_type, renderer_context)
        except orjson.JSONEncodeError as exc:
            view = (renderer_context or {}).get("view")
            logger.warning("response of %s held a value JSON cannot write (%s); rendered sanitized", view, exc)
            return super().render(json_displayable(data), media_type, renderer_context)
