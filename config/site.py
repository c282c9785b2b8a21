"""The site's public address, for links that leave the request: e-mails, canonical URLs, feeds."""

from django.conf import settings


def absolute(path: str) -> str:
    """``path`` (from ``reverse`` or ``get_absolute_url``) as a full URL on SITE_URL."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"
