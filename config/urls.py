from django.contrib import admin
from django.urls import include, path

from api.views import api
from config.views import healthz
from reader.sitemaps import sitemap
from reader.views import home, robots_txt

urlpatterns = [
    path("", home, name="home"),
    path("", include("reader.urls")),
    path("healthz", healthz, name="healthz"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    path("account/", include("accounts.urls")),
    path("write/", include("writing.urls")),
    path("", include("editorial.urls")),
    path("", include("pages.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

# A database that cannot be reached answers a plain 503 (config.views.server_error), not a 500.
handler500 = "config.views.server_error"
