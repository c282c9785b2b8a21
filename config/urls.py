from django.contrib import admin
from django.urls import include, path

from articles.views import home
from config.views import healthz

urlpatterns = [
    path("", home, name="home"),
    path("", include("articles.urls")),
    path("healthz", healthz, name="healthz"),
    path("account/", include("accounts.urls")),
    path("", include("editorial.urls")),
    path("admin/", admin.site.urls),
]
