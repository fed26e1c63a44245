from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.views import LoginView
from config.search import search_page
from core.health import health
from core.views import favicon, set_language
from notifications.views import home

urlpatterns = [
    path("", home, name="home"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, files, error pages).
    path("favicon.ico", favicon, name="favicon"),
    path("search/", search_page, name="search"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Behind login (the schema through SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]); the split view serves
    # Swagger UI's start-up script as a file, so the page needs no inline script (CSP).
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("", include("directorates.urls")),
    path("", include("figures.urls")),
    path("", include("reviews.urls")),
    path("", include("roadmap.urls")),
    path("", include("notifications.urls")),
    path("", include("transfers.urls")),
    path("", include("accounts.urls")),
]

handler400 = "core.views.bad_request"
