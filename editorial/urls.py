"""Reader-facing editorial endpoints (questions and error reports filed from article pages)."""

from django.urls import path

from editorial import feedback

app_name = "editorial"

urlpatterns = [
    path("articles/<slug:slug>/question/", feedback.question, name="question"),
    path("articles/<slug:slug>/report-error/", feedback.report_error, name="report_error"),
]
