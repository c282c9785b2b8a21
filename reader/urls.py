from django.urls import path

from reader import feedback, feeds, views

app_name = "reader"

urlpatterns = [
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("articles/<slug:slug>/history/", views.article_history, name="history"),
    path("articles/<slug:slug>/versions/<int:number>/", views.article_version, name="version"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("topics/<slug:slug>/feed/", feeds.topic_updates, name="topic_feed"),
    path("feeds/updates/", feeds.updates, name="updates_feed"),
    path("search/", views.search_view, name="search"),
    path("articles/<slug:slug>/question/", feedback.question, name="question"),
    path("articles/<slug:slug>/report-error/", feedback.report_error, name="report_error"),
    path("audience/", views.choose_audience, name="audience"),
    path("reads/<int:article_id>.gif", views.count_read, name="read"),
]
