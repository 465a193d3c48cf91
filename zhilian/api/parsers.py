"""The API's JSON parser: orjson, with the nesting of a whole request body bounded.

A body nested deeper than any resource needs is refused here, before a serializer walks it:
DRF's fields put the input into their error messages, and formatting a value nested a thousand
levels deep exhausts the stack. The bound is the JSON value bound plus the levels a body itself
adds (body → items → item → value).
"""

from __future__ import annotations

from django.conf import settings
from drf_orjson_renderer.parsers import ORJSONParser
from rest_framework.exceptions import ParseError

from zhilian.jsonvalues import nesting_exceeds

BODY_LEVELS = 4


class JSONParser(ORJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        limit = settings.ZHILIAN_JSON_MAX_DEPTH + BODY_LEVELS
        if nesting_exceeds(data, limit):
            raise ParseError(f"JSON parse error - the body is nested more than {limit} levels deep.")
        return data
