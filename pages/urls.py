from django.urls import path

from pages import views

app_name = "pages"

urlpatterns = [
    path("editorial-policy/", views.editorial_policy, name="editorial_policy"),
    path("advisory-board/", views.advisory_board, name="advisory_board"),
]
