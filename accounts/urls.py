from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("notifications/", views.notification_settings, name="notification_settings"),
    path("digest/stop/<str:token>/", views.digest_opt_out, name="digest_opt_out"),
]
