"""Swagger UI and ReDoc (drf-spectacular, assets from the sidecar) under the site's strict
Content-Security-Policy: no inline script or style.

- Swagger UI: drf-spectacular's split view serves its init script as a file (`?script`).
- ReDoc: started by a static script; its styled-components inject <style> elements, allowed by a
  per-response nonce that the page hands to ReDoc, and its search index runs in a worker loaded
  from a blob: URL. Only this page's policy is widened for that. ReDoc also shows Redocly's logo
  from their CDN: the policy blocks it (no request leaves the site) and ReDoc drops the image.
"""

from csp.constants import NONCE
from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "zhilian/api_docs/swagger_ui.html"


# Two <style> elements are inserted while the bundle loads, before ReDoc is given the nonce: the
# scrollbar's fixed stylesheet and an empty one, allowed by their hashes. The hashes belong to the
# sidecar's redoc.standalone.js; after an upgrade the browser test (zhilian/tests/
# test_csp_browser.py) fails with the violation, and Chromium's message names the new hash.
REDOC_STYLE_HASHES = [
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",  # perfect-scrollbar's CSS
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # an empty stylesheet
]
REDOC_POLICY = {"style-src": [NONCE, *REDOC_STYLE_HASHES], "worker-src": ["blob:"]}


@method_decorator(csp_update(REDOC_POLICY), name="dispatch")
class RedocView(SpectacularRedocView):
    template_name = "zhilian/api_docs/redoc.html"
