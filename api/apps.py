from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The read API at /api/v1/: live approved versions as JSON, described by OpenAPI."""

    name = "api"
    verbose_name = "Read API"
