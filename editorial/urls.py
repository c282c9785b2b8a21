"""Reader-facing editorial endpoints (questions and error reports filed from article pages)."""

app_name = "editorial"

urlpatterns: list = []
