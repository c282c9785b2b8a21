"""Editorial endpoints outside the admin: readers' questions and error reports, and the landing after login."""

from django.urls import path

from editorial import feedback, views

app_name = "editorial"

urlpatterns = [
    path("articles/<slug:slug>/question/", feedback.question, name="question"),
    path("articles/<slug:slug>/report-error/", feedback.report_error, name="report_error"),
    # Under /account/ with the login it follows; served here, where the roles are known.
    path("account/work/", views.landing, name="landing"),
]
