from django.urls import path

from writing import views

app_name = "writing"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.new_article, name="new"),
    path("<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/delete/", views.confirm_delete, name="confirm_delete"),
    path("<int:pk>/<str:name>/", views.transition, name="transition"),
]
