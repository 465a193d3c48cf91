from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from zhilian import health, home
from zhilian.api.docs import RedocView, SwaggerView

api_v1 = [
    path("auth/", include("accounts.auth_urls")),
    path("", include("accounts.urls")),
    path("", include("stores.urls")),
    path("", include("orders.urls")),
    path("", include("inventory.urls")),
    path("", include("menu.urls")),
    path("", include("scheduling.urls")),
    path("", include("attendance.urls")),
    path("", include("reservations.urls")),
    # The dashboard summary lives at kpis/dashboard/: before kpis.urls, whose kpis/{id}/ would match it.
    path("", include("dashboard.api_urls")),
    path("", include("kpis.urls")),
    path("", include("notifications.urls")),
    path("", include("waitlist.urls")),
]

handler500 = "zhilian.unavailable.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("scheduling.page_urls")),
    # Uploaded dish photos in development (an empty list without DEBUG: the proxy serves them).
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
    path("", include("dashboard.urls")),
    path("", home.home, name="home"),
    path("favicon.ico", home.favicon, name="favicon"),
]
