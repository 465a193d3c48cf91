"""Content negotiation that offers the browsable API only while DEBUG is on.

The browsable API is a development tool: it renders forms with every choice of every related
field and runs a second serializer per page. In production the API answers JSON, to browsers
too (their Accept header ends in */*); `?format=api` is then a 404 and an Accept header that
names only text/html a 406, both with a JSON body.

Decided per request, not by leaving the renderer out of DEFAULT_RENDERER_CLASSES: views copy
that list when their class is created, so a settings-time choice could not be tested (or
changed) without re-importing every view.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer
from rest_framework.request import Request


class BrowsableOnlyInDebugNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        if not settings.DEBUG:
            renderers = [renderer for renderer in renderers if not isinstance(renderer, BrowsableAPIRenderer)]
        return super().select_renderer(request, renderers, format_suffix)
