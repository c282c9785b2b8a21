"""Editorial endpoints outside the admin: the landing after login."""

from django.urls import path

from editorial import views

app_name = "editorial"

urlpatterns = [
    # Under /account/ with the login it follows; served here, where the roles are known.
    path("account/my-work/", views.landing, name="landing"),
]
